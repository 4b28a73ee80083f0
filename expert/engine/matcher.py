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
import operator
from collections.abc import Callable, Iterable
from typing import Any

from ..language.conditions import Ask, Belief, FactIs, Leaf
from .agenda import rule_order
from .compat import Activation, InitialFact, Matcher
from .compiler import leaf_test
from .facts import FACT_ID, Answer, Certainty, Derived, Fired

Key = tuple  # what a test looks at: ("a", question), ("d", name), ("c", hypothesis)...
SEEN = 1_024  # values each key's tests remember what they pass for (numbers are endless)
RISING = {"at_least": False, "above": True}  # passes values above (or at) a threshold
FALLING = {"at_most": False, "below": True}


class Alternative:
    """One conjunction of a rule: its positive slots (name, or None for the unnamed
    initial fact), where they start among all the slots, and how many there are."""

    __slots__ = ("base", "end", "names", "order", "positive", "rule")

    def __init__(self, rule: Any, names: list[str | None], base: int):
        self.rule = rule
        self.order = rule_order(rule)  # the head of its activations' agenda keys
        self.names = [(slot, name) for slot, name in enumerate(names) if name is not None]
        self.positive = len(names)
        self.base, self.end = base, base + len(names)


class Tests:
    """The tests of one key, indexed by what they pass: every fact; one value (``is``,
    ``in``: a dictionary lookup); one choice among those made (``includes``,
    ``includes_any``); numbers above or below a threshold (kept sorted); the rest, tried
    one by one.  Each entry is (alternative, slot): the slot's place among all the
    matcher's slots, or -1 for a negated test.  What a value passes is remembered: the
    same answers and certainties come back consultation after consultation."""

    __slots__ = ("always", "any_of", "equal", "falling", "falling_at", "member", "other",
                 "rising", "rising_at", "seen", "tested")

    def __init__(self) -> None:
        self.seen: dict[tuple[type, Any], list[tuple[int, int]]] = {}  # (type, value) ->
        # what it passes: 1, 1.0 and True are one key to a dict, but not to every test
        self.always: list[tuple[int, int]] = []
        self.equal: dict[tuple[bool, Any], list[tuple[int, int]]] = {}
        self.member: dict[Any, list[tuple[int, int]]] = {}  # includes c
        self.any_of: dict[Any, list[tuple[int, int]]] = {}  # includes_any [.., c, ..]
        self.tested: list[tuple[Callable[[Any], bool], int, int]] = []  # the choice tests,
        # for a value that is not a list of choices (never, once answers are checked)
        self.rising: list[tuple[float, bool, int, int]] = []  # passes value >= / > threshold
        self.falling: list[tuple[float, bool, int, int]] = []  # passes value <= / < threshold
        self.other: list[tuple[Callable[[Any], bool], int, int]] = []
        self.rising_at: list[float] = []
        self.falling_at: list[float] = []

    def add(self, leaf: Leaf | None, entry: tuple[int, int],
            test: Callable[[Any], bool] | None = None) -> None:
        """Index one test (``test`` judges a value where no index can: choices that are not
        a tuple, and tests of other kinds); None stands for "any fact of this key"."""
        op, value = _threshold(leaf)
        plain = isinstance(leaf, Ask) and not leaf.negated
        if leaf is None or (isinstance(leaf, Ask) and leaf.on_presence) or isinstance(
                leaf, FactIs):
            self.always.append(entry)
        elif plain and leaf.op == "is":  # a test is hashable, and so is what it compares
            self.equal.setdefault(_same(leaf.value), []).append(entry)
        elif plain and leaf.op == "in":
            for item in {_same(v) for v in leaf.value}:
                self.equal.setdefault(item, []).append(entry)
        elif plain and leaf.op in ("includes", "includes_any"):
            table = self.member if leaf.op == "includes" else self.any_of
            for choice in {leaf.value} if leaf.op == "includes" else set(leaf.value):
                table.setdefault(choice, []).append(entry)
            self.tested.append((test, *entry))
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

    def passing(self, value: Any) -> list[tuple[int, int]]:
        """Every (alternative, slot) whose test ``value`` passes (a list kept: not to be
        changed)."""
        key = (value.__class__, value)
        try:
            found = self.seen.get(key)
        except TypeError:  # not hashable: never so once answers are checked
            return self._passing(value)
        if found is None:
            if len(self.seen) >= SEEN:
                self.seen.clear()
            found = self.seen[key] = self._passing(value)
        return found

    def _passing(self, value: Any) -> list[tuple[int, int]]:
        found = list(self.always)
        if self.equal:  # answers are checked: a value, or a tuple of choices
            found += self.equal.get(_same(value), ())
        if self.tested:
            if isinstance(value, tuple):
                for choice in value:
                    found += self.member.get(choice, ())
                found += sorted({entry for choice in value
                                 for entry in self.any_of.get(choice, ())})
            else:
                found += [(alt, slot) for test, alt, slot in self.tested if test(value)]
        if self.rising and _number(value):
            # thresholds below the value pass; at the value, only "at least" passes
            found += [(alt, slot) for threshold, strict, alt, slot in self.rising[
                :bisect.bisect_right(self.rising_at, value)]
                if not (strict and threshold == value)]
        if self.falling and _number(value):
            found += [(alt, slot) for threshold, strict, alt, slot in self.falling[
                bisect.bisect_left(self.falling_at, value):]
                if not (strict and threshold == value)]
        if self.other:
            found += [(alt, slot) for test, alt, slot in self.other if test(value)]
        return found


