"""MYCIN certainty factors: how evidence from several rules adds up.

Evidence for (cf > 0) and against (cf < 0) are each combined as independent
sources (a + b - ab), then set against each other with EMYCIN's formula.
Combining the two groups separately makes the result independent of the order
the rules fired in, which MYCIN's pairwise formula is not for mixed signs.

A ceiling caps the result: "likely needs a risk factor and symptoms" is a rule
that, when one of them is missing, says the hypothesis is at most possible.
Ceilings combine by taking the lowest, so order does not matter there either.

Every certainty a rule tests or a report prints is ``settled``: rounded to three
decimals once, so the engine, the three-valued status and the report agree on
which side of a threshold a value falls.  The rounding is made blind to the order
evidence arrived in: the value is first taken to whole billionths (the last bits
of floating-point error, which depend on that order, are gone), then to
thousandths, half to even, in integers.  The same steps in CLIPS give the same
number (authoring/clips.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

LIKELY, POSSIBLE = 0.5, 0.2  # the reference's "strong" and "moderate" (report contract)
BANDS = ((LIKELY, "likely"), (POSSIBLE, "possible"))  # below both: "low"
PLACES = 3  # decimals a certainty is settled to


def half_away(value: float) -> int:
    """The nearest whole number, halves away from zero: C's round(), which CLIPS uses,
    so an exported knowledge base rounds exactly as this one does."""
    whole = math.floor(abs(value))
    whole += abs(value) - whole >= 0.5  # exact: a double minus its floor loses nothing
    return int(math.copysign(whole, value))


def add(for_: float, against: float, cf: float) -> tuple[float, float]:
    """Evidence for and against, with one more piece."""
    if cf >= 0:
        return for_ + cf * (1 - for_), against
    return for_, against + cf * (1 + against)


def resolve(for_: float, against: float) -> float:
    """Evidence for set against evidence against (EMYCIN); with no evidence on one side,
    the other side as it is."""
    denominator = 1 - min(for_, -against)
    return 0.0 if denominator == 0 else (for_ + against) / denominator


def combine(factors: Iterable[float]) -> float:
    """Combined certainty in [-1, 1] of independent pieces of evidence."""
    for_, against = 0.0, 0.0
    for cf in factors:
        for_, against = add(for_, against, cf)
    return resolve(for_, against)


def settle(factors: Iterable[float], ceilings: Iterable[float] = ()) -> float:
    """The certainty rules read and reports print: combined, capped, rounded."""
    return settled(combine(factors), ceilings)


def settled(value: float, ceilings: Iterable[float] = ()) -> float:
    """A combined certainty capped by the lowest ceiling and rounded (module docstring)."""
    cap = min(ceilings, default=None)
    if cap is not None and value > cap:
        value = cap
    done = _SETTLED.get(value)
    if done is None:
        if len(_SETTLED) >= _REMEMBERED:
            _SETTLED.clear()
        done = _SETTLED[value] = _rounded(value)
    return done


_SETTLED: dict[float, float] = {}  # a batch settles the same few sums again and again
_REMEMBERED = 10_000


def _rounded(value: float) -> float:
    billionths = half_away(abs(value) * 10 ** 9)
    thousandths, rest = divmod(billionths, 10 ** (9 - PLACES))
    half = 10 ** (9 - PLACES) // 2
    if rest > half or (rest == half and thousandths % 2):
        thousandths += 1
    return math.copysign(thousandths, value) / 10 ** PLACES + 0.0  # -0.0 becomes 0.0


def band(certainty: float) -> str:
    """The report's word for a certainty: low < 0.2 <= possible < 0.5 <= likely."""
    return next((name for floor, name in BANDS if certainty >= floor), "low")
