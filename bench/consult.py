"""Benchmark: consultations per second, and the cold CLI against the import floor.

    python bench/consult.py [--n 200] [--runs 15]

1. Warm: builds the engine once, then runs N consultations over every shipped
   example answers file and reports consultations/s and ms per consultation.
2. Cold: times `twitchdx consult --answers examples/eyelid-coffee.yaml --format json`
   as a fresh process against the import floor, a process that only imports
   experta (through expert.engine.compat: plain `import experta` fails on Python 3.11),
   click and yaml.  The two run alternately, --runs times each: the ratio is the
   median of each pair's (the machine's speed drifts; a pair's two runs see the same
   speed), beside the two medians.  The target is at most +30%.

The knowledge cache is warmed first, as it is on any machine after the first run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def warm(n: int) -> tuple[float, float, float]:
    from expert.consult.answers import load_answers
    from expert.consult.consultation import consult
    from expert.engine.engine import engine_for
    from expert.kb.loader import load_knowledge

    kb = load_knowledge()
    start = time.perf_counter()
    engine_for(kb)
    build = time.perf_counter() - start
    files = sorted((ROOT / "examples").glob("*"))
    answers = [load_answers(kb, p) for p in files]
    consult(kb, answers[0])
    start = time.perf_counter()
    for i in range(n):
        consult(kb, answers[i % len(answers)])
    elapsed = time.perf_counter() - start
    return build, n / elapsed, 1000 * elapsed / n


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)
    return 1000 * (time.perf_counter() - start)


def cold(runs: int) -> tuple[float, float, float]:
    """Median times of the floor and the CLI, and the median of each pair's ratio, run
    alternately so that drift in the machine's load touches both alike.  Each
    consultation is kept in the history, as a user's is, but in a folder of the
    benchmark's own: never in the user's."""
    twitchdx = shutil.which("twitchdx") or str(Path(sys.executable).parent / "twitchdx")
    cli = [twitchdx, "consult", "--answers", "examples/eyelid-coffee.yaml", "--format", "json"]
    floor = [sys.executable, "-c", "import expert.engine.compat, click, yaml"]
    with tempfile.TemporaryDirectory() as sessions:
        env = {**os.environ, "TWITCHDX_SESSIONS": sessions}
        subprocess.run(cli, check=True, stdout=subprocess.DEVNULL, cwd=ROOT, env=env)  # warm
        floors, clis = [], []  # the caches
        for _ in range(runs):
            floors.append(timed(floor, env))
            clis.append(timed(cli, env))
    ratios = [cli / floor for floor, cli in zip(floors, clis, strict=True)]
    return statistics.median(floors), statistics.median(clis), statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="warm consultations")
    parser.add_argument("--runs", type=int, default=41, help="cold runs of each command")
    args = parser.parse_args()
    from expert.kb.loader import load_knowledge

    rules = len(load_knowledge().rules)
    build, per_second, per_ms = warm(args.n)
    print(f"knowledge: {rules} rules")
    print(f"engine build (once per process): {1000 * build:.1f} ms")
    print(f"warm: {per_second:.0f} consultations/s, {per_ms:.2f} ms per consultation")
    floor, cli, ratio = cold(args.runs)
    print(f"cold: import floor {floor:.1f} ms, twitchdx consult {cli:.1f} ms (medians); "
          f"+{100 * (ratio - 1):.0f}% by the median pair (target +30%)")


if __name__ == "__main__":
    main()
