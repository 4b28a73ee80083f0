"""Knowledge that counts the same evidence twice, found from the conditions alone.

Two rules that give the same hypothesis (or note) evidence under the same
conditions are one piece of evidence written twice (a copied rule turns 0.35
into 0.58): an error, whatever their certainties.  A rule that fires only when a
broader one fires, and gives the same conclusion evidence the same way, counts
that evidence again unless it is meant as extra evidence on top (a PPI *with* a
diuretic, on top of a diuretic): a warning, until the narrower rule says so with
``refines: BROADER``.  Certainties never decide which: editing one cannot turn
another rule into an error.

Evidence is counted twice through a derived fact too: a rule that gives a
hypothesis certainty and derives a fact, and another that gives the same
hypothesis certainty from that fact and nothing its first rule does not
already imply (the same answers, counted once by each).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Problem
from ..language.conditions import Ask, Belief, FactIs, Leaf
from ..language.implication import alternative_implies, implies, span, within
from ..language.model import KnowledgeBase, RuleDef
from ..text import did_you_mean


def double_counting(kb: KnowledgeBase, warnings: bool = True) -> list[Problem]:
    """A problem for each rule whose evidence another rule already gives: errors for
    evidence written twice, warnings for a narrower rule not declared an increment.
    ``warnings=False`` (loading, which refuses only errors) looks for errors alone,
    a small part of the work at 14,000 rules: one pass, by signature (_counted_twice)."""
    out = _refines_declared(kb)
    tested = _Tested(kb.rules)
    for kind in ("hypotheses", "notes"):
        givers: dict[str, list[tuple[RuleDef, float]]] = {}
        for rule in kb.rules:
            for target, cf in getattr(rule.then, kind):
                givers.setdefault(target, []).append((rule, cf))
        for target, pairs in givers.items():
            pairs.sort(key=lambda pair: pair[0].order)  # in load order: the later one is named
            seen: set[frozenset[str]] = set()
            out += _counted_twice(kind, target, pairs, seen, warnings, tested)
            if warnings:  # a narrower rule read before the broader one
                out += _counted_twice(kind, target, pairs[::-1], seen, warnings, tested)
    return out + _through_facts(kb)


def _refines_declared(kb: KnowledgeBase) -> list[Problem]:
    """``refines:`` must name a broader rule with a conclusion in common."""
    out = []
    for rule in kb.rules:
        for name in rule.refines:
            line = rule.line_of("refines")
            broader = kb.rules_by_id.get(name)
            if broader is None:
                out.append(Problem(rule.path, line, rule.id, f"refines {name}, but no rule has "
                                   "that id" + did_you_mean(name, kb.rules_by_id),
                                   check="double-counting"))
            elif not _shared(rule, broader):
                out.append(Problem(rule.path, line, rule.id, f"refines {name}, but gives none "
                                   f"of the hypotheses or notes {name} gives: drop refines",
                                   check="double-counting"))
            elif not implies(rule.alternatives, broader.alternatives):
                out.append(Problem(rule.path, line, rule.id, f"refines {name}, but can fire "
                                   f"when {name} ({broader.where}) does not: a refinement "
                                   f"must test all that {name} tests, and more",
                                   check="double-counting"))
    return out


def _shared(rule: RuleDef, other: RuleDef) -> set[str]:
    mine = {t for t, _ in (*rule.then.hypotheses, *rule.then.notes)}
    return mine & {t for t, _ in (*other.then.hypotheses, *other.then.notes)}


def _through_facts(kb: KnowledgeBase) -> list[Problem]:
    """Rules that add certainty from a fact whose deriving rule already added it for the
    same hypothesis, with nothing more than that rule's own conditions."""
    out = []
    for reader in kb.rules:
        for target, cf in reader.then.hypotheses:
            if cf <= 0:
                continue
            for name in reader.reads_facts:  # makers in load order, however kb.rules
                for maker in sorted(kb.producers("fact", name), key=_read_order):  # is
                    # ordered: the load proves the rules as built, before strata order them
                    given = dict(maker.then.hypotheses).get(target, 0)
                    if maker.id == reader.id or given <= 0:
                        continue
                    if _restates_through(maker, reader, name):
                        out.append(Problem(
                            reader.path, reader.line_of_item("hypothesis", target), reader.id,
                            f"gives {target} {cf:+g} from fact {name}, which rule {maker.id} "
                            f"({maker.where}) derives from the same answers while giving "
                            f"{target} {given:+g} itself: the same evidence would be counted "
                            f"twice; let {maker.id} only derive {name}, or drop its "
                            "certainty", check="double-counting"))
                        break
    return out


