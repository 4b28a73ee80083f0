"""Mutation testing of one module against its own unit tests.

    python tools/mutants.py expert/language/certainty.py            # every mutant
    python tools/mutants.py expert/consult/planner.py --sample 40 --seed 3
    python tools/mutants.py expert/engine/agenda.py --tests tests/test_agenda.py -v

Each mutant changes one thing the way a slip would (a comparison flipped or
loosened, ``and`` for ``or``, a number off by one, a string or a boolean
changed, ``min`` for ``max``, a returned value dropped, a call statement
removed, ``break`` for ``continue``) and the module's tests run against it: a
test run that fails kills the mutant; one that passes lets it survive, which is
behaviour no test asserts.  The score is killed / all; survivors are printed
with their line so they can be read, and tested or judged equivalent.

The mutant is compiled from the changed syntax tree with the original line
numbers and put in place of the module by an import hook (``-p mutant_hook``)
inside a fresh pytest process, so the working tree is never written and mutants
run in parallel.  mutmut and cosmic-ray mutate whole trees and keep state
between runs; this asks one question of one module's tests, in seconds.

The tests of ``expert/x/name.py`` are ``tests/test_name.py`` unless ``--tests``
says otherwise; the quick ones only, unless ``--slow``.  Exit status: 0, or 1 when
``--fail-under PCT`` is not met.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent

FLIPPED = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
           ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
           ast.Is: ast.IsNot, ast.IsNot: ast.Is}
ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
              ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.BitOr: ast.BitAnd,
              ast.BitAnd: ast.BitOr, ast.Pow: ast.Mult}
SYMBOL = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
          ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is",
          ast.IsNot: "is not", ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/",
          ast.FloorDiv: "//", ast.Mod: "%", ast.BitOr: "|", ast.BitAnd: "&", ast.Pow: "**",
          ast.And: "and", ast.Or: "or"}
SWAPPED_CALLS = {"min": "max", "max": "min", "any": "all", "all": "any"}


class Mutant(NamedTuple):
    index: int
    line: int
    what: str


class Mutator(ast.NodeTransformer):
    """Walks a module in a fixed order, numbering every place a slip could happen;
    changes the place numbered ``target`` (none when it is -1)."""

    def __init__(self, target: int = -1):
        self.target = target
        self.found: list[Mutant] = []

    def _offer(self, node: ast.AST, what: str, change: Callable[[], ast.AST]) -> ast.AST:
        index = len(self.found)
        self.found.append(Mutant(index, getattr(node, "lineno", 0), what))
        return change() if index == self.target else node

    # -- what is never mutated: docstrings, annotations, the module's imports
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.args = self.visit(node.args)
        node.body = self._body(node.body)
        node.decorator_list = [self.visit(d) for d in node.decorator_list]
        return node

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def visit_Module(self, node: ast.Module) -> ast.AST:
        node.body = self._body(node.body)
        return node

    def _body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant) and isinstance(
            body[0].value.value, str) else 0
        return body[:start] + [self.visit(stmt) for stmt in body[start:]]

    def visit_arg(self, node: ast.arg) -> ast.AST:
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_Import(self, node: ast.Import) -> ast.AST:
        return node

    visit_ImportFrom = visit_Import  # type: ignore[assignment]

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return node  # an f-string's parts: its values are mutated where they are computed

    # -- the slips
    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        for position, op in enumerate(node.ops):
            flipped = FLIPPED.get(type(op))
            if flipped is None:
                continue

            def change(position: int = position, flipped: type = flipped) -> ast.AST:
                node.ops[position] = flipped()
                return node

            self._offer(node, f"{SYMBOL[type(op)]} -> {SYMBOL[flipped]}", change)
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        return self._arithmetic(node, "")

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        return self._arithmetic(node, "=")

    def _arithmetic(self, node: ast.BinOp | ast.AugAssign, suffix: str) -> ast.AST:
        """``a + b`` as ``a - b`` (and ``+=`` as ``-=``), and so on."""
        self.generic_visit(node)
        other = ARITHMETIC.get(type(node.op))
        if other is None:
            return node

        def change() -> ast.AST:
            node.op = other()
            return node

        label = f"{SYMBOL[type(node.op)]}{suffix} -> {SYMBOL[other]}{suffix}"
        return self._offer(node, label, change)

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.AST:
        self.generic_visit(node)
        other = ast.Or if isinstance(node.op, ast.And) else ast.And

        def change() -> ast.AST:
            node.op = other()
            return node

        return self._offer(node, f"{SYMBOL[type(node.op)]} -> {SYMBOL[other]}", change)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return self._offer(node, "not x -> x", lambda: node.operand)
        if isinstance(node.op, ast.USub):
            return self._offer(node, "-x -> x", lambda: node.operand)
        return node

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        value = node.value
        if isinstance(value, bool):
            return self._offer(node, f"{value} -> {not value}",
                               lambda: ast.copy_location(ast.Constant(not value), node))
        if isinstance(value, int | float):
            bumped = value + 1
            return self._offer(node, f"{value!r} -> {bumped!r}",
                               lambda: ast.copy_location(ast.Constant(bumped), node))
        if isinstance(value, str) and value:
            return self._offer(node, f"{value[:20]!r} -> 'XX'+...",
                               lambda: ast.copy_location(ast.Constant("XX" + value), node))
        return node

    def visit_Return(self, node: ast.Return) -> ast.AST:
        self.generic_visit(node)
        if node.value is None or (isinstance(node.value, ast.Constant)
                                  and node.value.value is None):
            return node

        def change() -> ast.AST:
            node.value = ast.copy_location(ast.Constant(None), node)
            return node

        return self._offer(node, "return x -> return None", change)

    def visit_Expr(self, node: ast.Expr) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.value, ast.Call):
            return node
        return self._offer(node, "call removed", lambda: ast.copy_location(ast.Pass(), node))

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in SWAPPED_CALLS:
            other = SWAPPED_CALLS[node.func.id]

            def change() -> ast.AST:
                node.func = ast.copy_location(ast.Name(other, ast.Load()), node.func)
                return node

            return self._offer(node, f"{node.func.id}() -> {other}()", change)
        return node

    def visit_Break(self, node: ast.Break) -> ast.AST:
        return self._offer(node, "break -> continue",
                           lambda: ast.copy_location(ast.Continue(), node))

    def visit_Continue(self, node: ast.Continue) -> ast.AST:
        return self._offer(node, "continue -> break",
                           lambda: ast.copy_location(ast.Break(), node))


def mutants(source: str) -> list[Mutant]:
    """Every mutant of a module's source, numbered in a fixed order."""
    walker = Mutator()
    walker.visit(ast.parse(source))
    return walker.found


