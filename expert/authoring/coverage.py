"""``kb test``: the knowledge cases' results, and coverage that means tested.

A rule is covered only when a passing case asserts it: the case names it in
``fires:``, or fails when the rule's conclusions are taken away for one run (an
expected conclusion only it produces).  A rule that merely fires is not tested.
Coverage also lists the alternatives of ``any:`` no case takes, the questions no
case answers and the conclusions no case expects.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any, NamedTuple
from xml.sax.saxutils import escape, quoteattr

from ..consult.consultation import Result, consult, final_oracle
from ..language.conditions import All, AnyOf, Condition
from ..language.model import Effects, KnowledgeBase
from ..language.truth import evaluate
from .cases import Case
from .expectations import Failure, check, likeliest_first
from .mutation import Mutant


class Run(NamedTuple):
    case: Case
    result: Result
    failures: list[Failure]


class Coverage(NamedTuple):
    """How much of the knowledge the cases really test."""

    asserted: dict[str, str]  # rule -> a case that fails without it (or names it)
    unasserted: list[str]  # rules that fire in some case, but no case needs them
    unfired: list[str]  # rules no case fires
    branches: list[tuple[str, int, int]]  # (rule, any: item number, line) never taken
    questions: list[str]  # questions no case answers
    conclusions: list[str]  # conclusions no case expects
    total: int  # rules
    scope: frozenset[str] | None = None  # only these rules (an extension's), or all

    @property
    def percent(self) -> float:
        return 100.0 * len(self.asserted) / self.total if self.total else 100.0

    @property
    def percent_text(self) -> str:
        """Rounded down, so 202 of 203 never reads as 100%."""
        return f"{math.floor(self.percent * 10) / 10:g}%"


def coverage(kb: KnowledgeBase, runs: list[Run], scope: frozenset[str] | None = None
             ) -> Coverage:
    """Which rules the passing cases assert, and what they leave untouched; with
    ``scope``, of those rules only (an extension's own), and of the questions they read
    and the conclusions they reach."""
    rules = [r for r in kb.rules if scope is None or r.id in scope]
    passing = [run for run in runs if not run.failures]
    fired_in: dict[str, list[Run]] = {}
    for run in runs:
        for rule_id in dict.fromkeys(run.result.fired):
            fired_in.setdefault(rule_id, []).append(run)
    asserted: dict[str, str] = {}
    for run in passing:
        for rule_id in run.case.expect.get("fires", ()):
            if scope is None or rule_id in scope:
                asserted.setdefault(rule_id, run.case.id)
    for rule in rules:
        if rule.id in asserted:
            continue
        silenced = {rule.id: rule._replace(then=Effects())}
        for run in likeliest_first(fired_in.get(rule.id, ()), rule.then,
                                   lambda run: run.case.expect):
            if not run.failures and check(consult(kb, run.case.answers, overrides=silenced),
                                          run.case.expect):
                asserted[rule.id] = run.case.id
                break
    read = {q for r in rules for q in r.questions}
    return Coverage(
        asserted=asserted,
        unasserted=[r.id for r in rules if r.id in fired_in and r.id not in asserted],
        unfired=[r.id for r in rules if r.id not in fired_in],
        branches=[b for b in _branches(kb, runs, fired_in) if scope is None or b[0] in scope],
        questions=[q.id for q in kb.askable if (scope is None or q.id in read)
                   and not any(run.case.answers.get(q.id) is not None for run in runs)],
        conclusions=_unexpected(kb, [run.case for run in runs], rules if scope is not None
                                else None),
        total=len(rules), scope=scope)


def _branches(kb: KnowledgeBase, runs: list[Run],
              fired_in: dict[str, list[Run]]) -> list[tuple[str, int, int]]:
    """Items of ``any:`` (outside ``not``) that held in no case in which their rule fired:
    (rule, item number in the order written, line)."""
    untaken = []
    for rule in kb.rules:
        branches = list(_any_items(rule.when))
        if not branches or rule.id not in fired_in:  # a rule that never fires says so already
            continue
        oracles = [final_oracle(run.result) for run in fired_in.get(rule.id, ())]
        for number, item in enumerate(branches, 1):
            if not any(evaluate(item, oracle).truth is True for oracle in oracles):
                untaken.append((rule.id, number, getattr(item, "line", 0) or rule.line))
    return untaken


def _any_items(node: Condition) -> Iterator[Condition]:
    if isinstance(node, AnyOf):
        for item in node.items:
            yield item
            yield from _any_items(item)
    elif isinstance(node, All):
        for item in node.items:
            yield from _any_items(item)


def _concluded(rules: list[Any]) -> set[str]:
    """What these rules conclude, named as _unexpected names it."""
    out = set()
    for rule in rules:
        out |= {f"hypothesis {h}" for h, _ in rule.then.hypotheses}
        out |= {f"note {n}" for n, _ in rule.then.notes}
        out |= {f"test {t}" for t in rule.then.tests}
        if rule.then.referral:
            out.add(f"referral {rule.then.referral}")
    return out


def _unexpected(kb: KnowledgeBase, cases: list[Case], rules: list[Any] | None = None
                ) -> list[str]:
    expected: set[str] = set()
    for case in cases:
        expect = case.expect
        if "referral" in expect:
            expected.add(f"referral {expect['referral']}")
        for key in ("leading", "low", "at_least", "below"):
            expected |= {f"hypothesis {h}" for h in expect.get(key, ()) if h in kb.hypotheses}
        for key in ("notes", "notes_include", "notes_exclude", "at_least", "below"):
            expected |= {f"note {n}" for n in expect.get(key, ()) if n in kb.notes}
        for key in ("tests_include", "tests_exclude"):
            expected |= {f"test {t}" for t in expect.get(key, ())}
    every = ([f"referral {lv.id}" for lv in kb.levels]
             + [f"hypothesis {h}" for h in kb.hypotheses] + [f"note {n}" for n in kb.notes]
             + [f"test {t}" for t in kb.tests])
    within = _concluded(rules) if rules is not None else set(every)
    return [c for c in every if c not in expected and c in within]


def render_text(runs: list[Run], cover: Coverage, kb: KnowledgeBase,
                survivors: list[Mutant] | None = None) -> str:
    """Failures as expected/got pairs, then the coverage report."""
    lines = []
    for run in runs:
        if not run.failures:
            continue
        case = run.case
        lines.append(f"FAIL {case.id}  ({case.path}:{case.line})  {case.title}")
        for failure in run.failures:
            lines.append(f"  {failure.what}")
            lines.append(f"    - expected: {failure.expected}")
            lines.append(f"    + got:      {failure.got}")
    failed = sum(1 for run in runs if run.failures)
    lines.append(f"{len(runs) - failed} of {len(runs)} cases pass" + (
        f", {failed} fail" if failed else ""))
    scoped = " (of the extension's rules: --all for every rule)" \
        if cover.scope is not None else ""
    lines += ["", f"coverage{scoped}:",
              f"  rules a case asserts: {len(cover.asserted)} of {cover.total} "
              f"({cover.percent_text})"]
    for label, missing in (("fired but asserted by no case", cover.unasserted),
                           ("fired by no case", cover.unfired)):
        if missing:
            lines.append(f"    {label}: {', '.join(missing)}")
    lines.append(f"  any: branches no case takes: {len(cover.branches)}"
                 + (": " + ", ".join(f"{rule} #{n} (line {line})"
                                     for rule, n, line in cover.branches)
                    if cover.branches else ""))
    in_scope = [r for r in kb.rules if cover.scope is None or r.id in cover.scope]
    questions = len(kb.askable) if cover.scope is None else \
        len({q for r in in_scope for q in r.questions if q in kb.questions
             and not kb.questions[q].computed})
    conclusions = len(kb.levels) + len(kb.hypotheses) + len(kb.notes) + len(kb.tests) \
        if cover.scope is None else len(_concluded(in_scope))
    for label, missing, total in (
            ("questions no case answers", cover.questions, questions),
            ("conclusions no case expects", cover.conclusions, conclusions)):
        lines.append(f"  {label}: {len(missing)} of {total}"
                     + (": " + ", ".join(missing) if missing else ""))
    if survivors is not None:
        lines.append(f"  wrong edits no case notices (mutants): {len(survivors)}"
                     + (": " + ", ".join(f"{m.rule} ({m.change})" for m in survivors)
                        if survivors else ""))
    return "\n".join(lines) + "\n"


def report_data(runs: list[Run], cover: Coverage,
                survivors: list[Mutant] | None = None) -> dict[str, Any]:
    """``kb test --format json``."""
    return {
        "cases": [{"id": run.case.id, "path": run.case.path, "line": run.case.line,
                   "passed": not run.failures,
                   "failures": [{"what": f.what, "expected": str(f.expected),
                                 "got": str(f.got)} for f in run.failures]}
                  for run in runs],
        "passed": sum(1 for run in runs if not run.failures),
        "failed": sum(1 for run in runs if run.failures),
        "coverage": {"percent": math.floor(cover.percent * 10) / 10,
                     "asserted": len(cover.asserted), "rules": cover.total,
                     "asserted_by": cover.asserted,
                     "unasserted": cover.unasserted, "unfired": cover.unfired,
                     "branches": [{"rule": r, "branch": n, "line": line}
                                  for r, n, line in cover.branches],
                     "questions": cover.questions, "conclusions": cover.conclusions,
                     "scope": sorted(cover.scope) if cover.scope is not None else "all"},
        **({"mutants": [{"rule": m.rule, "change": m.change} for m in survivors]}
           if survivors is not None else {}),
    }


def junit(runs: list[Run]) -> str:
    """``kb test --format junit``: one testcase per knowledge case, for CI dashboards."""
    failed = sum(1 for run in runs if run.failures)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<testsuite name="twitchdx knowledge cases" tests="{len(runs)}" '
           f'failures="{failed}" errors="0">']
    for run in runs:
        case = run.case
        out.append(f"  <testcase classname={quoteattr(case.path)} name={quoteattr(case.id)}>")
        for failure in run.failures:
            out.append(f"    <failure message={quoteattr(failure.what)}>"
                       f"{escape(f'expected: {failure.expected}; got: {failure.got}')}"
                       "</failure>")
        out.append("  </testcase>")
    out.append("</testsuite>")
    return "\n".join(out) + "\n"
