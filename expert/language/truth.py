"""Three-valued (Kleene) truth of a condition for partial answers.

An unanswered question is unknown, never "no": a test on it, negated or not, is
unknown until it is answered (or, ``settled``, left unknown for good, when it
fails as the engine judges it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .conditions import All, AnyOf, Ask, Condition, Leaf, Truth
from .forms import to_nnf


class Evaluation(NamedTuple):
    """How a condition stands: its truth and the leaves that decided it."""

    truth: Truth
    failing: tuple[Leaf, ...] = ()  # leaves known to be false
    unknown: tuple[Leaf, ...] = ()  # leaves not yet known


LeafOracle = Callable[[Leaf], Truth]


def evaluate(cond: Condition, oracle: LeafOracle) -> Evaluation:
    """Kleene evaluation; ``failing``/``unknown`` explain a result that is not True.

    Works on the negation-normal form, so every reported leaf reads as a
    requirement ("symptoms not to include seizure").
    """
    return _evaluate(to_nnf(cond), oracle)


def _evaluate(node: Condition, oracle: LeafOracle) -> Evaluation:
    if isinstance(node, All | AnyOf):
        parts = [_evaluate(item, oracle) for item in node.items]
        truths = [p.truth for p in parts]
        if isinstance(node, All):
            truth = False if False in truths else None if None in truths else True
        else:
            truth = True if True in truths else None if None in truths else False
        if truth is True:
            return Evaluation(True)
        # a false All is explained by its false parts; anything else by all its parts
        relevant = [p for p in parts if p.truth is False] if truth is False and isinstance(
            node, All) else parts
        unknown = [p for p in parts if p.truth is None]
        return Evaluation(truth, tuple(leaf for p in relevant for leaf in p.failing),
                          tuple(leaf for p in unknown for leaf in p.unknown))
    truth = oracle(node)
    if truth is True:
        return Evaluation(True)
    return Evaluation(truth, (node,) if truth is False else (), (node,) if truth is None else ())


def evaluate_alternatives(alternatives: list[tuple[Leaf, ...]] | tuple[tuple[Leaf, ...], ...],
                          oracle: LeafOracle) -> Evaluation:
    """``evaluate`` on a condition already in disjunctive normal form: the same truth,
    with the leaves of every alternative that is still open (or of all, if all failed)."""
    failing: list[Leaf] = []
    unknown: list[Leaf] = []
    open_ = False
    for alternative in alternatives:
        truths = [(leaf, oracle(leaf)) for leaf in alternative]
        if all(truth is True for _, truth in truths):
            return Evaluation(True)
        failed = [leaf for leaf, truth in truths if truth is False]
        if failed:
            failing += failed
        else:
            open_ = True
            unknown += [leaf for leaf, truth in truths if truth is None]
    if open_:
        return Evaluation(None, (), tuple(dict.fromkeys(unknown)))
    return Evaluation(False, tuple(dict.fromkeys(failing)), ())


def alternatives_truth(alternatives: list[tuple[Leaf, ...]] | tuple[tuple[Leaf, ...], ...],
                       oracle: LeafOracle) -> Truth:
    """``evaluate_alternatives(...).truth``, without gathering the leaves that explain it,
    and leaving an alternative at its first false leaf."""
    open_ = False
    for alternative in alternatives:
        truth: Truth = True
        for leaf in alternative:
            judged = oracle(leaf)
            if judged is False:
                truth = False
                break
            if judged is None:
                truth = None
        if truth:
            return True
        if truth is None:
            open_ = True
    return None if open_ else False


class Including(frozenset):
    """A multi answer known to include these choices, with the others still open.

    What a safety proof answers for a warning sign: "symptoms include seizure,
    whatever else they include".
    """


def _partial(leaf: Ask, known: Including) -> Truth:
    """Three-valued truth of ``leaf`` for a multi answer that includes ``known``."""
    op, expected = leaf.op, leaf.value
    if op == "includes":
        truth: Truth = True if expected in known else None
    elif op == "includes_any":
        truth = True if known & set(expected) else None
    elif op == "includes_all":
        truth = True if set(expected) <= known else None
    elif op == "includes_at_least":
        truth = True if len(known & set(expected[1])) >= expected[0] else None
    elif op == "count_at_least":
        truth = True if len(known) >= expected else None
    else:
        truth = None
    if truth is None or not leaf.negated:
        return truth
    return not truth


def answers_oracle(answers: Mapping[str, Any], others: LeafOracle | None = None,
                   closed: bool = False, settled: bool = False) -> LeafOracle:
    """Judge ``Ask`` leaves from answers; defer other leaves to ``others``.

    An unknown answer leaves a value test unknown.  Whether a question is answered
    is known once it was asked: a key present with None was asked and left unknown.
    ``closed`` means every question has been asked (a finished consultation).
    ``settled`` judges as the engine does: a test on an answer left unknown fails,
    since no answer will come (explanations keep it "unknown" instead).
    """

    def oracle(leaf: Leaf) -> Truth:
        if isinstance(leaf, Ask):
            value = answers.get(leaf.question)
            if leaf.on_presence:
                return leaf.test(value) if closed or leaf.question in answers else None
            if isinstance(value, Including):
                return _partial(leaf, value)
            if value is None:
                return False if settled and leaf.question in answers else None
            return leaf.test(value)
        return others(leaf) if others else None

    return oracle
