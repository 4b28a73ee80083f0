"""The trace of a consultation: each firing, the facts it matched, what it concluded.

Firings are plain data, so any conclusion can be traced back through the rules
that derived it down to the answers (explain/how.py), and a Watcher can follow
them as they happen (CLIPS's watch).
"""


from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple, Protocol, overload

from .facts import Answer, Certainty, Derived, describe, fact_id


class FactRef(NamedTuple):
    """A matched fact, as data: answer, derived fact or hypothesis certainty."""

    id: int
    kind: str  # answer | fact | hypothesis
    name: str  # question id, fact name or hypothesis id
    value: Any  # answer value, or the certainty
    text: str  # how the trace prints it


class Firing(NamedTuple):
    """One firing: its step, the rule, the facts it matched and what it concluded."""

    step: int
    rule: str
    facts: tuple[FactRef, ...]
    asserted: tuple[str, ...]


class FiringLog(Sequence[Firing]):
    """A consultation's firings, each written out as a Firing (its facts named, what it
    concluded put in words) only when something reads it: a batch of JSON reports
    reads every one, a what-if, a plan or a count of firings reads none, and at
    14,000 rules the words were a fifth of a consultation.  ``rules`` (the rule of
    each step) is kept as it goes, for what needs only that."""

    def __init__(self, write: Callable[[Any], Firing]):
        self.rules: list[str] = []
        self._raw: list[Any] = []
        self._written: list[Firing | None] = []
        self._write = write

    def record(self, rule: str, raw: Any) -> None:
        self.rules.append(rule)
        self._raw.append(raw)
        self._written.append(None)

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> Firing: ...

    @overload
    def __getitem__(self, index: slice) -> list[Firing]: ...

    def __getitem__(self, index: int | slice) -> Firing | list[Firing]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        firing = self._written[index]
        if firing is None:
            firing = self._written[index] = self._write(self._raw[index])
        return firing

    def __iter__(self) -> Iterator[Firing]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]  # like a list: it grows


def fact_ref(fact: Any, provenance: tuple[int, ...] = ()) -> FactRef:
    """A matched fact; ``provenance`` (steps that made it) is appended to its text."""
    if isinstance(fact, Answer):
        kind, name, value = "answer", fact["question"], fact["value"]
    elif isinstance(fact, Derived):
        kind, name, value = "fact", fact["name"], True
    elif isinstance(fact, Certainty):
        kind, name, value = "hypothesis", fact["hypothesis"], fact["cf"]
    else:  # pragma: no cover - only the kinds above are ever matched with a binding
        kind, name, value = type(fact).__name__.lower(), "", None
    if isinstance(value, list | tuple):
        value = tuple(value)
    text = describe(fact)
    if provenance:
        text += f" (from step{'s' if len(provenance) > 1 else ''} " \
                f"{', '.join(map(str, provenance))})"
    return FactRef(fact_id(fact), kind, name, value, text)


class Watcher(Protocol):
    """Follows a consultation as it runs, like CLIPS's (watch facts) and (watch rules)."""

    def fact(self, ref: FactRef) -> None: ...

    def fire(self, firing: Firing) -> None: ...


class EchoWatcher:
    """Prints facts and firings as they happen, in the spirit of CLIPS's watch output."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo

    def fact(self, ref: FactRef) -> None:
        self.echo(f"==> {ref.text}")

    def fire(self, firing: Firing) -> None:
        matched = ", ".join(ref.text for ref in firing.facts) or "(no facts: always)"
        self.echo(f"FIRE {firing.step:>3} {firing.rule}: {matched}")
        for item in firing.asserted:
            self.echo(f"      ==> {item}")
