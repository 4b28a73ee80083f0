"""Run an exported knowledge base in CLIPS 6.4 (clipspy): the second oracle."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import clips

from expert.authoring.clips import answer_fact, export_clips
from expert.language.computed import with_computed


class Outcome(NamedTuple):
    level: str
    hypotheses: dict[str, float]
    notes: dict[str, float]
    fired: frozenset[str]


class ClipsOracle:
    """One CLIPS environment holding the exported program, reset per consultation."""

    def __init__(self, kb: Any):
        self.kb = kb
        self.env = clips.Environment()
        with tempfile.TemporaryDirectory() as tmp:
            program = Path(tmp) / "knowledge.clp"
            program.write_text(export_clips(kb), encoding="utf-8")
            self.env.load(str(program))
        self.ranks = {lv.id: lv.rank for lv in kb.levels}

    def run(self, answers: dict[str, Any], computed: bool = True) -> Outcome:
        """Assert the answers (with the computed ones, unless the program is to compute
        them itself), run to the end, and read the conclusions."""
        self.play(answers, computed)
        return self.read()

    def play(self, answers: dict[str, Any], computed: bool = True) -> None:
        """Reset, assert the answers and run: what the scale benchmark times."""
        self.env.reset()
        given = with_computed(self.kb, answers) if computed else dict(answers)
        for question_id, value in given.items():
            if value is not None:
                self.env.assert_string(answer_fact(self.kb.questions[question_id], value))
        self.env.run()

    def read(self) -> Outcome:
        levels, hypotheses, notes, fired = [], {}, {}, set()
        for fact in self.env.facts():
            name = fact.template.name
            if name == "referral":
                levels.append(str(fact["level"]))
                fired.add(str(fact["rule"]))
            elif name == "certainty":
                hypotheses[str(fact["hypothesis"])] = float(fact["cf"])
            elif name == "note-certainty":
                notes[str(fact["note"])] = float(fact["cf"])
            elif name in ("evidence", "advice", "suggested-test"):
                fired.add(str(fact["rule"]))
        level = max(levels, key=self.ranks.__getitem__)
        return Outcome(level, hypotheses, notes, frozenset(fired))


def engine_outcome(kb: Any, answers: dict[str, Any]) -> Outcome:
    """The same view of the engine's consultation: its certainties before the report
    clips them at zero, and the rules that fired with something to show for it."""
    from expert.consult.consultation import consult
    from expert.engine.engine import engine_for

    full = with_computed(kb, answers)
    actions = engine_for(kb).infer(kb, full)
    result = consult(kb, answers)
    visible = {r.id for r in kb.rules if r.then.referral or r.then.hypotheses
               or r.then.ceilings or r.then.notes or r.then.advice or r.then.tests}
    return Outcome(result.level.id, {h: actions.certainty(h) for h in kb.hypotheses},
                   {n: actions.note_certainty(n) for n in kb.notes},
                   frozenset(f.rule for f in actions.firings if f.rule in visible))
