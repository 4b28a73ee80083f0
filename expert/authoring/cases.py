"""Knowledge test cases: answers in, expected conclusions out, beside the rules.

A case file holds one case, an ``answers`` mapping and an ``expect`` block, and
sits beside the rule file it tests, as Semgrep's and Sigma's rule tests do: the
cases of ``rules/magnesium.yaml`` are ``rules/magnesium.cases/*.yaml``.  Cases
that test no one rule file may go in ``cases/``.
Every expectation is optional; each one that fails yields one line saying
what was expected and what the consultation gave.
"""


import os
from pathlib import Path
from typing import Any, NamedTuple

from ..consult.answers import check_answers
from ..consult.consultation import Result, consult
from ..errors import (
    AnswerError,
    DataFileError,
    InputError,
    KnowledgeError,
    Problem,
    UnreadableFile,
)
from ..fileio import read_text
from ..kb.loader import CASES
from ..kb.loader import case_files as folder_cases
from ..kb.yamlsource import LineDict, LineList, parse
from ..language.model import KnowledgeBase
from ..text import did_you_mean
from .expectations import Failure, check


class Case(NamedTuple):
    """One knowledge case: answers in, the conclusions a careful clinician expects out."""

    id: str
    title: str
    answers: dict[str, Any]
    expect: dict[str, Any]
    path: str
    line: int
    override: bool = False  # replaces an earlier folder's case with this id


def case_files(folders: list[Path]) -> list[Path]:
    """The case files of these knowledge folders: beside each rule file
    (``rules/magnesium.cases/``), then in ``cases/``; subfolders, .yaml or .yml."""
    return [p for folder in folders for p in folder_cases(folder)]


def load_cases(kb: KnowledgeBase, folders: list[Path]) -> list[Case]:
    """Read and check every case file of these knowledge folders (see load_case_files)."""
    return load_case_files(kb, case_files(folders))


def load_case_files(kb: KnowledgeBase, files: list[Path]) -> list[Case]:
    """Read and check these case files; KnowledgeError lists every problem of every file,
    each at the line of the thing it is about (an answer, an id in a list)."""
    from ..kb.builder import display_path
    from ..kb.validation import validate_text

    cases, problems = [], []
    for path in files:
        shown = display_path(path)
        try:
            text = read_text(path)
            data = parse(text, shown)
        except DataFileError as exc:
            problems.append(Problem(shown, exc.line, "", exc.problem))
            continue
        except UnreadableFile as exc:
            problems.append(Problem(shown, exc.line, "", exc.reason))
            continue
        found, bad = validate_text(text, data, "case", shown)
        problems += found
        if not isinstance(data, dict) or ("", None) in bad:
            continue
        ident = data["id"] if isinstance(data.get("id"), str) else ""
        answers = _answers(kb, data, shown, ident, problems)
        expect = data.get("expect")
        if isinstance(expect, dict) and ("expect", None) not in bad:
            problems += _unknown_ids(kb, expect, shown, ident)
        if not found and answers is not None:
            cases.append(Case(ident, data.get("title", ""), answers, dict(expect), shown,
                              data.line, data.get("override") is True))
    seen: dict[str, Case] = {}
    for case in cases:
        earlier = seen.get(case.id)
        if earlier and not case.override:
            problems.append(Problem(case.path, case.line, case.id,
                                    f"case id also used in {earlier.path}; to replace that "
                                    "case say override: true"))
        elif case.override and not earlier:
            problems.append(Problem(case.path, case.line, case.id, "override: true but no "
                                    "earlier case has this id" + did_you_mean(case.id, seen)))
        seen[case.id] = case
    cases = list(seen.values())  # an override takes the place of the case it replaces
    if problems:
        raise KnowledgeError(problems)
    return cases


def _answers(kb: KnowledgeBase, data: Any, path: str, ident: str,
             problems: list[Problem]) -> dict[str, Any] | None:
    """The case's answers, checked; each bad one reported at its own line."""
    raw = data.get("answers")
    if not isinstance(raw, dict):
        return None
    try:
        return check_answers(kb, raw)
    except AnswerError as exc:
        for problem in exc.problems:
            line = raw.line_of(problem.question.split(", ")[0]) if problem.question \
                else data.line_of("answers")
            problems.append(Problem(path, line, ident, str(problem)))
        return None


def _unknown_ids(kb: KnowledgeBase, expect: Any, path: str, ident: str) -> list[Problem]:
    known = {"leading": kb.hypotheses, "low": kb.hypotheses, "notes": kb.notes,
             "notes_include": kb.notes, "notes_exclude": kb.notes, "tests_include": kb.tests,
             "tests_exclude": kb.tests, "fires": kb.rules_by_id, "not_fires": kb.rules_by_id,
             "at_least": {**kb.hypotheses, **kb.notes}, "below": {**kb.hypotheses, **kb.notes},
             "advice_kinds_exclude": {kind.id: kind for kind in kb.advice_kinds},
             "referral": kb.level_rank}
    problems = []
    for key, ids in known.items():
        listed = expect.get(key, ())
        items = [listed] if isinstance(listed, str) else list(listed)
        for index, item in enumerate(items):
            if isinstance(item, str) and item not in ids:
                if isinstance(listed, LineList):
                    line = listed.line_of(index)
                elif isinstance(listed, LineDict):
                    line = listed.line_of(item)
                else:
                    line = expect.line_of(key)
                problems.append(Problem(path, line, ident, f"expect.{key}: unknown id {item}"
                                        + did_you_mean(item, ids)))
    return problems


def select(cases: list[Case], names: tuple[str, ...] = (), only: Path | None = None
           ) -> list[Case]:
    """The cases named from the folder ``only``; all when none given.  A name is a case id,
    a case file, a folder of cases, or a rule file (its cases beside it:
    ``rules/magnesium.yaml`` names ``rules/magnesium.cases/``).  A name that matches no
    case is an error, with a suggestion."""
    if only is not None:
        cases = _below(cases, only)
    if not names:
        return cases
    chosen = []
    for name in names:
        beside = Path(name).with_suffix(CASES)
        found = [c for c in cases if name in (c.id, c.path) or
                 os.path.realpath(c.path) == os.path.realpath(name)] or \
            (_below(cases, name) if Path(name).is_dir() else []) or \
            (_below(cases, beside) if Path(name).suffix in (".yaml", ".yml") and beside.is_dir()
             else [])
        if not found:
            raise InputError(f"no case {name!r}" + did_you_mean(name, [c.id for c in cases]))
        chosen += [c for c in found if c not in chosen]
    return chosen


def _below(cases: list[Case], folder: str | Path) -> list[Case]:
    root = Path(os.path.realpath(folder))
    return [c for c in cases if root in Path(os.path.realpath(c.path)).parents]


def run_case(kb: KnowledgeBase, case: Case) -> tuple[Result, list[Failure]]:
    """Consult on the case's answers and check every expectation."""
    result = consult(kb, case.answers)
    return result, check(result, case.expect)
