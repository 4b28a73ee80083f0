"""A session reached through links: locked and saved as the real file, never as the link;
a file with several hard links refused.  A small fuzzer tries chains of links."""

import json
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT

SESSION = {"twitchdx_session": 1, "knowledge": "twitchdx-core 1.0.0", "saved": "",
           "complete": False, "order": ["age"], "answers": {"age": 30}}


def start(folder, name):
    """A consultation holding the session, waiting at its first question."""
    env = {**os.environ, "TWITCHDX_SESSIONS": str(folder)}
    holder = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "consult", "--resume",
                               name], cwd=folder, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    lock = folder / ".s.json.lock"
    for _ in range(300):
        if lock.exists() and lock.read_text().strip():
            return holder
        time.sleep(0.02)
    holder.kill()
    raise AssertionError("the first consultation never took the lock")


def second(folder, name):
    env = {**os.environ, "TWITCHDX_SESSIONS": str(folder)}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "consult", "--resume", name],
                          cwd=folder, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, env=env)


def finish(holder):
    holder.communicate(b"none\nquit\n", timeout=60)


def test_a_second_resume_through_a_symbolic_link_is_refused_and_the_link_kept(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(SESSION))
    os.symlink("s.json", tmp_path / "link.json")
    holder = start(tmp_path, "s.json")
    try:
        refused = second(tmp_path, "link.json")
    finally:
        finish(holder)
    assert refused.returncode == 2
    assert f"{tmp_path}/s.json: this session is in use by another twitchdx (process " \
        f"{holder.pid})" in refused.stderr
    kept = second_resume_saves_through_the_link(tmp_path)
    assert kept["answers"]["age"] == 30 and "symptoms" in kept["answers"]


def second_resume_saves_through_the_link(folder):
    holder = start(folder, "link.json")
    finish(holder)
    assert (folder / "link.json").is_symlink()  # the link is a link still
    return json.loads((folder / "s.json").read_text())


def test_a_file_with_several_hard_links_is_refused(tmp_path):
    (tmp_path / "s.json").write_text(json.dumps(SESSION))
    os.link(tmp_path / "s.json", tmp_path / "hard.json")
    for name in ("s.json", "hard.json"):
        done = second(tmp_path, name)
        assert done.returncode == 2
        assert "this session file has 2 hard links" in done.stderr
    assert json.loads((tmp_path / "s.json").read_text()) == SESSION


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(chain=st.lists(st.booleans(), min_size=1, max_size=3),
       first=st.integers(0, 3), other=st.integers(0, 3))
def test_fuzzed_link_chains_never_run_twice_nor_lose_answers(tmp_path_factory, chain, first,
                                                             other):
    """A chain of symbolic links (absolute or relative) to one session: whichever two
    names two consultations use, the second is refused, and every link survives."""
    folder = tmp_path_factory.mktemp("links")
    (folder / "s.json").write_text(json.dumps(SESSION))
    names = ["s.json"]
    for depth, absolute in enumerate(chain):
        name = f"link{depth}.json"
        os.symlink(str(folder / names[-1]) if absolute else names[-1], folder / name)
        names.append(name)
    a, b = names[first % len(names)], names[other % len(names)]
    holder = start(folder, a)
    try:
        refused = second(folder, b)
    finally:
        finish(holder)
    assert refused.returncode == 2 and "in use by another twitchdx" in refused.stderr
    assert all((folder / n).is_symlink() for n in names[1:])
    saved = json.loads((folder / "s.json").read_text())
    assert saved["answers"]["age"] == 30
