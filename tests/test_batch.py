"""twitchdx batch: records in, one JSON line out per record, in order; bad records become
error lines with their line number, never dropped, and make the exit code 2."""

import json
import random
import sys

import pexpect
import pytest
from synthetic import random_answers

from cli import twitchdx
from conftest import ROOT
from expert.fileio import MAX_BYTES


def run(runner, *args, input=None):
    result = runner.invoke(twitchdx, ["batch", *args], input=input)
    lines = [json.loads(line) for line in result.stdout_bytes.decode().splitlines()]
    return result, lines


def reference(runner, tmp_path, answers):
    """The report `consult --format json` gives for the same answers."""
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(answers))
    result = runner.invoke(twitchdx, ["consult", "--answers", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def same_report(line, report):
    """A batch line is the report, less the questions that could change it (unless
    --follow-up), with the record's line and id."""
    assert line["value_of_information"] == []
    ignored = ("line", "id", "value_of_information")
    return {k: v for k, v in line.items() if k not in ignored} == \
        {k: v for k, v in report.items() if k not in ignored}


def jsonl(tmp_path, records, name="in.jsonl"):
    path = tmp_path / name
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in records))
    return path


def test_each_record_gets_the_report_consult_gives_in_input_order(runner, tmp_path):
    rng = random.Random(3)
    answers = [random_answers(rng, fill=0.5) for _ in range(5)]
    path = jsonl(tmp_path, [{"id": f"p{i}", **a} for i, a in enumerate(answers)])
    result, lines = run(runner, str(path))
    assert result.exit_code == 0, result.output
    assert [(line["line"], line["id"]) for line in lines] == [(i + 1, f"p{i}") for i in range(5)]
    for line, given in zip(lines, answers, strict=True):
        assert same_report(line, reference(runner, tmp_path, given))
    assert list(lines[0])[:3] == ["line", "id", "referral"]


def test_a_record_without_an_id_has_only_its_line(runner, tmp_path):
    result, lines = run(runner, str(jsonl(tmp_path, [{"sudden_onset": False}])))
    assert result.exit_code == 0
    assert "id" not in lines[0] and lines[0]["line"] == 1


def test_bad_records_become_error_lines_and_the_batch_goes_on(runner, tmp_path):
    records = [
        {"id": "ok", "twitch_duration_days": 3},
        "{not json\n",
        "[1, 2]\n",
        "\n",  # blank: not a record, and no output
        {"id": "typo", "twitch_duraton_days": 3},
        {"id": "value", "twitch_duration_days": "lots"},
        '{"id": "twice", "pregnant": true, "pregnant": false}\n',
        {"id": 7, "answers": {"sex": "male"}, "expect": {"level": "self_care"}},
        {"id": "envelope", "answers": {}, "colour": "red"},
        {"id": "last", "sex": "female"},
    ]
    path = jsonl(tmp_path, records)
    with path.open("ab") as handle:
        handle.write(b'{"sex": "f\xe9male"}\n')
    result, lines = run(runner, str(path))
    assert result.exit_code == 2
    assert [line["line"] for line in lines] == [1, 2, 3, 5, 6, 7, 8, 9, 10, 11]
    by_line = {line["line"]: line for line in lines}
    assert by_line[1]["referral"]["level"] and by_line[10]["id"] == "last"
    assert by_line[8]["id"] == 7 and "referral" in by_line[8]  # the vignette form
    errors = {n: line for n, line in by_line.items() if "error" in line}
    assert set(errors) == {2, 3, 5, 6, 7, 9, 11}
    assert errors[2]["error"] == "the record could not be read"
    assert "not valid JSON" in errors[2]["problems"][0]["message"]
    assert errors[3]["problems"][0]["message"].endswith("not a list")
    assert errors[5]["error"] == "some answers are not allowed"
    assert "did you mean 'twitch_duration_days'" in errors[5]["problems"][0]["message"]
    assert errors[6]["problems"] == [{"question": "twitch_duration_days",
                                      "message": errors[6]["problems"][0]["message"]}]
    assert "'lots'" in errors[6]["problems"][0]["message"]
    assert "appears twice" in errors[7]["problems"][0]["message"]
    assert "colour" in errors[9]["problems"][0]["message"]
    assert "not UTF-8" in errors[11]["problems"][0]["message"]
    assert "7 of 10 records could not be answered (lines 2, 3, 5, 6, 7, 9, 11)" in result.stderr


