"""twitchdx: a terminal expert system for muscle twitching at rest.

This module only parses arguments, calls ``expert`` and prints.  Engine modules
are imported inside the commands that use them, so ``--help`` stays instant.
"""

from __future__ import annotations

import gc
import os
import sys
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
        except BrokenPipeError:
            ctx.exit(output_closed())
        except (click.exceptions.Exit, click.ClickException, click.Abort, EOFError,
                KeyboardInterrupt):
            raise
        except Exception as exc:  # a bug: say so plainly, keep the traceback on request
            if os.environ.get("TWITCHDX_DEBUG"):
                raise
            click.echo(f"twitchdx: internal error: {exc.__class__.__name__}: {exc} "
                       "(set TWITCHDX_DEBUG=1 to see the traceback)", err=True)
            ctx.exit(1)


text_or_json = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                            default="text", show_default=True)
kb_option = click.option("--kb", "kb_dirs", multiple=True, metavar="DIR",
                         type=click.Path(file_okay=False, path_type=Path), help=KB_HELP)
answers_options = [
    click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
                 help="YAML or JSON answers file."),
    click.option("--session", "session_file", type=click.Path(dir_okay=False, path_type=Path),
                 help="An interactive session file instead."),
]


def with_answers(function: Any) -> Any:
    for option in reversed(answers_options):
        function = option(function)
    return function


def load_kb(kb_dirs: tuple[Path, ...]) -> Any:
    from expert.kb.loader import load_knowledge

    return load_knowledge(kb_dirs)


@click.group(cls=Twitchdx, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="twitchdx")
def twitchdx() -> None:
    """Consult an expert system about muscle twitching at rest.

    Health information, not a diagnosis: it says how soon to see a doctor,
    which deficiencies are possible (confirm them with a blood test) and which
    everyday triggers may be involved, and explains every conclusion.
    """


@twitchdx.command("consult")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False, path_type=Path),
              help="YAML or JSON file of answers: consult without asking anything.")
@click.option("--ask-missing", is_flag=True,
              help="With --answers: ask interactively for whatever is still needed.")
@click.option("--resume", type=click.Path(dir_okay=False, path_type=Path), metavar="SESSION",
              help="Continue an interactive consultation from its session file.")
@click.option("--session", "session_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to keep the interactive session (default: a new file under "
                   "~/.local/share/twitchdx/sessions, or $TWITCHDX_SESSIONS).")
