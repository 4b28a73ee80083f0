"""Stopped and killed runs: termination signals release locks and keep every answer; a
killed batch leaves its workers nowhere, and continues with --resume to the same bytes."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT


def spawn(*args, env=None, **kwargs):
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), *args],
                            env={**os.environ, **(env or {})}, **kwargs)


def wait_for(condition, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP", "SIGQUIT"])
def test_a_signal_keeps_every_answer_and_releases_the_lock(tmp_path, name):
    session = tmp_path / "s.json"
    child = spawn("consult", "--session", str(session), stdin=subprocess.PIPE,
                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = tmp_path / ".s.json.lock"
    assert wait_for(lambda: lock.exists() and lock.read_text().strip())
    child.stdin.write(b"none\n")
    child.stdin.flush()
    assert wait_for(lambda: "symptoms" in json.loads(session.read_text() or "{}").get(
        "answers", {}))
    child.send_signal(getattr(signal, name))
    _, err = child.communicate(timeout=30)
    number = getattr(signal, name)
    assert child.returncode == 128 + number
    assert not lock.exists()
    assert json.loads(session.read_text())["answers"]["symptoms"] == []
    said = err.decode()
    assert "1 answer saved in" in said and f"--resume {session}" in said
    assert "Traceback" not in said


def records(path, count):
    lines = [json.dumps({"id": i, "answers": {"age": 18 + i % 70, "coffee_cups_per_day": i % 9,
                                              "symptoms": ["cramps"] if i % 3 else []}})
             for i in range(count)]
    lines.insert(count // 2, "not json")  # an error line keeps its line number when resumed
    path.write_text("\n".join(lines) + "\n")


def children(pid):
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for init is gone in every way that matters
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_a_killed_batch_leaves_no_workers_and_resumes_to_the_same_bytes(tmp_path):
    source = tmp_path / "in.jsonl"
    records(source, 3000)
    whole = tmp_path / "whole.jsonl"
    done = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(source), "-o",
                           str(whole), "--workers", "2"], capture_output=True)
    assert done.returncode == 2  # the one bad line
    out = tmp_path / "out.jsonl"
    partial = tmp_path / ".out.jsonl.partial"
    run = spawn("batch", str(source), "-o", str(out), "--workers", "2",
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: partial.exists() and partial.stat().st_size > 50_000)
    workers = children(run.pid)
    assert workers
    run.kill()
    run.wait()
    assert wait_for(lambda: not any(alive(w) for w in workers), 5)  # they die with it
    assert partial.exists() and not out.exists()
    resumed = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(source), "-o",
                              str(out), "--resume", "--workers", "2"], capture_output=True,
                             text=True)
    assert resumed.returncode == 2, resumed.stderr
    assert "resuming after" in resumed.stderr
    assert "1 of 3,001 records could not be answered (line 1501)" in resumed.stderr
    assert out.read_bytes() == whole.read_bytes()
    assert not partial.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl",
                                                          "whole.jsonl"]


@pytest.mark.slow
def test_a_stopped_batch_says_how_to_resume_and_a_plain_run_sweeps(tmp_path):
    source = tmp_path / "in.jsonl"
    records(source, 3000)
    out = tmp_path / "out.jsonl"
    partial = tmp_path / ".out.jsonl.partial"
    run = spawn("batch", str(source), "-o", str(out), "--workers", "1",
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert wait_for(lambda: partial.exists() and partial.stat().st_size > 20_000)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 128 + signal.SIGTERM
    assert f"continue with: twitchdx batch {source} -o {out} --resume" in err.decode()
    assert partial.exists() and not (tmp_path / ".out.jsonl.lock").exists()
    again = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(source), "-o",
                            str(out), "--workers", "1"], capture_output=True, text=True)
    assert f"removed {partial}" in again.stderr
    assert not partial.exists() and len(out.read_text().splitlines()) == 3001


def test_resume_without_a_stopped_run_or_output_is_refused(runner, cli, tmp_path):
    source = tmp_path / "in.jsonl"
    records(source, 3)
    done = runner.invoke(cli, ["batch", str(source), "-o", str(tmp_path / "out.jsonl"),
                               "--resume"])
    assert done.exit_code == 2 and "no stopped run to resume" in done.stderr
    done = runner.invoke(cli, ["batch", str(source), "--resume"])
    assert done.exit_code == 2 and "give it with -o OUT" in done.stderr


def test_a_partial_file_that_is_not_a_batch_is_refused_untouched(runner, cli, tmp_path):
    source = tmp_path / "in.jsonl"
    records(source, 3)
    partial = tmp_path / ".out.jsonl.partial"
    partial.write_bytes(b"not json\nhalf a li")
    done = runner.invoke(cli, ["batch", str(source), "-o", str(tmp_path / "out.jsonl"),
                               "--resume"])
    assert done.exit_code == 2 and "not the output of a twitchdx batch" in done.stderr
    assert partial.read_bytes() == b"not json\nhalf a li"


def test_resume_of_a_partial_cut_mid_line_rewrites_that_record(runner, cli, tmp_path):
    source = tmp_path / "in.jsonl"
    records(source, 6)
    whole = tmp_path / "whole.jsonl"
    runner.invoke(cli, ["batch", str(source), "-o", str(whole), "--workers", "1"])
    lines = whole.read_bytes().splitlines(keepends=True)
    partial = tmp_path / ".out.jsonl.partial"
    partial.write_bytes(b"".join(lines[:2]) + lines[2][:40])
    out = tmp_path / "out.jsonl"
    done = runner.invoke(cli, ["batch", str(source), "-o", str(out), "--resume",
                               "--workers", "1"])
    assert "resuming after 2 records" in done.stderr
    assert out.read_bytes() == whole.read_bytes() and not partial.exists()
