"""The references a rule makes, checked against what the files define.

Question ids, the values a test compares an answer with (choices, numbers,
yes/no), catalog ids, sources and reference facts: each unknown one is reported
at its line with a "did you mean".  The checks of a test's values are one small
function per kind of question.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..language.conditions import OPERATORS, Ask, Belief
from ..language.forms import leaves
from ..language.model import Question, RuleDef
from ..text import did_you_mean

SINGULAR = {"hypotheses": "hypothesis", "notes": "note", "tests": "test"}
Report = Callable[[int, str], None]  # (line, message)
LISTS = ("in", "includes_any", "includes_all", "between")


def check_rule(b: Any, rule: RuleDef) -> None:
    """References a rule makes must exist and fit: questions, values, catalog ids, sources."""
    report = lambda line, msg: b.problem(rule.path, line or rule.line, rule.id, msg)  # noqa: E731
    for leaf in leaves(rule.when):
        if isinstance(leaf, Ask):
            check_ask(b.questions, leaf, report)
        elif isinstance(leaf, Belief) and leaf.hypothesis not in b.catalog["hypotheses"]:
            report(leaf.line, f"unknown hypothesis {leaf.hypothesis}"
                   + did_you_mean(leaf.hypothesis, b.catalog["hypotheses"]))
    for advice in rule.then.advice:
        if advice.kind not in b.advice_kinds:
            report(rule.line_of("then"), f"unknown advice kind {advice.kind}; kinds: "
                   + ", ".join(b.advice_kinds) + did_you_mean(advice.kind, b.advice_kinds))
    believed = [h for h, _ in rule.then.hypotheses] + [h for h, _ in rule.then.ceilings]
    for section, key, ids in (("hypotheses", "hypothesis", believed),
                              ("notes", "note", [n for n, _ in rule.then.notes]),
                              ("tests", "tests", rule.then.tests)):
        for ident in ids:
            if ident not in b.catalog[section]:
                report(rule.line_of_item(key, ident), f"unknown {SINGULAR[section]} {ident}"
                       + did_you_mean(ident, b.catalog[section]))
    if rule.then.referral and rule.then.referral not in b.levels:
        report(rule.line_of("then"), f"unknown referral level {rule.then.referral}"
               + did_you_mean(rule.then.referral, b.levels))
    for source in rule.sources:
        if source not in b.sources:
            report(rule.line_of_item("sources", source), f"source {source} is not in the "
                   "reference" + did_you_mean(source, b.sources))
    for fact_id in rule.evidence:
        if fact_id not in b.evidence:
            report(rule.line_of_item("evidence", fact_id), f"evidence {fact_id} is not a fact "
                   "of the reference" + did_you_mean(fact_id, b.evidence))


def check_ask(questions: dict[str, Question], leaf: Ask, report: Report) -> None:
    """A test on an answer: its question exists, its operator fits the question's type,
    and what it compares with is something that question can be answered."""
    question = questions.get(leaf.question)
    if question is None:
        report(leaf.line, f"unknown question {leaf.question}"
               + did_you_mean(leaf.question, questions))
        return
    if leaf.on_presence:
        _presence(question, leaf, report)
        return
    if question.type not in OPERATORS[leaf.op]:
        fitting = [op for op, types in OPERATORS.items() if question.type in types]
        report(leaf.line, f"{leaf.op} does not apply to {leaf.question} ({question.type}); "
               f"use {', '.join(fitting)}")
        return
    if leaf.op in LISTS and not isinstance(leaf.value, tuple):
        report(leaf.line, f"{leaf.op} needs a list")
    VALUES[question.type](question, leaf, report)


def _presence(question: Question, leaf: Ask, report: Report) -> None:
    if not isinstance(leaf.value, bool):
        report(leaf.line, f"answered needs true or false, not {leaf.value!r}")
    elif question.computed:
        report(leaf.line, f"{leaf.question} is computed: test whether its inputs are "
               "answered instead")


def _listed(leaf: Ask) -> tuple[Any, ...]:
    return leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)


def _count(leaf: Ask, low: int, high: int | None, report: Report, words: str) -> bool:
    """Whether a count is a whole number within [low, high]; reported when it is not."""
    count = leaf.value[0] if leaf.op == "includes_at_least" else leaf.value
    whole = isinstance(count, int) and not isinstance(count, bool)
    if whole and count >= low and (high is None or count <= high):
        return True
    report(leaf.line, words)
    return False


def _choices(question: Question, leaf: Ask, report: Report) -> None:
    if leaf.op == "count_at_least":
        _count(leaf, 1, None, report, "count_at_least needs a whole number of at least 1")
        return
    values = _listed(leaf)
    if leaf.op == "includes_at_least":
        values = leaf.value[1]
        _count(leaf, 1, len(values), report,
               f"includes_at_least count must be from 1 to {len(values)}")
    for value in values:
        if value not in question.choice_ids:
            report(leaf.line, f"{value!r} is not a choice of {leaf.question}; choices: "
                   + ", ".join(question.choice_ids)
                   + did_you_mean(str(value), question.choice_ids))


def _yes_no(question: Question, leaf: Ask, report: Report) -> None:
    if not isinstance(leaf.value, bool):
        report(leaf.line, f"{leaf.question} is yes/no: test it with true or false, "
               f"not {leaf.value!r}")


def _numbers(question: Question, leaf: Ask, report: Report) -> None:
    values = _listed(leaf)
    if any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
        report(leaf.line, f"{leaf.question} is numeric: {leaf.value!r} is not a number")
    elif leaf.op == "between" and (len(values) != 2 or values[0] > values[1]):
        report(leaf.line, f"between needs [low, high] with low <= high, not {list(values)}")


VALUES: dict[str, Callable[[Question, Ask, Report], None]] = {
    "choice": _choices, "multi": _choices, "boolean": _yes_no, "integer": _numbers,
    "number": _numbers}  # question type -> how the values a test compares with are checked
