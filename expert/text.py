"""Small text helpers every layer shares: one way to show a value, wrap a line,
suggest a near miss, and turn an answer into plain JSON."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import Any

WIDTH = 78  # reports written to a file or a pipe: the same bytes on every machine


NARROWEST = 20  # columns: a terminal narrower than this is wrapped as if it were this wide


def terminal_width(fallback: int = WIDTH) -> int:
    """The width to wrap to on a terminal: its own, down to 20 columns (a phone, a split
    pane), and at most 100, so lines stay readable."""
    try:  # as shutil.get_terminal_size, which costs a cold start 2 ms to import
        columns = int(os.environ.get("COLUMNS", "0")) or \
            os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (AttributeError, ValueError, OSError):
        columns = fallback
    return fit_width(columns or fallback)


def fit_width(columns: int) -> int:
    return max(NARROWEST, min(100, columns))


def stderr_width() -> int | None:
    """The width to wrap to on the terminal stderr is (the dialogue's), or None when
    stderr is not a terminal."""
    try:
        return fit_width(os.get_terminal_size(sys.stderr.fileno()).columns) \
            if sys.stderr.isatty() else None
    except (AttributeError, ValueError, OSError):  # no stderr, or a closed one
        return None


def question_only(text: str) -> str:
    """A question's text without the instructions after it ("Choose all that apply."):
    how a list of answers names it."""
    asked, mark, _ = text.partition("?")
    return asked + mark if mark else text


def wrap(text: str, indent: str = "", first: str | None = None, width: int = WIDTH,
         whole_words: bool = False) -> str:
    """``text`` filled to ``width``, every line indented (the first by ``first``);
    ``whole_words`` never breaks a word longer than a line (a path stays copyable)."""
    import textwrap  # only text that is printed for a person needs it

    return textwrap.fill(text, width, initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=not whole_words)


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


def brief(value: Any, limit: int = 80, as_json: bool = True) -> str:
    """A value as an error message quotes it: text in quotes, data as JSON (or as Python
    writes it), never more than ``limit`` characters, so a pasted novel or a number of a
    thousand digits stays one short line."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 60:
        return f"a number of about {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        if isinstance(value, str) or not as_json:
            text = repr(value[:limit + 1] if isinstance(value, str) else value)
        else:
            import json

            text = json.dumps(value, default=str, ensure_ascii=False)
    except (ValueError, RecursionError, TypeError):
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def plain(value: Any) -> Any:
    """An answer as JSON holds it: a tuple of choices becomes a list."""
    return list(value) if isinstance(value, tuple) else value


def did_you_mean(name: str, known: Iterable[str], fallback: str = "",
                 quoted: bool = False) -> str:
    """`` (did you mean X?)`` for a near miss among ``known``, else ``fallback``."""
    import difflib  # only a near miss needs it

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    if not close:
        return fallback
    return f" (did you mean {close[0]!r}?)" if quoted else f" (did you mean {close[0]}?)"
