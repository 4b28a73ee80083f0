"""Errors a user can see.  The CLI prints them as one line each, never a traceback."""


from typing import NamedTuple


class TwitchdxError(Exception):
    """Base of every error meant for the user; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class InputError(TwitchdxError):
    """Something the user supplied is wrong: an answers file, a value, an argument."""

    exit_code = 2


class Problem(NamedTuple):
    """One finding about a knowledge file, printed as ``path:line: rule-id: message``."""

    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.rule}: {self.message}" if self.rule else f"{where}: {self.message}"


class KnowledgeError(InputError):
    """The knowledge base is malformed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join(lines))
