"""``kb new``: skeletons that load, whose case passes, with only "fill this in" warnings."""

import json

import pytest

KINDS = [("rule", "exam-stress"), ("hypothesis", "vitamin_b12"), ("note", "screen_time"),
         ("question", "night_shifts")]


@pytest.mark.parametrize("kind, ident", KINDS)
def test_a_skeleton_checks_with_only_fill_in_warnings_and_its_case_passes(runner, cli,
                                                                         tmp_path, kind,
                                                                         ident):
    folder = tmp_path / "clinic"
    made = runner.invoke(cli, ["kb", "new", kind, ident, "--kb", str(folder)])
    assert made.exit_code == 0, made.output
    assert f"wrote {folder}/kb.yaml" in made.stdout
    kebab = ident.replace("_", "-")
    case = folder / "rules" / f"{kebab}.cases" / f"{kebab}.yaml"
    assert case.exists() and (folder / "rules" / f"{kebab}.yaml").exists()
    assert (folder / "rules" / f"{kebab}.yaml").read_text().startswith(
        "# yaml-language-server: $schema=../schema/rules.schema.json\n")
    check = json.loads(runner.invoke(cli, ["kb", "check", "--kb", str(folder), "--format",
                                           "json"]).stdout)
    assert check["errors"] == 0
    assert check["warnings"] > 0
    assert {p["check"] for p in check["problems"]} == {"fill-in"}
    tested = json.loads(runner.invoke(cli, ["kb", "test", "--kb", str(folder), "--format",
                                            "json"]).stdout)
    assert tested["failed"] == 0
    assert any(c["id"] == kebab and c["passed"] for c in tested["cases"])
    assert tested["coverage"]["conclusions"] == []
    assert runner.invoke(cli, ["kb", "fmt", "--check", str(folder)]).exit_code == 0


def test_all_four_in_one_folder(runner, cli, tmp_path):
    folder = tmp_path / "clinic"
    for kind, ident in KINDS:
        assert runner.invoke(cli, ["kb", "new", kind, ident, "--kb", str(folder)]).exit_code == 0
    catalog = (folder / "catalog.yaml").read_text()
    assert "id: vitamin_b12" in catalog and "id: screen_time" in catalog
    assert runner.invoke(cli, ["kb", "check", "--strict", "--kb", str(folder)]).exit_code == 1
    assert runner.invoke(cli, ["kb", "check", "--kb", str(folder)]).exit_code == 0


def test_an_existing_catalog_keeps_its_comments(runner, cli, tmp_path):
    folder = tmp_path / "clinic"
    folder.mkdir()
    (folder / "kb.yaml").write_text("name: clinic\nversion: '2'\n")
    (folder / "catalog.yaml").write_text("# our notes\nnotes:\n  - id: shift_work  # nights\n"
                                         "    label: Shift work\n")
    assert runner.invoke(cli, ["kb", "new", "note", "screen_time", "--kb",
                               str(folder)]).exit_code == 0
    text = (folder / "catalog.yaml").read_text()
    assert text.startswith("# our notes\n") and "  - id: shift_work  # nights\n" in text
    assert text.index("shift_work") < text.index("screen_time")
    assert (folder / "kb.yaml").read_text() == "name: clinic\nversion: '2'\n"


@pytest.mark.parametrize("args, message", [
    (["rule", "Exam_Stress"], "'Exam_Stress': a rule id is kebab-case (low-magnesium-diet); "
                              "try 'exam-stress'"),
    (["note", "screen-time"], "a note id is snake_case (vitamin_b12); try 'screen_time'"),
])
def test_a_badly_shaped_id_is_refused_with_the_fix(runner, cli, tmp_path, args, message):
    done = runner.invoke(cli, ["kb", "new", *args, "--kb", str(tmp_path / "clinic")])
    assert done.exit_code == 2 and message in done.stderr
    assert not (tmp_path / "clinic").exists()


def test_nothing_is_overwritten(runner, cli, tmp_path):
    folder = tmp_path / "clinic"
    assert runner.invoke(cli, ["kb", "new", "note", "screen_time", "--kb",
                               str(folder)]).exit_code == 0
    rules = folder / "rules" / "screen-time.yaml"
    rules.write_text(rules.read_text().replace("FILL IN a short title", "Hours on screens"))
    catalog = (folder / "catalog.yaml").read_text()
    again = runner.invoke(cli, ["kb", "new", "note", "screen_time", "--kb", str(folder)])
    assert again.exit_code == 2 and "already exists; kb new never overwrites" in again.stderr
    assert "Hours on screens" in rules.read_text()
    assert (folder / "catalog.yaml").read_text() == catalog
    rules.unlink()
    (folder / "rules" / "screen-time.cases" / "screen-time.yaml").unlink()
    dup = runner.invoke(cli, ["kb", "new", "note", "screen_time", "--kb", str(folder)])
    assert dup.exit_code == 2 and "notes already has screen_time" in dup.stderr
