"""Reading and writing the files people give and keep: every OS error becomes one
clear line, and a write is atomic, so an interrupted save never tears a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UnreadableFile


def read_text(path: Path) -> str:
    """A file's text as UTF-8 (a byte-order mark is allowed); an error names the file,
    what went wrong and, for a byte that is not UTF-8, its line."""
    try:
        data = path.read_bytes()
        return data.decode("utf-8-sig")
    except FileNotFoundError:
        raise UnreadableFile(path, "no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UnreadableFile(path, f"not UTF-8 text (byte {data[exc.start]:#04x}); save the "
                             "file as UTF-8", line) from None
    except OSError as exc:
        raise UnreadableFile(path, f"cannot be read ({exc.strerror or exc})") from None


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
