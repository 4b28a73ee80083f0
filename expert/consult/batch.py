"""Batch consultations: records in (JSON Lines or CSV), one JSON line out for each, in
input order.

A record that cannot be read or answered becomes an error line carrying its line
number and problems: the batch goes on, and no record is dropped.  A report line is
the ``consult --format json`` report on one line, with the record's ``line`` and
``id`` first.  Without ``follow_up`` a report leaves out the questions that could
still change it: a batch's answers are final, and weighing every question costs
more than ten consultations.  With workers, chunks of records go to processes
forked after the engine is built, and come back in order.
"""

from __future__ import annotations

import csv
import gc
import json
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import Any, BinaryIO, NamedTuple

from ..engine.engine import engine_for
from ..errors import AnswerError, DataFileError, InputError
from ..fileio import MAX_BYTES, not_utf8
from ..kb.jsonsource import parse_json
from ..language.model import KnowledgeBase
from ..text import brief, did_you_mean
from .answers import check_answers
from .consultation import consult
from .planner import questions_that_matter
from .reportline import report_line

FORMATS = ("jsonl", "csv")
CHUNK = 100  # records a worker answers at a time: passing them costs little per record
AHEAD = 4  # chunks in flight per worker: the others' work waits for the slowest little
ENVELOPE = {"id", "answers", "expect", "title"}  # a vignette of `twitchdx evaluate`
NONE_WORDS = {"none", "-"}  # a multi-choice CSV cell choosing nothing


class Output(NamedTuple):
    """A record's output line (UTF-8, with its newline: encoded by the worker that made
    it), its input line, and whether it was answered (else it is an error line)."""

    data: bytes
    line: int
    ok: bool


class Record(NamedTuple):
    """One input record: where it starts, its id (passed through), its raw answers, or
    why it could not be read."""

    line: int
    id: Any = None
    answers: dict[str, Any] | None = None
    problems: tuple[tuple[str, str], ...] = ()  # (question or "", what is wrong)


def input_format(name: str, given: str | None = None) -> str:
    """The format ``given``, else the one the name says: CSV for .csv, else JSON Lines."""
    return given or ("csv" if name.lower().endswith(".csv") else "jsonl")


