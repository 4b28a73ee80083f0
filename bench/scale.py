"""Benchmark: the engine at 10x and 100x the shipped knowledge, against CLIPS 6.4.

    python bench/scale.py [--factors 10 100] [--seed 1] [--consultations 20]

For each factor, generates synthetic rules of the shipped shape (tests/synthetic.py:
conditions over the real questions, chains of derived facts, rules reading
certainties) so that the knowledge has that many times the shipped rules, and
measures in one run:

* per consultation, twitchdx (engine and conclusions) and CLIPS running the same
  knowledge exported by `twitchdx kb export --format clips` on the same answers:
  milliseconds, firings, microseconds per firing of each, and the ratio (target
  <= 10x);
* a cold `twitchdx consult` of that knowledge in a fresh process, with the
  knowledge cache warm (target at 100x: <= 2 s);
* `twitchdx kb check` of that knowledge in a fresh process (target at 100x: <= 10 s).

Needs the test extra (clipspy).  Bytecode is written (as on a user's machine).  The
in-process timings run, as every twitchdx command does, with the long-lived objects
(knowledge, engine, CLIPS environment) out of the garbage collector's reach: else
each collection walks the whole rule base, and a firing's share of that grows with
the number of rules.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def timed_process(args: list[str], env: dict[str, str]) -> float:
    """Seconds a fresh twitchdx process takes; one that fails stops the benchmark."""
    twitchdx = str(Path(sys.executable).parent / "twitchdx")
    started = time.perf_counter()
    done = subprocess.run([twitchdx, *args], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, cwd=ROOT, env=env, check=False, text=True)
    if done.returncode != 0:
        raise SystemExit(f"twitchdx {' '.join(args)} failed: {done.stderr[-500:]}")
    return time.perf_counter() - started


def measure(factor: int, seed: int, consultations: int, folder: Path) -> dict[str, float]:
    from clips_oracle import ClipsOracle
    from synthetic import random_answers, write_extension

    from expert.consult.answers import check_answers
    from expert.consult.consultation import consult
    from expert.engine.engine import engine_for
    from expert.kb.loader import load_knowledge

    shipped = len(load_knowledge().rules)
    extension = write_extension(folder / f"x{factor}", shipped * (factor - 1), seed)
    env = {**os.environ, "TWITCHDX_CACHE": str(folder / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    check_s = timed_process(["kb", "check", "--kb", str(extension)], env)
    kb = load_knowledge((extension,))
    engine_for(kb)
    oracle = ClipsOracle(kb)
    gc.freeze()  # as the CLI does (cli.main): the collector never walks the rule base
    rng = random.Random(seed)
    answers = [check_answers(kb, random_answers(rng)) for _ in range(consultations)]
    ours, theirs, firings = [], [], 0
    consult(kb, answers[0])
    oracle.run(answers[0])
    for given in answers:  # alternately, so drift in the machine's load touches both alike
        started = time.perf_counter()
        result = consult(kb, given)
        ours.append(time.perf_counter() - started)
        firings += len(result.firings)
        started = time.perf_counter()
        oracle.play(given)  # reading its conclusions back through Python is not CLIPS
        theirs.append(time.perf_counter() - started)
    answers_file = folder / "answers.yaml"
    answers_file.write_text("".join(f"{q}: {list(v) if isinstance(v, tuple) else v}\n"
                                    for q, v in answers[0].items()).replace("'", ""))
    cold_args = ["consult", "--kb", str(extension), "--answers", str(answers_file),
                 "--format", "json"]
    timed_process(cold_args, env)  # warms the knowledge cache
    cold = statistics.median(timed_process(cold_args, env) for _ in range(3))
    KEPT.append(oracle)  # see main
    return {"rules": len(kb.rules), "ours_ms": 1000 * statistics.median(ours),
            "clips_ms": 1000 * statistics.median(theirs),
            "firings": firings / len(answers),
            "us_per_firing": 1e6 * sum(ours) / firings,
            "clips_us_per_firing": 1e6 * sum(theirs) / firings,
            "cold_s": cold, "check_s": check_s}


KEPT: list = []  # CLIPS environments: freeing one prints a warning on stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--consultations", type=int, default=20)
    args = parser.parse_args()
    print(f"{'rules':>7} {'twitchdx':>10} {'CLIPS':>9} {'ratio':>6} {'firings':>8} "
          f"{'us/firing':>9} {'(CLIPS)':>8} {'cold consult':>13} {'kb check':>9}")
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for factor in args.factors:
            m = measure(factor, args.seed, args.consultations, Path(tmp))
            ratio = m["ours_ms"] / m["clips_ms"]
            print(f"{m['rules']:>7} {m['ours_ms']:>8.1f}ms {m['clips_ms']:>7.1f}ms "
                  f"{ratio:>5.1f}x {m['firings']:>8.0f} {m['us_per_firing']:>9.0f} "
                  f"{m['clips_us_per_firing']:>8.0f} {m['cold_s']:>12.2f}s {m['check_s']:>8.1f}s")
            failed |= ratio > 10
            if factor >= 100:
                failed |= m["cold_s"] > 2 or m["check_s"] > 10
    print("targets: ratio <= 10x at every size; at 100x, cold consult <= 2 s and "
          "kb check <= 10 s")
    return 1 if failed else 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # without freeing the CLIPS environments: nothing to report, only noise
