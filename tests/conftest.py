"""Shared fixtures: the shipped knowledge base, a small one, and a CLI runner.

Every test run gets its own knowledge cache, so nothing is read from or
written to the user's ~/.cache.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_SHIFT = int(os.environ.get("TWITCHDX_TEST_SEED", "0") or 0)


def seeded(seed: int) -> int:
    """A differential test's seed, moved by TWITCHDX_TEST_SEED, so the comparisons with
    experta's Rete network and with CLIPS can be run on knowledge and answers nobody
    has seen: ``TWITCHDX_TEST_SEED=1234 pytest -m slow tests/test_matcher.py``."""
    return seed + SEED_SHIFT


def made_without_cycles(make: Callable[[], Any]) -> Any:
    """What ``make()`` returns, made with the collector off, and checked to leave no
    reference cycle behind (so refcounting frees it all, as a batch, which runs the
    collector rarely, relies on)."""
    import gc

    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        made = make()
        assert gc.collect() == 0, "a reference cycle was left for the collector"
    finally:
        if enabled:
            gc.enable()
    return made


MINI = Path(__file__).resolve().parent / "kbs" / "mini"
EXAMPLES = ROOT / "examples"


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil

    shutil.rmtree(os.environ.get("TWITCHDX_SESSIONS", ""), ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    cache = Path(config.rootpath) / ".pytest_cache" / "twitchdx-kb"
    os.environ["TWITCHDX_CACHE"] = str(cache)
    os.environ.pop("TWITCHDX_KB", None)
    # Consultations the tests finish are kept somewhere of their own, never in the user's
    # history; a test about the history gives its own folder.
    os.environ["TWITCHDX_SESSIONS"] = tempfile.mkdtemp(prefix="twitchdx-test-sessions-")
    # Bytecode is written, as on a user's machine: the hundreds of fresh interpreters the
    # tests start (the CLI, the terminal, every module alone) then compile nothing twice.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False


@pytest.fixture(scope="session")
def kb():
    from expert.kb.loader import load_knowledge

    return load_knowledge()


@pytest.fixture(scope="session")
def mini():
    from expert.kb.loader import load_knowledge

    return load_knowledge((MINI,), package=False)


@pytest.fixture
def runner():
    from click.testing import CliRunner

    return CliRunner()


@pytest.fixture
def cli():
    from cli import twitchdx

    return twitchdx


def knowledge_folder(path: Path, rules: str | None = None, name: str = "local",
                     version: str = "1", **files: str) -> Path:
    """A knowledge folder at ``path``: kb.yaml, rules/local.yaml (dedented) and any
    other files given (``rules__x.cases__y.yaml`` is ``rules/x.cases/y.yaml``)."""
    import textwrap

    (path / "rules").mkdir(parents=True, exist_ok=True)
    (path / "kb.yaml").write_text(f"name: {name}\nversion: '{version}'\n")
    if rules is not None:
        (path / "rules" / "local.yaml").write_text(textwrap.dedent(rules))
    for relative, text in files.items():
        target = path / relative.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    return path


def run_cli(*args: str, env: dict | None = None):
    """Run the real console entry point in a fresh interpreter."""
    import subprocess

    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, cwd=ROOT)


def consult_raw(kb, answers: dict):
    """Check raw answers, then consult: the answers-file path without the file."""
    from expert.consult.answers import check_answers
    from expert.consult.consultation import consult as run

    return run(kb, check_answers(kb, answers))
