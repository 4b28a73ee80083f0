"""status: on rules, as Sigma has it: experimental rules can be switched off, deprecated
ones warn at load naming their replacement."""

import json

import pytest

from conftest import knowledge_folder

RULES = """\
rules:
  - id: stress-exam-season
    title: Exams this month
    status: experimental
    refines: stress-high
    when: {all: [{stress_level: high}, {age: {below: 25}}]}
    then: {note: {id: stress, cf: 0.1}}
    because: A rule written for this test about stress.
    sources: [S01]
  - id: stress-old-way
    title: The old stress rule
    status: deprecated
    replaced_by: stress-exam-season
    refines: stress-moderate
    when: {all: [{stress_level: moderate}, {age: {below: 25}}]}
    then: {note: {id: stress, cf: 0.05}}
    because: A rule written for this test about stress.
    sources: [S01]
"""


def folder(tmp_path, rules=RULES):
    return knowledge_folder(tmp_path / "ext", rules, "st")


def notes(runner, cli, tmp_path, ext, *flags):
    answers = tmp_path / "a.yaml"
    answers.write_text("stress_level: high\nage: 20\n")
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--format", "json",
                               "--no-history", "--kb", str(ext), *flags])
    assert done.exit_code == 0, done.output
    return {n["id"]: n["rules"] for n in json.loads(done.stdout)["notes"]}, done.stderr


def test_experimental_rules_fire_unless_switched_off(runner, cli, tmp_path):
    ext = folder(tmp_path)
    on, _ = notes(runner, cli, tmp_path, ext)
    off, _ = notes(runner, cli, tmp_path, ext, "--no-experimental")
    assert on["stress"] == ["stress-exam-season", "stress-high"]
    assert off["stress"] == ["stress-high"]
    listed = runner.invoke(cli, ["kb", "test", "--kb", str(ext), "--no-experimental",
                                 "--format", "json"])
    assert "stress-exam-season" not in json.loads(listed.stdout)["coverage"]["scope"]


def test_a_deprecated_rule_warns_at_load_with_its_replacement(runner, cli, tmp_path):
    ext = folder(tmp_path)
    _, said = notes(runner, cli, tmp_path, ext)
    assert said.count("is deprecated") == 1
    assert (f"twitchdx: warning: {ext}/rules/local.yaml:12: rule stress-old-way is "
            "deprecated; use stress-exam-season instead") in said
    check = runner.invoke(cli, ["kb", "check", "--kb", str(ext)])
    assert check.exit_code == 0
    assert "stress-old-way: warning: rule stress-old-way is deprecated; use " \
           "stress-exam-season instead" in check.stdout
    assert "twitchdx: warning" not in check.stderr  # kb check lists it once, as a warning
    assert runner.invoke(cli, ["kb", "check", "--strict", "--kb", str(ext)]).exit_code == 1


def test_the_shipped_knowledge_warns_of_nothing(runner, cli, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("age: 30\n")
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--no-history"])
    assert "warning" not in done.stderr


@pytest.mark.parametrize("change, message", [
    (("replaced_by: stress-exam-season", "replaced_by: stress-exam-seasons"),
     "stress-old-way: replaced_by stress-exam-seasons: no rule has that id (did you mean "
     "stress-exam-season?)"),
    (("status: deprecated\n", "status: stable\n"),
     "stress-old-way: replaced_by belongs to a deprecated rule"),
    (("status: experimental", "status: beta"), "status"),
])
def test_status_mistakes_are_refused_at_their_line(runner, cli, tmp_path, change, message):
    ext = folder(tmp_path, RULES.replace(*change))
    done = runner.invoke(cli, ["kb", "check", "--kb", str(ext)])
    assert done.exit_code == 1 and message in done.stdout


def test_a_replacement_switched_off_is_still_a_known_rule(runner, cli, tmp_path):
    ext = folder(tmp_path)
    _, said = notes(runner, cli, tmp_path, ext, "--no-experimental")
    assert "use stress-exam-season instead" in said
