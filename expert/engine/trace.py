"""The trace of a consultation: each firing, the facts it matched, what it concluded.

Firings are plain data, so any conclusion can be traced back through the rules
that derived it down to the answers (explain/how.py), and a Watcher can follow
them as they happen (CLIPS's watch).
"""


from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
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


class TraceWriter:
    """Writes a firing's trace entry from what RuleActions kept of it: the facts it matched
    (each with the steps that had made it by then) and what it concluded, in words.

    It holds the steps that made each fact, not the RuleActions: so a consultation's
    objects form no reference cycle and are freed the moment its Result is, without
    the garbage collector (which a batch then runs rarely; cycles of 500 objects a
    consultation made it a quarter of a batch's time)."""

    def __init__(self, derived_by: dict[str, list[int]],
                 evidence_steps: dict[str, list[int]]):
        self.derived_by, self.evidence_steps = derived_by, evidence_steps
        self.refs: dict[tuple[int, tuple[int, ...]], FactRef] = {}

    def __call__(self, raw: tuple[int, Any, dict[str, Any], dict]) -> Firing:
        step, rule, bindings, changes = raw
        matched = sorted([v for k, v in bindings.items() if k[0] == "p"], key=_FACT_ID)
        return Firing(step, rule.id, tuple([self.ref(f, step) for f in matched]),
                      asserted(rule, changes))

    def ref(self, fact: Any, step: int) -> FactRef:
        """How the trace of ``step`` names a matched fact: written once for each fact and
        provenance (an answer is matched by many rules, and never changes)."""
        if isinstance(fact, Derived):
            made = self.derived_by.get(fact["name"], [])
        elif isinstance(fact, Certainty):
            made = self.evidence_steps.get(fact["hypothesis"], [])
        else:
            made = []
        provenance = tuple(made[:bisect_left(made, step)])
        key = (fact_id(fact), provenance)
        ref = self.refs.get(key)
        if ref is None:
            ref = self.refs[key] = fact_ref(fact, provenance)
        return ref


def asserted(rule: Any, changes: dict[tuple[str, str], tuple[float, float]]
             ) -> tuple[str, ...]:
    """What a firing concluded, in the trace's words: the certainties it moved (before ->
    after), then what the rule always concludes (written once per rule)."""
    moved = []
    for hypothesis, cf in rule.then.hypotheses:
        before, after = changes["hypothesis", hypothesis]
        moved.append(f"hypothesis {hypothesis} {cf:+.2f} ({before:.2f} -> {after:.2f})")
    for hypothesis, cap in rule.then.ceilings:
        before, after = changes["hypothesis", hypothesis]
        moved.append(f"hypothesis {hypothesis} at most {cap:.2f} ({before:.2f} -> {after:.2f})")
    for note, cf in rule.then.notes:
        before, after = changes["note", note]
        moved.append(f"note {note} {cf:+.2f} ({before:.2f} -> {after:.2f})")
    kept = _ALWAYS.get(rule.id)
    if kept is None or kept[0] is not rule:  # an override concludes otherwise
        then = rule.then
        kept = _ALWAYS[rule.id] = (rule, (
            *([f"referral {then.referral}"] if then.referral else []),
            *(f"test {t}" for t in then.tests), *(f"fact {f}" for f in then.facts),
            *(f"advice: {a.text}" for a in then.advice),
            *(f"conflict: {text}" for text in then.conflicts)))
    return (*moved, *kept[1])


_ALWAYS: dict[str, tuple[Any, tuple[str, ...]]] = {}  # rule id -> (rule, its fixed words)
_FACT_ID = itemgetter("__factid__")  # fact_id, as the C sort calls it


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
