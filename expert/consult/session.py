"""Interactive sessions on disk: every answer saved as it is given, atomically.

A session file is JSON: the answers so far (``null`` is "unknown"), the order
they were given in (for ``back``), the knowledge they were given against, and
whether the consultation finished.  Each save writes a temporary file in the
same folder, flushes it to disk and renames it over the old one, so an
interrupted write leaves the previous version intact, never a torn file.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DataFileError, InputError
from ..fileio import check_writable, os_failure, read_text, write_atomic
from ..kb.jsonsource import parse_json
from ..text import brief, plain

FORMAT = 1
ENV_SESSIONS = "TWITCHDX_SESSIONS"


def sessions_dir() -> Path:
    """Where sessions live: $TWITCHDX_SESSIONS, else the XDG data folder."""
    setting = os.environ.get(ENV_SESSIONS)
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "twitchdx" / "sessions"


def new_session_path() -> Path:
    """A fresh file in the sessions folder (made if it does not exist yet), created
    empty and exclusively: two consultations started in the same second get two files."""
    folder = sessions_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_failure(folder, "keep sessions here", exc) from None
    return next(path for path in numbered(folder, "session-", time.strftime("%Y%m%d-%H%M%S"))
                if claim(path))


def numbered(folder: Path, prefix: str, stamp: str) -> Iterator[Path]:
    """``PREFIXSTAMP.json``, then ``PREFIXSTAMP-2.json``...: names for files made in the
    same second, to be taken by whoever creates each first."""
    for n in itertools.count(1):
        yield folder / (f"{prefix}{stamp}.json" if n == 1 else f"{prefix}{stamp}-{n}.json")


def claim(path: Path) -> bool:
    """Create ``path`` empty if no file has that name (False if one has): atomically, so
    two processes never both think a new file theirs."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        return False
    except OSError as exc:
        raise os_failure(path, "create the session", exc) from None
    return True


class Session:
    """Answers given so far, kept on disk."""

    def __init__(self, path: Path, knowledge: str, answers: dict[str, Any] | None = None,
                 order: list[str] | None = None, complete: bool = False):
        self.path = path
        self.knowledge = knowledge
        self.answers: dict[str, Any] = dict(answers or {})
        self.order: list[str] = list(order or [])
        self.complete = complete

    def answer(self, question: str, value: Any) -> None:
        """Record an answer (None for unknown) and save at once, so nothing typed is lost."""
        self.answers[question] = value
        if question in self.order:
            self.order.remove(question)
        self.order.append(question)
        self.complete = False
        self.save()

    def undo(self) -> str | None:
        """Forget the last answer; return its question id (None if there is none)."""
        if not self.order:
            return None
        question = self.order.pop()
        self.answers.pop(question, None)
        self.complete = False
        self.save()
        return question

    def finish(self) -> None:
        """Mark the consultation complete: resuming it asks nothing more."""
        self.complete = True
        self.save()

    def save(self) -> None:
        """Write the session atomically; a failure is a clear error, never a torn file."""
        data = {
            "twitchdx_session": FORMAT,
            "knowledge": self.knowledge,
            "saved": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "complete": self.complete,
            "order": self.order,
            "answers": {q: plain(v) for q, v in self.answers.items()},
        }
        try:
            write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise os_failure(self.path, "save the session", exc) from None

    @classmethod
    def load(cls, path: Path) -> Session:
        """Read a session file; anything that is not one, or holds a field of the wrong
        kind (``"complete": "false"`` is not false), is refused with the reason."""
        try:
            data = parse_json(read_text(path), str(path))
        except DataFileError as exc:
            where = f"{exc.path}:{exc.line}" if exc.line else exc.path
            raise InputError(f"{where}: not a twitchdx session ({exc.problem})") from None
        if not isinstance(data, dict) or "twitchdx_session" not in data:
            raise InputError(f"{path}: not a twitchdx session file")
        problems = [f"{key}: {message}" for key, message in _field_problems(data)]
        if problems:
            raise InputError(f"{path}: not a twitchdx session file as saved: "
                             + "; ".join(problems))
        answers = data["answers"]
        order = [q for q in data.get("order", []) if q in answers]
        order += [q for q in answers if q not in order]
        return cls(path, data.get("knowledge", ""), answers, list(dict.fromkeys(order)),
                   data.get("complete", False))

    def export(self, path: Path) -> None:
        """Write the answers as an answers file (YAML for .yaml/.yml, else JSON)."""
        answers = {q: plain(v) for q, v in self.answers.items()}
        if path.suffix.lower() in (".yaml", ".yml"):
            text = "# twitchdx answers (null means unknown)\n" + _yaml(answers)
        else:
            text = json.dumps(answers, indent=2, ensure_ascii=False) + "\n"
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise os_failure(path, "write the answers", exc) from None


def _yaml(answers: dict[str, Any]) -> str:
    """One answer a line, a list of choices on its own line: ``symptoms: [cramps]``."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(list, lambda dumper, items: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", items, flow_style=True))
    return yaml.dump(answers, Dumper=Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False)


FIELDS = {  # field: (what it must be, test), as Session.save writes them
    "twitchdx_session": (f"the format number {FORMAT}",
                         lambda v: type(v) is int and v == FORMAT),
    "knowledge": ("text", lambda v: isinstance(v, str)),
    "saved": ("text", lambda v: isinstance(v, str)),
    "complete": ("true or false", lambda v: isinstance(v, bool)),
    "order": ("a list of question ids", lambda v: isinstance(v, list)
              and all(isinstance(q, str) for q in v)),
    "answers": ("a mapping of question ids to answers", lambda v: isinstance(v, dict)),
}


def _field_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    problems = [(str(key), "unknown field; a session has " + ", ".join(FIELDS))
                for key in data if key not in FIELDS]
    if "answers" not in data:
        problems.append(("answers", "missing"))
    for key, (wanted, fits) in FIELDS.items():
        if key in data and not fits(data[key]):
            problems.append((key, f"must be {wanted}, not {brief(data[key])}"))
    return problems


def start_session(kb: Any, answers: dict[str, Any], path: Path) -> Session:
    """A new session, on disk at once, holding any answers it starts from; a start that
    fails (a full disk) leaves no file behind."""
    session = Session(path, kb.version, answers, list(answers))
    try:
        session.save()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return session


def session_path(path: Path | None) -> Path:
    """The file of a new session: a fresh one, or ``path`` if nothing is there yet (an
    existing session is continued with --resume, never overwritten)."""
    if path is None:
        return new_session_path()
    check_writable(path, "session")
    if not claim(path):
        raise InputError(f"{path}: already exists; continue it with --resume {path}, or "
                         "give another file")
    return path


def resume_session(kb: Any, path: Path) -> Session:
    """A saved session, its answers checked against today's knowledge."""
    from .answers import check_answers

    session = Session.load(path)
    session.answers = check_answers(kb, session.answers, str(path))
    return session


def answers_from(kb: Any, answers_file: Path | None, session_file: Path | None) -> dict:
    """Checked answers from an answers file or a session file (exactly one)."""
    from .answers import load_answers

    if bool(answers_file) == bool(session_file):
        raise InputError("give the answers with exactly one of --answers FILE or --session FILE")
    if session_file:
        return resume_session(kb, session_file).answers
    return load_answers(kb, answers_file)


