"""twitchdx: a terminal expert system for muscle twitching at rest.

This module only parses arguments, calls ``expert`` and prints.  Engine modules
are imported inside the commands that use them, so ``--help`` stays instant.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import click

from expert import __version__
from expert.errors import TwitchdxError

KB_HELP = "Extra knowledge folder (repeatable); also $TWITCHDX_KB, separated by ':'."


class Twitchdx(click.Group):
    """Turns every TwitchdxError into one line on stderr and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TwitchdxError as exc:
            for line in str(exc).splitlines() or [exc.__class__.__name__]:
                click.echo(f"twitchdx: error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, EOFError,
                KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, keep the traceback on request
            if os.environ.get("TWITCHDX_DEBUG"):
                raise
            click.echo(f"twitchdx: internal error: {exc.__class__.__name__}: {exc} "
                       "(set TWITCHDX_DEBUG=1 to see the traceback)", err=True)
            ctx.exit(1)


kb_option = click.option("--kb", "kb_dirs", multiple=True, metavar="DIR",
                         type=click.Path(file_okay=False, path_type=Path), help=KB_HELP)


def load_kb(kb_dirs: tuple[Path, ...]) -> Any:
    from expert.loader import load_knowledge

    return load_knowledge(kb_dirs)


@click.group(cls=Twitchdx, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="twitchdx")
def twitchdx() -> None:
    """Consult an expert system about muscle twitching at rest.

    Health information, not a diagnosis: it says how soon to see a doctor,
    which deficiencies are possible (confirm them with a blood test) and which
    everyday triggers may be involved, and explains every conclusion.
    """


@twitchdx.command()
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or JSON file of answers; without it the consultation is interactive.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@kb_option
def consult(answers_file: Path | None, fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """Run a consultation and print the report."""
    from expert.answers import read_answers_file
    from expert.consultation import run_answers
    from expert.errors import InputError
    from expert.report import build_report

    if answers_file is None:
        raise InputError("give --answers FILE (the interactive consultation is not available yet)")
    kb = load_kb(kb_dirs)
    result = run_answers(kb, read_answers_file(answers_file), str(answers_file))
    emit(build_report(result), fmt)


def emit(report: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        from expert.report import to_json

        click.echo(to_json(report), nl=False)
        return
    from expert.render import render_markdown, render_text

    click.echo((render_text if fmt == "text" else render_markdown)(report), nl=False)


@twitchdx.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@kb_option
def questions(fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """List every question an answers file may answer."""
    from expert.questionlist import questions_data, render_questions
    from expert.report import to_json

    kb = load_kb(kb_dirs)
    if fmt == "json":
        click.echo(to_json(questions_data(kb)), nl=False)
    else:
        click.echo(render_questions(kb), nl=False)


def main() -> None:
    """The console entry point: run the command, then skip the final garbage collection.

    A consultation leaves the knowledge base and the engine's Rete network (tens of
    thousands of objects) in memory; the interpreter's last collection on exit would
    walk them all for nothing, about a tenth of a short run.  ``gc.freeze()`` moves
    them out of its way; the memory is returned when the process ends.
    """
    try:
        twitchdx(prog_name="twitchdx")
    finally:
        gc.freeze()


if __name__ == "__main__":
    main()
