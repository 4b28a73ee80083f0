"""Answers: reading answers files, checking each value against its question.

An answers file maps question ids to answers (see the README).  A question left
out, or answered ``null`` / ``unknown``, is unknown: the engine reasons without
it and never takes it for "no".  Every bad value is reported, one line each,
naming the question and what it allows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import AnswerError, AnswerProblem, InputError
from ..fileio import read_text
from ..kb.jsonsource import parse_json
from ..kb.yamlsource import parse
from ..language.model import KnowledgeBase, Question
from ..language.truth import answers_oracle, evaluate
from ..text import brief, did_you_mean

UNKNOWN_WORDS = {"unknown", "?", "dont_know", "don't know"}
YES = {"yes", "y", "true"}
NO = {"no", "n", "false"}

Answers = dict[str, Any]  # question id -> value; None means explicitly unknown
MOST_PROBLEMS = 20  # reported one by one; a file with more is not an answers file
CHOICES_SHOWN = 8  # a message lists at most this many choices (and says where the rest are)


def read_answers_file(path: Path) -> Mapping[str, Any]:
    """Parse a YAML or JSON answers file into a raw mapping (not yet checked)."""
    text = read_text(path)
    data = parse_json(text, str(path)) if path.suffix.lower() == ".json" else parse(text,
                                                                                     str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = "list" if isinstance(data, list) else "single value"
        raise InputError(f"{path}: an answers file must map question ids to answers "
                         f"(question: answer), not be a {kind}")
    return data


def load_answers(kb: KnowledgeBase, path: Path) -> Answers:
    """An answers file read and checked: a question: answer map (YAML or JSON), or a FHIR
    QuestionnaireResponse (or a Bundle holding one) answering ``kb``'s Questionnaire."""
    raw = read_answers_file(path)
    if "resourceType" in raw:
        from ..fhir.response import answers_from_fhir

        raw = answers_from_fhir(kb, raw, str(path))
    return check_answers(kb, raw, str(path))


def check_answers(kb: KnowledgeBase, raw: Mapping[str, Any], source: str = "") -> Answers:
    """Validate and normalise every answer; raise AnswerError listing all the bad ones."""
    answers: Answers = {}
    problems: list[AnswerProblem] = []
    for index, (key, value) in enumerate(raw.items()):
        if len(problems) >= MOST_PROBLEMS:  # the first few say what is wrong; then count
            problems.append(AnswerProblem("", f"and {len(raw) - index:,} more answers not "
                                              "checked"))
            break
        question = kb.questions.get(str(key))
        if question is None:
            hint = did_you_mean(str(key), [q.id for q in kb.askable],
                                "; see `twitchdx questions`", quoted=True)
            problems.append(AnswerProblem("", f"unknown question {_shown(key)}{hint}"))
            continue
        if question.computed:
            inputs = ", ".join(q for q, _ in question.sum)
            problems.append(AnswerProblem(question.id, f"is computed from {inputs}; answer "
                                                       "those instead"))
            continue
        try:
            answers[question.id] = coerce(question, value)
        except AnswerProblem as problem:
            problems.append(problem.kept())
    if not problems:
        problems = contradictions(kb, answers)
    if problems:
        raise AnswerError(problems, source)
    return answers


def contradictions(kb: KnowledgeBase, answers: Mapping[str, Any]) -> list[AnswerProblem]:
    """Every constraint of the knowledge that these answers break."""
    oracle = answers_oracle(answers)
    return [AnswerProblem(", ".join(c.questions), c.message) for c in kb.constraints
            if evaluate(c.when, oracle).truth is True]


def is_unknown(value: Any) -> bool:
    """Whether an answer means unknown: null, or a word for it (never taken as no)."""
    return value is None or (isinstance(value, str) and value.strip().lower() in UNKNOWN_WORDS)


def coerce(question: Question, value: Any) -> Any:
    """The canonical form of an answer, or AnswerProblem saying what is allowed."""
    if is_unknown(value):
        return None
    reader = READERS.get(question.type)
    if reader is None:  # pragma: no cover - the schema allows no other type
        raise AnswerProblem(question.id, f"question type {question.type} cannot be answered")
    return reader(question, value)


