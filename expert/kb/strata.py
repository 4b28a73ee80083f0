"""Order rules so that whatever a rule reads is final before it fires.

A rule that tests a hypothesis's certainty, or the absence of a derived fact,
must not fire until every rule that could change that certainty or derive that
fact has fired; otherwise the result would depend on firing order.  Each rule
gets a stratum one above the rules it reads from, and its salience is minus its
stratum, so the engine finishes a whole stratum before starting the next (as
stratified negation does in Datalog).  A cycle has no such order and is an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..language.model import RuleDef

Subject = tuple[str, str]  # ("fact", name) or ("hypothesis", id): what a rule reads


def _makers(rules: list[RuleDef]) -> tuple[dict[Subject, set[str]], dict[str, list[Subject]]]:
    """subject -> ids of the rules that conclude it; rule id -> the subjects it reads that
    some rule concludes."""
    makers: dict[Subject, set[str]] = {}
    for rule in rules:
        for name in rule.then.facts:
            makers.setdefault(("fact", name), set()).add(rule.id)
        for hypothesis, _ in (*rule.then.hypotheses, *rule.then.ceilings):
            makers.setdefault(("hypothesis", hypothesis), set()).add(rule.id)
    reads = {rule.id: sorted({*(("fact", n) for n in rule.reads_facts),
                              *(("hypothesis", h) for h in rule.reads_hypotheses)} & makers.keys())
             for rule in rules}
    return makers, reads


def dependencies(rules: Iterable[RuleDef]) -> dict[str, set[str]]:
    """rule id -> ids of the rules whose conclusions it reads."""
    makers, reads = _makers(list(rules))
    return {rule: set().union(*(makers[subject] for subject in subjects))
            for rule, subjects in reads.items()}


def strata(rules: Iterable[RuleDef]) -> tuple[dict[str, int], list[list[str]]]:
    """Each rule's stratum, and every cycle found (each a list of rule ids).

    Walked through what rules read (a fact, a hypothesis) rather than rule to rule: a
    hypothesis read by a thousand rules is given by a thousand more, and its level is
    worked out once, not a thousand times."""
    makers, reads = _makers(list(rules))
    ordered = {subject: sorted(ids) for subject, ids in makers.items()}
    level: dict[str, int] = {}
    above: dict[Subject, int] = {}  # a subject whose makers are all done -> level
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []
    path: list[str] = []

    def visit(rule_id: str) -> int:
        if state.get(rule_id) == 2:
            return level[rule_id]
        if state.get(rule_id) == 1:
            cycle = [*path[path.index(rule_id):], rule_id]
            if sorted(cycle[:-1]) not in [sorted(c[:-1]) for c in cycles]:
                cycles.append(cycle)
            return 0
        state[rule_id] = 1
        path.append(rule_id)
        level[rule_id] = max((over(subject) for subject in reads[rule_id]), default=0)
        path.pop()
        state[rule_id] = 2
        return level[rule_id]

    def over(subject: Subject) -> int:
        """One above the highest rule that concludes ``subject``."""
        if subject in above:
            return above[subject]
        on_path = any(state.get(m) == 1 for m in ordered[subject])
        value = max(visit(m) + 1 for m in ordered[subject])
        if not on_path:  # then every maker is done: later readers need not walk them
            above[subject] = value
        return value

    for rule_id in sorted(reads):
        visit(rule_id)
    visit = over = None  # noqa: F811  # their cycle, broken: no garbage to collect
    return level, cycles
