"""What fired rules conclude, carried out: one consultation's working state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..language.certainty import add, resolve, settled
from ..language.model import Advice, RuleDef
from .facts import Certainty, Derived, Fired, fact_id
from .trace import Firing, Watcher, fact_ref


class RuleActions:
    """The right-hand side of every rule: carries out what a firing concludes.

    Certainties are combined and their facts replaced, derived facts declared
    (through ``engine``), referrals, advice, tests and conflicts collected, and
    each firing recorded with the facts it matched.
    """

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
        self.running: dict[int, dict[str, tuple[float, float]]] = {}  # for, against so far

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
            self._record(table, hypothesis, rule.id, value)
            after = self.certainty(hypothesis)
            first = changes.get(("hypothesis", hypothesis), (before, after))[0]
            changes[("hypothesis", hypothesis)] = (first, after)
            if after != before:
                old = self.certainty_facts[hypothesis]
                self.certainty_facts[hypothesis] = self.engine.modify(old, cf=after)
        for note, cf in rule.then.notes:
            before = self.note_certainty(note)
            self._record(self.note_evidence, note, rule.id, cf)
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

    def _record(self, table: dict[str, dict[str, float]], target: str, rule: str,
                value: float) -> None:
        """One rule's evidence (or ceiling) for a target.  The running combination is
        kept, so a firing costs the same however much evidence came before it."""
        pieces = table.setdefault(target, {})
        again = rule in pieces
        pieces[rule] = value
        if table is self.ceilings:
            return
        running = self.running.get(id(table), {})
        self.running[id(table)] = running
        if again or target not in running:  # first piece, or a rule restating its own
            for_, against = 0.0, 0.0
            for cf in pieces.values():
                for_, against = add(for_, against, cf)
            running[target] = (for_, against)
        else:
            running[target] = add(*running[target], value)

    def _combined(self, table: dict[str, dict[str, float]], target: str) -> float:
        running = self.running.get(id(table), {}).get(target)
        return resolve(*running) if running else 0.0

    def certainty(self, hypothesis: str) -> float:
        """A hypothesis's certainty now: combined, capped and settled."""
        return settled(self._combined(self.evidence, hypothesis),
                       self.ceilings.get(hypothesis, {}).values())

    def note_certainty(self, note: str) -> float:
        """A lifestyle note's certainty now."""
        return settled(self._combined(self.note_evidence, note))
