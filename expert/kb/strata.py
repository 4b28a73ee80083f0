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
RULE, SUBJECT = "rule", "subject"  # the kinds of frame on strata's stack


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
    worked out once, not a thousand times.  The walk keeps its own stack: a chain of
    derived facts may be thousands of rules deep, deeper than Python's recursion."""
    makers, reads = _makers(list(rules))
    ordered = {subject: sorted(ids) for subject, ids in makers.items()}
    level: dict[str, int] = {}
    above: dict[Subject, int] = {}  # a subject whose makers are all done -> level
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []
    path: list[str] = []
    stack: list[list] = []  # [RULE, id, its subjects, level so far] or
    # [SUBJECT, subject, its makers, level so far, whether a maker was on the path]

    def enter(rule_id: str) -> int | None:
        """A rule's level if known at once (done, or on the path: a cycle, counted 0);
        else None, and the rule is on the path and the stack."""
        if state.get(rule_id) == 2:
            return level[rule_id]
        if state.get(rule_id) == 1:
            cycle = [*path[path.index(rule_id):], rule_id]
            if sorted(cycle[:-1]) not in [sorted(c[:-1]) for c in cycles]:
                cycles.append(cycle)
            return 0
        state[rule_id] = 1
        path.append(rule_id)
        stack.append([RULE, rule_id, iter(reads[rule_id]), 0])
        return None

    for root in sorted(reads):
        enter(root)
        done: int | None = None  # the level a frame taken off the stack came to
        while stack:
            frame = stack[-1]
            if done is not None:  # a rule stands as high as what it reads; a subject one
                frame[3] = max(frame[3], done if frame[0] is RULE else done + 1)  # above
                done = None  # its highest maker
            if frame[0] is RULE:
                subject = next(frame[2], None)
                if subject is None:
                    stack.pop()
                    path.pop()
                    state[frame[1]] = 2
                    done = level[frame[1]] = frame[3]
                elif subject in above:
                    done = above[subject]
                else:
                    on_path = any(state.get(m) == 1 for m in ordered[subject])
                    stack.append([SUBJECT, subject, iter(ordered[subject]), 0, on_path])
            else:
                maker = next(frame[2], None)
                if maker is None:
                    stack.pop()
                    if not frame[4]:  # every maker is done: later readers need not walk them
                        above[frame[1]] = frame[3]
                    done = frame[3]
                else:
                    done = enter(maker)
    return level, cycles
