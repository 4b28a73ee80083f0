"""What fired rules conclude, carried out: one consultation's working state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..language.certainty import add, resolve, settled
from ..language.model import Advice, RuleDef
from .facts import Certainty, Derived, made
from .trace import FiringLog, TraceWriter, Watcher


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
        self.evidence: dict[str, dict[str, float]] = {}  # hypothesis -> rule -> cf
        self.ceilings: dict[str, dict[str, float]] = {}  # hypothesis -> rule -> at most
        self.note_evidence: dict[str, dict[str, float]] = {}  # note -> rule -> cf
        self.conflicts: list[tuple[str, str]] = []  # (rule, text)
        self.referrals: list[tuple[str, str]] = []  # (level, rule)
        self.advice: list[tuple[str, Advice]] = []  # (rule, advice)
        self.tests: list[tuple[str, str]] = []  # (rule, test)
        self.derived_by: dict[str, list[int]] = {}  # fact name -> steps that derived it
        self.evidence_steps: dict[str, list[int]] = {}  # hypothesis -> steps that moved it
        self.firings = FiringLog(TraceWriter(self.derived_by, self.evidence_steps))
        self.certainty_facts: dict[str, Any] = {}  # hypothesis -> its live Certainty fact
        self.unsettled: dict[str, None] = {}  # hypotheses moved since their fact was declared
        self.sums: dict[str, tuple[float, float]] = {}  # hypothesis -> for, against so far
        self.note_sums: dict[str, tuple[float, float]] = {}  # note -> for, against so far
        self.now: dict[str, float] = {}  # hypothesis -> certainty(hypothesis), kept
        self.notes_now: dict[str, float] = {}  # note -> note_certainty(note), kept

    def fire(self, rule: RuleDef, matched: list[Any], once: bool = False) -> None:
        """Carry out a firing of ``rule`` on ``matched`` (its facts, oldest first); ``once``
        marks a rule of several alternatives as done.  Its trace entry is kept as those
        facts and the certainties it moved, and written out only when read
        (trace.FiringLog)."""
        if self.overrides:
            rule = self.overrides.get(rule.id, rule)
        rule_id = rule.id
        hypotheses, notes, referral, advice, tests, facts, ceilings, conflicts = rule.then
        step = len(self.firings.rules) + 1
        changes: dict[tuple[str, str], tuple[float, float]] = {}
        if hypotheses or ceilings:
            self._move(rule, step, changes)
        for note, cf in notes:
            before = self.notes_now.get(note, 0.0)
            self._record(self.note_evidence, self.note_sums, note, rule_id, cf)
            after = self.notes_now[note] = self.note_certainty(note)
            changes[("note", note)] = (before, after)
        if referral:
            self.referrals.append((referral, rule_id))
        if advice:
            self.advice += [(rule_id, a) for a in advice]
        if tests:
            self.tests += [(rule_id, t) for t in tests]
        if conflicts:
            self.conflicts += [(rule_id, text) for text in conflicts]
        for name in facts:
            self.engine.declare(made(Derived, (("name", name),)))
            self.derived_by.setdefault(name, []).append(step)
        if once:
            self.engine.fired(rule_id)
        self.firings.record(rule_id, (step, rule, matched, changes))
        if self.watch:
            self.watch.fire(self.firings[-1])

    def _move(self, rule: RuleDef, step: int,
              changes: dict[tuple[str, str], tuple[float, float]]) -> None:
        """A firing's evidence and ceilings for hypotheses.  Their Certainty facts are
        replaced later, once for many firings (settle)."""
        then = rule.then
        for hypothesis, cf in then.hypotheses:
            self._record(self.evidence, self.sums, hypothesis, rule.id, cf)
            self._moved(hypothesis, step, changes)
        for hypothesis, cap in then.ceilings:
            self.ceilings.setdefault(hypothesis, {})[rule.id] = cap
            self._moved(hypothesis, step, changes)

    def _moved(self, hypothesis: str, step: int,
               changes: dict[tuple[str, str], tuple[float, float]]) -> None:
        """A hypothesis given evidence or a ceiling at ``step``: its certainty worked out
        again, and what the step changed (before its first piece -> after its last)."""
        steps = self.evidence_steps.get(hypothesis)
        if steps is None:
            self.evidence_steps[hypothesis] = [step]
        else:
            steps.append(step)
        before = self.now.get(hypothesis, 0.0)
        after = self.now[hypothesis] = self.certainty(hypothesis)
        key = ("hypothesis", hypothesis)
        earlier = changes.get(key)
        changes[key] = (before if earlier is None else earlier[0], after)
        if after != before:
            self.unsettled[hypothesis] = None

    def settle(self) -> None:
        """Replace the Certainty fact of each hypothesis whose certainty moved since it was
        declared (facts are immutable: retract it, declare its successor).

        The engine calls this before the agenda moves down to a lower salience, and so
        before any rule that reads a certainty can fire: those rules sit in a stratum
        below every rule that moves it (strata.py).  A hypothesis moved by a hundred
        firings of one stratum is replaced once, not a hundred times, and each
        replacement is matched against every test of that certainty."""
        for hypothesis in self.unsettled:
            fact = self.certainty_facts[hypothesis]
            if fact["cf"] != self.now[hypothesis]:
                self.engine.retract(fact)
                cf = self.now[hypothesis]
                self.certainty_facts[hypothesis] = self.engine.declare(
                    made(Certainty, (("hypothesis", hypothesis), ("cf", cf))))
        self.unsettled.clear()

    @staticmethod
    def _record(table: dict[str, dict[str, float]], sums: dict[str, tuple[float, float]],
                target: str, rule: str, value: float) -> None:
        """One rule's evidence for a target.  The running combination (``sums``) is kept,
        so a firing costs the same however much evidence came before it."""
        pieces = table.get(target)
        if pieces is None:
            pieces = table[target] = {}
        again = rule in pieces
        pieces[rule] = value
        if again or target not in sums:  # first piece, or a rule restating its own
            for_, against = 0.0, 0.0
            for cf in pieces.values():
                for_, against = add(for_, against, cf)
            sums[target] = (for_, against)
        else:
            sums[target] = add(*sums[target], value)

    def certainty(self, hypothesis: str) -> float:
        """A hypothesis's certainty now: combined, capped and settled."""
        sums = self.sums.get(hypothesis)
        caps = self.ceilings.get(hypothesis)
        return settled(resolve(*sums) if sums else 0.0, caps.values() if caps else ())

    def note_certainty(self, note: str) -> float:
        """A lifestyle note's certainty now."""
        sums = self.note_sums.get(note)
        return settled(resolve(*sums) if sums else 0.0)
