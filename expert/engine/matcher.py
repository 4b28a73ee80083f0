"""The matcher: which rules' conditions hold, kept up to date as facts come and go.

experta's matcher is its pluggable part; its Rete network is general (joins that
bind variables across patterns), and every fact it passes copies tokens and walks
node memories, so on a large rule base a consultation spends most of its time
there.  Our conditions are simpler: each alternative of a rule is a conjunction of
tests that each look at one fact on its own (an answer, a derived fact, a
certainty, whether the rule fired), never at two together.  So a count is enough
(the TREAT idea): an alternative holds when every positive test has a fact and no
negated test has one.

* Tests are indexed by what they look at (question, fact name, hypothesis, rule):
  a fact is offered only to the tests of its own key, and each test remembers the
  fact it took, so retracting one undoes exactly its matches.
* A change touches only the alternatives it reaches; the activations added and
  removed are computed for those alone, as experta's conflict-set nodes do (an
  alternative that holds before and after with the same facts is not re-added).
* Tests of a number (an answer or a certainty) against a threshold are kept
  sorted: a new value reaches only the tests it passes, by bisection.

The cost of a consultation is the work it does (facts declared, tests passed,
rules fired), not the size of the rule base.  The activations are the ones
experta's own ReteMatcher produces, fact for fact (tests/test_matcher.py runs
both on random consultations and compares every firing).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from typing import Any

from ..language.conditions import Ask, Belief, FactIs, Leaf
from .compat import Activation, InitialFact, Matcher
from .compiler import leaf_test
from .facts import Answer, Certainty, Derived, Fired

Key = tuple  # what a test looks at: ("a", question), ("d", name), ("c", hypothesis)...
RISING = {"at_least": False, "above": True}  # passes values above (or at) a threshold
FALLING = {"at_most": False, "below": True}


class Alternative:
    """One conjunction of a rule: its positive slots (name, or None for the unnamed
    initial fact) and the number of negated tests."""

    __slots__ = ("names", "positive", "rule")

    def __init__(self, rule: Any, names: list[str | None]):
        self.rule = rule
        self.names = names
        self.positive = len(names)


class Tests:
    """The tests of one key: those that pass any fact, those kept sorted by threshold,
    and the rest, tried one by one.  Each entry is (alternative, slot): slot -1 is a
    negated test."""

    __slots__ = ("always", "falling", "falling_at", "other", "rising", "rising_at")

    def __init__(self) -> None:
        self.always: list[tuple[int, int]] = []
        self.rising: list[tuple[float, bool, int, int]] = []  # passes value >= / > threshold
        self.falling: list[tuple[float, bool, int, int]] = []  # passes value <= / < threshold
        self.other: list[tuple[Callable[[Any], bool], int, int]] = []
        self.rising_at: list[float] = []
        self.falling_at: list[float] = []

    def add(self, leaf: Leaf | None, entry: tuple[int, int], test: Callable[[Any], bool]
            ) -> None:
        op, value = _threshold(leaf)
        if leaf is None or (isinstance(leaf, Ask) and leaf.on_presence) or isinstance(
                leaf, FactIs):
            self.always.append(entry)
        elif op in RISING:
            self.rising.append((value, RISING[op], *entry))
        elif op in FALLING:
            self.falling.append((value, FALLING[op], *entry))
        else:
            self.other.append((test, *entry))

    def freeze(self) -> None:
        self.rising.sort()
        self.falling.sort()
        self.rising_at = [t[0] for t in self.rising]
        self.falling_at = [t[0] for t in self.falling]

    def passing(self, value: Any) -> Iterable[tuple[int, int]]:
        """Every (alternative, slot) whose test ``value`` passes."""
        yield from self.always
        if self.rising and _number(value):
            # thresholds below the value pass; at the value, only "at least" passes
            for threshold, strict, alt, slot in self.rising[:bisect.bisect_right(
                    self.rising_at, value)]:
                if not (strict and threshold == value):
                    yield alt, slot
        if self.falling and _number(value):
            for threshold, strict, alt, slot in self.falling[bisect.bisect_left(
                    self.falling_at, value):]:
                if not (strict and threshold == value):
                    yield alt, slot
        for test, alt, slot in self.other:
            if test(value):
                yield alt, slot


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _threshold(leaf: Leaf | None) -> tuple[str, float]:
    """(operator, threshold) of a test of a number against a threshold, else ("", 0)."""
    if isinstance(leaf, Belief):
        return leaf.op, leaf.value
    if isinstance(leaf, Ask) and not leaf.negated and leaf.op in (*RISING, *FALLING) and \
            _number(leaf.value):
        return leaf.op, leaf.value
    return "", 0.0


def fact_key(fact: Any) -> tuple[Key, Any]:
    """What a fact is about, and the value its tests look at."""
    kind = type(fact)
    if kind is Answer:
        return ("a", fact["question"]), fact["value"]
    if kind is Certainty:
        return ("c", fact["hypothesis"]), fact["cf"]
    if kind is Derived:
        return ("d", fact["name"]), None
    if kind is Fired:
        return ("f", fact["rule"]), None
    if isinstance(fact, InitialFact):
        return ("i",), None
    return ("?", kind.__name__), None  # no rule tests it


def leaf_key(leaf: Leaf) -> tuple[Key, bool]:
    """What a test looks at, and whether it is negated (the fact must be absent)."""
    if isinstance(leaf, Ask):
        return ("a", leaf.question), leaf.on_presence and not leaf.value
    if isinstance(leaf, Belief):
        return ("c", leaf.hypothesis), False
    if isinstance(leaf, FactIs):
        return ("d", leaf.name), leaf.negated
    raise TypeError(f"not a leaf: {leaf!r}")  # pragma: no cover


class IndexedMatcher(Matcher):
    """experta's matcher interface over indexed tests and counts (module docstring)."""

    def __init__(self, engine: Any):
        super().__init__(engine)
        self.alternatives: list[Alternative] = []
        self.tests: dict[Key, Tests] = {}
        for rule in sorted(engine.get_rules(), key=lambda r: r.__name__):
            self._add_rule(rule)
        for tests in self.tests.values():
            tests.freeze()
        self.reset()

    def _add_rule(self, rule: Any) -> None:
        action = rule._wrapped
        definition = action.rule
        for alt in definition.alternatives:
            number = len(self.alternatives)
            names: list[str | None] = []
            for index, leaf in enumerate(alt):
                key, negated = leaf_key(leaf)
                slot = -1 if negated else len(names)
                if not negated:
                    names.append(f"p{index}")
                test = leaf_test(leaf) if isinstance(leaf, Ask | Belief) else _always
                self.tests.setdefault(key, Tests()).add(leaf, (number, slot), test)
            if action.once:
                self.tests.setdefault(("f", definition.id), Tests()).add(None, (number, -1),
                                                                         _always)
            if not names:  # nothing positive: it holds on the initial fact, unnamed
                names.append(None)
                self.tests.setdefault(("i",), Tests()).add(None, (number, 0), _always)
            self.alternatives.append(Alternative(rule, names))

    def reset(self) -> None:
        self.slots: dict[int, list[Any]] = {}  # alternative -> the fact in each slot
        self.filled: dict[int, int] = {}  # alternative -> slots with a fact
        self.blocked: dict[int, int] = {}  # alternative -> negated tests with a fact
        self.taken: dict[int, list[tuple[int, int]]] = {}  # fact id -> what it matched
        self.memory: dict[int, tuple[Any, ...]] = {}  # alternative -> facts it holds on

    def changes(self, adding: Iterable[Any] | None = None,
                deleting: Iterable[Any] | None = None) -> tuple[list, list]:
        touched: set[int] = set()
        slots, filled, blocked, taken = self.slots, self.filled, self.blocked, self.taken
        for fact in deleting or ():
            for alt, slot in taken.pop(fact["__factid__"], ()):
                touched.add(alt)
                if slot < 0:
                    blocked[alt] -= 1
                else:
                    slots[alt][slot] = None
                    filled[alt] -= 1
        for fact in adding or ():
            key, value = fact_key(fact)
            tests = self.tests.get(key)
            if tests is None:
                continue
            matched = taken.setdefault(fact["__factid__"], [])
            for alt, slot in tests.passing(value):
                touched.add(alt)
                matched.append((alt, slot))
                if slot < 0:
                    blocked[alt] = blocked.get(alt, 0) + 1
                    continue
                held = slots.get(alt)
                if held is None:
                    held = slots[alt] = [None] * self.alternatives[alt].positive
                if held[slot] is not None:  # one fact per key is what the engine declares
                    raise AssertionError(f"two facts for one test: {held[slot]!r}, {fact!r}")
                held[slot] = fact
                filled[alt] = filled.get(alt, 0) + 1
        return self._activations(touched)

    def _activations(self, touched: set[int]) -> tuple[list, list]:
        """What the touched alternatives add to and remove from the agenda."""
        added: list = []
        removed: list = []
        for alt in sorted(touched):
            alternative = self.alternatives[alt]
            holds = self.filled.get(alt, 0) == alternative.positive and not self.blocked.get(
                alt, 0)
            facts = tuple(self.slots[alt]) if holds else None
            old = self.memory.get(alt)
            same = old is not None and facts is not None and all(
                a is b for a, b in zip(old, facts, strict=True))
            if same:
                continue
            if old is not None:
                removed.append(self._activation(alternative, old))
                del self.memory[alt]
            if facts is not None:
                self.memory[alt] = facts
                added.append(self._activation(alternative, facts))
        return added, removed

    @staticmethod
    def _activation(alternative: Alternative, facts: tuple[Any, ...]) -> Any:
        context = {name: fact for name, fact in zip(alternative.names, facts, strict=True)
                   if name is not None}
        return Activation(alternative.rule, facts, context)


def _always(value: Any) -> bool:  # pragma: no cover - "always" tests are never called
    return True
