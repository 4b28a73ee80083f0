"""Knowledge that double-counts: refused whenever knowledge loads.

Two rules that give the same hypothesis (or note) evidence under the same
conditions count one piece of evidence twice (a copied rule turns 0.35 into
0.58), and so does a rule that restates another with a narrower condition and
the same certainty.  A narrower rule with its own certainty is how extra
evidence is written (a PPI *with* a diuretic), and is left alone.

Evidence is counted twice through a derived fact too: a rule that gives a
hypothesis certainty and derives a fact, and another that gives the same
hypothesis certainty from that fact and nothing its first rule does not
already imply (the same answers, counted once by each).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Problem
from ..language.conditions import Ask, Belief, FactIs, Leaf
from ..language.implication import alternative_implies, equivalent, implies
from ..language.model import KnowledgeBase, RuleDef


def double_counting(kb: KnowledgeBase) -> list[Problem]:
    """A problem for each rule whose evidence another rule already gives."""
    out = []
    for kind in ("hypotheses", "notes"):
        givers: dict[str, list[tuple[RuleDef, float]]] = {}
        for rule in kb.rules:
            for target, cf in getattr(rule.then, kind):
                givers.setdefault(target, []).append((rule, cf))
        for target, pairs in givers.items():
            pairs.sort(key=lambda pair: pair[0].order)  # in load order: the later one is named
            out += _counted_twice(kind, target, pairs)
    return out + _through_facts(kb)


def _through_facts(kb: KnowledgeBase) -> list[Problem]:
    """Rules that add certainty from a fact whose deriving rule already added it for the
    same hypothesis, with nothing more than that rule's own conditions."""
    out = []
    for reader in kb.rules:
        for target, cf in reader.then.hypotheses:
            if cf <= 0:
                continue
            for name in reader.reads_facts:
                for maker in kb.producers("fact", name):
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


def _restates_through(maker: RuleDef, reader: RuleDef, name: str) -> bool:
    """Whether every way ``maker`` fires makes some way ``reader`` fires hold, once the
    fact it derives is taken as given."""
    for made in maker.alternatives or ((),):
        given = (*made, FactIs(name))
        if not any(alternative_implies(given, [leaf for leaf in alternative
                                               if not (isinstance(leaf, FactIs)
                                                       and leaf.name == name
                                                       and not leaf.negated)])
                   or alternative_implies(given, alternative)
                   for alternative in reader.alternatives):
            return False
    return True


def _counted_twice(kind: str, target: str, pairs: list[tuple[RuleDef, float]]
                   ) -> list[Problem]:
    """The rules of ``pairs`` that restate an earlier one.

    One rule implies another only if each of its alternatives implies one of the
    other's, and a test is only implied by a test of the same thing (question,
    fact, hypothesis).  So the earlier rules worth comparing are found through an
    index by what their alternatives test, not by comparing every pair.
    """
    out = []
    by_subjects: dict[frozenset, list[int]] = {}  # what an alternative tests -> rules
    for index, (later, cf) in enumerate(pairs):
        first = later.alternatives[0] if later.alternatives else ()
        candidates: set[int] = set()
        for subset in _subsets(_subjects(first)):
            candidates.update(by_subjects.get(subset, ()))
        mine = [_subjects(a) for a in later.alternatives or ((),)]
        for other in sorted(candidates):
            earlier, earlier_cf = pairs[other]
            if (cf > 0) != (earlier_cf > 0):
                continue
            theirs = [_subjects(a) for a in earlier.alternatives or ((),)]
            same = _covers(theirs, mine) and equivalent(later.alternatives,
                                                        earlier.alternatives)
            restated = cf == earlier_cf and implies(later.alternatives, earlier.alternatives)
            if same or restated:
                how = "under the same conditions" if same else "whenever it fires"
                out.append(Problem(
                    later.path, later.line_of_item(
                        "hypothesis" if kind == "hypotheses" else "note", target),
                    later.id, f"gives {target} {cf:+g} {how} as rule {earlier.id} "
                    f"({earlier.where}) gives it {earlier_cf:+g}: the same evidence "
                    "would be counted twice", check="double-counting"))
                break
        for alternative in later.alternatives or ((),):
            by_subjects.setdefault(_subjects(alternative), []).append(index)
    return out


def _covers(these: list[frozenset], those: list[frozenset]) -> bool:
    """Whether each of ``these`` tests all that some of ``those`` tests: needed for the
    first condition to imply the second (a cheap test before the real one)."""
    return all(any(other <= mine for other in those) for mine in these)


def _subjects(alternative: Sequence[Leaf]) -> frozenset:
    """What an alternative's tests look at."""
    return frozenset(_subject(leaf) for leaf in alternative)


def _subject(leaf: Leaf) -> tuple:
    if isinstance(leaf, Ask):
        return ("answer", leaf.question)
    if isinstance(leaf, Belief):
        return ("hypothesis", leaf.hypothesis)
    if isinstance(leaf, FactIs):
        return ("fact", leaf.name, leaf.negated)
    return ("?", repr(leaf))  # pragma: no cover


def _subsets(items: frozenset) -> list[frozenset]:
    """Every subset (an alternative tests a handful of things, so there are few)."""
    found = [frozenset()]
    for item in items:
        found += [subset | {item} for subset in found]
    return found
