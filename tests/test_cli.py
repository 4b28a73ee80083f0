"""The command line, driven through click's CliRunner (and once as a real process)."""

import json

import pytest

from conftest import EXAMPLES, run_cli

EYELID = str(EXAMPLES / "eyelid-coffee.yaml")
CONTRACT_KEYS = {"referral", "hypotheses", "notes", "tests", "advice", "trace", "unknown",
                 "knowledge"}
LEVELS = {"emergency", "same_day", "within_days", "routine", "self_care"}


def consult_json(runner, cli, path):
    result = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_json_report_follows_the_contract(runner, cli):
    report = consult_json(runner, cli, EYELID)
    assert set(report) >= CONTRACT_KEYS
    assert report["referral"]["level"] in LEVELS
    assert all({"rule", "text"} <= set(r) for r in report["referral"]["reasons"])
    certainties = [h["certainty"] for h in report["hypotheses"]]
    assert certainties == sorted(certainties, reverse=True)
    assert all(0 <= c <= 1 for c in certainties)
    assert all({"id", "certainty", "rules"} <= set(h) for h in report["hypotheses"])
    assert all({"id", "rules"} <= set(n) for n in report["notes"])
    assert all({"step", "rule", "facts", "asserted"} <= set(t) for t in report["trace"])
    assert [t["step"] for t in report["trace"]] == list(range(1, len(report["trace"]) + 1))
    assert report["knowledge"]["version"].startswith("twitchdx-core ")
    assert "not a diagnosis" in report["disclaimer"]


def test_the_trace_replays_to_the_reported_certainties(runner, cli):
    """Reading the trace alone, the last value it gives each hypothesis and note is the
    certainty the report states: the trace is the whole story, not a summary of it."""
    for example in ("ppi-diuretic.yaml", "vitamin-d-chain.yaml", "eyelid-coffee.yaml"):
        report = consult_json(runner, cli, EXAMPLES / example)
        last: dict[str, float] = {}
        for firing in report["trace"]:
            for item in firing["asserted"]:
                kind, name, *rest = item.split()
                if kind in ("hypothesis", "note") and rest[-1].endswith(")"):
                    last[name] = float(rest[-1].rstrip(")"))
        for item in report["hypotheses"] + report["notes"]:
            reported = max(0.0, last[item["id"]])  # the contract's certainty is in [0, 1]
            assert reported == pytest.approx(item["certainty"], abs=0.0051), item  # 2 places
        steps = {t["rule"]: t["step"] for t in report["trace"]}
        assert all(steps[r["rule"]] for r in report["referral"]["reasons"])


