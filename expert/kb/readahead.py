"""Large knowledge read on two cores: a forked process reads files from the back of the
list while the builder reads them from the front, each building the rules of the
files it reads, until the two meet.

Reading YAML, checking it against the schemas and building the rules is most of
loading a large base, and every file is read on its own, so the work splits
cleanly.  Taking files from both ends (forked.TwoEnds) gives each process as much as
it has time for, whatever the files hold.  The child sends what it made of each file
(``prepare``: the builder's rules, built; or the file's data and schema problems) as
soon as it has it, and the parent takes that in between its own files; anything the
child did not send, the parent reads itself.  Built rules are smaller to send than
the data they come from (1.0 against 1.7 MB for 2,400 small rules) and unpickle in a
third of the time.

Only where a fork can (forked.can_fork) and the files are large enough to pay for
the process (READ_AHEAD_FROM): the shipped knowledge is read in one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import DataFileError
from .forked import Forked, TwoEnds, can_fork

READ_AHEAD_FROM = 1 << 21  # characters of YAML in all: about 6,000 rules
Read = tuple  # ("data", data, problems, bad) or ("error", line, problem)
_END = "end"  # the child's last part: every file it took was sent
Prepare = Callable[[str, str, Read], Any]


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
    """Files read on two cores, if ``apart``: ``reads`` gives every file's Read in order
    (for a file the child read, what it prepared of it); ``theirs``, those files."""

    def __init__(self, texts: list[tuple[str, Path, str]], shown: list[str], apart: bool,
                 prepare: Prepare | None = None):
        self.texts, self.shown, self.prepare = texts, shown, prepare
        self.theirs: set[int] = set()
        self.ends = TwoEnds(len(texts), block=1) if apart else None
        self.child = Forked(self._back, parts=True) if apart else Forked()

    def _back(self, send: Callable[[Any], None]) -> str:
        """The child's work: each file from the back, prepared and sent as soon as it is
        read."""
        assert self.ends is not None
        while tasks := self.ends.back():
            send([(index, self._prepared(index)) for index in tasks])
        return _END

    def _prepared(self, index: int) -> Any:
        read = self._read(index)
        return read if self.prepare is None else \
            self.prepare(self.texts[index][0], self.shown[index], read)

    def _read(self, index: int) -> Read:
        kind, _, text = self.texts[index]
        return read_file(kind, text, self.shown[index])

    def reads(self) -> Iterator[tuple[int, Any]]:
        """Every file's Read, in order (or, for a file the child read, what it prepared of
        it): the parent reads from the front, taking what the child sent in between its
        own, while the caller builds each file's rules as it comes, until the two meet;
        then come the child's (any it did not send, read by the parent)."""
        got: dict[int, Any] = {}
        done = 0
        if self.ends is not None:
            while tasks := self.ends.front():
                for index in tasks:
                    read = self._read(index)
                    while self.child.ready() and self._received(got):
                        pass
                    yield index, read
                    done = index + 1
            while self._received(got):
                pass
        for index in range(done, len(self.texts)):
            read = got.get(index)
            if read is None:
                read = self._read(index)
            else:
                self.theirs.add(index)
            yield index, read

    def _received(self, got: dict[int, Any]) -> bool:
        """The child's next part added to ``got``; False once it has sent its last part,
        ended or failed (a file it took but did not send is read by the parent)."""
        part = self.child.receive()
        if not isinstance(part, list):
            return False
        got.update(part)
        return True

    def close(self) -> None:
        self.child.close()


@contextlib.contextmanager
def read_ahead(texts: list[tuple[str, Path, str]], shown: list[str],
               prepare: Prepare | None = None) -> Iterator[ReadAhead]:
    """A ReadAhead for these files (``shown``: each one's path as problems name it), the
    child stopped however the caller ends.  ``prepare(kind, shown, read)``: what the
    child sends of a file in place of its Read (the builder's: its rules, built)."""
    size = sum(len(text) for _, _, text in texts)
    apart = _worth_it(size) and len(texts) > 1
    try:
        ahead = ReadAhead(texts, shown, apart, prepare)
    except OSError:  # no shared memory to be had: one process reads them all
        ahead = ReadAhead(texts, shown, False)
    try:
        yield ahead
    finally:
        ahead.close()


def _worth_it(size: int) -> bool:
    """Whether ``size`` characters of YAML are read on two cores here."""
    return can_fork() and size >= READ_AHEAD_FROM