class Source:
    """The records of an input, read lazily and never more than a line at a time (a
    line longer than the answers-file limit is an error record, not a memory spike);
    ``consumed`` counts the bytes read so far, for a progress bar."""

    def __init__(self, kb: KnowledgeBase, handle: BinaryIO, name: str, kind: str):
        self.kb, self.handle, self.name, self.kind = kb, handle, name, kind
        self.consumed = 0
        self.too_long: set[int] = set()

    def __iter__(self) -> Iterator[Record]:
        return self._csv() if self.kind == "csv" else self._jsonl()

    def _lines(self) -> Iterator[tuple[int, bytes | None]]:
        """(line number, bytes), or None for a line over the limit (skipped unread)."""
        number = 0
        while True:
            data = self.handle.readline(MAX_BYTES + 1)
            if not data:
                return
            number += 1
            self.consumed += len(data)
            if len(data) > MAX_BYTES and not data.endswith(b"\n"):
                while (rest := self.handle.readline(MAX_BYTES)) and not rest.endswith(b"\n"):
                    self.consumed += len(rest)
                self.consumed += len(rest)
                yield number, None
                continue
            yield number, data[3:] if number == 1 and data.startswith(b"\xef\xbb\xbf") else data

    def _jsonl(self) -> Iterator[Record]:
        for number, data in self._lines():
            if data is None:
                yield _unreadable(number, f"the line is longer than {MAX_BYTES:,} bytes")
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield _unreadable(number, not_utf8(data, exc))
                continue
            if text.strip():
                yield _from_json(number, text)

    def _csv(self) -> Iterator[Record]:
        numbered = self._lines()

        def texts() -> Iterator[str]:
            for number, data in numbered:
                if data is None:
                    self.too_long.add(number)
                    yield "\x00\n"  # a cell no CSV has: marks the line for _row
                else:
                    yield data.decode("utf-8", "surrogateescape")

        reader = csv.reader(texts())
        header: list[str] | None = None
        end = 0
        for cells in reader:
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # a blank line is not a record
            if header is None:
                header = self._header(cells, start)
                continue
            yield self._row(header, cells, start, end)

    def _header(self, cells: list[str], line: int) -> list[str]:
        columns = [cell.strip() for cell in cells]
        where = f"{self.name}:{line}"
        for column in columns:
            question = self.kb.questions.get(column)
            if column == "id" or (question is not None and not question.computed):
                continue
            if question is not None:
                raise InputError(f"{where}: column {column} is computed from "
                                 f"{', '.join(q for q, _ in question.sum)}; give those instead")
            hint = did_you_mean(column, [q.id for q in self.kb.askable],
                                "; see `twitchdx questions`", quoted=True)
            raise InputError(f"{where}: column {brief(column)} is neither a question id "
                             f"nor id{hint}")
        repeated = sorted({c for c in columns if columns.count(c) > 1})
        if repeated:
            raise InputError(f"{where}: column {repeated[0]} appears twice")
        return columns

    def _row(self, header: list[str], cells: list[str], start: int, end: int) -> Record:
        if any("\x00" in cell for cell in cells):
            long = sorted(n for n in self.too_long if start <= n <= end)
            return _unreadable(start, f"line {long[0]} is longer than {MAX_BYTES:,} bytes"
                               if long else "a cell holds a NUL character")
        if any(_has_bad_bytes(cell) for cell in cells):
            return _unreadable(start, "not UTF-8 text; save the file as UTF-8")
        if len(cells) > len(header):
            return _unreadable(start, f"{len(cells)} cells, but the header names "
                               f"{len(header)} columns")
        answers: dict[str, Any] = {}
        ident = None
        for column, cell in zip(header, cells, strict=False):
            value = cell.strip()
            if column == "id":
                ident = value or None
            elif value:
                answers[column] = self._cell(column, value)
        return Record(start, ident, answers)

    def _cell(self, column: str, value: str) -> Any:
        question = self.kb.questions[column]
        if question.type != "multi":
            return value
        if value.lower() in NONE_WORDS and value.lower() not in question.choice_ids:
            return []
        return [item.strip() for item in value.split(";") if item.strip()]


def _unreadable(line: int, why: str, question: str = "") -> Record:
    return Record(line, problems=((question, why),))


def _has_bad_bytes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _from_json(line: int, text: str) -> Record:
    """A JSON Lines record: answers with an optional ``id``, or ``{id, answers}`` (the
    vignette form, whose ``expect`` a batch ignores)."""
    try:
        data = parse_json(text, "")
    except DataFileError as exc:
        return _unreadable(line, exc.problem)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return _unreadable(line, f"a record must be a JSON object of answers, not {kind}")
    ident = data.get("id")
    if isinstance(data.get("answers"), dict):
        extra = sorted(set(data) - ENVELOPE)
        if extra:
            return _unreadable(line, f"unknown field {brief(extra[0])} beside answers; "
                               f"allowed: {', '.join(sorted(ENVELOPE))}")
        return Record(line, ident, data["answers"])
    return Record(line, ident, {k: v for k, v in data.items() if k != "id"})


def answer(kb: KnowledgeBase, record: Record, follow_up: bool = False) -> Output:
    """A record's report, or its error line."""
    head: dict[str, Any] = {"line": record.line}
    if record.id is not None:
        head["id"] = record.id
    if record.problems:
        return Output(_error_line(head, "the record could not be read", record.problems),
                      record.line, False)
    try:
        answers = check_answers(kb, record.answers or {})
    except AnswerError as exc:
        problems = tuple((p.question, p.reason) for p in exc.problems)
        return Output(_error_line(head, "some answers are not allowed", problems),
                      record.line, False)
    result = consult(kb, answers)
    line = report_line(result, head, questions_that_matter(result) if follow_up else None)
    return Output((line + "\n").encode(), record.line, True)


