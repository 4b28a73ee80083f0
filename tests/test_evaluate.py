"""twitchdx evaluate: triage accuracy, under- and over-triage, emergency sensitivity,
the confusion matrix and top-1/top-3 hypothesis accuracy, with every miss named."""

import json

import pytest

from cli import twitchdx
from conftest import ROOT

BENIGN = {"twitch_at_rest": True, "symptoms": [], "twitch_locations": ["eyelid"],
          "twitch_duration_days": 3, "sex": "male", "age": 30}
SPASM = {"symptoms": ["hand_spasm"]}  # tetany: an emergency, calcium first


def vignettes(tmp_path, *records):
    path = tmp_path / "vignettes.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def evaluated(runner, *args):
    result = runner.invoke(twitchdx, ["evaluate", *map(str, args), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_shipped_cases_and_scenarios_are_triaged_exactly(runner):
    data = evaluated(runner)
    triage = data["triage"]
    assert data["vignettes"] > 200 and triage["vignettes"] > 150
    assert triage["exact"]["rate"] == 1.0 and triage["under_triage"]["count"] == 0
    assert triage["emergency_sensitivity"]["of"] > 10
    assert triage["emergency_sensitivity"]["rate"] == 1.0
    assert sum(map(sum, triage["confusion"])) == triage["vignettes"]
    assert data["hypotheses"]["top_1"]["rate"] == 1.0 and data["misses"] == []
    scenarios = evaluated(runner, *sorted((ROOT / "knowledge").glob("rules/*.cases/t0*.yaml")))
    assert scenarios["vignettes"] == 4 and scenarios["triage"]["exact"]["rate"] == 1.0


def test_misses_are_measured_and_named(runner, tmp_path):
    path = vignettes(
        tmp_path,
        {"id": "missed-emergency", "answers": BENIGN, "expect": {"level": "emergency"}},
        {"id": "over", "answers": SPASM, "expect": {"level": "routine"}},
        {"id": "right", "answers": SPASM, "expect": {"level": "emergency", "top": ["calcium"]}},
        {"id": "second", "answers": SPASM, "expect": {"top": ["magnesium"]}},
        {"id": "nothing", "answers": BENIGN, "expect": {"level": "self_care", "top": []}},
        {"id": "not-raised", "answers": BENIGN, "expect": {"top": ["potassium"]}},
    )
    data = evaluated(runner, path)
    triage, hyp = data["triage"], data["hypotheses"]
    assert triage["vignettes"] == 4 and triage["exact"] == {"count": 2, "of": 4, "rate": 0.5}
    assert triage["under_triage"]["count"] == 1 and triage["over_triage"]["count"] == 1
    assert triage["emergency_sensitivity"] == {"count": 1, "of": 2, "rate": 0.5}
    levels = triage["levels"]
    assert levels == ["emergency", "same_day", "within_days", "routine", "self_care"]
    assert triage["confusion"][0] == [1, 0, 0, 0, 1]  # an emergency given self-care
    assert triage["confusion"][3] == [1, 0, 0, 0, 0]
    assert hyp["vignettes"] == 4
    assert hyp["top_1"] == {"count": 2, "of": 4, "rate": 0.5}
    assert hyp["top_3"] == {"count": 3, "of": 4, "rate": 0.75}
    misses = {m["id"]: m for m in data["misses"]}
    assert set(misses) == {"missed-emergency", "over", "second", "not-raised"}
    assert misses["missed-emergency"]["misses"] == ["under-triage"]
    assert misses["missed-emergency"]["where"] == f"{path}:1"
    assert misses["over"]["given"]["level"] == "emergency"
    assert misses["second"]["misses"] == ["top-1"]
    assert misses["second"]["given"]["top"][0] == "calcium"
    assert misses["not-raised"]["misses"] == ["top-3"]


def test_text_and_markdown_show_the_same_measures(runner, tmp_path):
    path = vignettes(tmp_path, {"id": "a", "answers": BENIGN, "expect": {"level": "emergency"}})
    text = runner.invoke(twitchdx, ["evaluate", str(path)]).stdout
    assert "under-triage      1/1    100.0%" in text
    assert "emergencies       0/1      0.0%" in text
    assert f"{path}:1: a: expected emergency, given self_care (under-triage)" in text
    markdown = runner.invoke(twitchdx, ["evaluate", str(path), "--format", "markdown"]).stdout
    assert "| under-triage | 1/1 | 100.0% |" in markdown
    assert "| emergency | 0 | 0 | 0 | 0 | 1 |" in markdown
    assert "- `a` (" in markdown


@pytest.mark.parametrize("threshold, code", [(100, 1), (0, 1)])
def test_fail_under_fails_on_accuracy_or_a_missed_emergency(runner, tmp_path, threshold,
                                                            code):
    path = vignettes(tmp_path, {"id": "a", "answers": BENIGN, "expect": {"level": "emergency"}})
    result = runner.invoke(twitchdx, ["evaluate", str(path), "--fail-under", str(threshold)])
    assert result.exit_code == code


def test_fail_under_passes_when_met(runner):
    result = runner.invoke(twitchdx, ["evaluate", "--fail-under", "100"])
    assert result.exit_code == 0


def test_bad_vignettes_are_all_reported_at_their_lines(runner, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "answers": BENIGN, "expect": {"level": "soon"}}),
        "{nope",
        json.dumps({"id": "b", "answers": {"sex": "robot"}, "expect": {"level": "routine"}}),
        json.dumps({"id": "c", "answers": BENIGN, "expect": {"top": ["zinc"]}}),
        json.dumps({"id": "d", "answers": BENIGN}),
    ]) + "\n")
    result = runner.invoke(twitchdx, ["evaluate", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{path}:1: a: expect.level 'soon' is not one of" in result.stderr
    assert f"{path}:2: not valid JSON" in result.stderr
    assert f"{path}:3: b: sex: 'robot' is not allowed" in result.stderr
    assert f"{path}:4: c: expect.top must list hypotheses" in result.stderr
    assert f"{path}:5: d: expect must name the level" in result.stderr


def test_a_missing_path_or_an_empty_folder_is_refused(runner, tmp_path):
    result = runner.invoke(twitchdx, ["evaluate", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "no such file or folder" in result.stderr
    result = runner.invoke(twitchdx, ["evaluate", str(tmp_path)])
    assert result.exit_code == 2 and "no vignettes in" in result.stderr


def test_the_readme_shows_what_evaluate_prints(runner):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- evaluate:shipped -->\n```\n", 1)[1].split("```", 1)[0]
    assert runner.invoke(twitchdx, ["evaluate"]).stdout == block
