"""``kb fmt``: one canonical layout for rule and case files, comments kept; --check for CI."""

import shutil

from conftest import ROOT, knowledge_folder

OUT_OF_ORDER = """\
# yaml-language-server: $schema=../schema/rules.schema.json
rules:
  # the clinic's own rule
  - because: A rule written for this test, with its keys out of order.
    sources: [S01]   # the reference
    then:
      note: {cf: 0.05, id: stress}
    id: stress-exam-season
    title: "Exams this month"
    when: {all: [{stress_level: high}, {age: {below: 25}}]}
    refines: stress-high
"""
CANONICAL = """\
# yaml-language-server: $schema=../schema/rules.schema.json
rules:
  # the clinic's own rule
  - id: stress-exam-season
    title: "Exams this month"
    refines: stress-high
    when: {all: [{stress_level: high}, {age: {below: 25}}]}
    then:
      note: {id: stress, cf: 0.05}
    because: A rule written for this test, with its keys out of order.
    sources: [S01]   # the reference
"""


def folder(tmp_path, text=OUT_OF_ORDER):
    return knowledge_folder(tmp_path / "ext", text, "ext")  # dedenting changes none of these


def test_the_shipped_knowledge_is_in_the_canonical_layout(runner, cli):
    done = runner.invoke(cli, ["kb", "fmt", "--check", str(ROOT / "knowledge")])
    assert done.exit_code == 0, done.output
    assert "every file is in the canonical layout" in done.stderr


def test_a_reordered_file_fails_the_check_and_is_rewritten_with_its_comments(runner, cli,
                                                                             tmp_path):
    ext = folder(tmp_path)
    check = runner.invoke(cli, ["kb", "fmt", "--check", str(ext)])
    assert check.exit_code == 1
    assert check.stdout == f"would reformat {ext}/rules/local.yaml\n"
    assert (ext / "rules" / "local.yaml").read_text() == OUT_OF_ORDER  # --check writes nothing
    done = runner.invoke(cli, ["kb", "fmt", str(ext)])
    assert done.exit_code == 0 and "reformatted" in done.stdout
    assert (ext / "rules" / "local.yaml").read_text() == CANONICAL
    assert runner.invoke(cli, ["kb", "fmt", "--check", str(ext)]).exit_code == 0
    assert runner.invoke(cli, ["kb", "check", "--kb", str(ext)]).exit_code == 0


def test_a_shipped_case_with_its_expectations_reordered_is_caught(runner, cli, tmp_path):
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy, ignore=shutil.ignore_patterns("__pycache__"))
    case = copy / "rules" / "magnesium.cases" / "pregnancy.yaml"
    text = case.read_text()
    low = next(line for line in text.splitlines() if line.startswith("  low:"))
    fires = next(line for line in text.splitlines() if line.startswith("  fires:"))
    case.write_text(text.replace(low, "@@").replace(fires, low).replace("@@", fires))
    done = runner.invoke(cli, ["kb", "fmt", "--check", str(copy)])
    assert done.exit_code == 1 and done.stdout.strip().endswith("pregnancy.yaml")


def test_a_file_that_is_not_yaml_is_named(runner, cli, tmp_path):
    ext = folder(tmp_path, "rules:\n  - id: [unclosed\n")
    done = runner.invoke(cli, ["kb", "fmt", str(ext)])
    assert done.exit_code == 2
    assert f"{ext}/rules/local.yaml:" in done.stderr and "not valid YAML" in done.stderr


def test_a_folder_without_rule_or_case_files_is_said(runner, cli, tmp_path):
    done = runner.invoke(cli, ["kb", "fmt", str(tmp_path)])
    assert done.exit_code == 2 and f"no rule or case files in {tmp_path}" in done.stderr
