"""When one condition implies another: every answer that satisfies the first
satisfies the second.  Sound, not complete: "implies" is only said when it holds
for each pair of tests compared (same question, a stronger test), so a rule is
never wrongly called a copy of another.
"""

from __future__ import annotations

from collections.abc import Sequence

from .conditions import Ask, Belief, FactIs, Leaf

Alternative = Sequence[Leaf]


def implies(a: Sequence[Alternative], b: Sequence[Alternative]) -> bool:
    """Does condition ``a`` (in DNF) imply condition ``b``?"""
    return all(any(alternative_implies(x, y) for y in b) for x in a)


def equivalent(a: Sequence[Alternative], b: Sequence[Alternative]) -> bool:
    return implies(a, b) and implies(b, a)


def alternative_implies(a: Alternative, b: Alternative) -> bool:
    """Every test of ``b`` follows from some test of ``a``: only a test of the same thing
    (question, hypothesis, fact) can imply one, so each is compared with those alone."""
    if len(a) <= 1:
        return all(any(leaf_implies(x, y) for x in a) for y in b)
    by_subject: dict[object, list[Leaf]] = {}
    for x in a:
        by_subject.setdefault(_subject(x), []).append(x)
    return all(any(leaf_implies(x, y) for x in by_subject.get(_subject(y), ())) for y in b)


def _subject(leaf: Leaf) -> object:
    """What a test looks at (an Ask's question, a Belief's hypothesis, a fact's name)."""
    if isinstance(leaf, Ask):
        return leaf.question
    if isinstance(leaf, Belief):
        return ("hypothesis", leaf.hypothesis)
    if isinstance(leaf, FactIs):
        return ("fact", leaf.name)
    return leaf


def leaf_implies(a: Leaf, b: Leaf) -> bool:
    if a == b or (isinstance(a, Ask) and isinstance(b, Ask) and a[:4] == b[:4]):  # but line
        return True
    if isinstance(a, Belief) and isinstance(b, Belief):
        if a.hypothesis != b.hypothesis or a.op != b.op:
            return False
        return a.value >= b.value if a.op == "at_least" else a.value <= b.value
    if isinstance(a, FactIs) or isinstance(b, FactIs):
        return isinstance(a, FactIs) and isinstance(b, FactIs) and (a.name, a.negated) == (
            b.name, b.negated)
    if not (isinstance(a, Ask) and isinstance(b, Ask)) or a.question != b.question:
        return False
    if b.on_presence:  # any test of a known answer implies that it was answered
        return b.value is True and (not a.on_presence or a.value is True)
    if a.negated or b.negated or a.on_presence:
        return False
    return _test_implies(a.op, a.value, b.op, b.value)


def _test_implies(op: str, value: object, other: str, expected: object) -> bool:
    chosen = _chosen(op, value)
    if chosen is not None:  # a multi test that makes these choices certain
        if other == "includes":
            return expected in chosen
        if other == "includes_any":
            return bool(chosen & set(expected))  # type: ignore[arg-type]
        if other == "includes_all":
            return set(expected) <= chosen  # type: ignore[arg-type]
        if other == "count_at_least":
            return len(chosen) >= expected  # type: ignore[operator]
    if op == "includes_any" and other == "includes_any":
        return set(value) <= set(expected)  # type: ignore[arg-type]
    if op in ("is", "in") and other in ("is", "in"):
        mine = {value} if op == "is" else set(value)  # type: ignore[arg-type]
        theirs = {expected} if other == "is" else set(expected)  # type: ignore[arg-type]
        return mine <= theirs
    low, high = span(op, value)
    if low is None and high is None:
        return False
    other_low, other_high = span(other, expected)
    if other_low is None and other_high is None:
        return False
    return within(low, high, other_low, other_high)


def _chosen(op: str, value: object) -> set | None:
    if op == "includes":
        return {value}
    if op == "includes_all":
        return set(value)  # type: ignore[arg-type]
    return None


Bound = tuple[float, bool] | None  # (value, open)


def span(op: str, value: object) -> tuple[Bound, Bound]:
    """A numeric test as (low, high) bounds; (None, None) when it is not one (a test of a
    number implies another only if its span is within the other's)."""
    if isinstance(value, bool):
        return None, None
    if op == "is" and isinstance(value, int | float):
        return (value, False), (value, False)
    if op == "at_least":
        return (value, False), None  # type: ignore[return-value]
    if op == "above":
        return (value, True), None  # type: ignore[return-value]
    if op == "at_most":
        return None, (value, False)  # type: ignore[return-value]
    if op == "below":
        return None, (value, True)  # type: ignore[return-value]
    if op == "between":
        low, high = value  # type: ignore[misc]
        return (low, False), (high, False)
    return None, None


def within(low: Bound, high: Bound, other_low: Bound, other_high: Bound) -> bool:
    """Is every number in [low, high] also in [other_low, other_high]?"""
    if other_low is not None:
        if low is None:
            return False
        (mine, mine_open), (theirs, theirs_open) = low, other_low
        if mine < theirs or (mine == theirs and theirs_open and not mine_open):
            return False
    if other_high is not None:
        if high is None:
            return False
        (mine, mine_open), (theirs, theirs_open) = high, other_high
        if mine > theirs or (mine == theirs and theirs_open and not mine_open):
            return False
    return True
