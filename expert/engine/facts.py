"""The kinds of fact in working memory, and how a trace names them."""

from __future__ import annotations

from typing import Any

from ..text import show
from .compat import Fact


class Answer(Fact):
    """``question`` was answered ``value`` (a tuple of choice ids for a multi question)."""


class Derived(Fact):
    """A fact a rule concluded (``name``) for other rules to chain on."""


class Certainty(Fact):
    """The combined certainty ``cf`` of ``hypothesis`` so far; replaced as evidence arrives."""


class Fired(Fact):
    """``rule`` has fired: keeps a rule with several alternatives from firing twice."""


def fact_id(fact: Any) -> int:
    """The id experta gave a fact (it restarts at 0 on every reset)."""
    return fact["__factid__"]


def describe(fact: Any) -> str:
    """``f-3 medications = [loop_diuretic, ppi_long_term]``: a fact as the trace prints it."""
    prefix = f"f-{fact_id(fact)}"
    if isinstance(fact, Answer):
        return f"{prefix} {fact['question']} = {show(fact['value'])}"
    if isinstance(fact, Derived):
        return f"{prefix} fact {fact['name']}"
    if isinstance(fact, Certainty):
        return f"{prefix} hypothesis {fact['hypothesis']} = {fact['cf']:.2f}"
    return f"{prefix} {fact!r}"
