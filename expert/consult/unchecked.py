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

from ..language.model import KnowledgeBase, Level
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
    truth = RuleStatus(kb, dict(answers), only=cone, explain=False).truths.get
    reach: dict[str, int] = {}  # open question -> the highest rank it could still lead to
    for rule, lifts, members in raising:
        if truth(rule) is not None:
            continue
        for member, reads in members:  # an undecided rule reads these questions itself or
            if truth(member) is None:  # through the undecided rules it reads what they
                for read in reads:  # would derive
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


Raising = tuple[tuple[str, int, tuple[tuple[str, frozenset[str]], ...]], ...]


@functools.lru_cache(maxsize=64)
def _raising(kb: KnowledgeBase, floor: int, voice: str | None) -> tuple[Raising, frozenset[str]]:
    """The rules that would raise the referral to ``floor`` or above, or give the warning
    voice, each with the rank it would lead to and the rules it reads through (itself
    included) with the questions each reads; and all of those rules.  The same for
    every consultation that stands at one level (a batch asks again for each record)."""
    rank = kb.level_rank
    raising = [r for r in kb.rules if (r.then.referral and rank[r.then.referral] >= floor)
               or (voice and voice in r.then.facts)]
    entries = tuple(
        (rule.id, rank[rule.then.referral or kb.warning_level],
         tuple((member, _reads(kb, member)) for member in sorted(kb.cone([rule]))))
        for rule in raising)
    return entries, frozenset(kb.cone(raising))


@functools.lru_cache(maxsize=4096)
def _reads(kb: KnowledgeBase, rule_id: str) -> frozenset[str]:
    """The questions a rule reads, with those a computed answer it reads is summed from."""
    questions = kb.rules_by_id[rule_id].questions
    return frozenset([*questions, *(q for qid in questions if qid in kb.computed
                                    for q, _ in kb.questions[qid].sum)])