def _read_order(rule: RuleDef) -> int:
    return rule.order


def _restates_through(maker: RuleDef, reader: RuleDef, name: str) -> bool:
    """Whether every way ``maker`` fires makes some way ``reader`` fires hold, once the
    fact it derives is taken as given (a test of that fact holds, by the fact given)."""
    for made in maker.alternatives or ((),):
        given = (*made, FactIs(name))
        if not any(alternative_implies(given, alternative)
                   for alternative in reader.alternatives):
            return False
    return True


def _counted_twice(kind: str, target: str, pairs: list[tuple[RuleDef, float]],
                   seen: set[frozenset[str]], warnings: bool = True,
                   tested: _Tested | None = None) -> list[Problem]:
    """The rules of ``pairs`` that restate, or narrow without saying so, one before them.

    One rule implies another only if each of its alternatives implies one of the
    other's, and a test is only implied by a test of the same thing (question,
    fact, hypothesis): each of its alternatives tests all that one of the other's
    tests.  So the rules worth comparing are found through an index by what their
    alternatives test (_Index), not by comparing every pair.  ``seen`` holds the
    pairs already judged (the caller runs this in both orders for warnings).

    For errors alone, one order finds every pair (each rule is compared with the rules
    before it that it could imply, and a copy implies its original), and a rule is
    compared only with rules that share the signature of one of its alternatives: two
    rules with the same conditions share one.  Each alternative of either implies one
    of the other's, so following those implications from any alternative comes back
    round, and alternatives around such a cycle test the same things with the same
    tightest bounds (_signature).
    """
    out = []
    tested = _Tested() if tested is None else tested
    by_subjects = _Index(tested.counts) if warnings else None  # what alternatives test
    by_signature: dict[tuple, list[int]] = {}  # for errors alone: an alternative's signature
    item = "hypothesis" if kind == "hypotheses" else "note"
    for index, (rule, cf) in enumerate(pairs):
        mine = tested.subjects(rule)
        if by_subjects is not None:
            candidates = by_subjects.within(mine)
        else:
            candidates = {other for signature in tested.signatures(rule)
                          for other in by_signature.get(signature, ())}
        for other in sorted(candidates):
            broader, broader_cf = pairs[other]
            pair = frozenset((rule.id, broader.id))
            if pair in seen:
                continue
            theirs = tested.subjects(broader)
            alike = _covers(theirs, mine)  # needed for the broader rule to imply this one
            if not (warnings or alike) or not implies(rule.alternatives, broader.alternatives):
                continue
            if alike and implies(broader.alternatives, rule.alternatives):
                seen.add(pair)
                named, first_one = sorted((rule, broader), key=lambda r: r.order)[::-1]
                out.append(Problem(
                    named.path, named.line_of_item(item, target), named.id,
                    f"gives {target} evidence under the same conditions as rule "
                    f"{first_one.id} ({first_one.where}): one piece of evidence written "
                    "twice; keep one rule, with one certainty", check="double-counting"))
            elif warnings and (cf > 0) == (broader_cf > 0) and broader.id not in rule.refines:
                seen.add(pair)
                out.append(_narrower(rule, broader, cf, item, target))
                break  # one at a time: once it says refines, the next broader one shows
        if by_subjects is not None:
            for looked_at in mine:
                by_subjects.add(looked_at, index)
        else:
            for signature in tested.signatures(rule):
                by_signature.setdefault(signature, []).append(index)
    return out


