"""``twitchdx kb check``: every problem of a set of knowledge folders, at once.

Loading problems (schema, references, strata); once they are fixed, the verifier
and the safety proofs; what lint finds; then the case files: one list, sorted by
file and line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import KnowledgeError, Problem, UnreadableFile
from ..fileio import read_text
from ..kb import safety
from ..kb.builder import build, display_path
from ..kb.loader import all_files, knowledge_dirs
from ..kb.verify import double_counting
from ..language.model import KnowledgeBase
from .cases import load_cases
from .lint import lint


def check_knowledge(extra: tuple[str | Path, ...] = (), package: bool = True
                    ) -> tuple[list[Problem], KnowledgeBase | None]:
    """Everything ``kb check`` reports, and the base when it loads at all."""
    dirs = knowledge_dirs(extra, package)
    try:
        files = all_files(dirs)
    except KnowledgeError as exc:  # a folder that cannot be read: nothing more to check
        return exc.problems, None
    texts, unread = [], []
    for kind, path in files:
        try:
            texts.append((kind, path, read_text(path)))
        except UnreadableFile as exc:
            unread.append(Problem(display_path(path), exc.line, "", exc.reason))
    if unread:  # a missing file would be reported as holes it leaves: say only why
        return unread, None
    kb, problems = build(texts)
    if kb is None:
        return sorted(set(problems)), None
    if not any(p.severity == "error" for p in problems):  # counting over a base with holes
        problems += double_counting(kb)  # would blame the holes
    problems += safety.check(kb)  # never hidden behind other problems
    problems += lint(kb)
    try:
        load_cases(kb, dirs)
    except KnowledgeError as exc:
        problems += exc.problems
    return sorted(set(problems)), kb


def counts(problems: list[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(1 for p in problems if p.severity == "error")
    return errors, len(problems) - errors


def summary(problems: list[Problem], kb: KnowledgeBase | None) -> str:
    """The last line ``kb check`` says: ok, or how many errors and warnings."""
    errors, warnings = counts(problems)
    said = [f"{n} {word}{'s' if n != 1 else ''}" for n, word in ((errors, "error"),
                                                                  (warnings, "warning")) if n]
    if errors or kb is None:
        return "kb check: " + ", ".join(said or ["the knowledge did not load"])
    base = f"{kb.version}: {len(kb.rules)} rules, {len(kb.askable)} questions"
    return f"kb check: ok ({base})" + (f" with {said[0]}" if said else "")


def problems_data(problems: list[Problem], kb: KnowledgeBase | None) -> dict[str, Any]:
    """``kb check --format json``."""
    errors, warnings = counts(problems)
    return {"problems": [{"path": p.path, "line": p.line, "rule": p.rule,
                          "severity": p.severity, "check": p.check, "message": p.message}
                         for p in problems],
            "errors": errors, "warnings": warnings,
            "knowledge": {"version": kb.version} if kb else None}


def sarif(problems: list[Problem]) -> dict[str, Any]:
    """``kb check --format sarif``: SARIF 2.1.0, so editors and code scanning show each
    problem inline at its file and line."""
    checks = sorted({p.check for p in problems})
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "twitchdx kb check", "version": __version__,
                "rules": [{"id": check, "shortDescription": {"text": check.replace("-", " ")}}
                          for check in checks]}},
            "results": [{
                "ruleId": p.check, "ruleIndex": checks.index(p.check),
                "level": "error" if p.severity == "error" else "warning",
                "message": {"text": f"{p.rule}: {p.message}" if p.rule else p.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": Path(p.path).as_posix()},
                    **({"region": {"startLine": p.line}} if p.line else {})}}],
            } for p in problems],
        }],
    }
