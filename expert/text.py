"""Small text helpers every layer shares: one way to show a value, wrap a line,
suggest a near miss, and turn an answer into plain JSON."""

from __future__ import annotations

import difflib
import shutil
import textwrap
from collections.abc import Iterable
from typing import Any

WIDTH = 78  # reports written to a file or a pipe: the same bytes on every machine


def terminal_width(fallback: int = WIDTH) -> int:
    """The width to wrap to on a terminal (at most 100 columns, so lines stay readable)."""
    return max(40, min(100, shutil.get_terminal_size((fallback, 24)).columns))


def wrap(text: str, indent: str = "", first: str | None = None, width: int = WIDTH) -> str:
    """``text`` filled to ``width``, every line indented (the first by ``first``)."""
    return textwrap.fill(text, width, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False)


def show(value: Any) -> str:
    """An answer or a number as people read it: yes/no, [a, b], 2.5, unknown."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | frozenset | set):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def plain(value: Any) -> Any:
    """An answer as JSON holds it: a tuple of choices becomes a list."""
    return list(value) if isinstance(value, tuple) else value


def did_you_mean(name: str, known: Iterable[str], fallback: str = "",
                 quoted: bool = False) -> str:
    """`` (did you mean X?)`` for a near miss among ``known``, else ``fallback``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not close:
        return fallback
    return f" (did you mean {close[0]!r}?)" if quoted else f" (did you mean {close[0]}?)"
