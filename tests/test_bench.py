"""The benchmarks measure what a user runs without leaving anything in the user's
folders."""

import importlib.util

from conftest import ROOT


def test_the_cold_start_benchmark_keeps_no_consultation_in_the_users_history(
        tmp_path, monkeypatch):
    mine = tmp_path / "history"
    monkeypatch.setenv("TWITCHDX_SESSIONS", str(mine))
    spec = importlib.util.spec_from_file_location("bench_consult", ROOT / "bench" / "consult.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    floor, cli, ratio = bench.cold(1)
    assert floor > 0 and cli > 0 and ratio == cli / floor
    assert not mine.exists() or not any(mine.iterdir())
