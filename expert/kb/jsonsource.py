"""JSON read with the same guarantees as YAML: one meaning per file, bounded size.

A key given twice is refused (``json`` would keep the last silently), numbers of
more than a few hundred digits stay text (Python refuses to convert them past
4,300 digits, and no answer needs them), and nesting too deep for the parser is
a plain error.  An empty file holds nothing, as an empty YAML file does.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import DataFileError
from .limits import MAX_DEPTH, MAX_VALUES, check_shape

LONGEST_NUMBER = 300  # digits; a longer one is kept as text, and refused where it is used


def parse_json(text: str, path: str) -> Any:
    """Parse a JSON document; every problem is a DataFileError naming ``path:line``."""
    if not text.strip():
        return None
    try:
        data = json.loads(text, object_pairs_hook=_unique, parse_int=_integer,
                          parse_float=_real)
    except json.JSONDecodeError as exc:
        raise DataFileError(path, exc.lineno, exc.msg, prefix="not valid JSON: ") from None
    except RecursionError:
        raise DataFileError(path, 0, "nested too deeply for JSON", prefix="") from None
    except _Duplicate as exc:
        raise DataFileError(path, _line_of_second(text, exc.key), f"key {exc.key!r} "
                            "appears twice in one object", prefix="not valid JSON: ") from None
    if len(text) <= MAX_VALUES and text.count("[") + text.count("{") < MAX_DEPTH:
        return data  # each value starts at a character of its own, and too few brackets
        # to nest past the limit: a batch record is read without walking it again
    return check_shape(data, path)


class _Duplicate(Exception):
    def __init__(self, key: str):
        self.key = key


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _Duplicate(key)
        data[key] = value
    return data


def _integer(text: str) -> int | str:
    return int(text) if len(text) <= LONGEST_NUMBER else text


def _real(text: str) -> float | str:
    return float(text) if len(text) <= LONGEST_NUMBER else text


def _line_of_second(text: str, key: str) -> int:
    """The line of the key's second appearance (the first, if it cannot be told apart)."""
    quoted = json.dumps(key)
    first = text.find(quoted)
    second = text.find(quoted, first + 1) if first >= 0 else -1
    at = second if second >= 0 else first
    return text.count("\n", 0, at) + 1 if at >= 0 else 0
