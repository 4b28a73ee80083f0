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
import math
from collections.abc import Callable
from json.encoder import encode_basestring as _string  # a str as JSON, as _encode does
from typing import Any

from ..engine.trace import FiringLog, firing_json
from ..language.model import Advice, KnowledgeBase, Question
from ..text import plain
from . import contract
from .consultation import Ranked, Result

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                           check_circular=False).encode
KEEP = 4_096  # entries each table remembers at most (answers, referrals, beliefs): numbers
# make new ones without end, and those every report repeats come back at once after the
# table is emptied


class Pieces:
    """One knowledge base's report pieces, encoded once (contract.py says what they are)."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.answers: dict[tuple, str] = {}
        self.rule = {r: _encode(r) for r in kb.rules_by_id}
        self.title = {r: _encode(rule.title) for r, rule in kb.rules_by_id.items()}
        self.question = {q: _encode(q) for q in kb.questions}
        self.answer_head = {q.id: f'{{"question":{_encode(q.id)},"text":{_encode(q.text)},'
                            f'"answer":' for q in kb.questions.values()}
        self.test_id = {t: _encode(t) for t in kb.tests}
        self.advice_entries: dict[tuple, str] = {}
        self.unknown = {(q, asked): _encode(contract.unknown_question(kb, q, asked))
                        for q in kb.questions for asked in (False, True)}
        self.test = {t: _encode(contract.test_detail(kb, t)) for t in kb.tests}
        self.knowledge = _encode(contract.knowledge(kb))
        self.disclaimer = _encode(contract.disclaimer(kb))
        self.referrals: dict[tuple, str] = {}
        self.beliefs: dict[tuple, str] = {}

    def answer(self, question: Question, value: Any) -> str:
        """An answer's entry (contract.answer): the question's part written once (multiple
        choices make more values than a batch repeats)."""
        key = (question.id, type(value), value)  # 1, 1.0 and True: equal keys, not JSON
        return _kept(self.answers, key, lambda: (
            f'{self.answer_head[question.id]}{_value(value)},'
            f'"answer_text":{_string(question.answer_text(value))}}}'))

    def referral(self, result: Result) -> str:
        """The referral entry: the same for every consultation that reaches one level for
        the same reasons with the same warning signs unchecked (most of a batch's)."""
        key = (result.level.id, result.reasons, result.unchecked, result.warning)
        return _kept(self.referrals, key, lambda: _encode(contract.referral(result)))

    def belief(self, ranked: Ranked, label: str, caveat: str = "") -> str:
        """A hypothesis's or note's entry (contract.belief), from the rules' ids and titles
        written once.  Its key holds all the entry says (a certainty is a float, and
        never -0.0, so equal keys are printed alike)."""
        key = (ranked.id, ranked.certainty, ranked.rules, label, caveat)
        return _kept(self.beliefs, key, lambda: (
            f'{{"id":{_string(ranked.id)},"certainty":{_value(ranked.certainty)},'
            f'"band":{_string(ranked.band)},"label":{_string(label)},'
            f'"rules":[{",".join([self.rule[r] for r in ranked.rules])}],'
            f'"evidence":[{",".join([self.title[r] for r in ranked.rules])}]'
            + (f',"caveat":{_string(caveat)}}}' if caveat else "}")))

    def advice(self, rule: str, advice: Advice) -> str:
        """An advice entry: the rule's own words, or those left when quiet (a few each)."""
        key = (rule, advice.kind, advice.text)
        return _kept(self.advice_entries, key, lambda: _encode(
            {"rule": rule, "kind": advice.kind, "text": advice.text}))


def _kept(table: dict[tuple, str], key: tuple, write: Callable[[], str]) -> str:
    """``table[key]``, written the first time; a full table is emptied."""
    encoded = table.get(key)
    if encoded is None:
        if len(table) >= KEEP:
            table.clear()
        encoded = table[key] = write()
    return encoded


def _value(value: Any) -> str:
    """A plain value (an answer, a certainty) as ``_encode`` writes it, without the
    encoder's setting up for each call: the same bytes (tests/test_reportline.py)."""
    kind = value.__class__
    if kind is str:
        return _string(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if (kind is tuple or kind is list) and all(item.__class__ is str for item in value):
        return f'[{",".join([_string(item) for item in value])}]'
    return _encode(plain(value))


_PIECES: dict[str, Pieces] = {}


def pieces_for(kb: KnowledgeBase) -> Pieces:
    found = _PIECES.get(kb.fingerprint)
    if found is None or found.kb is not kb:
        found = _PIECES[kb.fingerprint] = Pieces(kb)
    return found


def report_line(result: Result, head: dict[str, Any],
                value_of_information: list[dict[str, Any]] | None = None) -> str:
    """``json.dumps({**head, **build_report(result, value_of_information)})``, compact."""
    kb, answers, unknown = result.kb, result.answers, result.unknown
    p = pieces_for(kb)
    firings = result.firings
    trace = firings.json_items() if isinstance(firings, FiringLog) else map(firing_json,
                                                                               firings)
    hypotheses = ",".join([p.belief(h, kb.hypotheses[h.id].label) for h in result.hypotheses])
    notes = ",".join([p.belief(n, kb.notes[n.id].label, result.voice) for n in result.notes])
    tests = result.tests
    advice = ",".join([p.advice(rule, a) for rule, a in result.advice])
    given = ",".join([p.answer(q, answers[q.id]) for q in kb.askable if q.id in answers])
    conflicts = _encode([{"rule": r, "text": t} for r, t in result.conflicts]) \
        if result.conflicts else "[]"
    computed = contract.computed(result)
    return ((_encode(head)[:-1] + "," if head else "{")
            + f'"referral":{p.referral(result)},"hypotheses":[{hypotheses}],'
            f'"notes":[{notes}],"tests":[{",".join([p.test_id[t] for t in tests])}],'
            f'"tests_detail":[{",".join([p.test[t] for t in tests])}],'
            f'"advice":[{advice}],"trace":[{",".join(trace)}],'
            f'"unknown":[{",".join([p.question[q] for q in unknown])}],"answers":[{given}],'
            f'"unknown_questions":[{",".join([p.unknown[q, q in answers] for q in unknown])}],'
            f'"warning_sign":{"true" if result.warning else "false"},'
            f'"conflicts":{conflicts},"knowledge":{p.knowledge},'
            f'"computed":{_encode(computed) if computed else "{}"},'
            f'"value_of_information":{_encode(value_of_information or [])},'
            f'"disclaimer":{p.disclaimer}}}')
