"""Finished consultations, kept so they can be listed and compared over time.

Each finished consultation (asked in the terminal or read from an answers file)
leaves one record in the sessions folder: ``consultation-<when>.json`` holding when
it finished, its session file (if any), its answers and its whole JSON report.  A
record is written once, to a new file, and never changed; a session finished again
after a change of answer leaves a new record, so the history shows both.  A record is
derived (the session keeps the answers), so it is not synced to disk at a cost to every
consultation: one a crash tears is left out of the history, never fatal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from ..clock import Moment
from ..errors import DataFileError, InputError
from ..fileio import os_failure, read_text
from ..kb.jsonsource import parse_json
from ..text import plain
from .session import numbered, sessions_dir

FORMAT = 1
PREFIX = "consultation-"
RECORD_BYTES = 64_000_000  # a report of a large knowledge base, its trace included


class Record(NamedTuple):
    """One finished consultation."""

    path: Path
    finished: str  # ISO 8601, with the offset
    session: str  # the session file it finished, "" for an answers file
    answers: dict[str, Any]
    report: dict[str, Any]

    @property
    def id(self) -> str:
        return self.path.stem

    @property
    def when(self) -> str:
        """The date and time as a person reads them."""
        from datetime import datetime

        try:
            return datetime.fromisoformat(self.finished).strftime("%d %b %Y %H:%M")
        except ValueError:
            return self.finished


def keep(answers: dict[str, Any], report: dict[str, Any], when: Moment,
         session: Path | None = None, report_json: str | None = None) -> Path:
    """Write the record of a finished consultation; returns its path.  ``report_json``:
    the report as ``contract.to_json`` wrote it already (a JSON report's own text), so
    that it is not written again."""
    folder = sessions_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise os_failure(folder, "keep the consultation here", exc) from None
    text = record_text({"twitchdx_consultation": FORMAT, "finished": when.iso(),
                        "session": str(session) if session else None,
                        "answers": {q: plain(v) for q, v in answers.items()}},
                       report, report_json).encode("utf-8")
    for path in numbered(folder, PREFIX, when.stamp()):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            continue  # two consultations finished in the same second: both kept
        except OSError as exc:
            raise os_failure(path, "keep the consultation", exc) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text)
        except OSError as exc:
            path.unlink(missing_ok=True)
            raise os_failure(path, "keep the consultation", exc) from None
        return path
    raise AssertionError("unreachable")  # numbered() never ends


def load_record(path: Path) -> Record:
    """A record file; anything else is refused, saying what it is not."""
    try:
        data = parse_json(read_text(path, limit=RECORD_BYTES), str(path))
    except DataFileError as exc:
        raise InputError(f"{path}: not a twitchdx consultation ({exc.problem})") from None
    if not isinstance(data, dict) or data.get("twitchdx_consultation") != FORMAT or not (
            isinstance(data.get("answers"), dict) and isinstance(data.get("finished"), str)
            and _is_report(data.get("report"))):
        hint = "; a session file is continued with `twitchdx consult --resume`" \
            if isinstance(data, dict) and "twitchdx_session" in data else ""
        raise InputError(f"{path}: not a twitchdx consultation record (see `twitchdx "
                         f"history`){hint}")
    return Record(path, data["finished"], data.get("session") or "", data["answers"],
                  data["report"])


def _is_report(report: Any) -> bool:
    """Whether ``report`` has what history and compare read, of the kinds they read it."""
    def entries(key: str, fields: dict[str, Any]) -> bool:
        items = report.get(key)
        return isinstance(items, list) and all(
            isinstance(item, dict) and all(isinstance(item.get(k), kind)
                                           for k, kind in fields.items()) for item in items)

    if not isinstance(report, dict) or not isinstance(report.get("referral"), dict):
        return False
    number = (int, float)
    return isinstance(report["referral"].get("level"), str) and \
        entries("hypotheses", {"id": str, "certainty": number, "band": str}) and \
        entries("notes", {"id": str, "certainty": number, "band": str}) and \
        entries("answers", {"question": str, "text": str, "answer_text": str})


def record_text(head: dict[str, Any], report: dict[str, Any],
                report_json: str | None = None) -> str:
    """``json.dumps({**head, "report": report}, indent=2)`` and a newline; with the
    report's own indented text given, put in as it is, one level deeper (a JSON text
    holds no newline but those between its lines)."""
    if report_json is None:
        return json.dumps({**head, "report": report}, indent=2, ensure_ascii=False) + "\n"
    text = json.dumps({**head, "report": None}, indent=2, ensure_ascii=False)
    return (text[:-len("null\n}")] + report_json.rstrip("\n").replace("\n", "\n  ")
            + "\n}\n")


def records() -> list[Record]:
    """Every kept consultation, oldest first; unreadable files are left out, not fatal."""
    folder = sessions_dir()
    found = []
    for path in sorted(folder.glob(f"{PREFIX}*.json")) if folder.is_dir() else ():
        try:
            found.append(load_record(path))
        except InputError:
            continue
    return sorted(found, key=lambda r: (r.finished, r.path.name))


def find(name: str) -> Record:
    """A record by file path, id (``consultation-20261203-101500``) or number in the
    history (1 is the oldest)."""
    path = Path(name)
    if path.exists() or path.parent != Path(".") or path.suffix:
        if not path.is_file():
            raise InputError(f"{path}: is a folder, not a consultation record" if path.exists()
                             else f"{path}: no such file")
        return load_record(path)
    kept = records()
    if name.isdigit():
        if not 0 < int(name) <= len(kept):
            raise InputError(f"no consultation number {name}: the history holds {len(kept)} "
                             "(see `twitchdx history`)")
        return kept[int(name) - 1]
    for record in kept:
        if record.id == name or record.id == PREFIX + name:
            return record
    raise InputError(f"no consultation {name!r} in {sessions_dir()} (see `twitchdx history`)")
