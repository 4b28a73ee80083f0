"""``twitchdx kb check``: every problem of a set of knowledge folders, at once.

Loading problems (schema, references, strata), then what lint finds in a base
that loads, then the case files: one list, sorted by file and line.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import KnowledgeError, Problem
from ..kb import safety
from ..kb.builder import build
from ..kb.loader import all_files, knowledge_dirs, read_knowledge
from ..language.model import KnowledgeBase
from .cases import load_cases
from .lint import lint


def check_knowledge(extra: tuple[str | Path, ...] = ()
                    ) -> tuple[list[Problem], KnowledgeBase | None]:
    """Everything ``kb check`` reports, and the base when it loads at all."""
    dirs = knowledge_dirs(extra)
    try:
        files = all_files(dirs)
    except KnowledgeError as exc:  # a folder that cannot be read: nothing more to check
        return exc.problems, None
    kb, problems = build(read_knowledge(files))
    if kb is None:
        return sorted(set(problems)), None
    problems += safety.check(kb)
    problems += lint(kb)
    try:
        load_cases(kb, dirs)
    except KnowledgeError as exc:
        problems += exc.problems
    return sorted(set(problems)), kb
