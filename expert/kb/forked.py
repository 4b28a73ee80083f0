"""Part of a large load done on the second core: a forked process does it and sends the
result back pickled through a pipe, while the parent does the rest (or, with TwoEnds,
shares a list of tasks with it).

Anything amiss with the child (it could not be started, failed, was killed, sent
something unreadable) only means the result is None, and the caller does that part
itself: the outcome is the same either way (tests/test_readahead.py, tests/test_printed.py).  Only
where fork is Linux's and the process runs no other thread (a fork copies locks
held by threads it does not copy).
"""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn


class TwoEnds:
    """A list of tasks worked through from both ends at once: a child forked after this is
    made takes them from one end, the parent from the other (the screening's child from
    the front, the read-ahead's from the back), until the two meet; so each does as much
    as its other work leaves it time for, on any machine and any base.  The two places
    are shared memory, and no lock guards them: at the meeting point a task may be taken
    by both (harmless where a task's result is the same wherever it is done), and none
    is left to neither, since each end only moves towards the other and each stops
    only on seeing it reached."""

    BLOCK = 16  # tasks taken at a time: a look at the shared places costs a microsecond

    def __init__(self, count: int, block: int = BLOCK, start: int = 0):
        """Tasks ``start`` to ``start + count`` (the ranges handed out count from 0 of a
        longer list that another TwoEnds shares)."""
        self._places = mmap.mmap(-1, 16)  # front, back; MAP_SHARED: the child sees them move
        struct.pack_into("qq", self._places, 0, start, start + count)
        self.block = block  # larger tasks (whole files) are taken one at a time

    def front(self) -> range:
        """The next tasks from the front, or none once the ends have met."""
        front, back = struct.unpack_from("qq", self._places)
        end = min(front + self.block, back)
        if end <= front:
            return range(0)
        struct.pack_into("q", self._places, 0, end)
        return range(front, end)

    def back(self) -> range:
        """The next tasks from the back, or none once the ends have met."""
        front, back = struct.unpack_from("qq", self._places)
        start = max(back - self.block, front)
        if start >= back:
            return range(0)
        struct.pack_into("q", self._places, 8, start)
        return range(start, back)


def can_fork() -> bool:
    """Whether work can be handed to a forked process here."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and \
        threading.active_count() == 1


class Forked:
    """``work()`` run in a forked child, if given: ``result`` waits for it.  With
    ``parts``, the work is called with ``send``, to hand over parts of its work before
    the rest is done: ``receive`` gives them, in order."""

    def __init__(self, work: Callable[..., Any] | None = None, parts: bool = False):
        self.pid, self.pipe = 0, None  # the pipe: an unbuffered FileIO, once there is one
        if work is None:
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:  # no descriptors left: the caller does the work itself
            return
        with contextlib.suppress(OSError, AttributeError):  # room for parts the parent
            fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, PIPE_ROOM)  # takes between its own work
        try:
            pid = os.fork()
        except OSError:  # no process to be had (a limit, memory): likewise
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: never returns
            _child(work, parts, read_end, write_end)
        os.close(write_end)
        self.pid, self.pipe = pid, os.fdopen(read_end, "rb", buffering=0)  # unbuffered:
        # select then knows whether anything has come

    def ready(self) -> bool:
        """Whether ``receive`` would not wait: a part has begun to come, the child ended,
        or there is none."""
        return self.pipe is None or bool(select.select([self.pipe], [], [], 0)[0])

    def receive(self) -> Any:
        """The next part the child sent; None if it sent no more (it ended, or failed)."""
        part = self._part()
        return None if part is _NONE or part is _BROKEN else part

    def result(self) -> Any:
        """What the child's work returned, once it has sent it all and ended well; None
        if there is no child, or it failed."""
        if self.pid <= 0 or self.pipe is None:
            return None
        last = _NONE
        while (part := self._part()) is not _NONE and part is not _BROKEN:
            last = part
        try:
            self.pipe.close()
            self.pipe = None
            _, status = os.waitpid(self.pid, 0)
            self.pid = -1  # reaped
        except OSError:
            return None
        ended_well = os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
        return last if ended_well and part is _NONE and last is not _NONE else None

    def _part(self) -> Any:
        """The next part; _NONE at the end of what was sent, _BROKEN if it was cut short
        or cannot be read."""
        if self.pipe is None:
            return _NONE
        try:
            head = _read(self.pipe, SIZE)
            if len(head) < SIZE:
                return _BROKEN if head else _NONE
            size = int.from_bytes(head, "little")
            data = _read(self.pipe, size)
            return pickle.loads(data) if len(data) == size else _BROKEN
        except Exception:  # a child that sent nothing readable
            return _BROKEN

    def close(self) -> None:
        """Stop and reap a child whose work is not wanted (the load stopped early)."""
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None
        if self.pid > 0:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = -1


SIZE = 8  # bytes that say how long a part is
PIPE_ROOM = 1 << 20  # bytes a child can send before the parent reads them: Linux's most
# for an unprivileged process (a pipe holds 64 kB otherwise, a tenth of one file's reads)
_NONE = object()  # no part: the child sent no more
_BROKEN = object()  # a part cut short or unreadable: the child failed


def _read(pipe: Any, size: int) -> bytes:
    """``size`` bytes from the pipe, or fewer if it ends first."""
    chunks, left = [], size
    while left and (chunk := pipe.read(min(left, 1 << 20))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _child(work: Callable[..., Any], parts: bool, read_end: int, write_end: int
           ) -> NoReturn:
    code = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent says what stopped it
        with os.fdopen(write_end, "wb") as pipe:
            def send(part: Any) -> None:
                data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(len(data).to_bytes(SIZE, "little"))
                pipe.write(data)
                pipe.flush()

            send(work(send) if parts else work())
        code = 0
    finally:
        os._exit(code)  # nothing of the parent's (buffers, exit handlers) runs twice
