"""The consultation report as data: the JSON contract of report-contract.md.

Everything here is ordered explicitly (rank, then id, then firing step), so the
same answers and knowledge always give byte-identical JSON.
"""

from __future__ import annotations

import json
from typing import Any

from ..language.model import KnowledgeBase, Question
from ..text import plain
from .consultation import Ranked, Result

DOCTOR_FIRST = ("The doctor's assessment comes first: what follows is for that appointment "
                "(what to mention, what to ask about), not a reason to wait or to treat "
                "yourself.")
NOT_A_DIAGNOSIS = ("Possible deficiencies are only possible: confirm them with a blood test "
                   "before acting on them.")


def build_report(result: Result, value_of_information: list[dict[str, Any]] | None = None
                 ) -> dict[str, Any]:
    """The report dict: contract fields first, then twitchdx's additions.

    ``value_of_information`` is the consult layer's list of questions whose answer
    would change the report (consult.planner.questions_that_matter).
    """
    kb = result.kb
    return {
        "referral": referral(result),
        "hypotheses": [belief(kb, h, kb.hypotheses[h.id].label) for h in result.hypotheses],
        "notes": [belief(kb, n, kb.notes[n.id].label, result.voice) for n in result.notes],
        "tests": list(result.tests),
        "tests_detail": [test_detail(kb, t) for t in result.tests],
        "advice": [{"rule": rule, "kind": a.kind, "text": a.text} for rule, a in result.advice],
        "trace": [  # a batch writes these as trace.firing_json does
            {"step": f.step, "rule": f.rule, "facts": [ref.text for ref in f.facts],
             "asserted": list(f.asserted)}
            for f in result.firings
        ],
        "unknown": list(result.unknown),
        "answers": [answer(q, result.answers[q.id]) for q in kb.askable
                    if q.id in result.answers],
        "unknown_questions": [unknown_question(kb, q, q in result.answers)
                              for q in result.unknown],
        "warning_sign": result.warning,
        "conflicts": [{"rule": rule, "text": text} for rule, text in result.conflicts],
        "knowledge": knowledge(kb),
        "computed": computed(result),
        "value_of_information": value_of_information or [],
        "disclaimer": disclaimer(kb),
    }


def referral(result: Result) -> dict[str, Any]:
    """The report's referral: the level reached, why, and the warning signs not checked."""
    kb = result.kb
    rules = kb.rules_by_id
    say = kb.calm_text if result.quiet else (lambda text: text)
    unchecked_reason = kb.voice.unchecked_text if kb.voice else ""
    return {
        "level": result.level.id,
        "label": result.level.label,
        "action": say(result.level.action),
        "reasons": [{"rule": r, "title": rules[r].title,
                     "text": say(rules[r].because) or unchecked_reason}
                    for r in result.reasons],
        "warning_signs_checked": not result.unchecked,
        "unchecked_warning_signs": [
            {"question": u.question, "choice": u.choice, "text": u.text, "level": u.level,
             "level_label": kb.level(u.level).label if u.level else None}
            for u in result.unchecked],
        **({"unchecked_notice": {"heading": kb.voice.unchecked_heading,
                                 "text": kb.voice.unchecked_text}}
           if result.unchecked and kb.voice else {}),
        **({"doctor_first": DOCTOR_FIRST} if result.warning else {}),
    }


def belief(kb: KnowledgeBase, ranked: Ranked, label: str, caveat: str = ""
           ) -> dict[str, Any]:
    """A hypothesis or a lifestyle note, with the rules behind it."""
    rules = kb.rules_by_id
    return {"id": ranked.id, "certainty": ranked.certainty, "band": ranked.band,
            "label": label, "rules": list(ranked.rules),
            "evidence": [rules[r].title for r in ranked.rules],
            **({"caveat": caveat} if caveat else {})}


def test_detail(kb: KnowledgeBase, test: str) -> dict[str, Any]:
    return {"id": test, "label": kb.tests[test].label}


def answer(question: Question, value: Any) -> dict[str, Any]:
    """An answer as given, and as a person reads it."""
    return {"question": question.id, "text": question.text, "answer": plain(value),
            "answer_text": question.answer_text(value)}


def unknown_question(kb: KnowledgeBase, question: str, asked: bool) -> dict[str, Any]:
    return {"question": question, "text": kb.questions[question].text, "asked": asked}


def knowledge(kb: KnowledgeBase) -> dict[str, str]:
    return {"version": kb.version, "hash": f"sha256:{kb.fingerprint[:16]}"}


def computed(result: Result) -> dict[str, Any]:
    """The answers worked out from others (the caffeine estimate)."""
    return {q.id: result.answers[q.id] for q in result.kb.computed_questions
            if result.answers.get(q.id) is not None}


def disclaimer(kb: KnowledgeBase) -> str:
    return " ".join(filter(None, [kb.disclaimer, NOT_A_DIAGNOSIS]))


def to_json(report: dict[str, Any]) -> str:
    """The report as JSON: indented, UTF-8, one newline at the end (byte-identical for the same
    input)."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
