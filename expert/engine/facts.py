"""The kinds of fact in working memory, and how a trace names them."""

from __future__ import annotations

from operator import itemgetter
from typing import Any, ClassVar

from ..text import show
from .compat import Fact


class _Checked(Fact):
    """A fact built by twitchdx itself from checked values (strings, numbers, choice ids),
    kept as given, without experta's generic freezing of every field, which costs a
    tenth of a consultation."""

    _Fact__defaults: ClassVar[dict[str, Any]] = {}  # experta's field defaults: we have none

    def __init__(self, **fields: Any) -> None:
        dict.update(self, fields)
        self.identity = (type(self), *fields.items())  # equal facts, equal identities


class Answer(_Checked):
    """``question`` was answered ``value`` (a tuple of choice ids for a multi question: a
    list of them is made one)."""

    def __init__(self, **fields: Any) -> None:
        value = fields.get("value")
        if isinstance(value, list):
            fields["value"] = tuple(value)
        super().__init__(**fields)


class Derived(_Checked):
    """A fact a rule concluded (``name``) for other rules to chain on."""


class Certainty(_Checked):
    """The combined certainty ``cf`` of ``hypothesis`` so far; replaced as evidence arrives."""


class Fired(_Checked):
    """``rule`` has fired: keeps a rule with several alternatives from firing twice."""


def made(kind: type[_Checked], fields: tuple[tuple[str, Any], ...]) -> Any:
    """``kind(**dict(fields))``, as the engine makes its facts (a hundred a consultation):
    without the keyword arguments and the calls up the classes, a third of the time.
    ``fields`` are final (an answer's choices a tuple)."""
    fact = _new(kind)
    _update(fact, fields)
    fact.identity = (kind, *fields)
    return fact


_new, _update = dict.__new__, dict.update


def fact_id(fact: Any) -> int:
    """The id experta gave a fact (it restarts at 0 on every reset)."""
    return fact["__factid__"]


FACT_ID = itemgetter("__factid__")  # fact_id, as the C sort calls it


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
