"""Computed questions: values the knowledge derives from answers (the caffeine estimate)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .certainty import half_away
from .model import KnowledgeBase


def with_computed(kb: KnowledgeBase, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers plus every computed value whose inputs are (at least partly) answered.

    A computed value sums the answered inputs, to three decimals (halves away from
    zero, as CLIPS rounds): drinks left unanswered add nothing to the caffeine
    estimate, and the report lists them as unknown.
    """
    full = dict(answers)
    for question in kb.computed_questions:
        known = [(q, w) for q, w in question.sum if full.get(q) is not None]
        full[question.id] = half_away(sum(full[q] * w for q, w in known) * 1000) / 1000 \
            if known else None
    return full
