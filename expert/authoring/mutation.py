"""Mutation analysis: is every rule's strength really tested by the knowledge cases?

A rule is tested when weakening it makes some case fail.  Each mutant changes one
rule's conclusions the way a wrong edit would: its certainty quartered, its
ceiling doubled, its referral one rung down.  A mutant no case notices is a rule
whose strength nothing asserts.  Only the cases in which the rule fired are
re-run (a rule that did not fire cannot change a case), with the mutant's
conclusions swapped in for one run (consultation ``overrides``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ..consult.consultation import consult
from ..language.model import KnowledgeBase, RuleDef
from .cases import Case, check
from .expectations import likeliest_first


class Mutant(NamedTuple):
    """One rule weakened the way a wrong edit would weaken it."""

    rule: str
    change: str  # what the wrong edit did, in words
    definition: RuleDef


def mutants(kb: KnowledgeBase, rule: RuleDef) -> Iterator[Mutant]:
    """The wrong edits of ``rule`` that some case must notice."""
    then = rule.then
    if then.hypotheses:
        yield Mutant(rule.id, "certainty quartered", rule._replace(then=then._replace(
            hypotheses=tuple((h, cf / 4) for h, cf in then.hypotheses))))
    if then.notes:
        yield Mutant(rule.id, "note certainty quartered", rule._replace(then=then._replace(
            notes=tuple((n, cf / 4) for n, cf in then.notes))))
    if then.ceilings:
        yield Mutant(rule.id, "ceiling doubled", rule._replace(then=then._replace(
            ceilings=tuple((h, min(1.0, cap * 2)) for h, cap in then.ceilings))))
    ladder = [level.id for level in kb.levels]
    if then.referral and ladder.index(then.referral) > 0:
        lower = ladder[ladder.index(then.referral) - 1]
        yield Mutant(rule.id, f"referral one rung down ({lower})",
                     rule._replace(then=then._replace(referral=lower)))


def survivors(kb: KnowledgeBase, cases: list[Case],
              scope: frozenset[str] | None = None) -> list[Mutant]:
    """Every mutant no case fails on: the rules whose strength is untested (of ``scope``'s
    rules only, when given: an extension's own)."""
    fired_in: dict[str, list[Case]] = {}
    for case in cases:
        for rule_id in dict.fromkeys(consult(kb, case.answers).fired):
            fired_in.setdefault(rule_id, []).append(case)
    alive = []
    for rule in kb.rules:
        if scope is not None and rule.id not in scope:
            continue
        for mutant in mutants(kb, rule):
            overrides = {rule.id: mutant.definition}
            tried = likeliest_first(fired_in.get(rule.id, ()), mutant.definition.then,
                                    lambda case: case.expect)
            if not any(check(consult(kb, case.answers, overrides=overrides), case.expect)
                       for case in tried):
                alive.append(mutant)
    return alive
