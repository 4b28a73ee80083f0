"""Benchmark: hostile inputs cost no more than a second and 100 MB, and exit 2.

    python bench/hostile.py [--runs 3]

Runs `twitchdx` as a fresh process on each input a hostile or careless user could
give (an alias bomb, a 50 MB file, numbers of thousands of digits, nesting 900 deep,
a huge session) and on a good answers file as the baseline, measured in the same run
(these machines are noisy).  For each: the exit code (2 for every bad one), the
wall time (median of --runs) with its ratio to the baseline, and the process's peak
memory (from the kernel, os.wait4).  Exits 1 if any input takes over 1 s, over
100 MB or exits other than 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S, LIMIT_MB = 1.0, 100

BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"  # nine levels: 9 ** 9 values
    for a, b in zip("abcdefgh", "bcdefghi", strict=True))


def inputs(folder: Path) -> list[tuple[str, list[str]]]:
    """(name, arguments) of every case; files are written into ``folder``."""
    def write(name: str, *parts: str, times: int = 1) -> str:
        """Write the parts (the middle one ``times`` over) in pieces: this process must
        stay small, since a child's peak memory counts its parent's at the fork."""
        path = folder / name
        with path.open("w", encoding="utf-8") as handle:
            for index, part in enumerate(parts):
                for _ in range(times if index == 1 else 1):
                    handle.write(part)
        return str(path)

    def answers(name: str, *parts: str, times: int = 1) -> list[str]:
        return ["consult", "--answers", write(name, *parts, times=times), "--format", "json"]

    knowledge = folder / "bomb-kb"
    (knowledge / "rules").mkdir(parents=True)
    (knowledge / "kb.yaml").write_text("name: bomb\nversion: '1'\n")
    (knowledge / "rules" / "bomb.yaml").write_text(BOMB + "rules: *i\n")
    big_kb = folder / "big-kb"
    (big_kb / "rules").mkdir(parents=True)
    (big_kb / "kb.yaml").write_text("name: big\nversion: '1'\n")
    write("big-kb/rules/big.yaml", "rules: [", "1,", "1]\n", times=127_990)
    session = json.dumps({"twitchdx_session": 1, "answers": {"symptoms": ["cramp"] * 25_000}})
    return [
        ("alias bomb (answers)", answers("bomb.yaml", BOMB + "symptoms: *i\n")),
        ("alias bomb (knowledge)", ["consult", "--kb", str(knowledge), "--answers",
                                    str(ROOT / "examples" / "eyelid-coffee.yaml")]),
        ("50 MB answers file", answers("big.yaml", "age: 40\n", "#" * 1_000_000, "\n",
                                       times=50)),
        ("just under the size limit", answers("under.yaml", "symptoms: [", "1,",
                                              "1]\n", times=127_990)),
        ("a knowledge file that size", ["consult", "--kb", str(big_kb), "--answers",
                                        str(ROOT / "examples" / "eyelid-coffee.yaml")]),
        ("5,000-digit number (YAML)", answers("digits.yaml", "age: " + "9" * 5000 + "\n")),
        ("5,000-digit number (JSON)", answers("digits.json", '{"age": ' + "9" * 5000 + "}")),
        ("nested 900 deep (YAML)", answers("deep.yaml", "age: " + "[" * 900 + "]" * 900)),
        ("nested 900 deep (JSON)", answers("deep.json", '{"age": ' + "[" * 900 + "]" * 900
                                           + "}")),
        ("a 500,000-character value", answers("long.yaml", "age: " + "x" * 500_000 + "\n")),
        ("10,000 unknown questions", answers("unknown.yaml", "", "".join(
            f"question_{i}: {i}\n" for i in range(10_000)))),
        ("duplicate keys (JSON)", answers("twice.json", '{"age": 40, "age": 50}')),
        ("huge session", ["explain", "--session", write("session.json", session),
                          "--how", "referral"]),
    ]


def measure(args: list[str]) -> tuple[int, float, float]:
    """(exit code, seconds, peak MB) of one fresh process."""
    twitchdx = str(Path(sys.executable).parent / "twitchdx")
    started = time.perf_counter()
    child = subprocess.Popen([twitchdx, *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, elapsed, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        cases = inputs(Path(tmp))
        baseline_args = ["consult", "--answers", str(ROOT / "examples" / "eyelid-coffee.yaml"),
                         "--format", "json"]
        measure(baseline_args)  # warm the knowledge cache, as any machine has after one run
        base = [measure(baseline_args) for _ in range(runs)]
        base_s = statistics.median(t for _, t, _ in base)
        print(f"{'input':<28} exit  {'time':>8} {'x base':>7} {'peak':>7}")
        print(f"{'good answers (baseline)':<28} {base[0][0]:>4}  {1000 * base_s:>6.0f}ms "
              f"{1.0:>6.1f}x {max(m for _, _, m in base):>5.0f}MB")
        failed = False
        for name, args in cases:
            results = []
            for _ in range(runs):
                # each run alternates with a baseline run, so drift touches both alike
                results.append(measure(args))
                base.append(measure(baseline_args))
            code = results[0][0]
            seconds = statistics.median(t for _, t, _ in results)
            peak = max(m for _, _, m in results)
            base_s = statistics.median(t for _, t, _ in base)
            bad = code != 2 or seconds > LIMIT_S or peak > LIMIT_MB
            failed |= bad
            print(f"{name:<28} {code:>4}  {1000 * seconds:>6.0f}ms {seconds / base_s:>6.1f}x "
                  f"{peak:>5.0f}MB{'  <-- over the target' if bad else ''}")
    print(f"target: every input exit 2, at most {LIMIT_S:g} s and {LIMIT_MB} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
