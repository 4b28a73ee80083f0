"""Answers: reading answers files, checking each value against its question.

An answers file maps question ids to answers (see the README).  A question left
out, or answered ``null`` / ``unknown``, is unknown: the engine reasons without
it and never takes it for "no".  Every bad value is reported, one line each,
naming the question and what it allows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputError
from .model import KnowledgeBase, Question
from .yamlsource import parse, read_text

UNKNOWN_WORDS = {"unknown", "?", "dont_know", "don't know"}
YES = {"yes", "y", "true"}
NO = {"no", "n", "false"}

Answers = dict[str, Any]  # question id -> value; None means explicitly unknown


class AnswerError(InputError):
    """One or more answers are not acceptable; ``problems`` lists each."""

    def __init__(self, problems: list[str], source: str = ""):
        self.problems = problems
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + p for p in problems))


def read_answers_file(path: Path) -> Mapping[str, Any]:
    """Parse a YAML or JSON answers file into a raw mapping (not yet checked)."""
    text = read_text(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    else:
        data = parse(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        raise InputError(f"{path}: an answers file must map question ids to answers "
                         f"(question: answer), not be a {kind}")
    return data


def check_answers(kb: KnowledgeBase, raw: Mapping[str, Any], source: str = "") -> Answers:
    """Validate and normalise every answer; raise AnswerError listing all the bad ones."""
    answers: Answers = {}
    problems: list[str] = []
    for key, value in raw.items():
        question = kb.questions.get(str(key))
        if question is None:
            problems.append(f"unknown question {key!r}{_suggest(str(key), kb)}")
            continue
        if question.computed:
            inputs = ", ".join(q for q, _ in question.sum)
            problems.append(f"{key} is computed from {inputs}; answer those instead")
            continue
        try:
            answers[question.id] = coerce(question, value)
        except ValueError as exc:
            problems.append(str(exc))
    if not problems:
        problems = contradictions(kb, answers)
    if problems:
        raise AnswerError(problems, source)
    return answers


def contradictions(kb: KnowledgeBase, answers: Mapping[str, Any]) -> list[str]:
    """One line per constraint of the knowledge that these answers break."""
    from .conditions import answers_oracle, evaluate

    oracle = answers_oracle(answers)
    return [f"{', '.join(c.questions)}: {c.message}" for c in kb.constraints
            if evaluate(c.when, oracle).truth is True]


def _suggest(key: str, kb: KnowledgeBase) -> str:
    import difflib

    close = difflib.get_close_matches(key, [q.id for q in kb.askable], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else "; see `twitchdx questions`"


def is_unknown(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS)


def coerce(question: Question, value: Any) -> Any:
    """The canonical form of an answer, or ValueError saying what is allowed."""
    if is_unknown(value):
        return None
    wrong = ValueError(f"{question.id}: {_show(value)} is not allowed; expected "
                       f"{question.allowed()}")
    kind = question.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in YES | NO:
            return value.strip().lower() in YES
        raise wrong
    if kind in ("integer", "number"):
        number = _number(value)
        if number is None or (kind == "integer" and not float(number).is_integer()):
            raise wrong
        number = int(number) if kind == "integer" else float(number)
        if (question.min is not None and number < question.min) or (
                question.max is not None and number > question.max):
            raise ValueError(f"{question.id}: {_show(value)} is out of range; expected "
                             f"{question.allowed()}")
        return number
    if kind == "choice":
        if isinstance(value, str) and value.strip() in question.choice_ids:
            return value.strip()
        raise wrong
    if kind == "multi":
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            raise wrong
        bad = [i for i in items if not isinstance(i, str) or i.strip() not in question.choice_ids]
        if bad:
            raise ValueError(f"{question.id}: {', '.join(_show(b) for b in bad)} "
                             f"{'is' if len(bad) == 1 else 'are'} not allowed; expected "
                             f"{question.allowed()}")
        chosen = {i.strip() for i in items}
        return tuple(c for c in question.choice_ids if c in chosen)  # canonical order
    raise ValueError(f"{question.id}: question type {kind} cannot be answered")  # pragma: no cover


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else json.dumps(value, default=str)


def with_computed(kb: KnowledgeBase, answers: Answers) -> Answers:
    """Answers plus every computed value whose inputs are (at least partly) answered.

    A computed value sums the answered inputs: drinks left unanswered add nothing
    to the caffeine estimate, and the report lists them as unknown.
    """
    full = dict(answers)
    for question in kb.questions.values():
        if question.computed:
            known = [(q, w) for q, w in question.sum if full.get(q) is not None]
            full[question.id] = round(sum(full[q] * w for q, w in known), 3) if known else None
    return full
