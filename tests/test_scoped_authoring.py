"""Authoring an extension: its own rules and cases first (coverage, mutations), a shipped
case replaced with override: true, and a new hypothesis without ceilings warned about."""

import json

from conftest import ROOT, knowledge_folder

MEMORY_RULE = """\
rules:
  - id: medication-cholinesterase-inhibitor
    title: A cholinesterase inhibitor for memory
    when: {medications: {includes: ppi_long_term}}
    then: {note: {id: medication, cf: 0.35}}
    because: A rule written for these tests, about a medicine and twitching.
    sources: [S01]
  - id: stress-never-fired
    title: A rule no case fires
    when: {age: {at_least: 119}}
    then: {note: {id: stress, cf: 0.1}}
    because: A rule written for these tests, that no case reaches.
    sources: [S01]
"""


def extension(tmp_path, rules=MEMORY_RULE, **files):
    return knowledge_folder(tmp_path / "ext", rules, "ext", **files)


def test_coverage_reports_the_extensions_rules_unless_all(runner, cli, tmp_path):
    ext = extension(tmp_path)
    mine = runner.invoke(cli, ["kb", "test", "--kb", str(ext)])
    assert "coverage (of the extension's rules: --all for every rule):" in mine.stdout
    assert "rules a case asserts: 0 of 2 (0%)" in mine.stdout
    assert "fired by no case: stress-never-fired" in mine.stdout
    data = json.loads(runner.invoke(cli, ["kb", "test", "--kb", str(ext), "--format",
                                          "json"]).stdout)["coverage"]
    assert data["scope"] == ["medication-cholinesterase-inhibitor", "stress-never-fired"]
    assert data["rules"] == 2 and data["unfired"] == ["stress-never-fired"]
    assert data["questions"] == []  # the two questions its rules read are answered by cases
    assert set(data["conclusions"]) <= {"note medication", "note stress"}
    everything = json.loads(runner.invoke(cli, ["kb", "test", "--kb", str(ext), "--all",
                                                "--format", "json"]).stdout)["coverage"]
    assert everything["scope"] == "all" and everything["rules"] == 208
    shipped = json.loads(runner.invoke(cli, ["kb", "test", "--format", "json"]).stdout)
    assert shipped["coverage"]["scope"] == "all" and shipped["coverage"]["rules"] == 206


def test_mutations_of_the_extensions_rules_only(runner, cli, tmp_path):
    ext = extension(tmp_path)
    data = json.loads(runner.invoke(cli, ["kb", "test", "--kb", str(ext), "--mutations",
                                          "--format", "json"]).stdout)
    assert {m["rule"] for m in data["mutants"]} == {"medication-cholinesterase-inhibitor",
                                                    "stress-never-fired"}


def test_an_overridden_rule_keeps_a_scope_of_one(runner, cli, tmp_path):
    text = (ROOT / "knowledge" / "rules" / "magnesium.yaml").read_text()
    start = text.index("  - id: mg-ppi-long-term")
    rule = text[start:text.index("\n  - id:", start + 5)].replace("cf: 0.3", "cf: 0.1").replace(
        "  - id: mg-ppi-long-term", "  - id: mg-ppi-long-term\n    override: true")
    ext = extension(tmp_path, "rules:\n" + rule + "\n")
    data = json.loads(runner.invoke(cli, ["kb", "test", "--kb", str(ext), "--format",
                                          "json"]).stdout)
    assert data["coverage"]["scope"] == ["mg-ppi-long-term"]
    assert data["failed"] > 0  # shipped cases it changes still run, and fail


CASE = """\
id: strength-ppi-diuretic-cramps
override: true
title: With the clinic's lower PPI certainty, magnesium is still likely
answers:
  medications: [ppi_long_term, thiazide_diuretic]
  symptoms: [cramps]
  conditions: []
expect:
  at_least: {magnesium: 0.5}
"""


def test_an_extension_case_replaces_a_shipped_one_with_override(runner, cli, tmp_path):
    ext = extension(tmp_path, **{"rules__local.cases__ppi.yaml": CASE})
    data = json.loads(runner.invoke(cli, ["kb", "test", "--kb", str(ext), "--format",
                                          "json"]).stdout)
    found = [c for c in data["cases"] if c["id"] == "strength-ppi-diuretic-cramps"]
    assert len(found) == 1 and found[0]["path"].startswith(str(ext))


def test_a_case_id_used_again_needs_override(runner, cli, tmp_path):
    ext = extension(tmp_path, **{"rules__local.cases__ppi.yaml":
                                 CASE.replace("override: true\n", "")})
    done = runner.invoke(cli, ["kb", "test", "--kb", str(ext)])
    assert done.exit_code == 2
    assert "strength-ppi-diuretic-cramps: case id also used in knowledge/rules/magnesium.cases/" \
        in done.stderr and "to replace that case say override: true" in done.stderr
    lone = extension(tmp_path / "lone", **{"rules__local.cases__ppi.yaml": CASE.replace(
        "strength-ppi-diuretic-cramps", "strength-ppi-diuretic-cramp")})
    done = runner.invoke(cli, ["kb", "test", "--kb", str(lone)])
    assert done.exit_code == 2
    assert "override: true but no earlier case has this id (did you mean " \
           "strength-ppi-diuretic-cramps?)" in done.stderr


UNCAPPED = """\
hypotheses:
  - id: vitamin_b12
    label: Low vitamin B12
    text: Possible, confirm with a blood test (serum B12).
"""
B12_RULES = """\
rules:
  - id: b12-metformin
    title: Metformin for years
    when: {conditions: {includes: diabetes}}
    then: {hypothesis: {id: vitamin_b12, cf: 0.4}}
    because: Long-term metformin lowers vitamin B12, a cause of tingling and twitching.
    sources: [S01]
  - id: b12-vegan
    title: A vegan diet
    when: {not: {foods_eaten_weekly: {includes: eggs}}}
    then: {hypothesis: {id: vitamin_b12, cf: 0.3}}
    because: Without animal foods vitamin B12 runs low unless it is supplemented.
    sources: [S01]
"""


def test_a_hypothesis_that_can_be_likely_without_ceilings_is_warned(runner, cli, tmp_path):
    ext = extension(tmp_path, B12_RULES, **{"catalog.yaml": UNCAPPED})
    done = runner.invoke(cli, ["kb", "check", "--kb", str(ext)])
    assert done.exit_code == 0, done.output
    assert (f"{ext}/catalog.yaml:2: vitamin_b12: warning: hypothesis vitamin_b12 can reach "
            "likely (0.58 with all its evidence) but no rule caps it: every shipped hypothesis "
            "has ceiling rules") in done.stdout
    assert "mg-likely-needs-a-risk-factor" in done.stdout
    capped = extension(tmp_path / "capped", B12_RULES + """\
  - id: b12-likely-needs-symptoms
    title: Without symptoms, low B12 is at most possible
    when: {not: {symptoms: {includes: tingling_limbs}}}
    then: {hypothesis: {id: vitamin_b12, at_most: 0.45}}
    because: A cause without its symptoms makes low B12 possible, never likely.
    sources: [S01]
""", **{"catalog.yaml": UNCAPPED})
    assert "vitamin_b12: warning: hypothesis" not in runner.invoke(
        cli, ["kb", "check", "--kb", str(capped)]).stdout