def _error_line(head: dict[str, Any], error: str,
                problems: tuple[tuple[str, str], ...]) -> bytes:
    return _dumps({**head, "error": error, "problems": [
        {"question": question or None, "message": message} for question, message in problems]})


def _dumps(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def answer_all(kb: KnowledgeBase, records: Iterable[Record], workers: int = 1,
               follow_up: bool = False, warn: Callable[[str], None] | None = None
               ) -> Iterator[Output]:
    """Every record's output line, in input order; with ``workers`` > 1 and more than one
    chunk of records, answered by that many processes.  If they cannot be started (a
    process limit, memory), this one answers them all, and ``warn`` is told why."""
    chunks = _chunks(records)
    first = next(chunks, None)
    second = next(chunks, None) if first is not None else None
    if workers <= 1 or second is None:
        for chunk in chain(filter(None, [first, second]), chunks):
            yield from _answer_chunk(chunk, kb, follow_up)
        return
    engine_for(kb)  # built before the fork: every worker starts with it
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_adopt,
                               initargs=(kb, follow_up))
    try:  # the workers start with the first chunk (forked ones all at once)
        started = pool.submit(_answer_in_worker, first)
    except OSError as exc:
        pool.shutdown(cancel_futures=True)
        if warn is not None:
            warn(f"could not start {workers} worker processes ({exc.strerror or exc}); "
                 "answering every record in this one")
        for chunk in chain([first, second], chunks):
            yield from _answer_chunk(chunk, kb, follow_up)
        return
    with pool:
        waiting: deque[Future[list[Output]]] = deque([started])
        for chunk in chain([second], chunks):
            waiting.append(pool.submit(_answer_in_worker, chunk))
            if len(waiting) >= workers * AHEAD:
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()


def _chunks(records: Iterable[Record]) -> Iterator[list[Record]]:
    remaining = iter(records)
    while chunk := list(islice(remaining, CHUNK)):
        yield chunk


def _answer_chunk(chunk: list[Record], kb: KnowledgeBase,
                  follow_up: bool) -> list[Output]:
    return [answer(kb, record, follow_up) for record in chunk]


COLLECT_EVERY = 100_000  # objects made between collections (Python's default is 700)


def collect_rarely() -> None:
    """The garbage collector for a long run of consultations: never walking what exists
    already (the knowledge and the engine, frozen), and seldom.  A consultation and its
    report leave no reference cycle (tests/test_engine.py), so each is freed as soon as
    it is written; a collection only finds the odd cycle of an error, and at Python's
    default pace collections were a quarter of a batch's time."""
    gc.freeze()
    gc.set_threshold(COLLECT_EVERY, 10, 10)
    gc.enable()


_WORKER: dict[str, Any] = {}
ORPHAN_CHECK = 0.2  # seconds between a worker's looks at whether its parent is alive


def _adopt(kb: KnowledgeBase, follow_up: bool) -> None:
    """A worker's start: keep the knowledge (and, forked, its engine); collect cycles, as
    a long run must, without walking what it inherited; and end with the parent."""
    _WORKER.update(kb=kb, follow_up=follow_up)
    collect_rarely()
    for name in ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGINT"):  # the parent's to handle
        number = getattr(signal, name, None)
        if number is not None:
            signal.signal(number, signal.SIG_DFL if name != "SIGINT" else signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()


def _orphaned(parent: int) -> None:
    """Exit as soon as the parent is gone (killed with -9, it cannot say so itself)."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK)
    os._exit(1)


def _answer_in_worker(chunk: list[Record]) -> list[Output]:
    return _answer_chunk(chunk, _WORKER["kb"], _WORKER["follow_up"])
