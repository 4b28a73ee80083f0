"""How much a data file may hold, checked before anything walks it.

YAML aliases let 500 bytes stand for a billion values, and both YAML and JSON nest
as deep as a file likes.  The parser builds an alias's values once and shares
them, so a file is cheap to parse; what costs is everything after, which walks
them all.  So every parsed file is counted first, on an explicit stack and with a
budget, and refused (exit 2) when it holds too much: no check, message or report
ever walks more than this.
"""

from __future__ import annotations

from typing import Any

from ..errors import DataFileError

MAX_VALUES = 100_000  # the whole shipped knowledge holds about 30,000
MAX_DEPTH = 64  # a rule's condition nests about 12 deep


def check_shape(data: Any, path: str) -> Any:
    """``data`` itself, if it holds at most MAX_VALUES values nested at most MAX_DEPTH deep
    (counting every use of an alias); DataFileError otherwise."""
    stack = [(data, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_VALUES:
            raise DataFileError(path, 0, f"it holds more than {MAX_VALUES:,} values (YAML "
                                "aliases count each time they are used)", prefix="too large: ")
        if depth > MAX_DEPTH:
            raise DataFileError(path, getattr(node, "line", 0), f"more than {MAX_DEPTH} "
                                "levels deep", prefix="nested too deeply: ")
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
            stack.extend((key, depth + 1) for key in node if isinstance(key, tuple))
        elif isinstance(node, list | tuple | set | frozenset):
            stack.extend((item, depth + 1) for item in node)
    return data
