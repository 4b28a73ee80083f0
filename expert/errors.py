"""Errors a user can see.  The CLI prints them as one line each, never a traceback."""


from typing import NamedTuple


class TwitchdxError(Exception):
    """Base of every error meant for the user; ``exit_code`` is what the CLI returns."""

    exit_code = 1


class InputError(TwitchdxError):
    """Something the user supplied is wrong: an answers file, a value, an argument."""

    exit_code = 2


class SystemFailure(TwitchdxError):
    """The system refused what twitchdx asked of it (a full disk, a read-only file system,
    a device error), not the user's input: exit 1, one line, what to do."""

    exit_code = 1


class UnreadableFile(InputError):
    """A file that cannot be read as UTF-8 text: where (line 0 when the whole file), and why."""

    def __init__(self, path: object, reason: str, line: int = 0):
        self.path, self.reason, self.line = str(path), reason, line
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


class DataFileError(InputError):
    """A YAML or JSON file that cannot be read as data: where (line 0 when the parser gives
    none) and the problem, prefixed by what kind of problem it is."""

    def __init__(self, path: str, line: int, problem: str, prefix: str = "not valid YAML: "):
        self.path, self.line, self.problem = path, line, prefix + problem
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {self.problem}")


class AnswerProblem(InputError, ValueError):
    """One answer that is not acceptable: which question, and the reason (what is allowed).

    Kept as two parts so each place says it its own way: a file names the question,
    a prompt that is asking the question gives only the reason.
    """

    def __init__(self, question: str, reason: str):
        self.question, self.reason = question, reason
        super().__init__(f"{question}: {reason}" if question else reason)

    def kept(self) -> "AnswerProblem":
        """The problem without its traceback, to keep in a list the catching frame holds:
        the traceback holds that frame, and the frames that called it, in a cycle only
        the collector frees, which a batch runs rarely (each bad record's chunk of
        reports stayed in memory with it)."""
        return AnswerProblem(self.question, self.reason)


class AnswerError(InputError):
    """Every unacceptable answer of an answers file or session, each an AnswerProblem."""

    def __init__(self, problems: list[AnswerProblem], source: str = ""):
        self.problems, self.source = problems, source
        prefix = f"{source}: " if source else ""
        super().__init__("\n".join(prefix + str(p) for p in problems))


class Problem(NamedTuple):
    """One finding about a knowledge file, printed as ``path:line: rule-id: message``.

    An error refuses the knowledge (nothing loads it); a warning is for the author
    (``kb check --strict`` treats it as an error).  ``check`` names the check that
    found it, as SARIF reports it.
    """

    path: str
    line: int
    rule: str
    message: str
    severity: str = "error"
    check: str = "load"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        message = f"warning: {self.message}" if self.severity == "warning" else self.message
        return f"{where}: {self.rule}: {message}" if self.rule else f"{where}: {message}"


class KnowledgeError(InputError):
    """The knowledge base is malformed; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        lines = [str(p) for p in self.problems]
        super().__init__("\n".join(lines))
