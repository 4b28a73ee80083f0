"""``twitchdx batch``: many consultations, one JSON report per line, in input order."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import click

from .options import kb_option, load_kb


@click.command()
@click.argument("input_file", metavar="IN", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the reports to FILE (replaced only once the batch is done).")
@click.option("--workers", type=click.IntRange(1, 64), metavar="N",
              help="Processes answering records  [default: one per CPU core, at most 16]")
@click.option("--input-format", "kind", type=click.Choice(["jsonl", "csv"]),
              help="Default: csv for a .csv file, JSON Lines otherwise.")
@click.option("--follow-up", is_flag=True,
              help="Also list in each report the questions that could still change it "
                   "(about ten times slower).")
@kb_option
def batch(input_file: str, output: Path | None, workers: int | None, kind: str | None,
          follow_up: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Consult on every record of IN: one JSON report per line, in input order.

    IN is JSON Lines (an answers object per line, with an optional "id" passed
    through) or CSV (a column per question id, and optionally id; multi-choice
    answers joined with ;).  - reads standard input.  A record that cannot be read
    or answered gives an error line with its line number and problems instead; the
    batch goes on, and exits 2 at the end.
    """
    from expert.consult.batch import Source, answer_all, input_format
    from expert.fileio import atomic_writer, check_writable, open_input

    if output:
        check_writable(output, "output")
    kb = load_kb(kb_dirs)
    gc.freeze()  # a long run: collect its cycles, not the knowledge (see main)
    gc.enable()
    with open_input(input_file) as (handle, size):
        name = "<stdin>" if input_file == "-" else input_file
        source = Source(kb, handle, name, input_format(input_file, kind))
        lines = answer_all(kb, source, workers or min(os.cpu_count() or 1, 16), follow_up)
        if output:
            try:
                with atomic_writer(output) as sink:
                    total, bad = write_batch(lines, sink.write, source, size)
            except OSError as exc:
                from expert.fileio import os_failure

                raise os_failure(output, "write the output", exc) from None
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


def write_batch(lines: Any, write: Any, source: Any, size: int | None
                ) -> tuple[int, list[int]]:
    """Write each output line, with a progress bar on a terminal: (records, bad lines)."""
    import contextlib

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
