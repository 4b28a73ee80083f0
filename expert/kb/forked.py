"""Part of a large load done on the second core: a forked process does it and sends the
result back pickled through a pipe, while the parent does the rest.

Anything amiss with the child (it could not be started, failed, was killed, sent
something unreadable) only means the result is None, and the caller does that part
itself: the outcome is the same either way (tests/test_readahead.py, tests/test_printed.py).  Only
where fork is Linux's and the process runs no other thread (a fork copies locks
held by threads it does not copy).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn


def share_end(sizes: list[int], share: float) -> int:
    """How many of these parts, in order, make up ``share`` of their whole size: what
    the parent keeps, the rest going to the child."""
    whole, seen = sum(sizes) * share, 0
    for index, size in enumerate(sizes):
        seen += size
        if seen >= whole:
            return index + 1
    return len(sizes)


def can_fork() -> bool:
    """Whether work can be handed to a forked process here."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and \
        threading.active_count() == 1


class Forked:
    """``work()`` run in a forked child, if given: ``result`` waits for it."""

    def __init__(self, work: Callable[[], Any] | None = None):
        self.pid, self.pipe = 0, -1
        if work is None:
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:  # no descriptors left: the caller does the work itself
            return
        try:
            pid = os.fork()
        except OSError:  # no process to be had (a limit, memory): likewise
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # the child: never returns
            _child(work, read_end, write_end)
        os.close(write_end)
        self.pid, self.pipe = pid, read_end

    def result(self) -> Any:
        """What the child's work returned, once it has sent it all and ended well; None
        if there is no child, or it failed."""
        if self.pid <= 0:
            return None
        try:
            with os.fdopen(self.pipe, "rb") as pipe:
                self.pipe = -1
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
            self.pid = -1  # reaped
            return pickle.loads(data) if os.WIFEXITED(status) and \
                os.WEXITSTATUS(status) == 0 else None
        except Exception:  # a child that failed or sent nothing readable
            return None

    def close(self) -> None:
        """Stop and reap a child whose work is not wanted (the load stopped early)."""
        if self.pipe >= 0:
            os.close(self.pipe)
            self.pipe = -1
        if self.pid > 0:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = -1


def _child(work: Callable[[], Any], read_end: int, write_end: int) -> NoReturn:
    code = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent says what stopped it
        data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(data)
        code = 0
    finally:
        os._exit(code)  # nothing of the parent's (buffers, exit handlers) runs twice