def _boolean(question: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES | NO:
        return value.strip().lower() in YES
    raise _not_allowed(question, value)


def _numeric(question: Question, value: Any) -> float:
    number = _number(value)
    whole = question.type == "integer"
    if number is None or (whole and not float(number).is_integer()):
        raise _not_allowed(question, value)
    number = int(number) if whole else float(number)
    if (question.min is not None and number < question.min) or (
            question.max is not None and number > question.max):
        raise AnswerProblem(question.id, f"{_shown(value)} is out of range; expected "
                                         f"{question.allowed(CHOICES_SHOWN)}")
    return number


def _one_choice(question: Question, value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() in question.choice_ids:
        return value.strip().lower()
    raise _not_allowed(question, value)


def _choices(question: Question, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise _not_allowed(question, value)
    ids = question.choice_ids
    bad = [i for i in items if not isinstance(i, str) or i.strip().lower() not in ids]
    if bad:
        bad = list({repr(b): b for b in bad}.values())  # each wrong value once
        shown = ", ".join(_shown(b) + (did_you_mean(b.strip().lower(), ids,
                                                     quoted=True) if isinstance(b, str) else "")
                          for b in bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise AnswerProblem(question.id, f"{shown} {'is' if len(bad) == 1 else 'are'} "
                                         f"not allowed; expected "
                                         f"{question.allowed(CHOICES_SHOWN)}")
    chosen = {i.strip().lower() for i in items}
    return tuple([c for c in ids if c in chosen])  # canonical order


READERS = {"boolean": _boolean, "integer": _numeric, "number": _numeric,
           "choice": _one_choice, "multi": _choices}  # question type -> how its answer is read


def _not_allowed(question: Question, value: Any) -> AnswerProblem:
    hint = did_you_mean(value.strip().lower(), question.choice_ids, quoted=True) \
        if isinstance(value, str) and question.choices else ""
    return AnswerProblem(question.id, f"{_shown(value)}{hint} is not allowed; expected "
                                      f"{question.allowed(CHOICES_SHOWN)}")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) > 10 ** 15:
        return None  # no answer is this big, and a float cannot hold every such number
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        if len(value) > 40:
            return None
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _shown(value: Any) -> str:
    return brief(value)




def parse_typed(question: Question, text: str) -> Any:
    """An answer as typed at a prompt or in ``--set`` (numbers or names of choices,
    yes/no), in canonical form; AnswerProblem says what is expected."""
    text = text.strip()
    if question.type in ("choice", "multi"):
        if question.type == "multi" and text.lower() in ("none", "0", "-", "no"):
            return ()
        picked = []
        for token in [t for t in re.split(r"[,\s]+", text) if t]:
            picked.append(_choice(question, token))
        if not picked:
            raise AnswerProblem(question.id, "type a number or a name"
                                + (", or none" if question.type == "multi" else ""))
        if question.type == "choice" and len(picked) > 1:
            raise AnswerProblem(question.id, "choose exactly one")
        return coerce(question, picked[0] if question.type == "choice" else picked)
    if not text:
        raise AnswerProblem(question.id, f"expected {question.allowed()}")
    if question.type in ("integer", "number"):
        try:
            number = float(text)
        except ValueError:
            return coerce(question, text)
        return coerce(question, int(number) if number.is_integer() else number)
    return coerce(question, text)


def _choice(question: Question, token: str) -> str:
    number = int(token) if token.isdigit() else None
    ids = question.choice_ids
    if number is not None:
        if 1 <= number <= len(ids):
            return ids[number - 1]
        raise AnswerProblem(question.id, f"{token} is not a number from 1 to {len(ids)}")
    lowered = token.lower()
    if lowered in ids:
        return lowered
    matches = [c for c in ids if c.startswith(lowered)]
    if len(matches) == 1:
        return matches[0]
    hint = f"; did you mean {', '.join(matches)}?" if matches else did_you_mean(lowered, ids)
    raise AnswerProblem(question.id, f"{token!r} is not one of the choices{hint}")
