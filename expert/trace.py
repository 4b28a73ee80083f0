"""What happened in a consultation: every firing, what it matched, what it concluded.

The recorder is the engine's working state for one consultation.  Each firing
is kept with the facts it matched, so any conclusion can be traced back through
the rules that derived it down to the answers (see explain.py's HOW tree).
"""


from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from .certainty import settle
from .facts import Answer, Certainty, Derived, Fired, describe, fact_id
from .model import Advice, RuleDef


class FactRef(NamedTuple):
    """A matched fact, as data: answer, derived fact or hypothesis certainty."""

    id: int
    kind: str  # answer | fact | hypothesis
    name: str  # question id, fact name or hypothesis id
    value: Any  # answer value, or the certainty
    text: str  # how the trace prints it


class Firing(NamedTuple):
    step: int
    rule: str
    facts: tuple[FactRef, ...]
    asserted: tuple[str, ...]


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


class Recorder:
    """Collects conclusions as rules fire; ``engine`` is used to declare new facts."""

    def __init__(self, engine: Any, watch: Watcher | None = None,
                 overrides: Mapping[str, RuleDef] | None = None):
        self.engine = engine
        self.watch = watch
        self.overrides = overrides or {}  # rule id -> the definition to act on instead
        self.firings: list[Firing] = []
        self.evidence: dict[str, dict[str, float]] = {}  # hypothesis -> rule -> cf
        self.ceilings: dict[str, dict[str, float]] = {}  # hypothesis -> rule -> at most
        self.note_evidence: dict[str, dict[str, float]] = {}  # note -> rule -> cf
        self.conflicts: list[tuple[str, str]] = []  # (rule, text)
        self.referrals: list[tuple[str, str]] = []  # (level, rule)
        self.advice: list[tuple[str, Advice]] = []  # (rule, advice)
        self.tests: list[tuple[str, str]] = []  # (rule, test)
        self.derived_by: dict[str, list[int]] = {}  # fact name -> steps that derived it
        self.evidence_steps: dict[str, list[int]] = {}  # hypothesis -> steps that moved it
        self.certainty_facts: dict[str, Any] = {}  # hypothesis -> its live Certainty fact

    def fire(self, rule: RuleDef, bindings: dict[str, Any], once: bool = False) -> None:
        """Record a firing; ``once`` marks a rule of several alternatives as done."""
        rule = self.overrides.get(rule.id, rule)
        step = len(self.firings) + 1
        matched = sorted((v for k, v in bindings.items() if k.startswith("p")), key=fact_id)
        changes: dict[tuple[str, str], tuple[float, float]] = {}
        refs = tuple(fact_ref(f, self._provenance(f)) for f in matched)
        moved = [(h, self.evidence, cf) for h, cf in rule.then.hypotheses]
        moved += [(h, self.ceilings, cap) for h, cap in rule.then.ceilings]
        for hypothesis, table, value in moved:
            self.evidence_steps.setdefault(hypothesis, []).append(step)
            before = self.certainty(hypothesis)
            table.setdefault(hypothesis, {})[rule.id] = value
            after = self.certainty(hypothesis)
            first = changes.get(("hypothesis", hypothesis), (before, after))[0]
            changes[("hypothesis", hypothesis)] = (first, after)
            if after != before:
                old = self.certainty_facts[hypothesis]
                self.certainty_facts[hypothesis] = self.engine.modify(old, cf=after)
        for note, cf in rule.then.notes:
            before = self.note_certainty(note)
            self.note_evidence.setdefault(note, {})[rule.id] = cf
            changes[("note", note)] = (before, self.note_certainty(note))
        if rule.then.referral:
            self.referrals.append((rule.then.referral, rule.id))
        self.advice += [(rule.id, a) for a in rule.then.advice]
        self.tests += [(rule.id, t) for t in rule.then.tests]
        self.conflicts += [(rule.id, text) for text in rule.then.conflicts]
        for name in rule.then.facts:
            self.engine.declare(Derived(name=name))
            self.derived_by.setdefault(name, []).append(step)
        if once:
            self.engine.declare(Fired(rule=rule.id))
        firing = Firing(step, rule.id, refs, tuple(self._asserted(rule, changes)))
        self.firings.append(firing)
        if self.watch:
            self.watch.fire(firing)

    def _provenance(self, fact: Any) -> tuple[int, ...]:
        if isinstance(fact, Derived):
            return tuple(self.derived_by.get(fact["name"], ()))
        if isinstance(fact, Certainty):
            return tuple(self.evidence_steps.get(fact["hypothesis"], ()))
        return ()

    @staticmethod
    def _asserted(rule: RuleDef, changes: dict[tuple[str, str], tuple[float, float]]) -> list[str]:
        out = []
        for hypothesis, cf in rule.then.hypotheses:
            before, after = changes["hypothesis", hypothesis]
            out.append(f"hypothesis {hypothesis} {cf:+.2f} ({before:.2f} -> {after:.2f})")
        for hypothesis, cap in rule.then.ceilings:
            before, after = changes["hypothesis", hypothesis]
            out.append(f"hypothesis {hypothesis} at most {cap:.2f} ({before:.2f} -> {after:.2f})")
        for note, cf in rule.then.notes:
            before, after = changes["note", note]
            out.append(f"note {note} {cf:+.2f} ({before:.2f} -> {after:.2f})")
        if rule.then.referral:
            out.append(f"referral {rule.then.referral}")
        out += [f"test {t}" for t in rule.then.tests]
        out += [f"fact {f}" for f in rule.then.facts]
        out += [f"advice: {a.text}" for a in rule.then.advice]
        out += [f"conflict: {text}" for text in rule.then.conflicts]
        return out

    def certainty(self, hypothesis: str) -> float:
        pieces = self.evidence.get(hypothesis, {})
        return settle((pieces[r] for r in sorted(pieces)),
                      self.ceilings.get(hypothesis, {}).values())

    def note_certainty(self, note: str) -> float:
        pieces = self.note_evidence.get(note, {})
        return settle(pieces[r] for r in sorted(pieces))
