"""Large knowledge read on two cores: a forked process parses and schema-checks the
later files (two fifths of the text) while the builder reads the first.

Reading YAML and checking it against the schemas is half of loading a large base
(libyaml, and the Python objects its nodes become), and every file is read on its
own, so the work splits cleanly.  Loading 14,300 generated rules without a cache
took 0.76x to 0.95x as long so (five runs each way, alternating: 3.9 s against
4.5 s, medians), and 50,000 rules 12.5 s against 14.8 s.
The child sends back each file's data (or why it could not be read) and its schema
problems, pickled through a pipe; the builder then carries on as if it had read
them itself.  Anything amiss with the child (it failed, was killed, sent something
unreadable) only means the builder reads those files itself: the result is the
same either way (tests/test_readahead.py).

Only where fork is Linux's, the process runs no other thread (a fork copies locks
held by threads it does not copy), and the files are large enough to pay for the
process (READ_AHEAD_FROM): the shipped knowledge is read in one process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from ..errors import DataFileError

READ_AHEAD_FROM = 1 << 21  # characters of YAML in all: about 6,000 rules
PARENT_SHARE = 0.6  # of the text, read by the parent: the child also pickles its reads
Read = tuple  # ("data", data, problems, bad) or ("error", line, problem)


def read_file(kind: str, text: str, shown: str) -> Read:
    """One file parsed and, if it is a mapping, checked against its schema, as the
    builder does it."""
    from .validation import validate_text
    from .yamlsource import LineDict, parse

    try:
        data = parse(text, shown)
    except DataFileError as exc:
        return ("error", exc.line, exc.problem)
    if data is None:
        data = LineDict()
    if not isinstance(data, dict):
        return ("data", data, [], set())
    problems, bad = validate_text(text, data, kind, shown)
    return ("data", data, problems, bad)


class ReadAhead:
    """Files a second process reads, by their index among the texts: ``get`` gives a
    file's Read once the child has sent them all, or None for one it does not read
    (or if it failed)."""

    def __init__(self, first: int = 0, pid: int = 0, pipe: int = -1):
        self.first, self.pid, self.pipe = first, pid, pipe
        self.reads: list[Read] | None = None

    def get(self, index: int) -> Read | None:
        if index < self.first:
            return None
        if self.reads is None:
            self.reads = self._receive() if self.pid > 0 else []
        offset = index - self.first
        return self.reads[offset] if offset < len(self.reads) else None

    def _receive(self) -> list[Read]:
        """The child's reads, once it has sent them all and ended well; else none."""
        try:
            with os.fdopen(self.pipe, "rb") as pipe:
                self.pipe = -1
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = -1  # reaped
            reads = pickle.loads(data) if os.WIFEXITED(status) and \
                os.WEXITSTATUS(status) == 0 else []
        except Exception:  # a child that failed or sent nothing readable: read here
            return []
        return reads if isinstance(reads, list) else []

    def close(self) -> None:
        """Stop and reap a child whose work is not wanted (the build stopped early)."""
        if self.pipe >= 0:
            os.close(self.pipe)
            self.pipe = -1
        if self.pid > 0:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = -1


@contextlib.contextmanager
def read_ahead(texts: list[tuple[str, Path, str]], shown: list[str]) -> Iterator[ReadAhead]:
    """A ReadAhead for these files (``shown``: each one's path as problems name it)."""
    size = sum(len(text) for _, _, text in texts)
    ahead = _start(texts, shown, size) if _worth_it(size) else ReadAhead()
    try:
        yield ahead
    finally:
        ahead.close()


def _worth_it(size: int) -> bool:
    """Whether ``size`` characters of YAML are read on two cores here."""
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1 and size >= READ_AHEAD_FROM)


def _start(texts: list[tuple[str, Path, str]], shown: list[str], size: int) -> ReadAhead:
    """Fork a child to read the files after the parent's share of the text (``size``
    characters in all)."""
    share, seen, first = size * PARENT_SHARE, 0, len(texts)
    for index, (_, _, text) in enumerate(texts):
        seen += len(text)
        if seen >= share:
            first = index + 1
            break
    if first >= len(texts):
        return ReadAhead()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(texts[first:], shown[first:], read_end, write_end)
    os.close(write_end)
    return ReadAhead(first, pid, read_end)


def _child(texts: list[tuple[str, Path, str]], shown: list[str], read_end: int,
           write_end: int) -> None:
    code = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent says what stopped it
        reads = [read_file(kind, text, where)
                 for (kind, _, text), where in zip(texts, shown, strict=True)]
        data = pickle.dumps(reads, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)  # nothing of the parent's (buffers, exit handlers) runs twice
