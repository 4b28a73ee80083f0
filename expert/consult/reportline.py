"""A report as one compact JSON line, for a batch: the same bytes as dumping
``build_report``'s dict, written from pieces each knowledge base says once.

A batch writes a hundred thousand reports, and most of each is the same words
again: the advice, the questions' texts, the trace's rule ids and fixed
conclusions.  Here each such piece is encoded once (with the json module) and
kept, and a report is joined from them; only what differs between consultations
is encoded each time.  tests/test_reportline.py holds every line to
``json.dumps(build_report(...))``, byte for byte.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as text  # a str as JSON, as json.dumps does
from typing import Any

from ..engine.trace import FiringLog, firing_json
from ..language.model import KnowledgeBase
from ..text import plain
from .consultation import Result
from .contract import DOCTOR_FIRST, NOT_A_DIAGNOSIS

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                           check_circular=False).encode
KEEP = 4_096  # answers remembered at most: numbers make new ones without end, and those
# every report repeats come back at once after the table is emptied


class Pieces:
    """The encoded pieces of one knowledge base's reports."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.answers: dict[tuple[str, type, Any], str] = {}
        rules = kb.rules_by_id
        self.rule = {r: _encode(r) for r in rules}
        self.title = {r: _encode(rule.title) for r, rule in rules.items()}
        self.unknown = {(q.id, asked): _encode({"question": q.id, "text": q.text,
                                                "asked": asked})
                        for q in kb.questions.values() for asked in (False, True)}
        self.test = {t: _encode({"id": t, "label": test.label}) for t, test in kb.tests.items()}
        self.tail = _encode({
            "knowledge": {"version": kb.version, "hash": f"sha256:{kb.fingerprint[:16]}"}})[1:-1]
        self.disclaimer = _encode(" ".join(filter(None, [kb.disclaimer, NOT_A_DIAGNOSIS])))

    def answer(self, question: Any, value: Any) -> str:
        key = (question.id, type(value), value)  # 1, 1.0 and True: equal keys, not JSON
        encoded = self.answers.get(key)
        if encoded is None:
            if len(self.answers) >= KEEP:
                self.answers.clear()
            encoded = self.answers[key] = _encode({
                "question": question.id, "text": question.text, "answer": plain(value),
                "answer_text": question.answer_text(value)})
        return encoded


_PIECES: dict[str, Pieces] = {}


def pieces_for(kb: KnowledgeBase) -> Pieces:
    found = _PIECES.get(kb.fingerprint)
    if found is None or found.kb is not kb:
        found = _PIECES[kb.fingerprint] = Pieces(kb)
    return found


def report_line(result: Result, head: dict[str, Any],
                value_of_information: list[dict[str, Any]] | None = None) -> str:
    """``json.dumps({**head, **build_report(result, value_of_information)})``, compact."""
    kb = result.kb
    p = pieces_for(kb)
    rule, title = p.rule, p.title
    rules = kb.rules_by_id
    say = kb.calm_text if result.quiet else (lambda words: words)
    unchecked_reason = kb.voice.unchecked_text if kb.voice else ""
    referral: dict[str, Any] = {
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
    out = [_encode(head)[:-1] if head else "{", "," if head else "",
           '"referral":', _encode(referral), ',"hypotheses":[']
    out.append(",".join(
        f'{{"id":{text(h.id)},"certainty":{h.certainty!r},"band":"{h.band}",'
        f'"label":{text(kb.hypotheses[h.id].label)},'
        f'"rules":[{",".join(rule[r] for r in h.rules)}],'
        f'"evidence":[{",".join(title[r] for r in h.rules)}]}}'
        for h in result.hypotheses))
    caveat = f',"caveat":{text(result.voice)}' if result.voice else ""
    out.append('],"notes":[')
    out.append(",".join(
        f'{{"id":{text(n.id)},"certainty":{n.certainty!r},"band":"{n.band}",'
        f'"label":{text(kb.notes[n.id].label)},'
        f'"rules":[{",".join(rule[r] for r in n.rules)}],'
        f'"evidence":[{",".join(title[r] for r in n.rules)}]{caveat}}}'
        for n in result.notes))
    out.append('],"tests":[')
    out.append(",".join(text(t) for t in result.tests))
    out.append('],"tests_detail":[')
    out.append(",".join(p.test[t] for t in result.tests))
    out.append('],"advice":[')
    out.append(",".join(f'{{"rule":{rule[r]},"kind":{text(a.kind)},"text":{text(a.text)}}}'
                        for r, a in result.advice))
    out.append('],"trace":[')
    firings = result.firings
    out.append(",".join(firings.json_items() if isinstance(firings, FiringLog) else
                        map(firing_json, firings)))
    unknown = result.unknown
    out.append('],"unknown":[')
    out.append(",".join(text(q) for q in unknown))
    out.append('],"answers":[')
    answers = result.answers
    out.append(",".join(p.answer(q, answers[q.id]) for q in kb.askable if q.id in answers))
    out.append('],"unknown_questions":[')
    out.append(",".join(p.unknown[q, q in answers] for q in unknown))
    out.append(f'],"warning_sign":{"true" if result.warning else "false"},"conflicts":')
    out.append(_encode([{"rule": r, "text": t} for r, t in result.conflicts]))
    out.append(",")
    out.append(p.tail)
    out.append(',"computed":')
    out.append(_encode({q.id: answers.get(q.id) for q in kb.questions.values()
                        if q.computed and answers.get(q.id) is not None}))
    out.append(',"value_of_information":')
    out.append(_encode(value_of_information or []))
    out.append(',"disclaimer":')
    out.append(p.disclaimer)
    out.append("}")
    return "".join(out)
