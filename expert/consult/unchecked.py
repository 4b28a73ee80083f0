"""Warning signs a consultation did not check: unknown is never "no".

A warning-sign question left unanswered, or answered ``unknown``, could still
hide a sign that raises the referral.  It is unchecked while some rule that
would raise the referral (above where it stands, to the warning level or
higher), or give the report the warning voice, is still undecided and reads
it.  While any is unchecked, a report says so first and does not reassure.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..language.model import KnowledgeBase, Level, RuleDef
from ..language.status import RuleStatus


class Unchecked(NamedTuple):
    """A warning sign not checked: a choice of a multi question, or a question."""

    question: str
    choice: str | None
    text: str  # what a person reads: the choice, or the question
    level: str  # the referral it would lead to: a sign's own floor, or what it would raise


def unchecked_warning_signs(kb: KnowledgeBase, answers: Mapping[str, Any], level: Level,
                            warning: bool) -> tuple[Unchecked, ...]:
    """The warning signs these answers leave unchecked, most serious first."""
    open_questions = {q.id: q for q in kb.warning_questions if answers.get(q.id) is None}
    if not open_questions or level.id == kb.top_level.id:
        return ()
    rank = kb.level_rank
    floor = max(level.rank + 1, rank[kb.warning_level])
    voice = kb.voice.fact if kb.voice and not warning else None
    raising, cone = _raising(kb, floor, voice)
    if not raising:
        return ()
    status = RuleStatus(kb, dict(answers), only=cone, explain=False)
    reach: dict[str, int] = {}  # open question -> the highest rank it could still lead to
    for rule in raising:
        if status.truth(rule.id) is not None:
            continue
        lifts = rank[rule.then.referral] if rule.then.referral else rank[kb.warning_level]
        for read in _questions_read(kb, rule, status):
            if read in open_questions:
                reach[read] = max(reach.get(read, 0), lifts)
    out: list[tuple[int, int, Unchecked]] = []
    order = {q.id: i for i, q in enumerate(kb.askable)}
    for qid, lifts in reach.items():
        question = open_questions[qid]
        flagged = [c for c in question.choices if c.red_flag and rank[c.red_flag] >= floor]
        if flagged:
            out += [(-rank[c.red_flag], order[qid], Unchecked(qid, c.id, c.text, c.red_flag))
                    for c in flagged]
        elif question.red_flag and rank[question.red_flag] >= floor:
            out.append((-rank[question.red_flag], order[qid],
                        Unchecked(qid, None, question.text, question.red_flag)))
        else:
            level_id = next(lv.id for lv in kb.levels if lv.rank == lifts)
            out.append((-lifts, order[qid], Unchecked(qid, None, question.text, level_id)))
    return tuple(item for *_, item in sorted(out, key=lambda x: (x[0], x[1])))


def _questions_read(kb: KnowledgeBase, rule: Any, status: RuleStatus) -> set[str]:
    """Questions an undecided rule reads, itself or through the undecided rules that
    would derive the facts and certainties it reads."""
    found: set[str] = set()
    for member in _cone(kb, rule.id):
        if status.truth(member) is None:
            found |= _reads(kb, member)
    return found


@functools.lru_cache(maxsize=64)
def _raising(kb: KnowledgeBase, floor: int, voice: str | None
             ) -> tuple[tuple[RuleDef, ...], frozenset[str]]:
    """The rules that would raise the referral to ``floor`` or above, or give the warning
    voice, and every rule they read through: the same for every consultation that
    stands at one level (a batch asks again for each record)."""
    rank = kb.level_rank
    raising = tuple(r for r in kb.rules if (r.then.referral and rank[r.then.referral] >= floor)
                    or (voice and voice in r.then.facts))
    return raising, frozenset(kb.cone(raising))


@functools.lru_cache(maxsize=4096)
def _cone(kb: KnowledgeBase, rule_id: str) -> tuple[str, ...]:
    return tuple(sorted(kb.cone([kb.rules_by_id[rule_id]])))


@functools.lru_cache(maxsize=4096)
def _reads(kb: KnowledgeBase, rule_id: str) -> frozenset[str]:
    """The questions a rule reads, with those a computed answer it reads is summed from."""
    questions = kb.rules_by_id[rule_id].questions
    return frozenset([*questions, *(q for qid in questions if qid in kb.computed
                                    for q, _ in kb.questions[qid].sum)])
