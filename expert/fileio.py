"""Reading and writing the files people give and keep: every OS error becomes one
clear line, and a write is atomic, so an interrupted save never tears a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def read_text(path: Path) -> str:
    """A file's text as UTF-8; an error names the file and what went wrong."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace ``path`` so that a crash leaves the old file or the new one, never half.

    The folder must exist: a mistyped path is an error, not a new folder.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