def _same(value: Any) -> tuple[bool, Any]:
    """A value as ``is`` compares it: a yes/no answer never equals a number."""
    return isinstance(value, bool), value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _threshold(leaf: Leaf | None) -> tuple[str, float | None]:
    """(operator, threshold) of a test of a number against a threshold, else ("", None)."""
    if isinstance(leaf, Belief):
        return leaf.op, leaf.value
    if isinstance(leaf, Ask) and not leaf.negated and leaf.op in (*RISING, *FALLING) and \
            _number(leaf.value):
        return leaf.op, leaf.value
    return "", None


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
        self.salience: list[int] = []  # of each alternative's rule
        self.tests: dict[Key, Tests] = {}
        self.size = 0  # slots of all alternatives, one after another
        for rule in sorted(engine.get_rules(), key=lambda r: r.__name__):
            self._add_rule(rule)
        for tests in self.tests.values():
            tests.freeze()
        self.need = [a.positive for a in self.alternatives]  # alternative -> its slots
        self.reset()

    def _add_rule(self, rule: Any) -> None:
        action = rule._wrapped
        definition = action.rule
        for alt in definition.alternatives:
            number = len(self.alternatives)
            names: list[str | None] = []
            for index, leaf in enumerate(alt):
                key, negated = leaf_key(leaf)
                slot = -1 if negated else self.size + len(names)
                if not negated:
                    names.append(f"p{index}")
                test = leaf_test(leaf) if isinstance(leaf, Ask | Belief) else None
                self._tests(key).add(leaf, (number, slot), test)
            if action.once:
                self._tests(("f", definition.id)).add(None, (number, -1))
            if not names:  # nothing positive: it holds on the initial fact, unnamed
                names.append(None)
                self._tests(("i",)).add(None, (number, self.size))
            self.alternatives.append(Alternative(rule, names, self.size))
            self.size += len(names)
            self.salience.append(rule.salience)

    def _tests(self, key: Key) -> Tests:
        """The tests of ``key``, made when it is first tested (not for every test, as
        ``setdefault(key, Tests())`` would: five times as many as there are keys)."""
        tests = self.tests.get(key)
        if tests is None:
            tests = self.tests[key] = Tests()
        return tests

    def reset(self) -> None:
        """Forget the last consultation: the counts and slots made anew, flat lists that
        the interpreter fills at C speed (a tenth of a millisecond at 14,000 rules;
        undoing the last consultation's matches one by one took a hundred times that)."""
        count = len(self.alternatives)
        self.slots: list[Any] = [None] * self.size  # slot -> the fact it holds
        self.filled = [0] * count  # alternative -> slots with a fact
        self.blocked: list[int] = [0] * count  # alternative -> negated tests with a fact
        self.pending: dict[int, set[int]] = {}  # salience -> alternatives touched but not
        # judged yet: below what the agenda fires next
        self.taken: dict[int, list[tuple[int, int]]] = {}  # fact id -> what it matched
        self.memory: dict[int, tuple[tuple[Any, ...], Any]] = {}  # alternative -> the facts
        # it holds on, and its activation

    def save(self) -> tuple:
        """The state of the matches, to go back to (``restore``, which copies it again):
        the containers are copied, what they hold (facts, activations) is shared."""
        return (list(self.slots), list(self.filled), list(self.blocked),
                {salience: set(alts) for salience, alts in self.pending.items()},
                dict(self.taken), dict(self.memory))

    def restore(self, saved: tuple) -> None:
        """Back to a state ``save`` returned, as ``reset`` starts afresh."""
        slots, filled, blocked, pending, taken, memory = saved
        for _, match in memory.values():  # shared with every consultation started so:
            match.fired = False  # the last one fired some of them
        self.slots, self.filled, self.blocked = list(slots), list(filled), list(blocked)
        self.pending = {salience: set(alts) for salience, alts in pending.items()}
        self.taken, self.memory = dict(taken), dict(memory)

    def fired(self, rule: str) -> None:
        """``rule`` (of several alternatives) fired: what its Fired fact does to its
        alternatives, without the fact (declaring and matching one was a twentieth of
        a batch's consultation).  Never retracted, so nothing to undo; judged with the
        next changes, as a declared fact would be."""
        blocked = self.blocked
        for alt, _ in self.tests[("f", rule)].always:
            blocked[alt] += 1
            if blocked[alt] == 1 and self.filled[alt] == self.need[alt]:
                self.pending.setdefault(self.salience[alt], set()).add(alt)

    def changes(self, adding: Iterable[Any] | None = None,
                deleting: Iterable[Any] | None = None) -> tuple[list, list]:
        touched: set[int] = set()
        slots, filled, blocked, taken, need = (self.slots, self.filled, self.blocked,
                                               self.taken, self.need)
        # An alternative is touched only when whether it holds may change: one short of a
        # fact for another test held neither before nor after (a certainty is read by
        # thousands of tests, and most of their alternatives wait on other answers).
        for fact in deleting or ():
            for alt, slot in taken.pop(fact["__factid__"], ()):
                if slot < 0:
                    blocked[alt] -= 1
                    if not blocked[alt] and filled[alt] == need[alt]:
                        touched.add(alt)
                else:
                    slots[slot] = None
                    if filled[alt] == need[alt]:
                        touched.add(alt)
                    filled[alt] -= 1
        for fact in adding or ():
            key, value = fact_key(fact)
            tests = self.tests.get(key)
            if tests is None:
                continue
            matched = tests.passing(value)
            taken[fact["__factid__"]] = matched
            for alt, slot in matched:
                if slot < 0:
                    blocked[alt] += 1
                    if filled[alt] == need[alt]:
                        touched.add(alt)
                    continue
                if slots[slot] is not None:  # one fact per key is what the engine declares
                    raise AssertionError(f"two facts for one test: {slots[slot]!r}, {fact!r}")
                slots[slot] = fact
                filled[alt] += 1
                if filled[alt] == need[alt]:  # short of that it held neither before nor
                    touched.add(alt)  # now: no activation to add or take back
        return self._activations(touched)

    def _activations(self, touched: set[int]) -> tuple[list, list]:
        """What the touched alternatives add to and remove from the agenda.

        Only as far down as the agenda will fire next: an alternative of lower salience
        than an activation that stays on the agenda cannot fire before it, and what it
        reads may still change (a certainty, while the rules of a higher stratum give
        evidence), so it waits, and is judged once the agenda comes down to its
        salience.  The firings are the same; the churn is not paid for.
        """
        pending = self.pending
        if touched:
            salience = self.salience
            for alt in touched:
                group = pending.get(salience[alt])
                if group is None:
                    pending[salience[alt]] = {alt}
                else:
                    group.add(alt)
        queue = self.engine.agenda.activations
        if not touched and (not pending or (queue and max(pending) < queue[-1].rule.salience)):
            return [], []  # nothing new, and what waits still waits
        added: list = []
        removed: list = []
        leaving: set[int] = set()  # alternatives whose activation this batch removes
        ahead: int | None = None  # the salience this batch first added an activation at
        alternatives, filled, blocked, slots, memory = (self.alternatives, self.filled,
                                                        self.blocked, self.slots, self.memory)
        for salience in sorted(pending, reverse=True):
            top = _top(queue, leaving)
            if ahead is not None and (top is None or ahead > top):
                top = ahead
            if top is not None and salience < top:
                break  # everything below waits until the agenda comes down to it
            for alt in sorted(pending.pop(salience)):  # judged: does it hold, on what?
                alternative = alternatives[alt]
                old = memory.get(alt)
                if filled[alt] == alternative.positive and not blocked[alt]:
                    facts = tuple(slots[alternative.base:alternative.end])
                    if old is not None:
                        if all(map(operator.is_, old[0], facts)):
                            continue  # the same facts: nothing changed
                        if not old[1].fired:  # a fired one is off the agenda already
                            removed.append(old[1])  # the very activation added: the
                            leaving.add(alt)  # agenda finds it at once
                    match = Match(alternative, facts, alt)
                    memory[alt] = (facts, match)
                    added.append(match)
                elif old is not None:
                    if not old[1].fired:
                        removed.append(old[1])
                        leaving.add(alt)
                    del memory[alt]
            if added and ahead is None:
                ahead = salience
        return added, removed


