"""Reading and writing the files people give and keep: every OS error becomes one
clear line, a file too big to be input is refused unread, a write is atomic (an
interrupted save never tears a file), a file that could not be written is found
out before the work starts, and a file two processes could write is locked."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .errors import InputError, SystemFailure, TwitchdxError, UnreadableFile

MAX_BYTES = 256_000  # the largest shipped knowledge file is 41 kB, an answers file 1 kB
BYTE_ORDER_MARK = b"\xef\xbb\xbf"  # allowed at the start of UTF-8 text


def read_text(path: Path, limit: int = MAX_BYTES) -> str:
    """A file's text as UTF-8 (a byte-order mark is allowed); an error names the file,
    what went wrong and, for a byte that is not UTF-8, its line."""
    data = read_bytes(path, limit).removeprefix(BYTE_ORDER_MARK)  # not "utf-8-sig": a
    try:  # codec to import
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UnreadableFile(path, not_utf8(data, exc), line) from None


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A file's bytes; an error names the file and what went wrong.  A file larger than
    ``limit`` bytes is refused before it is read: nothing a person writes is that big,
    and parsing a larger one could take over a second and 100 MB (bench/hostile.py)."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise UnreadableFile(path, "no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFile(path, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        raise UnreadableFile(path, f"is larger than {limit:,} bytes; a file this big "
                             "cannot be answers or knowledge")
    return data


@contextmanager
def open_input(name: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """A file named by a person, or ``-`` for standard input, opened for reading in
    binary, with its size when it has one (a progress bar's length)."""
    if name == "-":
        yield sys.stdin.buffer, None
        return
    path = Path(name)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise UnreadableFile(path, "no such file") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFile(path, f"cannot be read ({exc.strerror or exc})") from None
    with handle:
        size = os.fstat(handle.fileno()).st_size
        yield handle, size if stat.S_ISREG(os.fstat(handle.fileno()).st_mode) else None


def not_utf8(data: bytes, exc: UnicodeDecodeError) -> str:
    """What to say of bytes that are not UTF-8: the first bad byte, and the remedy."""
    return f"not UTF-8 text (byte {data[exc.start]:#04x}); save the file as UTF-8"


SYSTEM_ERRNOS = {  # failures of the system, not of what the user gave: what to do
    errno.ENOSPC: "free some space and try again",
    errno.EDQUOT: "free some space (the disk quota is full) and try again",
    errno.EROFS: "the file system is read-only: choose a place that can be written",
    errno.EIO: "the device reported an error: check the disk",
}
INPUT_ERRNOS = {  # failures of the path the user gave
    errno.EACCES: "check its permissions, or choose another place",
    errno.EPERM: "check its permissions, or choose another place",
    errno.ENOENT: "check the path",
    errno.ENOTDIR: "check the path",
    errno.EISDIR: "give a file, not a folder",
}


def os_failure(where: object, action: str, exc: OSError) -> TwitchdxError:
    """One line for an operating-system failure: where, what could not be done, why and
    what to do; exit 1 when the system is at fault, 2 when the path given is."""
    why = exc.strerror or str(exc)
    if exc.errno in SYSTEM_ERRNOS:
        return SystemFailure(f"{where}: cannot {action}: {why}; {SYSTEM_ERRNOS[exc.errno]}")
    hint = INPUT_ERRNOS.get(exc.errno or 0)
    if hint:
        return InputError(f"{where}: cannot {action}: {why}; {hint}")
    return SystemFailure(f"{where}: cannot {action}: {why}")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Replace ``path`` so that a crash leaves the old file or the new one, never half.

    The folder must exist: a mistyped path is an error, not a new folder.
    """
    with atomic_writer(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` when the block ends, and is removed if the block
    fails: output written as it is made, with the guarantee of ``write_atomic``."""
    import tempfile  # its imports (shutil, random) cost a cold start 3 ms: only writers pay

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path, what: str) -> None:
    """Refuse, before any work is done, a file that could not be written at the end: its
    folder missing (never made: a mistyped path is an error), not a folder or not
    writable, or the file itself a folder or read-only (it is not silently replaced)."""
    folder = path.parent
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name for the {what}")
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder for the {what} (it is not created: "
                         "check the path)")
    if path.exists() and not path.stat().st_mode & stat.S_IWUSR:
        raise InputError(f"{path}: is read-only; the {what} would replace it")
    import tempfile

    try:  # the only sure test, for root and read-only file systems alike
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".twitchdx-probe-")
    except OSError as exc:
        raise InputError(f"{folder}: cannot write the {what} here "
                         f"({exc.strerror or exc})") from None
    os.close(fd)
    os.unlink(probe)


def real_file(path: Path, what: str) -> Path:
    """The file ``path`` names, symbolic links followed (deliberately: the link is kept
    and the file it points to is the one replaced on save).  A file with several hard
    links is refused: saving replaces one name, and the others would keep an old copy."""
    real = Path(os.path.realpath(path))
    try:
        links = real.stat().st_nlink
    except OSError:
        return real  # not there yet, or unreadable: the caller's own checks say which
    if links > 1 and real.is_file():
        raise InputError(f"{path}: this {what} file has {links} hard links; saving would "
                         "leave the others behind with old answers. Copy it (cp) and use "
                         "the copy")
    return real


@contextmanager
def locked(path: Path, what: str) -> Iterator[None]:
    """Hold ``path`` for the block, so that no other twitchdx writes it meanwhile: an
    exclusive lock on a hidden file beside it (released by the system if the process
    dies, so it never goes stale).  A second holder is refused at once, naming the first;
    the lock is the real file's, so a holder through a symbolic link is refused too.
    """
    try:
        import fcntl
    except ImportError:  # no advisory locks on this system: nothing to hold
        yield
        return
    path = Path(os.path.realpath(path))
    lock_path = path.with_name(f".{path.name}.lock")
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise InputError(f"{path}: cannot lock the {what} ({exc.strerror or exc})") \
                from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 20, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise InputError(f"{path}: this {what} is in use by another twitchdx (process "
                             f"{holder}); finish or quit that one first") from None
        try:  # a holder that just finished removed the file we opened: lock the new one
            current = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        Path(lock_path).unlink(missing_ok=True)
        os.close(fd)