def mutated(source: str, index: int, filename: str) -> Any:
    """The code object of mutant ``index``, with the original line numbers."""
    walker = Mutator(index)
    tree = ast.fix_missing_locations(walker.visit(ast.parse(source)))
    return compile(tree, filename, "exec")


def module_name(path: Path) -> str:
    parts = path.resolve().relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def default_tests(path: Path) -> list[str]:
    return [str(ROOT / "tests" / f"test_{path.stem}.py")]


def run(path: Path, tests: list[str], index: int | None, timeout: float,
        marks: str = "not slow") -> tuple[str, float]:
    """'killed', 'survived' or 'timeout' (a killed mutant too), and seconds taken."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tools"), str(ROOT / "tests"),
                                                        str(ROOT)]),
           "TWITCHDX_MUTANT": f"{module_name(path)}:{path.resolve()}:{index}"}
    if index is None:
        env.pop("TWITCHDX_MUTANT")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p",
               "no:xdist", "-p", "mutant_hook", "--no-header", "-o", "addopts=", "-m", marks,
               *tests]
    started = time.monotonic()
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    if index is None and done.returncode != 0:
        sys.exit(f"the tests fail without any mutant:\n{done.stdout[-2000:]}")
    return ("survived" if done.returncode == 0 else "killed"), time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", type=Path)
    parser.add_argument("--tests", nargs="+", help="test files (default tests/test_NAME.py)")
    parser.add_argument("--sample", type=int, help="run this many mutants, chosen at random")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--fail-under", type=float, default=0.0, metavar="PCT")
    parser.add_argument("--slow", action="store_true",
                        help="run the module's slow tests too (differential, property)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list killed ones too")
    args = parser.parse_args(argv)
    path = args.module
    tests = args.tests or default_tests(path)
    every = mutants(path.read_text())
    chosen = every if args.sample is None or args.sample >= len(every) else sorted(
        random.Random(args.seed).sample(every, args.sample))
    marks = "" if args.slow else "not slow"
    _, baseline = run(path, tests, None, timeout=600, marks=marks)
    timeout = max(10.0, baseline * 5)
    print(f"{path}: {len(chosen)} of {len(every)} mutants against {' '.join(tests)} "
          f"(clean run {baseline:.1f} s)")
    with ThreadPoolExecutor(args.jobs) as pool:
        outcomes = list(pool.map(lambda m: run(path, tests, m.index, timeout, marks)[0],
                                 chosen))
    lines = path.read_text().splitlines()
    for mutant, outcome in zip(chosen, outcomes, strict=True):
        if outcome == "survived" or args.verbose:
            code = lines[mutant.line - 1].strip() if mutant.line else ""
            print(f"  {outcome:8} {path}:{mutant.line}: {mutant.what}   | {code[:70]}")
    killed = sum(outcome != "survived" for outcome in outcomes)
    score = 100.0 * killed / len(chosen) if chosen else 100.0
    print(f"score: {killed}/{len(chosen)} killed ({score:.0f}%)")
    return 1 if score < args.fail_under else 0


if __name__ == "__main__":
    sys.exit(main())
