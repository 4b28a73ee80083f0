"""MYCIN certainty factors: how evidence from several rules adds up.

Evidence for (cf > 0) and against (cf < 0) are each combined as independent
sources (a + b - ab), then set against each other with EMYCIN's formula.
Combining the two groups separately makes the result independent of the order
the rules fired in, which MYCIN's pairwise formula is not for mixed signs.
"""

from __future__ import annotations

from collections.abc import Iterable

BANDS = ((0.5, "likely"), (0.2, "possible"), (0.0, "low"))


def combine(factors: Iterable[float]) -> float:
    """Combined certainty in [-1, 1] of independent pieces of evidence."""
    for_, against = 0.0, 0.0
    for cf in factors:
        if cf >= 0:
            for_ = for_ + cf * (1 - for_)
        else:
            against = against + cf * (1 + against)
    if for_ == 0 or against == 0:
        return for_ + against
    denominator = 1 - min(for_, -against)
    return 0.0 if denominator == 0 else (for_ + against) / denominator


def band(certainty: float) -> str:
    """The report's word for a certainty: low < 0.2 <= possible < 0.5 <= likely."""
    return next(name for floor, name in BANDS if certainty >= floor) if certainty > 0 else "low"
