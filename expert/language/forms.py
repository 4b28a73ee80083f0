"""Normal forms of a condition: its leaves, negation pushed down to them (NNF), and
disjunctive normal form, the alternatives the engine compiles into patterns."""

from __future__ import annotations

import itertools

from .conditions import All, AnyOf, Condition, ConditionSyntaxError, Leaf, Not

MAX_ALTERNATIVES = 32


def leaves(cond: Condition) -> list[Leaf]:
    """Every leaf of the tree, in order (walked on a stack: a load asks this of every
    rule, and nested generators cost a call per level per leaf)."""
    found: list[Leaf] = []
    stack = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, _BRANCHES):
            stack += reversed(node.items)
        elif isinstance(node, Not):
            stack.append(node.item)
        else:
            found.append(node)
    return found


_BRANCHES = (All, AnyOf)


def to_nnf(cond: Condition, negate: bool = False) -> Condition:
    """Push every ``not`` down onto the leaves (De Morgan)."""
    if isinstance(cond, Not):
        return to_nnf(cond.item, not negate)
    if isinstance(cond, All | AnyOf):
        items = tuple(to_nnf(item, negate) for item in cond.items)
        keep_all = isinstance(cond, All) != negate
        return All(items, cond.line) if keep_all else AnyOf(items, cond.line)
    return cond.negate() if negate else cond


def _dnf(node: Condition) -> list[tuple[Leaf, ...]]:
    """The alternatives of a condition in negation normal form (a function of its own,
    not a closure calling itself: that is a reference cycle made for every rule)."""
    if isinstance(node, All):
        result: list[tuple[Leaf, ...]] = [()]
        for item in node.items:
            result = [a + b for a, b in itertools.product(result, _dnf(item))]
            if len(result) > MAX_ALTERNATIVES:
                raise ConditionSyntaxError(
                    f"condition expands to more than {MAX_ALTERNATIVES} alternatives; "
                    "use includes_any / in, or split the rule", node.line)
        return result
    if isinstance(node, AnyOf):
        return [alt for item in node.items for alt in _dnf(item)]
    return [(node,)]


def alternatives(cond: Condition) -> list[tuple[Leaf, ...]]:
    """Disjunctive normal form: the rule fires when every leaf of one alternative holds.
    A test written twice (``all: [A, any: [A, B]]``) is one test, kept at its first
    line, as an alternative written twice is one: else a firing would list one fact
    twice, and weigh as more recent on the agenda than the same facts once."""
    unique: dict[tuple, tuple[Leaf, ...]] = {}
    for alt in _dnf(to_nnf(cond)):
        tests: dict[tuple, Leaf] = {}
        for leaf in alt:
            tests.setdefault(_tested(leaf), leaf)
        unique.setdefault(tuple(tests), tuple(tests.values()))
    return list(unique.values())


def _tested(leaf: Leaf) -> tuple:
    """What a leaf tests, wherever it is written (``line`` is every leaf's last field)."""
    return leaf.__class__, leaf[:-1]