class _Tested:
    """What each alternative of a rule tests (one empty alternative for a rule of none),
    and its signature, worked out once per rule however many conclusions it gives;
    ``counts``: how many alternatives of ``rules`` test each thing."""

    def __init__(self, rules: Sequence[RuleDef] = ()) -> None:
        self._subjects: dict[str, list[frozenset]] = {}
        self._signatures: dict[str, list[tuple]] = {}
        self._rules = rules

    @functools.cached_property
    def counts(self) -> Counter:  # only for warnings: errors alone go by signature
        return Counter(subject for rule in self._rules for tested in self.subjects(rule)
                       for subject in tested)

    def subjects(self, rule: RuleDef) -> list[frozenset]:
        found = self._subjects.get(rule.id)
        if found is None:
            found = self._subjects[rule.id] = [subjects(a) for a in rule.alternatives or ((),)]
        return found

    def signatures(self, rule: RuleDef) -> list[tuple]:
        found = self._signatures.get(rule.id)
        if found is None:
            found = self._signatures[rule.id] = [
                _signature(alternative, looked_at) for alternative, looked_at in
                zip(rule.alternatives or ((),), self.subjects(rule), strict=True)]
        return found


def _signature(alternative: Sequence[Leaf], looked_at: frozenset) -> tuple:
    """What an alternative shares with any it implies and is implied by: what it tests
    (``looked_at``), and what its tests of each certainty, number and choice allow read
    together (_allowed).  Along each implication what one allows is within what the
    other allows, so two alternatives that imply each other, or a cycle of them, allow
    the same.  The load compares a rule only with rules of its signature: at 14,000
    rules of one or two tests, hundreds test the same things, with other thresholds."""
    allowed: dict[Any, Any] = {}
    for leaf in alternative:
        found = _allowed(leaf)
        if found is not None:
            key, allows = found
            allowed[key] = allows if key not in allowed else _both(allowed[key], allows)
    return looked_at, frozenset(allowed.items())


def _allowed(leaf: Leaf) -> tuple[Any, Any] | None:
    """What a test lets through, in a form two tests read together: an interval for a
    certainty or a number ((low, high), each (value, open) or None), a set for a choice
    or yes/no; None for the rest (negated, answered, the tests of a multi), which imply
    and are implied by copies of themselves alone.  Within each kind, one test implies
    another only if its bounds (or set) are within the other's (implication.py), and a
    test of one kind never implies one of another; so what tests allow together is
    within, bound by bound, what the tests they imply allow."""
    if isinstance(leaf, Belief):
        return ("hypothesis", leaf.hypothesis), ((leaf.value, False), None) \
            if leaf.op == "at_least" else (None, (leaf.value, True))
    if not isinstance(leaf, Ask) or leaf.negated or leaf.on_presence:
        return None
    bounds = span(leaf.op, leaf.value)  # a test of a number: implied by its span alone
    if bounds != (None, None):
        return ("number", leaf.question), bounds
    if leaf.op in ("is", "in"):
        return ("one of", leaf.question), frozenset(
            leaf.value if leaf.op == "in" else (leaf.value,))
    return None


def _both(mine: Any, more: Any) -> Any:
    """What two tests of one thing let through together."""
    if isinstance(mine, frozenset):
        return mine & more
    (low, high), (other_low, other_high) = mine, more  # each bound the tighter
    return (other_low if within(other_low, None, low, None) else low,
            other_high if within(None, other_high, None, high) else high)