def _top(queue: list, leaving: set[int]) -> int | None:
    """The salience of the activation the agenda would fire next, not counting those
    this batch removes."""
    if not leaving:
        return queue[-1].rule.salience if queue else None
    for activation in reversed(queue):
        if activation.alternative not in leaving:
            return activation.rule.salience
    return None


class Match(Activation):
    """experta's Activation, made without hashing each fact into a set (the agenda tells
    activations apart by their key), knowing the alternative it is for, and with its
    facts already as the run loop hands them to the rule's action (``matched``: the
    named ones, oldest first); experta's ``context`` is made only if asked for.  The run
    loop marks one ``fired`` as it takes it off the agenda: the matcher then never asks
    the agenda to remove it (a bisection of the agenda for nothing, at every firing of a
    rule of several alternatives)."""

    fired = False

    def __init__(self, alternative: Alternative, facts: tuple[Any, ...], number: int):
        self.rule, self.facts, self.alternative = alternative.rule, facts, number
        self._names = alternative.names
        if len(facts) == 1:
            self.matched = [facts[0]] if alternative.names else []
            ids: tuple[int, ...] = (facts[0]["__factid__"],)
        elif len(facts) == 2:  # most rules at scale: two tests, put in order by hand
            first, second = facts
            one, two = first["__factid__"], second["__factid__"]
            self.matched, ids = ([first, second], (two, one)) if one < two else (
                [second, first], (one, two))
        else:
            self.matched = sorted(facts, key=FACT_ID)
            ids = tuple([fact["__factid__"] for fact in reversed(self.matched)])
        self.key = (*alternative.order, ids)  # agenda.activation_key's: newest facts first

    @property
    def context(self) -> dict[str, Any]:  # type: ignore[override]
        return {name: self.facts[slot] for slot, name in self._names}
