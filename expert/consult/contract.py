"""The consultation report as data: the JSON contract of report-contract.md.

Everything here is ordered explicitly (rank, then id, then firing step), so the
same answers and knowledge always give byte-identical JSON.
"""

from __future__ import annotations

import json
from typing import Any

from ..text import plain
from .consultation import Result

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
    rules = kb.rules_by_id
    say = kb.calm_text if result.quiet else (lambda text: text)
    unchecked_reason = kb.voice.unchecked_text if kb.voice else ""
    report: dict[str, Any] = {
        "referral": {
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
        },
        "hypotheses": [
            {"id": h.id, "certainty": h.certainty, "band": h.band,
             "label": kb.hypotheses[h.id].label, "rules": list(h.rules),
             "evidence": [rules[r].title for r in h.rules]}
            for h in result.hypotheses
        ],
        "notes": [
            {"id": n.id, "certainty": n.certainty, "band": n.band, "label": kb.notes[n.id].label,
             "rules": list(n.rules), "evidence": [rules[r].title for r in n.rules],
             **({"caveat": result.voice} if result.voice else {})}
            for n in result.notes
        ],
        "tests": list(result.tests),
        "tests_detail": [{"id": t, "label": kb.tests[t].label} for t in result.tests],
        "advice": [{"rule": rule, "kind": a.kind, "text": a.text} for rule, a in result.advice],
        "trace": [
            {"step": f.step, "rule": f.rule, "facts": [ref.text for ref in f.facts],
             "asserted": list(f.asserted)}
            for f in result.firings
        ],
        "unknown": list(result.unknown),
        "answers": [{"question": q.id, "text": q.text, "answer": plain(result.answers[q.id]),
                     "answer_text": q.answer_text(result.answers[q.id])}
                    for q in kb.askable if q.id in result.answers],
        "unknown_questions": [{"question": q, "text": kb.questions[q].text,
                               "asked": q in result.answers} for q in result.unknown],
        "warning_sign": result.warning,
        "conflicts": [{"rule": rule, "text": text} for rule, text in result.conflicts],
        "knowledge": {"version": kb.version, "hash": f"sha256:{kb.fingerprint[:16]}"},
        "computed": {q.id: result.answers.get(q.id) for q in kb.questions.values()
                     if q.computed and result.answers.get(q.id) is not None},
        "value_of_information": value_of_information or [],
        "disclaimer": " ".join(filter(None, [kb.disclaimer, NOT_A_DIAGNOSIS])),
    }
    return report


def to_json(report: dict[str, Any]) -> str:
    """The report as JSON: indented, UTF-8, one newline at the end (byte-identical for the same
    input)."""
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