def test_json_is_byte_identical_across_processes():
    outputs = set()
    for seed in ("0", "1", "random"):
        done = run_cli("consult", "--answers", EYELID, "--format", "json",
                       env={"PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_text_report_leads_with_the_referral_and_ends_with_the_disclaimer(runner, cli):
    result = runner.invoke(cli, ["consult", "--answers", EYELID])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("REFERRAL: SELF-CARE")
    assert "POSSIBLE DEFICIENCIES" in result.stdout
    assert "Caffeine" in result.stdout
    assert "not a diagnosis" in result.stdout
    assert result.stdout.index("REFERRAL") < result.stdout.index("POSSIBLE DEFICIENCIES") \
        < result.stdout.index("LIFESTYLE TRIGGERS") < result.stdout.index("not a diagnosis")


def test_markdown_report(runner, cli):
    result = runner.invoke(cli, ["consult", "--answers", EYELID, "--format", "markdown"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# twitchdx consultation")
    assert "| Caffeine |" in result.stdout


@pytest.mark.parametrize("content,message", [
    ("symptoms: [sezure]\n", "symptoms: 'sezure' (did you mean 'seizure'?) is not allowed; "
                             "expected a list of zero or more of"),
    ("agee: 30\n", "unknown question 'agee' (did you mean 'age'?)"),
    ("age: 200\n", "age: 200 is out of range; expected a whole number from 1 to 120"),
    ("stress_level: 3\n", "stress_level: 3 is not allowed; expected one of low, moderate, high"),
    ("smoker: perhaps\n", "smoker: 'perhaps' is not allowed; expected yes or no"),
    ("age: [30\n", "not valid YAML"),
    ("just text\n", "must map question ids to answers"),
    ("sex: male\npregnant: true\n", "pregnant, sex: pregnant is yes but sex is male"),
])
def test_bad_input_exits_2_with_one_clear_line(runner, cli, tmp_path, content, message):
    path = tmp_path / "answers.yaml"
    path.write_text(content)
    result = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_missing_answers_file_exits_2(runner, cli, tmp_path):
    result = runner.invoke(cli, ["consult", "--answers", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: no such file" in result.stderr


def test_a_broken_knowledge_folder_exits_2_with_file_and_line(runner, cli, tmp_path):
    (tmp_path / "rules").mkdir()
    (tmp_path / "kb.yaml").write_text("name: local\nversion: '1'\n")
    (tmp_path / "rules" / "bad.yaml").write_text(
        "rules:\n  - id: bad-one\n    title: Bad\n    when: {symtoms: {includes: cramps}}\n"
        "    then: {referral: routine}\n    because: A broken rule for testing.\n"
        "    sources: [S01]\n")
    result = runner.invoke(cli, ["consult", "--answers", EYELID, "--kb", str(tmp_path)])
    assert result.exit_code == 2
    assert "bad.yaml:4: bad-one: unknown question symtoms (did you mean symptoms?)" \
        in result.stderr


def test_questions_lists_the_vocabulary(runner, cli):
    result = runner.invoke(cli, ["questions", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ids = {q["id"] for q in data["questions"]}
    assert {"age", "symptoms", "medications", "coffee_cups_per_day"} <= ids
    symptoms = next(q for q in data["questions"] if q["id"] == "symptoms")
    assert {"id": "seizure", "text": "A seizure or convulsion", "red_flag": "emergency"} \
        in symptoms["choices"]
    assert data["computed"][0]["id"] == "caffeine_mg_per_day"
    text = runner.invoke(cli, ["questions"]).stdout
    assert "twitch_duration_days  (integer 0-3650 days)" in text


def test_the_checkout_entry_point_works():
    done = run_cli("consult", "--answers", EYELID, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["referral"]["level"] == "self_care"
    assert run_cli("--version").stdout.startswith("twitchdx, version ")


def test_internal_errors_are_one_line_not_a_traceback(runner, cli, monkeypatch):
    import expert.consult.consultation

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(expert.consult.consultation, "consult", broken)
    monkeypatch.delenv("TWITCHDX_DEBUG", raising=False)
    result = runner.invoke(cli, ["consult", "--answers", EYELID])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_pregnant_with_sex_unanswered_counts_as_female(runner, cli, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("pregnant: true\nsymptoms: [cramps]\n")
    report = consult_json(runner, cli, path)
    magnesium = next(h for h in report["hypotheses"] if h["id"] == "magnesium")
    assert "mg-pregnancy" in magnesium["rules"]


def test_conflicts_and_the_warning_voice_are_in_the_report(runner, cli, tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text("symptoms: []\nrise_from_chair_without_arms: false\nstress_level: high\n")
    report = consult_json(runner, cli, path)
    assert report["referral"]["level"] == "within_days" and report["warning_sign"] is True
    assert [c["rule"] for c in report["conflicts"]] == ["conflict-weakness-described-not-chosen"]
    assert "more serious reading" in report["conflicts"][0]["text"]
    (stress,) = report["notes"]
    assert stress["caveat"].startswith("These everyday triggers can add to twitching")
    text = " ".join(runner.invoke(cli, ["consult", "--answers", str(path)]).stdout.split())
    assert "ANSWERS THAT DISAGREE" in text and "do not explain the warning signs" in text
