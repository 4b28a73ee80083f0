"""What-if: re-run a consultation with some answers changed and say what moved."""

from __future__ import annotations

from typing import Any

from ..consult.answers import check_answers, parse_typed
from ..consult.consultation import Result, consult
from ..errors import AnswerProblem, InputError
from ..language.model import KnowledgeBase
from ..text import plain

Node = dict[str, Any]


def parse_settings(kb: KnowledgeBase, settings: tuple[str, ...]) -> dict[str, Any]:
    """``QUESTION=VALUE`` pairs, VALUE typed as at the interactive prompt (``unknown`` too)."""
    changes: dict[str, Any] = {}
    for setting in settings:
        question_id, sep, text = setting.partition("=")
        question_id = question_id.strip()
        if not sep:
            raise InputError(f"--set {setting!r}: write QUESTION=VALUE, e.g. age=70")
        question = kb.questions.get(question_id)
        if question is None or question.computed:
            check_answers(kb, {question_id: None}, "--set")  # raises the usual clear error
        if text.strip().lower() == "unknown":
            changes[question_id] = None
            continue
        try:
            changes[question_id] = parse_typed(question, text)
        except AnswerProblem as problem:
            raise InputError(f"--set {question_id}: {problem.reason}") from None
    return changes


def what_if(kb: KnowledgeBase, answers: dict[str, Any], changes: dict[str, Any]) -> Node:
    """The difference between the consultation as answered and with ``changes``."""
    before = consult(kb, answers)
    changed_answers = {**answers, **changes}
    after = consult(kb, changed_answers)
    return diff(before, after, {q: (answers.get(q), v) for q, v in changes.items()})


def diff(before: Result, after: Result, changes: dict[str, tuple[Any, Any]]) -> Node:
    """What moved between two consultations: referral, certainties, rules, tests."""
    kb = before.kb

    def moved(get_before, get_after, ids) -> list[Node]:
        out = []
        for ident, entry in ids.items():
            a, b = get_before(ident), get_after(ident)
            if round(a, 3) != round(b, 3):
                out.append({"id": ident, "label": entry.label, "from": round(a, 3),
                            "to": round(b, 3)})
        return out

    hypotheses = moved(before.certainty_of, after.certainty_of, kb.hypotheses)
    notes = moved(before.certainty_of, after.certainty_of, kb.notes)
    fired_before, fired_after = set(before.fired), set(after.fired)
    rules = kb.rules_by_id
    node: Node = {
        "changes": [{"question": q, "from": plain(a), "to": plain(b),
                     "text": kb.questions[q].short_text,
                     "from_text": kb.questions[q].answer_text(a),
                     "to_text": kb.questions[q].answer_text(b)}
                    for q, (a, b) in changes.items()],
        "referral": {"from": before.level.id, "to": after.level.id,
                     "from_label": before.level.label, "to_label": after.level.label},
        "hypotheses": hypotheses,
        "notes": notes,
        "now_fire": sorted(fired_after - fired_before),
        "no_longer_fire": sorted(fired_before - fired_after),
        "tests_added": [t for t in after.tests if t not in before.tests],
        "tests_removed": [t for t in before.tests if t not in after.tests],
    }
    node["titles"] = {r: rules[r].title for r in node["now_fire"] + node["no_longer_fire"]}
    node["test_labels"] = {t: kb.tests[t].label
                           for t in node["tests_added"] + node["tests_removed"]}
    return node


def render(node: Node, show_rules: bool = False) -> str:
    """A what-if as text, from the same data the JSON prints: in the words of the questions,
    levels and conclusions (and rule ids with ``show_rules``)."""
    lines = ["What if:"] + [f"  - {c['text']} {c['to_text']} (instead of {c['from_text']})"
                            for c in node["changes"]]
    referral = node["referral"]
    lines.append(f"Referral: {referral['from_label']} -> {referral['to_label']}"
                 if referral["from"] != referral["to"] else
                 f"Referral: unchanged ({referral['from_label']})")
    for key, heading in (("hypotheses", "Possible deficiencies"),
                         ("notes", "Lifestyle triggers")):
        if node[key]:
            lines.append(f"{heading}:")
            lines += [f"  {m['label']}: {m['from']:.2f} -> {m['to']:.2f}" for m in node[key]]
        else:
            lines.append(f"{heading}: unchanged")
    for key, label in (("now_fire", "Now also because of"),
                       ("no_longer_fire", "No longer because of")):
        if node[key]:
            lines.append(f"{label}:")
            lines += [f"  - {node['titles'][r]}" + (f" [{r}]" if show_rules else "")
                      for r in node[key]]
    for key, label in (("tests_added", "Tests added"), ("tests_removed", "Tests removed")):
        if node[key]:
            lines.append(f"{label}: " + "; ".join(node["test_labels"][t] for t in node[key]))
    return "\n".join(lines) + "\n"
