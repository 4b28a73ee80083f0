"""Termination signals as an exception, so every ``finally`` runs: locks are released,
answers kept, temporary files removed, as Ctrl-C does.

SIGTERM (kill, a shutdown), SIGHUP (the terminal closed) and SIGQUIT (Ctrl-\\) raise
``Stopped``, a KeyboardInterrupt, in the main thread; the process then exits 128 + the
signal's number, as a shell reports it.
"""

from __future__ import annotations

from typing import Any

try:  # the C module: signal.py makes enums of every signal, 0.5 ms of each start
    import _signal as signals
except ImportError:  # pragma: no cover - an interpreter without it
    import signal as signals  # type: ignore[no-redef]

NAMES = ("SIGTERM", "SIGHUP", "SIGQUIT")


class Stopped(KeyboardInterrupt):
    """A termination signal arrived."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        import signal

        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def _stop(signum: int, _frame: Any) -> None:
    raise Stopped(signum)


def install() -> None:
    """Stop cleanly on the termination signals this system has."""
    for name in NAMES:
        number = getattr(signals, name, None)
        if number is not None:
            signals.signal(number, _stop)
