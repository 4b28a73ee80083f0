"""Benchmark: `twitchdx batch` throughput on generated records, shipped knowledge.

    python bench/batch.py [--records 100000] [--workers N] [--seed 1]

Generates JSON Lines records (random answers to the shipped questions, warning signs
included; one in 50 broken on purpose: a misspelt question, a value out of range,
text that is not JSON, a list), runs `twitchdx batch IN -o OUT` in a fresh process
with bytecode written (as on a user's machine), and checks the output: one line per
record, in order, each broken record an error line naming its line number and no
good one an error.  Prints records per second, for N workers and, as the baseline of
the same run, for one worker on a tenth of the records; and the peak memory of the
largest process of each run (memory that stays flat over ten times the records keeps
them alike).  Exits 1 if the rate is below 1,500 records/s or the output is wrong.
bench/scale.py runs it too, with the shipped knowledge's other measures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

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


LAUNCH = """
import resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
elapsed = time.perf_counter() - started
print(code, elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""  # a small process starts the command: a child's peak memory starts at its parent's


def launched(command: list[str], env: dict[str, str], cwd: Path | None = None
             ) -> tuple[int, float, float, str]:
    """``command`` run through LAUNCH: its exit code, its seconds, the peak memory (MB)
    of its largest process (its own or one it started), and the end of its stderr."""
    with tempfile.TemporaryFile() as errors:
        done = subprocess.run([sys.executable, "-c", LAUNCH, *command], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=errors, text=True, check=False)
        errors.seek(0)
        said = errors.read().decode(errors="replace")[-500:]
    if done.returncode != 0:
        raise SystemExit(f"the launching process failed: {said}")
    code, elapsed, peak_kib = done.stdout.split()
    return int(code), float(elapsed), float(peak_kib) / 1024, said


def run_batch(source: Path, out: Path, workers: int) -> tuple[float, float]:
    """Seconds the run takes, and the peak memory (MB) of its largest process (the
    batch's own or a worker's)."""
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    twitchdx = str(Path(sys.executable).parent / "twitchdx")
    code, elapsed, peak, said = launched(
        [twitchdx, "batch", str(source), "-o", str(out), "--workers", str(workers)], env)
    if code not in (0, 2):
        raise SystemExit(f"twitchdx batch failed ({code}): {said}")
    return elapsed, peak


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


class Measured(NamedTuple):
    records: int
    broken: int
    workers: int
    rate: float  # records per second, with ``workers``
    base_rate: float  # one worker, on a tenth of the records: this run's baseline
    kb_per_record: float  # of JSON
    base_peak_mb: float  # the largest process of the baseline run
    peak_mb: float  # the largest process of the full run: flat memory keeps them alike
    problems: list[str]


def measure(records: int, workers: int, seed: int) -> Measured:
    """Both runs, in fresh processes with bytecode written and the cache warm."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, small = folder / "records.jsonl", folder / "baseline.jsonl"
        broken = write_records(source, records, seed)
        base_count = max(1, records // 10)
        base_broken = write_records(small, base_count, seed)
        write_records(folder / "warm-up.jsonl", 100, seed)
        run_batch(folder / "warm-up.jsonl", folder / "warm.jsonl", 1)  # bytecode, cache
        base, base_peak = run_batch(small, folder / "base.jsonl", 1)
        elapsed, peak = run_batch(source, folder / "out.jsonl", workers)
        problems = wrong_lines(folder / "out.jsonl", records, broken)
        problems += wrong_lines(folder / "base.jsonl", base_count, base_broken)
        size = (folder / "out.jsonl").stat().st_size
    return Measured(records, len(broken), workers, records / elapsed, base_count / base,
                    size / records / 1024, base_peak, peak, problems)


def report(m: Measured) -> list[str]:
    """The lines a run prints; the last is WRONG lines, if any."""
    return [f"{m.records:,} records ({m.broken:,} broken) with {m.workers} "
            f"worker{'s' if m.workers > 1 else ''}: {m.rate:,.0f} records/s "
            f"({m.kb_per_record:.1f} kB of JSON each)",
            f"baseline, one worker on {m.records // 10:,} records: {m.base_rate:,.0f} "
            f"records/s; ratio {m.rate / m.base_rate:.2f}x; peak memory of a process "
            f"{m.base_peak_mb:.0f} MB on the baseline, {m.peak_mb:.0f} MB on the full run",
            *(f"WRONG: {problem}" for problem in m.problems)]


def met(m: Measured) -> bool:
    return not m.problems and m.rate >= TARGET


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    m = measure(args.records, args.workers, args.seed)
    print("\n".join(report(m)))
    print(f"target: >= {TARGET:,} records/s, every record answered or reported by its line")
    return 0 if met(m) else 1


if __name__ == "__main__":
    sys.exit(main())
