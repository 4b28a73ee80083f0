"""Large knowledge read on two cores: a forked process parses and schema-checks the
later files (two fifths of the text) while the builder reads the first.

Reading YAML and checking it against the schemas is half of loading a large base
(libyaml, and the Python objects its nodes become), and every file is read on its
own, so the work splits cleanly.  Loading 14,300 generated rules without a cache
took 0.76x to 0.95x as long so (five runs each way, alternating: 3.9 s against
4.5 s, medians), and 50,000 rules 12.5 s against 14.8 s.
The child (forked.py) sends back each file's data (or why it could not be read) and
its schema problems; the builder then carries on as if it had read them itself, or
reads those files itself if anything went amiss with the child.

Only where a fork can (forked.can_fork) and the files are large enough to pay for
the process (READ_AHEAD_FROM): the shipped knowledge is read in one process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from ..errors import DataFileError
from .forked import Forked, can_fork

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


class ReadAhead(Forked):
    """Files a second process reads, by their index among the texts: ``get`` gives a
    file's Read once the child has sent them all, or None for one it does not read
    (or if it failed)."""

    def __init__(self, first: int = 0, work: Callable[[], list[Read]] | None = None):
        super().__init__(work)
        self.first = first
        self.reads: list[Read] | None = None

    def get(self, index: int) -> Read | None:
        if index < self.first:
            return None
        if self.reads is None:
            reads = self.result()
            self.reads = reads if isinstance(reads, list) else []
        offset = index - self.first
        return self.reads[offset] if offset < len(self.reads) else None


@contextlib.contextmanager
def read_ahead(texts: list[tuple[str, Path, str]], shown: list[str]) -> Iterator[ReadAhead]:
    """A ReadAhead for these files (``shown``: each one's path as problems name it)."""
    size = sum(len(text) for _, _, text in texts)
    ahead = _start(texts, shown) if _worth_it(size) else ReadAhead()
    try:
        yield ahead
    finally:
        ahead.close()


def _worth_it(size: int) -> bool:
    """Whether ``size`` characters of YAML are read on two cores here."""
    return can_fork() and size >= READ_AHEAD_FROM


def share_end(sizes: list[int], share: float) -> int:
    """How many of these parts, in order, make up ``share`` of their whole size: what
    the parent keeps, the rest going to the child."""
    whole, seen = sum(sizes) * share, 0
    for index, size in enumerate(sizes):
        seen += size
        if seen >= whole:
            return index + 1
    return len(sizes)


def _start(texts: list[tuple[str, Path, str]], shown: list[str]) -> ReadAhead:
    """Fork a child to read the files after the parent's share of the text."""
    first = share_end([len(text) for _, _, text in texts], PARENT_SHARE)
    if first >= len(texts):
        return ReadAhead()
    later = list(zip(texts[first:], shown[first:], strict=True))
    return ReadAhead(first, lambda: [read_file(kind, text, where)
                                     for (kind, _, text), where in later])