def test_a_line_too_long_is_an_error_line_not_a_memory_spike(runner, tmp_path):
    path = jsonl(tmp_path, [{"id": "a"}, {"id": "b", "x": "y" * (MAX_BYTES + 10)},
                            {"id": "c"}])
    result, lines = run(runner, str(path))
    assert result.exit_code == 2
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert "longer than 256,000 bytes" in lines[1]["problems"][0]["message"]
    assert "error" not in lines[2]


def test_a_csv_row_too_long_or_not_utf8_is_an_error_line(runner, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(b"id,sex\na,female\nb," + b"f" * (MAX_BYTES + 5) + b"\nc,f\xe9male\n"
                     b"d,male\n")
    result, lines = run(runner, str(path))
    assert result.exit_code == 2
    assert [(line["line"], line.get("id")) for line in lines] == [
        (2, "a"), (3, None), (4, None), (5, "d")]
    assert "line 3 is longer than 256,000 bytes" in lines[1]["problems"][0]["message"]
    assert "not UTF-8" in lines[2]["problems"][0]["message"]


CSV = """\
id,symptoms,sudden_onset,coffee_cups_per_day,sex
a,cramps; tingling_limbs ,no,3,female
b,,,,
"c","weakness",yes,,male
d,cramps,maybe,2,female
"""


def test_csv_columns_are_questions_and_multi_choices_are_joined_with_semicolons(
        runner, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text(CSV)
    result, lines = run(runner, str(path))
    assert result.exit_code == 2
    assert [(line["line"], line["id"]) for line in lines] == [(2, "a"), (3, "b"), (4, "c"),
                                                             (5, "d")]
    expected = {"symptoms": ["cramps", "tingling_limbs"], "sudden_onset": False,
                "coffee_cups_per_day": 3, "sex": "female"}
    assert same_report(lines[0], reference(runner, tmp_path, expected))
    assert "symptoms" in lines[1]["unknown"]  # an empty cell is not answered
    assert lines[2]["referral"]["level"] == reference(runner, tmp_path, {
        "symptoms": ["weakness"], "sudden_onset": True, "sex": "male"})["referral"]["level"]
    assert lines[3]["problems"][0]["question"] == "sudden_onset"


def test_a_csv_row_is_numbered_from_where_it_starts(runner, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('id,sex\n\n"two\nlines",female\nlast,nobody\nextra,female,1\n')
    result, lines = run(runner, str(path))
    assert result.exit_code == 2
    assert [line["line"] for line in lines] == [3, 5, 6]
    assert lines[0]["id"] == "two\nlines"
    assert lines[1]["problems"][0]["question"] == "sex"
    assert "3 cells, but the header names 2 columns" in lines[2]["problems"][0]["message"]


@pytest.mark.parametrize("header, message", [
    ("id,sexx", "in.csv:1: column 'sexx' is neither a question id nor id (did you mean "
                "'sex'?)"),
    ("sex,sex", "in.csv:1: column sex appears twice"),
    ("caffeine_mg_per_day", "is computed from"),
])
def test_a_bad_csv_header_stops_before_any_record(runner, tmp_path, header, message):
    path = tmp_path / "in.csv"
    path.write_text(f"{header}\nfemale\n")
    result, lines = run(runner, str(path))
    assert result.exit_code == 2 and lines == []
    assert message in result.stderr


def test_an_input_without_records_says_so(runner, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,sex\n\n")
    result, lines = run(runner, str(path))
    assert result.exit_code == 0 and lines == []
    assert f"no records in {path}" in result.stderr


def test_the_format_can_be_named_and_stdin_read(runner):
    result, lines = run(runner, "-", "--input-format", "csv", input="id,sex\nx,female\n")
    assert result.exit_code == 0 and lines[0]["id"] == "x"
    result, lines = run(runner, "-", input='{"sex": "male"}\n')
    assert result.exit_code == 0 and lines[0]["line"] == 1
    result, lines = run(runner, "-", "--input-format", "csv", input="sexx\nfemale\n")
    assert result.exit_code == 2 and "<stdin>:1: column 'sexx'" in result.stderr


@pytest.mark.slow
def test_workers_give_the_same_lines_in_the_same_order(runner, tmp_path):
    rng = random.Random(5)
    records = [{"id": i, **random_answers(rng, fill=rng.random())} for i in range(260)]
    records[150]["sex"] = "robot"
    path = jsonl(tmp_path, records)
    alone = runner.invoke(twitchdx, ["batch", str(path), "--workers", "1"])
    together = runner.invoke(twitchdx, ["batch", str(path), "--workers", "2"])
    assert alone.exit_code == together.exit_code == 2
    assert alone.stdout_bytes == together.stdout_bytes
    assert len(alone.stdout_bytes.splitlines()) == 260
    assert "1 of 260 records could not be answered (line 151)" in together.stderr


def test_output_file_is_written_whole_or_not_at_all(runner, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("kept\n")
    bad = tmp_path / "in.csv"
    bad.write_text("nonsense\n")
    result = runner.invoke(twitchdx, ["batch", str(bad), "-o", str(out)])
    assert result.exit_code == 2 and out.read_text() == "kept\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]
    good = jsonl(tmp_path, [{"sex": "female"}])
    result = runner.invoke(twitchdx, ["batch", str(good), "-o", str(out)])
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["line"] == 1


def test_a_missing_input_or_unwritable_output_is_refused(runner, tmp_path):
    result = runner.invoke(twitchdx, ["batch", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "nope.jsonl: no such file" in result.stderr
    good = jsonl(tmp_path, [{"sex": "female"}])
    result = runner.invoke(twitchdx, ["batch", str(good), "-o", str(tmp_path / "no" / "o")])
    assert result.exit_code == 2 and "no such folder" in result.stderr


def test_follow_up_adds_the_questions_that_could_change_a_report(runner, tmp_path):
    path = jsonl(tmp_path, [{"symptoms": ["cramps"]}])
    _, plain = run(runner, str(path))
    _, follow = run(runner, str(path), "--follow-up")
    assert plain[0]["value_of_information"] == []
    assert follow[0]["value_of_information"]


def test_a_progress_bar_on_a_terminal_only(tmp_path, runner):
    rng = random.Random(9)
    path = jsonl(tmp_path, [random_answers(rng) for _ in range(30)])
    result = runner.invoke(twitchdx, ["batch", str(path), "-o", str(tmp_path / "o")])
    assert "consulting" not in result.stderr
    child = pexpect.spawn(sys.executable,
                          [str(ROOT / "cli.py"), "batch", str(path), "-o",
                           str(tmp_path / "o2")], cwd=str(ROOT), timeout=60,
                          encoding="utf-8", dimensions=(24, 100))
    child.expect("consulting")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert len((tmp_path / "o2").read_text().splitlines()) == 30


def test_workers_that_cannot_be_started_leave_the_records_to_this_process(
        runner, tmp_path, monkeypatch):
    import os

    def refused():
        raise OSError(11, "Resource temporarily unavailable")

    rng = random.Random(9)
    path = jsonl(tmp_path, [{"id": i, **random_answers(rng)} for i in range(230)])
    alone = runner.invoke(twitchdx, ["batch", str(path), "--workers", "1"])
    monkeypatch.setattr(os, "fork", refused)
    refused_workers = runner.invoke(twitchdx, ["batch", str(path), "--workers", "2"])
    assert refused_workers.exit_code == alone.exit_code
    assert refused_workers.stdout_bytes == alone.stdout_bytes  # every record, in order
    assert len(refused_workers.stdout_bytes.splitlines()) == 230
    assert ("twitchdx: warning: could not start 2 worker processes (Resource temporarily "
            "unavailable); answering every record in this one") in refused_workers.stderr
