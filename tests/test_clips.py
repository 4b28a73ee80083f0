"""The CLIPS export is a second oracle: CLIPS 6.4 (clipspy), running the exported
program, concludes what the engine concludes on random consultations: the referral,
every hypothesis's and note's certainty (to 1e-9), and the rules that fired."""

import random

import clips
import pytest
from clips_oracle import ClipsOracle, engine_outcome
from synthetic import random_answers, write_extension

from conftest import seeded
from expert.consult.answers import check_answers


def differences(kb, oracle, count, seed, computed=True):
    rng = random.Random(seed)
    compared, found = 0, []
    for _ in range(count):
        answers = check_answers(kb, random_answers(rng, fill=rng.choice([0.2, 0.5, 0.8, 1.0])))
        ours, theirs = engine_outcome(kb, answers), oracle.run(answers, computed)
        compared += 1
        if ours.level != theirs.level or ours.fired != theirs.fired or any(
                abs(ours.hypotheses[h] - theirs.hypotheses[h]) > 1e-9 for h in kb.hypotheses) \
                or any(abs(ours.notes[n] - theirs.notes[n]) > 1e-9 for n in kb.notes):
            found.append((answers, ours, theirs))
    assert compared == count
    return found


@pytest.mark.slow
def test_clips_concludes_what_the_engine_concludes(kb):
    assert differences(kb, ClipsOracle(kb), 1000, seed=seeded(41)) == []


@pytest.mark.slow
def test_clips_computes_the_caffeine_estimate_as_the_engine_does(kb):
    assert differences(kb, ClipsOracle(kb), 200, seed=seeded(43), computed=False) == []


@pytest.mark.slow
def test_on_synthetic_knowledge_too(tmp_path):
    from expert.kb.loader import load_knowledge

    kb = load_knowledge((write_extension(tmp_path / "synthetic", 500, seed=seeded(47)),),
                        use_cache=False)
    assert differences(kb, ClipsOracle(kb), 150, seed=seeded(53)) == []


def test_the_outcomes_are_not_trivial(kb):
    """The comparison means something: referrals, evidence and notes vary."""
    oracle, rng = ClipsOracle(kb), random.Random(59)
    outcomes = [oracle.run(check_answers(kb, random_answers(rng))) for _ in range(100)]
    assert len({o.level for o in outcomes}) >= 4
    assert any(o.hypotheses["magnesium"] >= 0.5 for o in outcomes)
    assert any(cf < 0 for o in outcomes for cf in o.hypotheses.values())
    assert any(o.notes["caffeine"] > 0 for o in outcomes)


@pytest.mark.parametrize("cf, expected", [
    (0.4475, 0.448), (0.0525, 0.052), (0.0005, 0.0), (-0.4475, -0.448), (0.12349, 0.123),
    (0.1234999999, 0.124),  # within a billionth of a half: a half, rounded to even
])
def test_clips_settles_a_certainty_as_the_engine_does(tmp_path, cf, expected):
    from expert.authoring.clips import PROGRAM
    from expert.language.certainty import settled

    (tmp_path / "program.clp").write_text(PROGRAM)
    env = clips.Environment()
    env.load(str(tmp_path / "program.clp"))
    assert env.eval(f"(twitchdx-settled {cf!r} none)") == settled(cf) == expected


def test_kb_export_writes_a_program_clips_runs(runner, cli, tmp_path):
    result = runner.invoke(cli, ["kb", "export", "--format", "clips", "-o",
                                 str(tmp_path / "k.clp")])
    assert result.exit_code == 0, result.stderr
    env = clips.Environment()
    env.load(str(tmp_path / "k.clp"))
    env.reset()
    env.assert_string("(answer (question symptoms) (value seizure))")
    env.run()
    levels = {str(f["level"]) for f in env.facts() if f.template.name == "referral"}
    assert "emergency" in levels
    assert runner.invoke(cli, ["kb", "export"]).stdout.startswith(
        ";;; twitchdx-core 1.0.0, exported by twitchdx")


@pytest.mark.slow
def test_on_nested_synthetic_knowledge_too(tmp_path):
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path / "nested", 600, seed=seeded(97), shape="nested")
    kb = load_knowledge((folder,), use_cache=False)
    assert differences(kb, ClipsOracle(kb), 120, seed=seeded(101)) == []


@pytest.mark.slow
def test_on_synthetic_knowledge_at_fourteen_thousand_rules(tmp_path):
    """The size the engine is held to against CLIPS (bench/scale.py): 14,300 rules, a
    seed no other test uses, every conclusion and firing the same."""
    from expert.kb.loader import load_knowledge

    shipped = len(load_knowledge().rules)
    folder = write_extension(tmp_path / "synthetic", 14_300 - shipped, seed=seeded(61))
    kb = load_knowledge((folder,))
    assert len(kb.rules) == 14_300
    assert differences(kb, ClipsOracle(kb), 25, seed=seeded(67)) == []


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["wide", "chains", "beliefs"])
def test_on_the_other_shapes_too(tmp_path, shape):
    """Rules of many alternatives, facts read several ways down long chains, small rules
    reading certainties: the same conclusions as CLIPS."""
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path / shape, 300, seed=seeded(103), shape=shape)
    kb = load_knowledge((folder,), use_cache=False)
    assert differences(kb, ClipsOracle(kb), 60, seed=seeded(107)) == []
