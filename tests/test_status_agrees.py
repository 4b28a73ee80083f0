"""One evaluator of record: the three-valued RuleStatus (used by the planner and the
safety proofs) agrees with the engine.  On complete answers, every question asked and
the unknowns final, it decides every rule, and says "true" exactly for the rules that
fired; certainty thresholds are judged on the same settled (rounded) value."""

import random

import pytest
from synthetic import random_answers as synthetic_answers
from synthetic import write_extension
from test_properties import random_answers

from conftest import MINI, ROOT
from expert.authoring.cases import load_cases
from expert.consult.answers import check_answers
from expert.consult.consultation import consult
from expert.errors import AnswerError
from expert.kb.loader import load_knowledge
from expert.language.status import RuleStatus


def disagreements(kb, answers: dict) -> dict[str, set[str]]:
    """Where the engine and RuleStatus part ways on one complete consultation."""
    closed = check_answers(kb, {**{q.id: None for q in kb.askable}, **answers})
    fired = set(consult(kb, closed).fired)
    status = RuleStatus(kb, closed, settled=True)
    true = {rule for rule, judged in status.rules.items() if judged.truth is True}
    found = {"fired, not true": fired - true, "true, not fired": true - fired,
             "undecided": {rule for rule in status.rules if status.truth(rule) is None}}
    return {what: rules for what, rules in found.items() if rules}


def consistent(kb, draw, count: int, seed: int) -> list[dict]:
    rng, out = random.Random(seed), []
    while len(out) < count:
        try:
            out.append(check_answers(kb, draw(rng)))
        except AnswerError:  # e.g. pregnant but male: not a consultation anyone can have
            continue
    return out


def test_on_every_knowledge_case(kb):
    cases = load_cases(kb, [ROOT / "knowledge"])
    assert len(cases) > 100
    assert {case.id: disagreements(kb, case.answers) for case in cases
            if disagreements(kb, case.answers)} == {}


@pytest.mark.slow
def test_on_random_answers(kb):
    samples = consistent(kb, lambda rng: random_answers(kb, rng, keep=rng.random()), 400, 61)
    samples += consistent(kb, lambda rng: synthetic_answers(rng, fill=rng.random()), 400, 67)
    assert [(answers, found) for answers in samples
            if (found := disagreements(kb, answers))] == []


@pytest.mark.slow
def test_on_synthetic_knowledge(tmp_path):
    """Rules that read certainties at thresholds, and chains of derived facts."""
    kb = load_knowledge((write_extension(tmp_path / "synthetic", 400, seed=71),),
                        use_cache=False)
    samples = consistent(kb, lambda rng: synthetic_answers(rng, fill=rng.random()), 200, 73)
    assert [(answers, found) for answers in samples
            if (found := disagreements(kb, answers))] == []


THRESHOLDS = """\
rules:
  - id: h1-from-green
    title: Green raises h1
    when: {many: {includes: green}}
    then: {hypothesis: {id: h1, cf: 0.47}}
    because: Green is evidence for h1.
    sources: [S01]
  - id: h1-at-least-threshold
    title: h1 at least 0.682
    when: {hypothesis: {id: h1, at_least: 0.682}}
    then: {facts: [at_least_threshold]}
    because: A threshold met exactly.
    sources: [S01]
  - id: h1-below-threshold
    title: h1 below 0.682
    when: {hypothesis: {id: h1, below: 0.682}}
    then: {facts: [below_threshold]}
    because: A threshold met exactly is not below it.
    sources: [S01]
"""


@pytest.mark.parametrize("answers, expected", [
    # 0.4 and 0.47 combine to 0.6819999999999999 in floating point: settled, 0.682
    ({"a": True, "many": ["green"]}, {"h1-at-least-threshold"}),
    ({"a": True}, {"h1-below-threshold"}),
    ({"a": True, "many": ["green"], "n": 60}, {"h1-at-least-threshold"}),
    ({"a": True, "many": ["green"], "b": True}, {"h1-below-threshold"}),
])
def test_a_threshold_met_exactly_is_judged_alike(tmp_path, answers, expected):
    (tmp_path / "rules").mkdir()
    (tmp_path / "kb.yaml").write_text("name: thresholds\nversion: '1'\n")
    (tmp_path / "rules" / "thresholds.yaml").write_text(THRESHOLDS)
    kb = load_knowledge((MINI, tmp_path), package=False, use_cache=False)
    assert 0.4 + 0.47 * (1 - 0.4) < 0.682  # the float sum falls short of it
    assert disagreements(kb, answers) == {}
    fired = set(consult(kb, check_answers(kb, answers)).fired)
    assert fired & {"h1-at-least-threshold", "h1-below-threshold"} == expected


def test_a_disagreement_is_seen(kb, monkeypatch):
    """The comparison can fail: a status that misjudges one rule is caught."""
    judge = RuleStatus.__init__

    def wrong(self, *args, **kwargs):
        judge(self, *args, **kwargs)
        self.rules.pop("mg-diuretic", None)

    monkeypatch.setattr(RuleStatus, "__init__", wrong)
    assert disagreements(kb, {"medications": ["loop_diuretic"]}) != {}
