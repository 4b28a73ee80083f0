"""An agenda strategy that removes exactly and orders ties by rule id.

experta 1.9.4's DepthStrategy has two faults this replaces:

* it removes a retracted fact's activation by looking only next to the
  bisection point, so with several activations of equal key a stale one
  survives and fires on a fact that no longer exists (experta#3);
* activations of equal salience keep the order of sets hashed by object id,
  so rules fire in a different order in every process.

Here every activation's key is (salience, rule-id order, fact ids), unique per
activation; removal finds that exact key, and ties of salience fire in rule-id
order, newest facts first (CLIPS's depth strategy), in every process.
"""

from __future__ import annotations

import bisect
from operator import attrgetter
from typing import Any

from .compat import Strategy


class _Descending(str):
    """A rule name that sorts backwards: the agenda fires its largest key first."""

    __slots__ = ()

    def __lt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__gt__(self, other)

    def __gt__(self, other: str) -> bool:  # type: ignore[override]
        return str.__lt__(self, other)

    def __le__(self, other: str) -> bool:  # type: ignore[override]
        return str.__ge__(self, other)

    def __ge__(self, other: str) -> bool:  # type: ignore[override]
        return str.__le__(self, other)


def activation_key(activation: Any) -> tuple:
    """A key unique to each activation: salience, then rule id, then newest facts first."""
    return (*rule_order(activation.rule), fact_order(activation.facts))


def rule_order(rule: Any) -> tuple:
    """The head of a rule's activation keys: its salience, then its place by id.

    A rule compiled by twitchdx carries ``rank`` (its place among the rules by id), so
    the key is a tuple of numbers that the agenda compares without calling Python
    code; any other rule is ranked by its name.
    """
    rank = getattr(rule, "rank", None)
    return rule.salience, _Descending(rule.__name__) if rank is None else -rank


def fact_order(facts: Any) -> tuple[int, ...]:
    """The ids of an activation's facts, newest first (CLIPS's depth strategy)."""
    ids = [fact["__factid__"] for fact in facts]
    if len(ids) > 1:
        ids.sort(reverse=True)
    return tuple(ids)


_KEY = attrgetter("key")
NEAR = 8  # activations from the end where one to remove is looked for first


class StableStrategy(Strategy):
    """Exact removal and a total, process-independent order (see module docstring)."""

    def _update_agenda(self, agenda: Any, added: Any, removed: Any) -> None:
        activations = agenda.activations
        for act in removed:
            if act.key is None:  # a new object standing for the activation to remove
                act.key = activation_key(act)
            end = len(activations) - NEAR  # most are there: a fired rule's other
            lo = end if end > 0 and activations[end].key <= act.key else 0  # alternatives
            index = bisect.bisect_left(activations, act.key, lo, key=_KEY)
            if index < len(activations) and activations[index].key == act.key:
                del activations[index]  # keys are unique: this is the one (or it fired)
        for act in added:
            if act.key is None:  # else the matcher made it (matcher.Match), as below
                act.key = activation_key(act)
        if len(added) <= len(activations) // 4 + 16:
            for act in added:
                bisect.insort(activations, act, key=_KEY)
        else:  # answers declared together: thousands of activations of a large base at
            activations += added  # once, each moving the ones after it: sorted instead,
            activations.sort(key=_KEY)  # the new ones, then merged with the run there
