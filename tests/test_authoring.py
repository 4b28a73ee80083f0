"""Knowledge authoring without Python: kb check, kb test, schema, show, list, graph,
and the worked example of knowledge/README.md followed to the letter."""

import json
import os
import re
import shlex
import stat
import textwrap

import pytest

from conftest import ROOT

GUIDE = (ROOT / "knowledge" / "README.md").read_text(encoding="utf-8")


def run(runner, cli, *args, code=0):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == code, result.stdout + result.stderr
    return result


def test_the_worked_example_works_the_first_time(runner, cli, tmp_path, monkeypatch):
    files = re.findall(r"<!-- file: (\S+) -->\n```yaml\n(.*?)```", GUIDE, re.S)
    assert len(files) == 5
    for path, body in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(body)
    commands = re.search(r"<!-- commands -->\n```sh\n(.*?)```", GUIDE, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    outputs = []
    for line in commands.strip().splitlines():
        args = shlex.split(line)
        assert args[0] == "twitchdx"
        outputs.append(run(runner, cli, *args[1:]).stdout)
    check, test, consult, how = outputs
    assert check.startswith("kb check: ok (twitchdx-core 1.0.0 + benzodiazepine-withdrawal "
                            "0.1.0")
    assert "cases pass\n" in test and "fail" not in test
    assert consult.startswith("REFERRAL: SEE A DOCTOR WITHIN A FEW DAYS")
    assert "Withdrawal from benzodiazepines can cause twitching" in consult
    assert "medication-benzodiazepine-withdrawal" not in consult  # rule ids are for authors
    assert "rule medication-benzodiazepine-withdrawal +0.50" in how
    assert "answer benzodiazepine_stopped = yes  [is yes]" in how


def test_what_an_extension_may_add_loads_as_documented(runner, cli, tmp_path, monkeypatch):
    files = re.findall(r"<!-- extension: (\S+) -->\n```yaml\n(.*?)```", GUIDE, re.S)
    assert {path.split("/", 1)[1] for path, _ in files} == {
        "kb.yaml", "questions.yaml", "catalog.yaml", "reference.yaml", "rules/shifts.yaml"}
    for path, body in files:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(body)
    (tmp_path / "answers.yaml").write_text("works_night_shifts: true\n")
    monkeypatch.chdir(tmp_path)
    assert run(runner, cli, "kb", "check", "--kb", "clinic").stdout.startswith(
        "kb check: ok (twitchdx-core 1.0.0 + clinic-additions 0.1.0")
    report = json.loads(run(runner, cli, "consult", "--kb", "clinic", "--answers",
                            "answers.yaml", "--format", "json").stdout)
    (note,) = [n for n in report["notes"] if n["id"] == "shift_work"]
    assert note["certainty"] == 0.3
    how = run(runner, cli, "explain", "--kb", "clinic", "--answers", "answers.yaml", "--how",
              "shift_work").stdout
    assert "S90" in how and "Our clinic's guideline" in how


def test_the_templates_schema_line_works_where_the_copy_lands(runner, cli, tmp_path):
    local = folder(tmp_path, rule())
    run(runner, cli, "kb", "schema", "--write", "--kb", str(local))
    template = (ROOT / "knowledge" / "_template.yaml").read_text()
    target = re.match(r"# yaml-language-server: \$schema=(\S+)", template).group(1)
    assert (local / "rules" / target).resolve() == (local / "schema" / "rules.schema.json")
    assert (local / "rules" / target).is_file()


RULE = """\
rules:
  - id: {id}
    title: A rule under test
    when:
{when}
    then:
{then}
    because: A rule written to be broken.
    sources: [{source}]
"""


def folder(tmp_path, rules, questions=None):
    (tmp_path / "rules").mkdir(parents=True, exist_ok=True)
    (tmp_path / "kb.yaml").write_text("name: local\nversion: '1'\n")
    (tmp_path / "rules" / "local.yaml").write_text(rules)
    if questions:
        (tmp_path / "questions.yaml").write_text(questions)
    return tmp_path


def rule(id="local-rule", when="      age: {at_least: 110}",
         then="      note: {id: nicotine, cf: 0.1}", source="S01"):
    return RULE.format(id=id, when=when, then=then, source=source)


BROKEN = {
    "misspelt key": (rule().replace("    because:", "    becuase:"),
                     "local.yaml:8: local-rule: unknown key 'becuase'"),
    "wrong type": (rule(then="      note: {id: nicotine, cf: lots}"),
                   "local.yaml:7: local-rule: then.note: cf needs a number; got 'lots'"),
    "unknown question": (rule(when="      symtoms: {includes: cramps}"),
                         "local.yaml:5: local-rule: unknown question symtoms (did you mean "
                         "symptoms?)"),
    "unknown choice": (rule(when="      symptoms: {includes: cramp}"),
                       "local.yaml:5: local-rule: 'cramp' is not a choice of symptoms"),
    "wrong operator": (rule(when="      smoker: {at_least: 2}"),
                       "local.yaml:5: local-rule: at_least does not apply to smoker (boolean)"),
    "unknown conclusion": (rule(then="      hypothesis: {id: magnesum, cf: 0.1}"),
                           "local-rule: unknown hypothesis magnesum (did you mean magnesium?)"),
    "unknown source": (rule(source="S99"), "local-rule: source S99 is not in the reference"),
    "out of range": (rule(when="      age: {at_least: 130}"),
                     "local.yaml:5: local-rule: warning: 130 is outside the range of age "
                     "(1 to 120)"),
    "contradiction": (rule(when="      all:\n        - age: {at_least: 70}\n"
                                "        - age: {below: 40}"),
                      "local.yaml:4: local-rule: warning: this rule can never fire: its "
                      "conditions contradict each other"),
    "fact nobody derives": (rule(when="      fact: older_adults"),
                            "local.yaml:5: local-rule: warning: fact older_adults is not "
                            "concluded by any rule (did you mean older_age?)"),
    "duplicate id": (rule(id="mg-cramps"), "rule id mg-cramps is already used at "
                                           "knowledge/rules/magnesium.yaml:"),
    "red flag to self-care": (
        rule(id="emergency-seizure", when="      symptoms: {includes: seizure}",
             then="      referral: self_care").replace("    sources: [S01]",
                                                       "    sources: [S01]\n    override: true"),
        "local.yaml:6: emergency-seizure: concludes self_care, but it can only fire with a "
        "warning sign that must lead to at least emergency; counterexample: symptoms=[seizure] "
        "(everything else unknown): rule emergency-seizure concludes self_care"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_rule_file_is_caught_with_file_and_line(runner, cli, tmp_path, name):
    text, expected = BROKEN[name]
    local = folder(tmp_path, text)
    warning = ": warning: " in expected  # exit 0, unless --strict
    result = run(runner, cli, "kb", "check", "--kb", str(local), code=0 if warning else 1)
    assert expected in result.stdout, result.stdout
    if warning:
        strict = run(runner, cli, "kb", "check", "--strict", "--kb", str(local), code=1)
        assert strict.stderr.startswith("kb check: ok (") and " warning" in strict.stderr
    else:
        assert result.stderr.startswith("kb check: ") and " error" in result.stderr


def test_a_red_flag_that_reaches_only_self_care_is_caught_at_the_override(runner, cli,
                                                                          tmp_path):
    """Named where the cause is (the extension's override), the question beside it."""
    text, _ = BROKEN["red flag to self-care"]
    result = run(runner, cli, "kb", "check", "--kb", str(folder(tmp_path, text)), code=1)
    lines = result.stdout.splitlines()
    line = next(i for i, text in enumerate(
        (ROOT / "knowledge" / "questions.yaml").read_text().splitlines(), 1)
        if "id: seizure" in text)
    found = next(text for text in lines if "warning sign symptoms=seizure" in text)
    assert found.split("rules/local.yaml:", 1)[1] == (
        f"6: emergency-seizure: warning sign symptoms=seizure (knowledge/questions.yaml:{line}; "
        "this override replaced knowledge/rules/triage-emergency.yaml:23, which ensured it) "
        "must lead to at least emergency whatever else is answered, but is only sure to reach "
        "self_care; counterexample: symptoms=[seizure] (everything else unknown): it "
        "reaches self_care")


def test_all_problems_are_reported_at_once_and_the_shipped_base_is_clean(runner, cli,
                                                                         tmp_path):
    text = BROKEN["unknown source"][0] + textwrap.indent(
        BROKEN["out of range"][0].split("rules:\n", 1)[1].replace("local-rule", "second"), "")
    result = run(runner, cli, "kb", "check", "--kb", str(folder(tmp_path, text)), code=1)
    assert "local-rule: source S99" in result.stdout and "second: warning: 130 is outside" in \
        result.stdout
    clean = run(runner, cli, "kb", "check")
    assert clean.stdout.startswith("kb check: ok (twitchdx-core 1.0.0: ")


def test_unused_questions_and_unreached_conclusions(kb):
    from expert.authoring.lint import lint
    from expert.language.model import KnowledgeBase

    trimmed = KnowledgeBase(
        manifests=kb.manifests, questions=kb.questions,
        rules=tuple(r for r in kb.rules if r.id not in ("nicotine", "smoker-rule")),
        levels=kb.levels, hypotheses=kb.hypotheses, notes=kb.notes, tests=kb.tests,
        sources=kb.sources, evidence=kb.evidence, fingerprint="x")
    found = [str(p) for p in lint(trimmed)]
    assert any("smoker: warning: question smoker is not used by any rule" in p for p in found)
    assert re.search(r"^knowledge/catalog\.yaml:\d+: nicotine: warning: no rule concludes note "
                     r"nicotine$", "\n".join(found), re.M)


def test_kb_test_shows_failures_as_expected_and_got(runner, cli, tmp_path):
    local = folder(tmp_path, rule())
    (local / "cases").mkdir()
    (local / "cases" / "wrong.yaml").write_text(
        "id: wrong-expectation\ntitle: Expects the wrong rung\nanswers: {age: 115}\n"
        "expect: {referral: emergency, fires: [local-rule]}\n")
    result = run(runner, cli, "kb", "test", "--kb", str(local), "--only", str(local), code=1)
    text = result.stdout
    assert "FAIL wrong-expectation  (" in text
    assert "  referral\n    - expected: emergency\n    + got:      self_care (from " \
           "self-care-baseline)" in text
    assert re.search(r"\d+ of \d+ cases pass, 1 fail", text)


@pytest.mark.slow
def test_kb_test_coverage_is_true(runner, cli, tmp_path):
    local = folder(tmp_path, rule())  # only someone of 110 or older fires it
    text = run(runner, cli, "kb", "test", "--kb", str(local), "--fail-under", "100",
               code=1).stdout
    shipped = re.search(r"rules a case asserts: (\d+) of (\d+) \((.*)\)\n", text)
    asserted, total = int(shipped[1]), int(shipped[2])
    assert total == asserted + 1 and shipped[3] != "100%"  # never rounded up to complete
    assert "    fired by no case: local-rule\n" in text
    (local / "cases").mkdir()
    (local / "cases" / "old.yaml").write_text(
        "id: very-old\nanswers: {age: 112}\nexpect: {fires: [local-rule]}\n")
    text = run(runner, cli, "kb", "test", "--kb", str(local), "--fail-under", "100").stdout
    assert f"rules a case asserts: {total} of {total} (100%)\n" in text
    assert "fired by no case" not in text


def test_a_broken_case_file_is_reported(runner, cli, tmp_path):
    local = folder(tmp_path, rule())
    (local / "cases").mkdir()
    (local / "cases" / "bad.yaml").write_text(
        "id: bad-case\nanswers: {age: 300}\nexpect: {referral: routine}\n")
    result = run(runner, cli, "kb", "check", "--kb", str(local), code=1)
    assert "bad.yaml:2: bad-case: age: 300 is out of range" in result.stdout


def test_the_shipped_schemas_are_current_and_valid(kb, runner, cli):
    from jsonschema import Draft202012Validator

    from expert.kb.schema import KINDS, schema

    for kind in KINDS:
        shipped = json.loads((ROOT / "knowledge" / "schema" / f"{kind}.schema.json").read_text())
        assert shipped == schema(kind, kb), f"twitchdx kb schema --write --kb knowledge ({kind})"
        Draft202012Validator.check_schema(shipped)
    printed = json.loads(run(runner, cli, "kb", "schema").stdout)
    assert printed["title"] == "twitchdx rule file"


def test_every_shipped_file_names_and_passes_its_schema(kb):
    import yaml
    from jsonschema import Draft202012Validator

    knowledge = ROOT / "knowledge"
    files = {"kb": ["kb.yaml"], "questions": ["questions.yaml"], "catalog": ["catalog.yaml"],
             "reference": ["reference.yaml"],
             "rules": [f"rules/{p.name}" for p in (knowledge / "rules").glob("*.yaml")]
             + ["_template.yaml"],
             "case": [str(p.relative_to(knowledge))
                      for p in (knowledge / "rules").glob("*.cases/*.yaml")]}
    for kind, names in files.items():
        validator = Draft202012Validator(json.loads(
            (knowledge / "schema" / f"{kind}.schema.json").read_text()))
        for name in names:
            text = (knowledge / name).read_text()
            depth = "../" * (name.count("/") or name == "_template.yaml")  # lands in rules/
            assert text.startswith(f"# yaml-language-server: $schema={depth}schema/{kind}"
                                   ".schema.json"), name
            errors = [e.message for e in validator.iter_errors(yaml.safe_load(text))]
            assert not errors, (name, errors)


def test_kb_show_and_list(runner, cli):
    shown = run(runner, cli, "kb", "show", "ca-from-low-vitamin-d").stdout
    assert shown.startswith("ca-from-low-vitamin-d: Low vitamin D, less calcium absorbed, and "
                            "symptoms of low calcium")
    assert "  fed by: ca-compatible-symptom, vd-bone-pain," in shown
    assert "\n  feeds: advice-calcium-foods," in shown
    assert "S06 MedlinePlus – Vitamin D https://medlineplus.gov/vitamind.html" in shown
    data = json.loads(run(runner, cli, "kb", "show", "risk-older-age", "--format",
                          "json").stdout)
    assert {"mg-older-age", "vd-older-age", "routine-risk-factor-recurrent"} <= set(
        data["feeds"])
    listed = run(runner, cli, "kb", "list").stdout.splitlines()
    assert listed[-1].endswith(" rules in twitchdx-core 1.0.0")
    assert any(line.startswith("emergency-seizure ") for line in listed)
    assert "did you mean emergency-seizure" in run(runner, cli, "kb", "show",
                                                   "emergency-seizur", code=2).stderr


def test_kb_graph_as_dot_and_mermaid(runner, cli, kb):
    dot = run(runner, cli, "kb", "graph").stdout
    assert dot.startswith('digraph "twitchdx-core 1.0.0" {')
    assert '"question:age" -> "rule:risk-older-age";' in dot
    assert '"rule:risk-older-age" -> "fact:older_age";' in dot
    assert dot.count("shape=ellipse") == len(kb.rules)
    mermaid = run(runner, cli, "kb", "graph", "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart LR\n") and '("rule: mg-cramps")' in mermaid


def test_kb_graph_renders_with_graphviz_and_says_when_it_is_missing(runner, cli, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = run(runner, cli, "kb", "graph", "--format", "svg", code=1)
    assert "needs Graphviz's dot program, which is not installed" in missing.stderr
    fake = tmp_path / "dot"  # stands in for Graphviz: echoes what it was asked to draw
    fake.write_text("#!/bin/sh\necho \"<svg format='$1'>\"\n/usr/bin/wc -l\necho '</svg>'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "graph.svg"
    run(runner, cli, "kb", "graph", "--format", "svg", "--output", str(out))
    drawn = out.read_text().splitlines()
    assert drawn[0] == "<svg format='-Tsvg'>" and int(drawn[1]) > 300


def test_knowledge_from_the_environment(runner, cli, tmp_path, monkeypatch):
    local = folder(tmp_path, rule())
    monkeypatch.setenv("TWITCHDX_KB", str(local))
    result = run(runner, cli, "consult", "--answers", str(ROOT / "examples" /
                                                          "eyelid-coffee.yaml"), "--format",
                 "json")
    assert json.loads(result.stdout)["knowledge"]["version"] == "twitchdx-core 1.0.0 + local 1"
    assert os.environ["TWITCHDX_KB"] == str(local)


def test_kb_schema_write_goes_into_the_folder_given_never_the_package(runner, cli, tmp_path):
    from expert.kb.loader import package_knowledge

    refused = run(runner, cli, "kb", "schema", "--write", code=2)
    assert "--write needs --kb DIR" in refused.stderr
    shipped = {p.name: p.stat().st_mtime_ns for p in (package_knowledge() / "schema").iterdir()}
    local = folder(tmp_path, rule())
    run(runner, cli, "kb", "schema", "--write", "--kb", str(local))
    written = json.loads((local / "schema" / "rules.schema.json").read_text())
    names = written["$defs"]["condition"]["propertyNames"]["enum"]
    assert "age" in names and "symptoms" in names  # this base's question ids, for editors
    assert sorted(p.name for p in (local / "schema").iterdir()) == sorted(
        f"{kind}.schema.json" for kind in ("kb", "questions", "catalog", "reference", "rules",
                                           "case"))
    assert {p.name: p.stat().st_mtime_ns
            for p in (package_knowledge() / "schema").iterdir()} == shipped


def test_coverage_counts_only_what_a_case_asserts(runner, cli, tmp_path):
    """A rule that fires but that no case needs is not covered; naming it, or expecting
    what only it concludes, covers it; removing that case uncovers it again."""
    local = folder(tmp_path, rule(when="      age: {at_least: 100}",
                                  then="      note: {id: nicotine, cf: 0.1}"))
    cases = local / "cases"
    cases.mkdir()
    (cases / "fires-only.yaml").write_text(
        "id: fires-only\nanswers: {age: 105}\nexpect: {referral: self_care}\n")
    data = json.loads(run(runner, cli, "kb", "test", "--kb", str(local), "--only", str(local),
                          "--format", "json").stdout)
    assert "local-rule" in data["coverage"]["unasserted"]
    (cases / "asserts.yaml").write_text(
        "id: asserts\nanswers: {age: 105}\nexpect: {notes_include: [nicotine]}\n")
    data = json.loads(run(runner, cli, "kb", "test", "--kb", str(local), "--only", str(local),
                          "--format", "json").stdout)
    assert data["coverage"]["asserted_by"]["local-rule"] == "asserts"
    data = json.loads(run(runner, cli, "kb", "test", "fires-only", "--kb", str(local),
                          "--format", "json").stdout)
    assert "local-rule" in data["coverage"]["unasserted"]
    assert [c["id"] for c in data["cases"]] == ["fires-only"]


@pytest.mark.slow
def test_kb_test_selects_cases_and_fails_under_a_threshold(runner, cli):
    result = run(runner, cli, "kb", "test", "t04-ppi-loop-diuretic", "--fail-under", "50",
                 code=1)
    assert result.stdout.startswith("1 of 1 cases pass")
    assert "under --fail-under 50" in result.stderr
    whole = run(runner, cli, "kb", "test", "--fail-under", "100")
    assert "rules a case asserts: " in whole.stdout and "(100%)" in whole.stdout
    assert "any: branches no case takes: 0" in whole.stdout
    assert "did you mean t04-ppi-loop-diuretic" in run(
        runner, cli, "kb", "test", "t04-ppi-loop-diuretics", code=2).stderr


def test_kb_test_as_junit_names_each_case_and_its_failures(runner, cli, tmp_path):
    local = folder(tmp_path, rule())
    (local / "cases").mkdir()
    (local / "cases" / "wrong.yaml").write_text(
        "id: wrong-rung\nanswers: {age: 115}\nexpect: {referral: emergency}\n")
    xml = run(runner, cli, "kb", "test", "--kb", str(local), "--only", str(local), "--format",
              "junit", code=1).stdout
    import xml.etree.ElementTree as ElementTree

    suite = ElementTree.fromstring(xml)
    assert suite.get("tests") == "1" and suite.get("failures") == "1"
    (failure,) = suite.iter("failure")
    assert failure.get("message") == "referral"
    assert "expected: emergency" in failure.text
