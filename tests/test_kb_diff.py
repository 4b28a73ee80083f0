"""``kb diff``: a knowledge change's effect on every case and vignette, before it ships."""

import json
import shutil

import pytest

from conftest import ROOT


def override_folder(tmp_path, cf="0.1", name="local"):
    """An extension overriding mg-ppi-long-term with another certainty."""
    text = (ROOT / "knowledge" / "rules" / "magnesium.yaml").read_text()
    start = text.index("  - id: mg-ppi-long-term")
    rule = text[start:text.index("\n  - id:", start + 5)]
    rule = rule.replace("cf: 0.3", f"cf: {cf}").replace(
        "  - id: mg-ppi-long-term", "  - id: mg-ppi-long-term\n    override: true")
    folder = tmp_path / name
    (folder / "rules").mkdir(parents=True)
    (folder / "kb.yaml").write_text(f"name: {name}\nversion: '1'\n")
    (folder / "rules" / "local.yaml").write_text("rules:\n" + rule + "\n")
    return folder


def copy_of_knowledge(tmp_path):
    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_folder_against_itself_changes_nothing(runner, cli):
    done = runner.invoke(cli, ["kb", "diff", str(ROOT / "knowledge"), str(ROOT / "knowledge")])
    assert done.exit_code == 0, done.output
    assert "Rules: 0 changed, 0 added, 0 removed" in done.stdout
    assert " 0 changed (certainties within 0.005" in done.stdout


def test_layout_alone_changes_nothing(runner, cli, tmp_path):
    copy = copy_of_knowledge(tmp_path)
    rules = copy / "rules" / "advice.yaml"
    rules.write_text(rules.read_text().replace("rules:\n", "rules:\n\n\n# moved\n", 1))
    done = runner.invoke(cli, ["kb", "diff", str(ROOT / "knowledge"), str(copy)])
    assert done.exit_code == 0, done.output


def test_an_override_that_changes_a_certainty_names_the_cases_and_the_cause(runner, cli,
                                                                          tmp_path):
    ext = override_folder(tmp_path)
    done = runner.invoke(cli, ["kb", "diff", "--kb", str(ext)])
    assert done.exit_code == 1, done.output
    assert "changed mg-ppi-long-term (" in done.stdout
    assert "magnesium +0.3 -> +0.1" in done.stdout
    data = json.loads(runner.invoke(cli, ["kb", "diff", "--kb", str(ext), "--format",
                                          "json"]).stdout)
    assert data["rules"]["changed"] == [{"rule": "mg-ppi-long-term",
                                         "where": f"{ext}/rules/local.yaml:2",
                                         "what": ["magnesium +0.3 -> +0.1"]}]
    names = {c["name"]: c for c in data["changed"]}
    t04 = names["case:t04-ppi-loop-diuretic"]
    assert t04["rules"] == ["mg-ppi-long-term"]
    magnesium = next(h for h in t04["hypotheses"] if h["id"] == "magnesium")
    assert magnesium["before"]["certainty"] > magnesium["after"]["certainty"]
    assert "case:t01-caffeine-eyelid" not in names  # no PPI: unchanged, not listed
    assert all(c["rules"] == ["mg-ppi-long-term"] for c in data["changed"])
    markdown = runner.invoke(cli, ["kb", "diff", "--kb", str(ext), "--format",
                                   "markdown"]).stdout
    assert markdown.startswith("## Knowledge diff")
    assert "| `case:t04-ppi-loop-diuretic` | " in markdown and "| `mg-ppi-long-term` |" in markdown


def test_two_folders_old_and_new(runner, cli, tmp_path):
    copy = copy_of_knowledge(tmp_path)
    rules = copy / "rules" / "lifestyle.yaml"
    text = rules.read_text()
    start = text.index("  - id: caffeine-over-400")
    at = text.index("cf: ", start)
    end = text.index("}", at)
    rules.write_text(text[:at] + "cf: 0.3" + text[end:])
    data = json.loads(runner.invoke(cli, ["kb", "diff", str(ROOT / "knowledge"), str(copy),
                                          "--format", "json"]).stdout)
    assert [c["rule"] for c in data["rules"]["changed"]] == ["caffeine-over-400"]
    eyelid = next(c for c in data["changed"] if c["name"] == "case:t01-caffeine-eyelid")
    caffeine = next(n for n in eyelid["notes"] if n["id"] == "caffeine")
    assert (caffeine["before"]["band"], caffeine["after"]["band"]) == ("likely", "possible")


def test_the_tolerance_hides_small_moves_but_never_a_band(runner, cli, tmp_path):
    ext = override_folder(tmp_path, cf="0.29")
    tight = json.loads(runner.invoke(cli, ["kb", "diff", "--kb", str(ext), "--format", "json",
                                           "--tolerance", "0"]).stdout)
    loose = json.loads(runner.invoke(cli, ["kb", "diff", "--kb", str(ext), "--format", "json",
                                           "--tolerance", "0.5"]).stdout)
    assert len(tight["changed"]) > len(loose["changed"])
    for change in loose["changed"]:  # what remains moved a band (or the advice)
        moved = [m for kind in ("hypotheses", "notes") for m in change.get(kind, ())]
        assert "advice" in change or any(
            (m["before"] or {}).get("band") != (m["after"] or {}).get("band") for m in moved)


def test_vignettes_are_run_too(runner, cli, tmp_path):
    ext = override_folder(tmp_path)
    vignettes = tmp_path / "v.jsonl"
    vignettes.write_text(
        json.dumps({"id": "ppi-cramps", "answers": {"medications": ["ppi_long_term"],
                                                    "symptoms": ["cramps"]},
                    "expect": {"level": "routine"}}) + "\n"
        + json.dumps({"id": "coffee", "answers": {"coffee_cups_per_day": 6},
                      "expect": {"level": "self_care"}}) + "\n")
    data = json.loads(runner.invoke(cli, ["kb", "diff", "--kb", str(ext), "--vignettes",
                                          str(vignettes), "--format", "json"]).stdout)
    plain = json.loads(runner.invoke(cli, ["kb", "diff", "--kb", str(ext), "--format",
                                           "json"]).stdout)
    assert data["consultations"] == plain["consultations"] + 2
    names = [c["name"] for c in data["changed"]]
    assert "vignette:ppi-cramps" in names and "vignette:coffee" not in names


@pytest.mark.parametrize("args, message", [
    (["kb", "diff"], "kb diff compares two knowledge folders"),
    (["kb", "diff", "knowledge"], "kb diff compares two knowledge folders"),
    (["kb", "diff", "knowledge", "no-such-folder"], "no-such-folder: knowledge folder not found"),
])
def test_bad_input_exits_2(runner, cli, args, message):
    done = runner.invoke(cli, args)
    assert done.exit_code == 2, done.output
    assert message in done.stderr


def test_a_bad_vignette_file_exits_2(runner, cli, tmp_path):
    bad = tmp_path / "v.jsonl"
    bad.write_text('{"id": "x", "answers": {"agee": 3}, "expect": {"level": "routine"}}\n')
    done = runner.invoke(cli, ["kb", "diff", "--kb", str(override_folder(tmp_path)),
                               "--vignettes", str(bad)])
    assert done.exit_code == 2 and "agee" in done.stderr