@click.option("--save", "save_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the answers to FILE as an answers file (.yaml or .json).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True)
@click.option("--trace", is_flag=True,
              help="Print every fact and firing on stderr as it happens (CLIPS's watch).")
@kb_option
def consult_command(answers_file: Path | None, ask_missing: bool, resume: Path | None,
                    session_file: Path | None, save_file: Path | None, fmt: str, trace: bool,
                    kb_dirs: tuple[Path, ...]) -> None:
    """Run a consultation and print the report.

    With --answers it asks nothing. Without it (or with --ask-missing) it asks,
    in the terminal, only the questions that can still change the report,
    warning signs first; type why, back, unknown, help or quit at any prompt.
    Every answer is saved as it is given: continue later with --resume.
    """
    from expert.consult.answers import check_answers, read_answers_file
    from expert.consult.consultation import consult
    from expert.consult.session import Session, resume_session, session_path, start_session
    from expert.errors import InputError
    from expert.fileio import check_writable, locked

    if resume and (answers_file or session_file):
        raise InputError("--resume continues a session: give it alone, without --answers or "
                         "--session")
    if ask_missing and not answers_file:
        raise InputError("--ask-missing needs --answers FILE to start from")
    if session_file and answers_file and not ask_missing:
        raise InputError("--session keeps an interactive consultation: use it without "
                         "--answers, or with --ask-missing")
    kb = load_kb(kb_dirs)
    answers = check_answers(kb, read_answers_file(answers_file), str(answers_file)) \
        if answers_file else {}
    if save_file:  # before anything is asked: a typo must not cost the answers
        check_writable(save_file, "answers file (--save)")
    if answers_file and not ask_missing:
        emit(consult(kb, answers, watcher(trace)), fmt)
        if save_file:
            Session(save_file, kb.version, answers).export(save_file)
        return
    if resume:
        check_writable(resume, "session")
    path = resume or session_path(session_file)
    with locked(path, "session"):
        if resume:
            session = resume_session(kb, resume)
            click.echo(f"Resumed {session.path}: {len(session.answers)} answer"
                       f"{'s' if len(session.answers) != 1 else ''} restored.", err=True)
        else:
            session = start_session(kb, answers, path)
        result = converse(kb, session, save_file)
    if trace:
        result = consult(kb, result.answers, watcher(trace))
    emit(result, fmt)
    click.echo(f"Session saved to {session.path}", err=True)
    if save_file:  # after the report: if this fails, the report is out and the session kept
        session.export(save_file)


def watcher(trace: bool) -> Any:
    if not trace:
        return None
    from expert.engine.trace import EchoWatcher

    return EchoWatcher(lambda line: click.echo(line, err=True))


def converse(kb: Any, session: Any, save_file: Path | None) -> Any:
    """Run the dialogue; on quit, Ctrl-C or end of input say where the answers are kept."""
    from expert.consult.dialogue import Dialogue, Quit

    gc.freeze()  # a dialogue runs for minutes: let the collector work (see main), on
    gc.enable()  # what the dialogue makes, not on the knowledge and the engine
    say = lambda text: click.echo(text, err=True)  # noqa: E731
    if not session.complete:
        say("twitchdx: questions about muscle twitching at rest. Health information, not a "
            "diagnosis.")
        say("At any prompt type why, back, unknown, help or quit.")
        say(f"Your answers are saved as you go in {session.path}")
    dialogue = Dialogue(kb, session)
    try:
        return dialogue.run()
    except (Quit, KeyboardInterrupt, EOFError) as stop:
        given = len(session.answers)
        say("")
        if isinstance(stop, EOFError):
            asked = dialogue.current.id if dialogue.current else "a question"
            say(f"twitchdx: error: the input ended while asking {asked}, before the "
                "consultation was complete.")
        say(f"Stopped. {given} answer{'s' if given != 1 else ''} saved in {session.path}")
        say(f"Continue with: twitchdx consult --resume {session.path}")
        if save_file:
            session.export(save_file)
            say(f"Answers so far written to {save_file}")
        code = 130 if isinstance(stop, KeyboardInterrupt) else 2 if isinstance(
            stop, EOFError) else 0
        raise click.exceptions.Exit(code) from None


def emit(result: Any, fmt: str) -> None:
    """Print a consultation's report in ``fmt``: JSON as the contract says, or text drawn
    from the same report (coloured and wrapped to the terminal only on a terminal)."""
    from expert.consult.planner import questions_that_matter
    from expert.report.report import build_report, to_json

    report = build_report(result, questions_that_matter(result))
    if fmt == "json":
        click.echo(to_json(report), nl=False)
    elif fmt == "markdown":
        from expert.report.render import render_markdown

        click.echo(render_markdown(report), nl=False)
    else:
        from expert.report.render import colour_style, plain_style, render_text
        from expert.text import WIDTH, terminal_width

        on_terminal = sys.stdout.isatty()
        style = colour_style if on_terminal and not os.environ.get("NO_COLOR") else plain_style
        click.echo(render_text(report, terminal_width() if on_terminal else WIDTH, style),
                   nl=False)


def output(node: Any, fmt: str, render: Any) -> None:
    """Print a result as JSON, or as the text ``render`` draws from the same structure."""
    if fmt == "json":
        from expert.report.report import to_json

        click.echo(to_json(node), nl=False)
    else:
        click.echo(render(node), nl=False)


@twitchdx.command()
@with_answers
@click.option("--how", "how_id", metavar="ID",
              help="Proof tree of a hypothesis, note, referral level, test, fact or rule.")
@click.option("--why-not", "why_not_id", metavar="ID",
              help="Why a conclusion was not reached (or not higher), and the answer change "
                   "that would raise it most.")
@click.option("--rule", "rule_id", metavar="RULE_ID", help="Whether a rule fired, and why.")
@text_or_json
@kb_option
def explain(answers_file: Path | None, session_file: Path | None, how_id: str | None,
            why_not_id: str | None, rule_id: str | None, fmt: str,
            kb_dirs: tuple[Path, ...]) -> None:
    """Explain a consultation: HOW a conclusion was reached, WHY-NOT another, or a rule."""
    from expert.consult.consultation import consult
    from expert.consult.session import answers_from
    from expert.errors import InputError

    asked = [name for name, value in (("--how", how_id), ("--why-not", why_not_id),
                                      ("--rule", rule_id)) if value]
    if len(asked) != 1:
        raise InputError("give exactly one of --how ID, --why-not ID or --rule RULE_ID")
    kb = load_kb(kb_dirs)
    result = consult(kb, answers_from(kb, answers_file, session_file))
    if how_id:
        from expert.explain.how import how, render_tree

        output(how(result, how_id), fmt, render_tree)
    else:
        from expert.explain.whynot import explain_rule, render, why_not

        node = why_not(result, why_not_id) if why_not_id else explain_rule(result, rule_id)
        output(node, fmt, render)


@twitchdx.command()
@with_answers
@click.option("--set", "settings", multiple=True, required=True, metavar="QUESTION=VALUE",
              help="An answer to change (repeatable); VALUE as typed at the prompt, "
                   "e.g. age=70, medications=ppi_long_term,loop_diuretic, smoker=yes, "
                   "sleep_hours=unknown.")
@text_or_json
@kb_option
def whatif(answers_file: Path | None, session_file: Path | None, settings: tuple[str, ...],
           fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """Re-run a consultation with some answers changed and show what moved."""
    from expert.consult.session import answers_from
    from expert.explain.whatif import parse_settings, render, what_if

    kb = load_kb(kb_dirs)
    answers = answers_from(kb, answers_file, session_file)
    output(what_if(kb, answers, parse_settings(kb, settings)), fmt, render)


@twitchdx.command()
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
    from expert.fileio import atomic_writer, check_writable, open_input
    from expert.report.batch import Source, answer_all, input_format

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
            with atomic_writer(output) as sink:
                total, bad = write_batch(lines, sink.write, source, size)
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


@twitchdx.command()
@click.argument("vignettes", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="PCT",
              help="Exit 1 if exact triage accuracy is below PCT percent, or an emergency "
                   "is missed.")
@kb_option
def evaluate(vignettes: tuple[Path, ...], fmt: str, fail_under: float | None,
             kb_dirs: tuple[Path, ...]) -> None:
    """Measure triage against vignettes with an expected referral.

    VIGNETTES are case folders or files (YAML, as in knowledge/cases: expect.referral
    and expect.leading) or JSON Lines of {"id": ..., "answers": {...}, "expect":
    {"level": ..., "top": [...]}}; without any, the cases of the knowledge in use.
    Prints exact accuracy, under- and over-triage, emergency sensitivity, the
    confusion matrix of referral levels, top-1 and top-3 hypothesis accuracy, and
    every miss.
    """
    from expert.authoring.cases import case_files
    from expert.authoring.evaluate import evaluate as measure
    from expert.authoring.evaluate import meets, read_vignettes, render_markdown, render_text
    from expert.kb.loader import knowledge_dirs

    kb = load_kb(kb_dirs)
    paths = list(vignettes) or case_files(knowledge_dirs(kb_dirs))
    data = measure(kb, read_vignettes(kb, paths))
    if fmt == "markdown":
        click.echo(render_markdown(data), nl=False)
    else:
        output(data, fmt, render_text)
    if fail_under is not None and not meets(data, fail_under):
        raise click.exceptions.Exit(1)


@twitchdx.command()
@text_or_json
@kb_option
def questions(fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """List every question an answers file may answer."""
    from expert.report.questions import questions_data, render_questions

    kb = load_kb(kb_dirs)
    output(questions_data(kb) if fmt == "json" else kb, fmt, render_questions)


@twitchdx.group("kb")
def kb_group() -> None:
    """Check, test and explore the knowledge base (no Python needed)."""


@kb_group.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="sarif: for editors and code scanning.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@kb_option
@click.pass_context
def kb_check(ctx: click.Context, fmt: str, strict: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Check every knowledge file; report every problem as path:line: rule-id: message.

    Errors refuse the knowledge (nothing would load it): exit 1. Warnings are for
    the author: exit 0, or 1 with --strict.
    """
    from expert.authoring.check import (
        check_knowledge,
        counts,
        problems_data,
        sarif,
        summary,
    )
    from expert.report.report import to_json

    problems, kb = check_knowledge(kb_dirs)
    if fmt == "json":
        click.echo(to_json(problems_data(problems, kb)), nl=False)
    elif fmt == "sarif":
        click.echo(to_json(sarif(problems)), nl=False)
    else:
        for problem in problems:
            click.echo(str(problem))
    errors, warnings = counts(problems)
    failed = errors or kb is None or (strict and warnings)
    click.echo(summary(problems, kb), err=bool(failed) or fmt != "text")
    if failed:
        ctx.exit(1)


@kb_group.command("test")
@click.argument("selected", nargs=-1, metavar="[CASE]...")
@click.option("--only", "only", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Only the cases of this knowledge folder.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="N",
              help="Fail when fewer than N% of the rules are asserted by a case.")
@click.option("--mutations", is_flag=True,
              help="Also weaken every rule as a wrong edit would, and report the edits no "
                   "case notices (slower).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True)
@kb_option
@click.pass_context
def kb_test(ctx: click.Context, selected: tuple[str, ...], only: Path | None,
            fail_under: float | None, mutations: bool, fmt: str,
            kb_dirs: tuple[Path, ...]) -> None:
    """Run the knowledge cases (cases/*.yaml), or the CASEs named (ids or files), and
    report coverage: rules a passing case asserts, any: branches no case takes."""
    from expert.authoring.cases import load_cases, run_case, select
    from expert.authoring.coverage import Run, coverage, junit, render_text, report_data
    from expert.authoring.mutation import survivors
    from expert.kb.loader import knowledge_dirs
    from expert.report.report import to_json

    kb = load_kb(kb_dirs)
    cases = select(load_cases(kb, knowledge_dirs(kb_dirs)), selected, only)
    runs = [Run(case, *run_case(kb, case)) for case in cases]
    cover = coverage(kb, runs)
    alive = survivors(kb, cases) if mutations else None
    if fmt == "json":
        click.echo(to_json(report_data(runs, cover, alive)), nl=False)
    elif fmt == "junit":
        click.echo(junit(runs), nl=False)
    else:
        click.echo(render_text(runs, cover, kb, alive), nl=False)
    too_little = fail_under is not None and cover.percent < fail_under
    if too_little:
        click.echo(f"kb test: {cover.percent_text} of the rules asserted, under "
                   f"--fail-under {fail_under:g}", err=True)
    if any(run.failures for run in runs) or too_little or alive:
        ctx.exit(1)


@kb_group.command("schema")
@click.option("--kind", type=click.Choice(["rules", "questions", "catalog", "reference", "kb",
                                           "case"]), default="rules", show_default=True)
@click.option("--write", is_flag=True,
              help="Write every schema into the schema/ folder of the last --kb folder.")
@kb_option
def kb_schema(kind: str, write: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Print the JSON Schema of a kind of knowledge file, with this base's ids as enums."""
    from expert.kb.schema import KINDS, schema
    from expert.report.report import to_json

    kb = load_kb(kb_dirs)
    if write:
        from expert.errors import InputError
        from expert.fileio import write_atomic

        if not kb_dirs:
            raise InputError("--write needs --kb DIR: the knowledge folder to write the "
                             "schemas into (never the installed package)")
        folder = kb_dirs[-1] / "schema"
        folder.mkdir(exist_ok=True)
        for each in KINDS:
            write_atomic(folder / f"{each}.schema.json", to_json(schema(each, kb)))
        click.echo(f"wrote {len(KINDS)} schemas to {folder}", err=True)
        return
    click.echo(to_json(schema(kind, kb)), nl=False)


@kb_group.command("list")
@text_or_json
@kb_option
def kb_list(fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """List every rule: id, file:line, title."""
    from expert.authoring.views import render_list, rule_rows

    kb = load_kb(kb_dirs)
    output(rule_rows(kb) if fmt == "json" else kb, fmt, render_list)


@kb_group.command("show")
@click.argument("rule_id")
@text_or_json
@kb_option
def kb_show(rule_id: str, fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """Show a rule, its sources, and the rules it feeds and is fed by."""
    from expert.authoring.views import render_show, show

    output(show(load_kb(kb_dirs), rule_id), fmt, render_show)


@kb_group.command("graph")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "svg", "png"]),
              default="dot", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
@kb_option
def kb_graph(fmt: str, output: Path | None, kb_dirs: tuple[Path, ...]) -> None:
    """Draw questions, rules and conclusions as a graph (svg/png need Graphviz)."""
    from expert.authoring.views import render_image, to_dot, to_mermaid

    kb = load_kb(kb_dirs)
    text = to_mermaid(kb) if fmt == "mermaid" else to_dot(kb)
    data = render_image(text, fmt) if fmt in ("svg", "png") else text.encode()
    if output:
        from expert.fileio import write_atomic

        write_atomic(output, data)
        click.echo(f"wrote {output}", err=True)
    elif fmt == "png":
        sys.stdout.buffer.write(data)
    else:
        click.echo(data.decode(), nl=False)


@kb_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["clips"]), default="clips",
              show_default=True, help="clips: a CLIPS 6.4 program that concludes the same.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
@kb_option
def kb_export(fmt: str, output: Path | None, kb_dirs: tuple[Path, ...]) -> None:
    """Export the knowledge for another engine: the same rules, the same conclusions."""
    from expert.authoring.clips import export_clips

    text = export_clips(load_kb(kb_dirs))
    if output:
        from expert.fileio import check_writable, write_atomic

        check_writable(output, "export")
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def main() -> None:
    """The console entry point, with the garbage collector out of the way.

    A command builds the knowledge base and the engine's Rete network (tens of
    thousands of objects that all live until exit) in one burst: collections during
    it, and the interpreter's last one at exit, walk them all and free nothing, about
    a tenth of a short run.  So collection is off for the command (an interactive
    consultation, which runs long, turns it back on) and the survivors are frozen
    before exit; the process's memory is returned when it ends.
    """
    gc.disable()
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
    raise SystemExit(code)


def output_closed() -> int:
    """The reader of standard output went away (``| head``): say so once, and make sure
    nothing else tries to write there."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print("twitchdx: error: the output was closed before everything was written",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    main()
