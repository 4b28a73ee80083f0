"""Benchmark: `twitchdx batch` throughput on generated records, shipped knowledge.

    python bench/batch.py [--records 100000] [--workers N] [--seed 1]

Generates JSON Lines records (random answers to the shipped questions, warning signs
included; one in 50 broken on purpose: a misspelt question, a value out of range,
text that is not JSON, a list), runs `twitchdx batch IN -o OUT` in a fresh process
with bytecode written (as on a user's machine), and checks the output: one line per
record, in order, each broken record an error line naming its line number and no
good one an error.  Prints records per second, for N workers and, as the baseline of
the same run, for one worker on a tenth of the records; and the peak memory of any
process.  Exits 1 if the rate is below 1,500 records/s or the output is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
TARGET = 1_500  # records per second, on two cores

BREAKAGES = [
    lambda record: {**record, "twitch_duraton_days": 3},
    lambda record: {**record, "twitch_duration_days": -4},
    lambda record: "{" + json.dumps(record)[1:-1],
    lambda record: [record],
]


def write_records(path: Path, count: int, seed: int) -> set[int]:
    """The records file; returns the line numbers of the broken records."""
    from synthetic import random_answers

    rng, broken = random.Random(seed), set()
    with path.open("w") as out:
        for line in range(1, count + 1):
            record = {"id": f"r{line}", **random_answers(rng, fill=rng.random())}
            if rng.random() < 0.02:
                record = rng.choice(BREAKAGES)(record)
                broken.add(line)
            out.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return broken


def run_batch(source: Path, out: Path, workers: int) -> float:
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    twitchdx = str(Path(sys.executable).parent / "twitchdx")
    started = time.perf_counter()
    done = subprocess.run([twitchdx, "batch", str(source), "-o", str(out), "--workers",
                           str(workers)], stderr=subprocess.PIPE, text=True, env=env,
                          check=False)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 2):
        raise SystemExit(f"twitchdx batch failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def wrong_lines(out: Path, count: int, broken: set[int]) -> list[str]:
    problems = []
    with out.open() as lines:
        for expected, text in enumerate(lines, 1):
            record = json.loads(text)
            if record["line"] != expected:
                problems.append(f"output line {expected} is for input line {record['line']}")
            elif ("error" in record) != (expected in broken):
                got, due = ("an error", "a report") if "error" in record else ("a report",
                                                                              "an error")
                problems.append(f"line {expected}: {got} where {due} was due")
    seen = expected if count else 0
    if seen != count:
        problems.append(f"{seen} output lines for {count} records")
    return problems[:10]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, small = folder / "records.jsonl", folder / "baseline.jsonl"
        broken = write_records(source, args.records, args.seed)
        base_count = max(1, args.records // 10)
        base_broken = write_records(small, base_count, args.seed)
        run_batch(small, folder / "warm.jsonl", 1)  # bytecode and knowledge cache written
        base = run_batch(small, folder / "base.jsonl", 1)
        elapsed = run_batch(source, folder / "out.jsonl", args.workers)
        problems = wrong_lines(folder / "out.jsonl", args.records, broken)
        problems += wrong_lines(folder / "base.jsonl", base_count, base_broken)
        size = (folder / "out.jsonl").stat().st_size
    rate, base_rate = args.records / elapsed, base_count / base
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{args.records:,} records ({len(broken):,} broken) in {elapsed:.1f} s with "
          f"{args.workers} worker{'s' if args.workers > 1 else ''}: {rate:,.0f} records/s "
          f"({size / args.records / 1024:.1f} kB of JSON each)")
    print(f"baseline, one worker on {base_count:,} records: {base_rate:,.0f} records/s; "
          f"ratio {rate / base_rate:.2f}x; peak memory of a process {peak:.0f} MB")
    for problem in problems:
        print(f"WRONG: {problem}")
    print(f"target: >= {TARGET:,} records/s, every record answered or reported by its line")
    return 1 if problems or rate < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