def _narrower(rule: RuleDef, broader: RuleDef, cf: float, item: str, target: str) -> Problem:
    """The warning for a narrower rule not declared an increment, at whichever of the
    two was read later (the one that made the pair: an extension's, not the package's)."""
    way = "for" if cf > 0 else "against"
    if rule.order >= broader.order:
        return Problem(rule.path, rule.line_of_item(item, target), rule.id,
                       f"fires only when rule {broader.id} ({broader.where}) fires and, like "
                       f"it, gives evidence {way} {target}: the same evidence counted twice, "
                       f"unless this rule is extra evidence on top of {broader.id}; if it is, "
                       f"say so with `refines: {broader.id}`, else merge the two",
                       severity="warning", check="double-counting")
    return Problem(broader.path, broader.line_of_item(item, target), broader.id,
                   f"fires whenever rule {rule.id} ({rule.where}) fires and, like it, gives "
                   f"evidence {way} {target}: the same evidence counted twice when both "
                   f"fire; narrow this rule, or if {rule.id} is extra evidence on top of it, "
                   f"say so there with `refines: {broader.id}`", severity="warning",
                   check="double-counting")


def _covers(these: list[frozenset], those: list[frozenset]) -> bool:
    """Whether each of ``these`` tests all that some of ``those`` tests: needed for the
    first condition to imply the second (a cheap test before the real one)."""
    return all(any(other <= mine for other in those) for mine in these)


def subjects(alternative: Sequence[Leaf]) -> frozenset:
    """What an alternative's tests look at (answers, facts, hypotheses): one alternative
    can imply another only if it looks at all the other looks at."""
    return frozenset(_subject(leaf) for leaf in alternative)


def _subject(leaf: Leaf) -> tuple:
    if isinstance(leaf, Ask):
        return ("answer", leaf.question)
    if isinstance(leaf, Belief):
        return ("hypothesis", leaf.hypothesis)
    if isinstance(leaf, FactIs):
        return ("fact", leaf.name, leaf.negated)
    return ("?", repr(leaf))  # pragma: no cover


class _Index:
    """What the alternatives of the rules added so far test, to find the rules of which
    each alternative of another rule tests all that some alternative tests (``within``).

    An alternative of a few tests is looked up by its subsets; one of many (2**n
    subsets: a rule of twenty-five tests would take the memory) through the entries
    filed under what it tests, each entry filed once, under the rarest thing it tests
    (by ``counts``), so it is looked at only from alternatives that test that too:
    whichever is less work.  Rules of six to ten tests made the subsets a fifth of a
    ``kb check`` of 14,000 rules."""

    def __init__(self, counts: Mapping[Any, int] | None = None):
        self.counts = counts or {}
        self.rules: dict[frozenset, list[int]] = {}
        self.filed: dict[Any, list[frozenset]] = {}  # the rarest thing tested -> entries

    def add(self, tested: frozenset, rule: int) -> None:
        rules = self.rules.get(tested)
        if rules is None:
            rules = self.rules[tested] = []
            rarest = min(tested, key=self._rarity) if tested else None
            self.filed.setdefault(rarest, []).append(tested)
        rules.append(rule)

    def _rarity(self, subject: Any) -> tuple:
        return self.counts.get(subject, 0), subject

    def within(self, mine: list[frozenset]) -> set[int]:
        """The rules of which each of ``mine`` (what a rule's alternatives test) tests
        all that some alternative tests: exactly those that rule can imply."""
        found: set[int] | None = None
        for tested in mine:
            here: set[int] = set()
            shelves = [self.filed.get(subject, ()) for subject in (None, *tested)]
            if 2 ** len(tested) <= sum(map(len, shelves)):
                for subset in _subsets(tested):
                    here.update(self.rules.get(subset, ()))
            else:
                for shelf in shelves:
                    for entry in shelf:
                        if entry <= tested:
                            here.update(self.rules[entry])
            found = here if found is None else found & here
            if not found:
                break
        return found or set()


def _subsets(items: frozenset) -> list[frozenset]:
    """Every subset (asked only of an alternative of few tests: _Index.within)."""
    found = [frozenset()]
    for item in items:
        found += [subset | {item} for subset in found]
    return found
