"""Order rules so that whatever a rule reads is final before it fires.

A rule that tests a hypothesis's certainty, or the absence of a derived fact,
must not fire until every rule that could change that certainty or derive that
fact has fired; otherwise the result would depend on firing order.  Each rule
gets a stratum one above the rules it reads from, and its salience is minus its
stratum, so the engine finishes a whole stratum before starting the next (as
stratified negation does in Datalog).  A cycle has no such order and is an error.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import NamedTuple

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


def strata(rules: Iterable[RuleDef]) -> tuple[dict[str, int], list[Tangle]]:
    """Each rule's stratum, and the rules caught in cycles, one Tangle per knot of them.

    Walked through what rules read (a fact, a hypothesis) rather than rule to rule: a
    hypothesis read by a thousand rules is given by a thousand more, and its level is
    worked out once, not a thousand times.  The walk keeps its own stack: a chain of
    derived facts may be thousands of rules deep, deeper than Python's recursion.  A
    rule met again on its own path closes a cycle (its level counts as 0 there); only
    then are the knots worked out (_tangles)."""
    rules = list(rules)
    makers, reads = _makers(rules)
    ordered = {subject: sorted(ids) for subject, ids in makers.items()}
    level: dict[str, int] = {}
    above: dict[Subject, int] = {}  # a subject whose makers are all done -> level
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cyclic = False
    stack: list[list] = []  # [RULE, id, its subjects, level so far] or
    # [SUBJECT, subject, its makers, level so far, whether a maker was on the path]

    def enter(rule_id: str) -> int | None:
        """A rule's level if known at once (done, or on the path: a cycle, counted 0);
        else None, and the rule is on the path and the stack."""
        nonlocal cyclic
        if state.get(rule_id) == 2:
            return level[rule_id]
        if state.get(rule_id) == 1:
            cyclic = True
            return 0
        state[rule_id] = 1
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
    return level, _tangles(ordered, reads, {r.id: r.order for r in rules}) if cyclic else []


class Tangle(NamedTuple):
    """Rules that read each other's conclusions: the shortest cycle through the one read
    last (an extension's, not the package's; it ends where it starts), and the others
    caught with them, by id."""

    cycle: list[str]
    others: list[str]

    def says(self) -> str:
        """The problem, in words: the cycle, and as many others as a reader takes in."""
        said = "rules read each other's conclusions in a cycle: " + " -> ".join(self.cycle)
        if self.others:
            named = ", ".join(self.others[:NAMED])
            more = f" and {len(self.others) - NAMED} more" if len(self.others) > NAMED else ""
            rules = "1 more rule is" if len(self.others) == 1 else \
                f"{len(self.others)} more rules are"
            said += f"; {rules} caught in cycles with them: {named}{more}"
        return said


NAMED = 8  # other rules of a knot named in its problem


Node = str | Subject  # a rule's id, or what rules read and conclude


def _tangles(makers: dict[Subject, list[str]], reads: dict[str, list[Subject]],
             order: dict[str, int]) -> list[Tangle]:
    """One Tangle for each knot of rules (a strongly connected component of rules and
    what they read, found as Tarjan does, on a stack of its own): an author unties a
    knot, however many cycles run through it (thousands of rules reading and giving a
    few hypotheses make millions), so each is told once, with a cycle to start from."""
    index: dict[Node, int] = {}
    low: dict[Node, int] = {}
    held: list[Node] = []
    holding: set[Node] = set()
    knots: list[set[Node]] = []
    work: list[tuple[Node, Iterator]] = []  # the walk's own stack: each node, and what
    # comes after it still to walk

    def visit(node: Node) -> None:
        index[node] = low[node] = len(index)
        held.append(node)
        holding.add(node)
        work.append((node, iter(_after(node, makers, reads))))

    for root in sorted(reads):
        if root in index:
            continue
        visit(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    visit(child)
                elif child in holding:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                knot: set[Node] = set()
                while True:
                    member = held.pop()
                    holding.discard(member)
                    knot.add(member)
                    if member == node:
                        break
                if len(knot) > 1:  # a rule and what it reads: never a knot on its own
                    knots.append(knot)
    tangles = []
    for knot in knots:
        caught = sorted(node for node in knot if isinstance(node, str))
        last = max(caught, key=lambda rule: (order[rule], rule))
        cycle = _shortest_cycle(last, knot, makers, reads)
        on_it = set(cycle)
        tangles.append(Tangle(cycle, [rule for rule in caught if rule not in on_it]))
    return sorted(tangles, key=lambda tangle: (order[tangle.cycle[0]], tangle.cycle[0]))


def _after(node: Node, makers: dict[Subject, list[str]], reads: dict[str, list[Subject]]
           ) -> list:
    """What comes after a node: a subject's makers, or what a rule reads."""
    return makers[node] if isinstance(node, tuple) else reads[node]


def _shortest_cycle(first: str, knot: set[Node], makers: dict[Subject, list[str]],
                    reads: dict[str, list[Subject]]) -> list[str]:
    """The fewest rules from ``first`` back to itself, each reading what the next one
    concludes (breadth first, within the knot)."""
    came_from: dict[Node, Node | None] = {first: None}
    queue: deque[Node] = deque([first])
    while queue:
        node = queue.popleft()
        for onward in _after(node, makers, reads):
            if onward == first:
                path: list[Node] = []
                at: Node | None = node
                while at is not None:
                    path.append(at)
                    at = came_from[at]
                return [n for n in reversed(path) if isinstance(n, str)] + [first]
            if onward in knot and onward not in came_from:
                came_from[onward] = node
                queue.append(onward)
    raise AssertionError(f"{first} is in a knot but on no cycle")  # pragma: no cover
