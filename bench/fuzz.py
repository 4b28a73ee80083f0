"""Fuzz: tens of thousands of broken inputs, and how each one ended.

    python bench/fuzz.py [--target knowledge|answers|sessions|all] [--examples 10000]
                         [--workers 2] [--seed 0]

Generates broken inputs with the strategies of tests/fuzzing.py (the same ones
the test suite runs a few hundred of) and feeds each to twitchdx.  Every example
must end in a result or a clear error; one that ends in any other exception
stops the run, is shrunk to its smallest form by Hypothesis and printed, and the
script exits 1.  Prints the outcomes (for answers and sessions, the CLI's exit
codes: only 0 and 2 are allowed), the time per example and each worker's peak
memory.  Needs the test extra (pip install -e '.[test]').
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def work(job: tuple[str, int, int]) -> tuple[Counter, float, float, str, list[float]]:
    """Run one worker's share: (outcomes, seconds, peak MB, failure or "", the time of
    every example)."""
    from fuzzing import FUZZERS
    from hypothesis import HealthCheck, given, seed, settings

    target, examples, seed_value = job
    strategy, run_one = FUZZERS[target]
    outcomes: Counter = Counter()
    times: list[float] = []

    @seed(seed_value)
    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def fuzz(example: object) -> None:
        started = time.perf_counter()
        outcomes[run_one(example)] += 1
        times.append(time.perf_counter() - started)

    start = time.perf_counter()
    failure = ""
    try:
        fuzz()
    except Exception:  # the failing example, shrunk, with its traceback
        failure = traceback.format_exc()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return outcomes, time.perf_counter() - start, peak_mb, failure, times


def main() -> int:
    from fuzzing import FUZZERS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=[*sorted(FUZZERS), "all"], default="all")
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    failed = False
    for target in sorted(FUZZERS) if args.target == "all" else [args.target]:
        failed |= run(target, args.examples, args.workers, args.seed)
    return 1 if failed else 0


def run(target: str, examples: int, workers: int, seed_value: int) -> bool:
    """Fuzz one target and print what came of it; True if anything failed."""
    share, extra = divmod(examples, workers)
    jobs = [(target, share + (i < extra), seed_value * 1000 + i) for i in range(workers)]
    start = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        results = pool.map(work, jobs)
    wall = time.perf_counter() - start
    outcomes = sum((r[0] for r in results), Counter())
    total = sum(outcomes.values())
    print(f"{target}: {total} examples in {wall:.0f} s ({total / wall:.0f}/s, "
          f"{workers} workers)")
    for name, count in sorted(outcomes.items()):
        print(f"  {name:<24} {count:>7}  ({100 * count / total:.1f}%)")
    times = sorted(t for r in results for t in r[4])
    if times:
        print(f"  time per example: median {1000 * times[len(times) // 2]:.0f} ms, 99th "
              f"percentile {1000 * times[int(len(times) * 0.99)]:.0f} ms, slowest "
              f"{1000 * times[-1]:.0f} ms")
    print("  peak memory per worker: " + ", ".join(f"{r[2]:.0f} MB" for r in results))
    failures = [r[3] for r in results if r[3]]
    print(f"  internal errors: {len(failures)}")
    for failure in failures:
        print(failure)
    return bool(failures)


if __name__ == "__main__":
    sys.exit(main())
