"""How errors are said on stderr: each problem on its line, a screenful at most unless
all are asked for, a file's problems under one heading, JSON for a command asked for
JSON."""

from __future__ import annotations

import json
import os

from expert.errors import TwitchdxError

ERRORS_SHOWN = 10  # problems printed by default: a screenful, with how many more there are


def error_lines(exc: TwitchdxError, line: list[str], every: bool = False) -> list[str]:
    """The lines stderr says of ``exc``; ``line`` is the command line after ``twitchdx``
    (its ``--format`` decides JSON), ``every`` (--all-errors, or TWITCHDX_ALL_ERRORS=1)
    lifts the limit."""
    problems = str(exc).splitlines() or [exc.__class__.__name__]
    if _asks_json(line):
        return [json.dumps({"error": {"exit_code": exc.exit_code, "count": len(problems),
                                      "problems": problems}}, ensure_ascii=False)]
    every = every or os.environ.get("TWITCHDX_ALL_ERRORS", "") not in ("", "0")
    source = getattr(exc, "source", "")
    lines = []
    if source and len(problems) > 1:
        lines.append(f"{source}: {len(problems)} problems:")
        problems = ["  " + p.removeprefix(f"{source}: ") for p in problems]
    shown = problems if every else problems[:ERRORS_SHOWN]
    lines += shown
    if len(shown) < len(problems):
        lines.append(f"... and {len(problems) - len(shown)} more (--all-errors shows every "
                     "one)")
    return [f"twitchdx: error: {said}" for said in lines]


def _asks_json(line: list[str]) -> bool:
    for index, word in enumerate(line):
        if word in ("--format=json", "--format=fhir"):
            return True
        if word == "--format" and line[index + 1:index + 2] in (["json"], ["fhir"]):
            return True
    return False
