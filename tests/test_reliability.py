"""Operating-system failures and floods of bad input: one line each, the right exit code,
nothing left behind, never "internal error"."""

import errno
import json
import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT
from expert.errors import InputError, SystemFailure
from expert.fileio import os_failure

FLOOD = "".join(f"{q}: nonsense-{i}\n" for i, q in enumerate([
    "symptoms", "medications", "conditions", "sex", "age", "smoker", "stress_level",
    "sun_exposure", "coffee_cups_per_day", "tea_cups_per_day", "twitch_locations",
    "supplements", "foods_eaten_weekly", "sleep_hours", "alcohol_drinks_per_week", "pregnant",
    "twitch_spreading", "energy_drinks_per_day", "soft_drinks_per_day", "darker_skin",
    "supplements_stopped", "strenuous_exercise_recent", "previously_assessed",
    "twitch_duration_days"]))


def cli(*args, stdin=None, env=None, shell_suffix=""):
    command = " ".join([sys.executable, str(ROOT / "cli.py"), *args]) + shell_suffix
    return subprocess.run(["sh", "-c", command], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, stdin=stdin)


@pytest.mark.parametrize("code, cls, says", [
    (errno.ENOSPC, SystemFailure, "No space left on device; free some space and try again"),
    (errno.EROFS, SystemFailure, "the file system is read-only"),
    (errno.EACCES, InputError, "check its permissions, or choose another place"),
    (errno.ENOENT, InputError, "check the path"),
    (errno.EBUSY, SystemFailure, "Device or resource busy"),
])
def test_every_os_failure_is_one_line_with_what_to_do(code, cls, says):
    failure = os_failure("out.json", "write the report", OSError(code, os.strerror(code)))
    assert type(failure) is cls
    assert str(failure).startswith("out.json: cannot write the report: ") and says in \
        str(failure)
    assert "\n" not in str(failure)


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_a_report_to_a_full_device_is_one_line_and_exit_1(fmt):
    done = cli("consult", "--answers", str(EXAMPLES / "eyelid-coffee.yaml"), "--format", fmt,
               "--no-history", shell_suffix=" > /dev/full")
    assert done.returncode == 1
    assert done.stderr == ("twitchdx: error: standard output: cannot write: No space left "
                           "on device; free some space and try again\n")


def test_a_closed_standard_input_is_refused_before_a_session_is_made(tmp_path):
    done = cli("consult", env={"TWITCHDX_SESSIONS": str(tmp_path)}, shell_suffix=" <&-")
    assert done.returncode == 2
    assert "standard input is closed, so no question can be answered; give the answers " \
           "with --answers FILE" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


def _full_disk(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_session_that_cannot_start_leaves_no_file(runner, cli_group, tmp_path,
                                                    monkeypatch):
    monkeypatch.setenv("TWITCHDX_SESSIONS", str(tmp_path))
    monkeypatch.setattr("expert.consult.session.write_atomic", _full_disk)
    done = runner.invoke(cli_group, ["consult"], input="none\n")
    assert done.exit_code == 1
    assert "cannot save the session: No space left on device; free some space" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_batch_output_on_a_full_disk_is_one_line_and_exit_1(runner, cli_group, tmp_path,
                                                            monkeypatch):
    records = tmp_path / "in.jsonl"
    records.write_text('{"answers": {"age": 30}}\n')
    out = tmp_path / "out.jsonl"
    monkeypatch.setattr("os.fsync", _full_disk)
    done = runner.invoke(cli_group, ["batch", str(records), "-o", str(out)])
    assert done.exit_code == 1
    assert f"{out}: cannot write the output: No space left on device" in done.stderr
    assert "internal error" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]  # nothing left


@pytest.fixture
def cli_group():
    from cli import twitchdx

    return twitchdx


def test_a_flood_of_bad_answers_is_a_screenful(runner, cli_group, tmp_path):
    answers = tmp_path / "flood.yaml"
    answers.write_text(FLOOD)
    done = runner.invoke(cli_group, ["consult", "--answers", str(answers)])
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    # 20 checked one by one (more is no answers file), then "and 4 more answers not checked"
    assert lines[0] == f"twitchdx: error: {answers}: 21 problems:"
    assert len(lines) == 12 and lines[-1] == ("twitchdx: error: ... and 11 more (--all-errors "
                                              "shows every one)")
    assert str(answers) not in "".join(lines[1:])  # the file named once
    assert len(done.stderr) < 2500
    assert sum("breathing_difficulty" in line for line in lines) == 1  # choices once
    assert "(28 in all: `twitchdx questions` lists them)" in done.stderr
    every = runner.invoke(cli_group, ["consult", "--answers", str(answers), "--all-errors"])
    assert len(every.stderr.splitlines()) == 22
    assert every.stderr.splitlines()[-1] == "twitchdx: error:   and 4 more answers not checked"
    before = runner.invoke(cli_group, ["--all-errors", "consult", "--answers", str(answers)])
    assert before.stderr == every.stderr


def test_errors_are_json_when_json_is_asked_for(runner, cli_group, tmp_path):
    answers = tmp_path / "flood.yaml"
    answers.write_text(FLOOD)
    done = runner.invoke(cli_group, ["consult", "--answers", str(answers), "--format=json"])
    error = json.loads(done.stderr)["error"]
    assert error["exit_code"] == 2 and error["count"] == 21 == len(error["problems"])
    assert done.stdout == ""


def test_a_bare_string_for_a_multi_choice_question_is_one_choice_everywhere(
        runner, cli_group, tmp_path):
    """The documented rule: `symptoms: cramps` is `symptoms: [cramps]`, in an answers file,
    a session file and a batch record alike."""
    bare, listed = tmp_path / "bare.yaml", tmp_path / "listed.yaml"
    bare.write_text("symptoms: cramps\nage: 40\n")
    listed.write_text("symptoms: [cramps]\nage: 40\n")
    report = lambda path: runner.invoke(cli_group, [  # noqa: E731
        "consult", "--answers", str(path), "--format", "json", "--no-history"]).stdout
    assert report(bare) == report(listed)
    session = tmp_path / "s.json"
    session.write_text(json.dumps({"twitchdx_session": 1, "knowledge": "x", "saved": "",
                                   "complete": True, "order": ["symptoms", "age"],
                                   "answers": {"symptoms": "cramps", "age": 40}}))
    from expert.consult.session import resume_session
    from expert.kb.loader import load_knowledge

    assert resume_session(load_knowledge(), session).answers["symptoms"] == ("cramps",)
    records = tmp_path / "in.jsonl"
    records.write_text('{"answers": {"symptoms": "cramps", "age": 40}}\n'
                       '{"answers": {"symptoms": ["cramps"], "age": 40}}\n')
    lines = runner.invoke(cli_group, ["batch", str(records), "--workers", "1"]).stdout
    first, second = (json.loads(line) for line in lines.splitlines())
    assert first["hypotheses"] == second["hypotheses"]
