"""``twitchdx batch``: many consultations, one JSON report per line, in input order."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from .options import FILE, kb_option, load_kb


@click.command()
@click.argument("input_file", metavar="IN", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--output", "-o", type=FILE,
              help="Write the reports to FILE (replaced only once the batch is done).")
@click.option("--resume", is_flag=True,
              help="With -o: continue a run that was stopped or killed, after its last "
                   "complete record (the result is the same bytes as one whole run).")
@click.option("--workers", type=click.IntRange(1, 64), metavar="N",
              help="Processes answering records  [default: one per CPU core, at most 16]")
@click.option("--input-format", "kind", type=click.Choice(["jsonl", "csv"]),
              help="Default: csv for a .csv file, JSON Lines otherwise.")
@click.option("--follow-up", is_flag=True,
              help="Also list in each report the questions that could still change it "
                   "(about ten times slower).")
@kb_option
def batch(input_file: str, output: Path | None, resume: bool, workers: int | None,
          kind: str | None, follow_up: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Consult on every record of IN: one JSON report per line, in input order.

    IN is JSON Lines (an answers object per line, with an optional "id" passed
    through) or CSV (a column per question id, and optionally id; multi-choice
    answers joined with ;).  - reads standard input.  A record that cannot be read
    or answered gives an error line with its line number and problems instead; the
    batch goes on, and exits 2 at the end.  With -o the reports go to a hidden
    .OUT.partial beside OUT, renamed to OUT when the batch is done: a stopped or
    killed run leaves it for --resume (a run without --resume sweeps it away).
    """
    from itertools import islice

    from expert.consult.batch import Source, answer_all, collect_rarely, input_format
    from expert.errors import InputError
    from expert.fileio import check_writable, locked, open_input

    if resume and not output:
        raise InputError("--resume continues the output file of a stopped run: give it with "
                         "-o OUT")
    if output:
        check_writable(output, "output")
    kb = load_kb(kb_dirs)
    collect_rarely()  # a long run: collect its cycles, not the knowledge (see main)
    with open_input(input_file) as (handle, size), \
            (locked(output, "output") if output else contextlib.nullcontext()):
        name = "<stdin>" if input_file == "-" else input_file
        source = Source(kb, handle, name, input_format(input_file, kind))
        done, done_bad = _resumed(output, resume) if output else (0, [])
        records = islice(source, done, None)
        lines = answer_all(kb, records, workers or min(os.cpu_count() or 1, 16), follow_up,
                           lambda said: click.echo(f"twitchdx: warning: {said}", err=True))
        if output:
            total, bad = _to_file(output, lines, source, size, done, resume, input_file)
            total, bad = total + done, done_bad + bad
        else:
            total, bad = write_batch(lines, sys.stdout.buffer.write, source, size)
    if not total:
        click.echo(f"twitchdx: no records in {name}", err=True)
    if bad:
        shown = ", ".join(str(n) for n in bad[:10]) + (", ..." if len(bad) > 10 else "")
        click.echo(f"twitchdx: {len(bad):,} of {total:,} records could not be answered "
                   f"(line{'s' if len(bad) > 1 else ''} {shown}): see their error lines",
                   err=True)
        raise click.exceptions.Exit(2)


def partial_path(output: Path) -> Path:
    """Where a run writes before it is done: hidden, beside the output."""
    return output.with_name(f".{output.name}.partial")


def _resumed(output: Path, resume: bool) -> tuple[int, list[int]]:
    """(records already written, the input lines of those that were errors) of a stopped
    run to continue, cut after its last complete record; without --resume, what a killed
    run left is swept away."""
    import json

    from expert.errors import InputError

    partial = partial_path(output)
    if not resume:
        for stale in [partial, *output.parent.glob(f".{output.name}.*.tmp")]:
            if stale.exists():
                stale.unlink()
                click.echo(f"twitchdx: removed {stale}, left by a run that was stopped "
                           "(--resume continues one instead)", err=True)
        return 0, []
    bad, count, kept = [], 0, 0  # kept: bytes up to the end of the last whole record
    try:
        with partial.open("rb") as handle:  # line by line: a killed run's output can be GBs
            for text in handle:
                if not text.endswith(b"\n"):
                    break  # a record cut off mid-line is written again
                try:
                    record = json.loads(text)
                except ValueError:
                    raise InputError(f"{partial}: not the output of a twitchdx batch; remove "
                                     "it, or run without --resume") from None
                if isinstance(record, dict) and "error" in record:
                    bad.append(record.get("line"))
                count, kept = count + 1, kept + len(text)
    except FileNotFoundError:
        raise InputError(f"{output}: no stopped run to resume ({partial} is not there); run "
                         "without --resume") from None
    with partial.open("r+b") as handle:
        handle.truncate(kept)
    click.echo(f"twitchdx: resuming after {count:,} records already in {partial}", err=True)
    return count, bad


def _to_file(output: Path, lines: Any, source: Any, size: int | None, done: int,
             resume: bool, input_file: str) -> tuple[int, list[int]]:
    """Write to the partial file, synced, then rename it over the output.  An error removes
    it; a stop (Ctrl-C, SIGTERM) keeps it for --resume and says how."""
    from expert.fileio import os_failure
    from expert.stopping import Stopped

    partial = partial_path(output)
    written = 0
    try:
        with partial.open("ab" if resume else "wb") as sink:
            def write(data: bytes) -> None:
                nonlocal written
                sink.write(data)
                written += 1

            total, bad = write_batch(lines, write, source, size)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(partial, output)
    except (KeyboardInterrupt, Stopped):
        click.echo(f"twitchdx: stopped after {done + written:,} records, kept in {partial}; "
                   f"continue with: twitchdx batch {input_file} -o {output} --resume",
                   err=True)
        raise
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise os_failure(output, "write the output", exc) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return total, bad


def write_batch(lines: Any, write: Any, source: Any, size: int | None
                ) -> tuple[int, list[int]]:
    """Write each output line, with a progress bar on a terminal: (records, bad lines)."""
    total, bad, done = 0, [], 0
    bar = click.progressbar(length=size, label="consulting", file=sys.stderr) \
        if size and sys.stderr.isatty() else None
    with bar or contextlib.nullcontext():
        for out in lines:
            write(out.data)
            total += 1
            if not out.ok:
                bad.append(out.line)
            if bar:
                bar.update(source.consumed - done)
                done = source.consumed
    return total, bad
