"""twitchdx: a terminal expert system for muscle twitching at rest.

The entry point: the command group, its error handling and the process's exit.
Each command lives in a module of its own under ``expert/commands`` and is
imported only when it runs, so ``--help`` and every command start fast.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any

import click

from expert import __version__
from expert.errors import TwitchdxError
from expert.stopping import Stopped, install

#: command name -> "module:attribute" under expert.commands, in the order help lists them
COMMANDS = {
    "consult": "consult:consult_command",
    "explain": "explain:explain",
    "whatif": "explain:whatif",
    "batch": "batch:batch",
    "evaluate": "evaluate:evaluate",
    "questions": "questions:questions",
    "history": "history:history",
    "compare": "history:compare",
    "kb": "kb:kb_group",
}
SUMMARIES = {  # what `twitchdx --help` says of each, without importing it
    "consult": "Run a consultation and print the report.",
    "explain": "Explain a consultation: HOW a conclusion was reached, WHY-NOT another, or a "
               "rule.",
    "whatif": "Re-run a consultation with some answers changed and show what moved.",
    "batch": "Consult on every record of IN: one JSON report per line, in input order.",
    "evaluate": "Measure triage against vignettes with an expected referral.",
    "questions": "List every question an answers file may answer.",
    "history": "List the consultations kept: date, referral and what was found.",
    "compare": "Show what changed between two consultations.",
    "kb": "Check, test and explore the knowledge base (no Python needed).",
}


class Twitchdx(click.Group):
    """Loads each command when it is asked for, and turns every TwitchdxError into one
    line on stderr and its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        command = getattr(importlib.import_module(f"expert.commands.{module}"), attribute)
        command.short_help = command.short_help or SUMMARIES[name]
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):  # from the summaries: help imports no command
            formatter.write_dl(list(SUMMARIES.items()))

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """``--all-errors`` is the group's, wherever it is written on the line."""
        if "--all-errors" in args:
            args = ["--all-errors", *[a for a in args if a != "--all-errors"]]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        line = [*getattr(ctx, "_protected_args", ()), *ctx.args]  # the command's own
        try:
            return super().invoke(ctx)
        except TwitchdxError as exc:
            from expert.commands.failures import error_lines

            for said in error_lines(exc, line, bool(ctx.meta.get("twitchdx.all_errors"))):
                click.echo(said, err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            ctx.exit(output_closed())
        except OSError as exc:  # a full disk, a device error: one line, never a traceback
            ctx.exit(output_failed(exc))
        except Stopped as exc:  # SIGTERM, SIGHUP, SIGQUIT: every finally has run
            click.echo(f"twitchdx: stopped by {exc.name}", err=True)
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


@click.group(cls=Twitchdx, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="twitchdx")
@click.option("--all-errors", is_flag=True, expose_value=False,
              callback=lambda ctx, _param, value: ctx.meta.__setitem__(
                  "twitchdx.all_errors", value),
              help="Print every problem of bad input, not only the first ten "
                   "(also TWITCHDX_ALL_ERRORS=1); may come anywhere on the line.")
def twitchdx() -> None:
    """Consult an expert system about muscle twitching at rest.

    Health information, not a diagnosis: it says how soon to see a doctor,
    which deficiencies are possible (confirm them with a blood test) and which
    everyday triggers may be involved, and explains every conclusion.
    """


def main() -> None:
    """The console entry point, with the garbage collector out of the way.

    A command builds the knowledge base and the engine (tens of thousands of objects
    that all live until exit) in one burst: collections during it, and the
    interpreter's last one at exit, walk them all and free nothing, about a tenth of
    a short run.  So collection is off for the command (an interactive consultation,
    which runs long, turns it back on) and the survivors are frozen before exit; the
    process's memory is returned when it ends.
    """
    gc.disable()
    install()
    if sys.stdout is None:  # started with standard output closed (>&-)
        print("twitchdx: error: standard output is closed; nothing could be written",
              file=sys.stderr)
        raise SystemExit(2)
    try:
        twitchdx(prog_name="twitchdx")
    except SystemExit as exc:
        code = exc.code
    else:  # pragma: no cover - click always exits
        code = 0
    finally:
        gc.freeze()
    try:
        sys.stdout.flush()  # here, not at interpreter exit, where a closed pipe is a traceback
    except BrokenPipeError:
        code = output_closed()
    except OSError as exc:  # > /dev/full
        code = output_failed(exc)
    raise SystemExit(code)


def output_closed() -> int:
    """The reader of standard output went away (``| head``): say so once, and make sure
    nothing else tries to write there."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print("twitchdx: error: the output was closed before everything was written",
          file=sys.stderr)
    return 2


def output_failed(exc: OSError) -> int:
    """A write the system refused (no space, a device error): the file, or standard output,
    and what to do, on one line; nothing more is written there."""
    from expert.fileio import os_failure

    where = exc.filename or "standard output"
    failure = os_failure(where, "write" if exc.filename is None else "use it", exc)
    if exc.filename is None:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print(f"twitchdx: error: {failure}", file=sys.stderr)
    return failure.exit_code


if __name__ == "__main__":
    main()
