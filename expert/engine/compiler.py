"""Compile rule definitions into experta rules.

Each rule's condition is put in disjunctive normal form (conditions.alternatives)
and every leaf becomes one pattern:

* an answer test -> ``Answer(question=q, value=P(test))``, so the question id is
  an equality test experta shares across rules and the value test is the rule's own;
  ``answered`` -> ``Answer(question=q)``, or ``NOT(...)`` for "left unanswered";
* ``fact: x`` -> ``Derived(name=x)``, negated -> ``NOT(Derived(name=x))``;
* a certainty test -> ``Certainty(hypothesis=h, cf=P(test))``.

Patterns are emitted in the shape experta's Rete builder expects after its own
``prepare_rule`` (positive patterns first, InitialFact where a branch has none),
so the engine can skip that costly rewrite.  A rule with several alternatives
also gets ``NOT(Fired(rule=id))``: it fires once, whichever alternatives hold (the
indexed matcher blocks them itself, without the fact: TwitchEngine.fired).
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from ..language.conditions import Ask, Belief, FactIs, Leaf
from ..language.forms import alternatives
from ..language.model import RuleDef
from .compat import AND, NOT, OR, InitialFact, P, Rule
from .facts import Answer, Certainty, Derived, Fired


class LeafTest:
    """The value test of an answer or certainty pattern.  Never raises: a type mismatch
    is "no match", not an error inside experta's matcher."""

    __slots__ = ("leaf",)

    def __init__(self, leaf: Ask | Belief):
        self.leaf = leaf

    def __call__(self, value: Any) -> bool:
        try:
            return self.leaf.test(value)
        except Exception:
            return False

    def __repr__(self) -> str:
        return f"<{self.leaf.describe()}>"


class RuleAction:
    """The right-hand side of every compiled rule: hand the firing to the engine.

    TwitchEngine.run reads ``rule`` and ``once`` and calls ``on_fire`` itself; the call
    below is the way experta's own Rule and run loop reach it."""

    def __init__(self, rule: RuleDef, once: bool):
        self.rule = rule
        self.once = once
        self.__name__ = self.__qualname__ = rule.id
        self.__signature__ = _ACTION_SIGNATURE

    def __call__(self, engine: Any, **bindings: Any) -> None:
        engine.on_fire(self.rule, bindings, self.once)


def _action_signature(engine: Any, **bindings: Any) -> None:  # pragma: no cover - shape only
    pass


_ACTION_SIGNATURE = inspect.signature(_action_signature)


_TESTS: dict[Leaf, LeafTest] = {}


def leaf_test(leaf: Ask | Belief) -> LeafTest:
    """One test object per distinct leaf, so rules testing the same thing share one
    alpha node (experta shares predicate nodes by the predicate's identity)."""
    key = (leaf, isinstance(leaf.value, bool))  # "is true" is not "is 1", though equal
    test = _TESTS.get(key)
    if test is None:
        test = _TESTS[key] = LeafTest(leaf)
    return test


def _pattern(leaf: Leaf, name: str) -> Any:
    if isinstance(leaf, Ask) and leaf.on_presence:  # answers are declared only when known
        present = Answer(question=leaf.question)
        return name << present if leaf.value else NOT(present)
    if isinstance(leaf, Ask):
        return name << Answer(question=leaf.question, value=P(leaf_test(leaf)))
    if isinstance(leaf, Belief):
        return name << Certainty(hypothesis=leaf.hypothesis, cf=P(leaf_test(leaf)))
    if isinstance(leaf, FactIs):
        return NOT(Derived(name=leaf.name)) if leaf.negated else name << Derived(name=leaf.name)
    raise TypeError(f"not a leaf: {leaf!r}")  # pragma: no cover


def _branch(leaves: tuple[Leaf, ...], once: str | None) -> list[Any]:
    patterns = [_pattern(leaf, f"p{i}") for i, leaf in enumerate(leaves)]
    positive = [p for p in patterns if not isinstance(p, NOT)]
    negative = [p for p in patterns if isinstance(p, NOT)]
    if once:
        negative.append(NOT(Fired(rule=once)))
    return (positive or [InitialFact()]) + negative


def compile_rule(rule: RuleDef, patterns: bool = True) -> Rule:
    """One experta Rule for a rule definition, salience minus its stratum.

    The indexed matcher reads the condition from the rule definition itself, so it
    needs no patterns (building them is most of a large base's start-up);
    ``patterns`` builds them for experta's own ReteMatcher.
    """
    alts = rule.alternatives or alternatives(rule.when)
    once = len(alts) > 1
    if not patterns:
        lhs: list[Any] = []
    elif once:
        lhs = [OR(*(AND(*_branch(alt, rule.id)) for alt in alts))]
    else:
        lhs = _branch(alts[0], None)
    return _decorated(Rule(*lhs, salience=-rule.stratum), RuleAction(rule, once))


def _decorated(compiled: Rule, action: RuleAction) -> Rule:
    """``compiled(action)``, as experta's Rule takes its action on its first call, less
    reading the action's signature to learn which bindings it takes: it takes them
    all (``**bindings``), which is what experta concludes too."""
    compiled._wrapped = action
    return functools.update_wrapper(compiled, action)
