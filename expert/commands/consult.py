"""``twitchdx consult``: a consultation from an answers file, or asked in the terminal."""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import click

from expert.report.formats import FORMATS

from .options import FILE, kb_option, load_kb, show_rules_option


@click.command("consult")
@click.option("--answers", "answers_file", type=FILE,
              help="YAML or JSON file of answers: consult without asking anything.")
@click.option("--ask-missing", is_flag=True,
              help="With --answers: ask interactively for whatever is still needed.")
@click.option("--resume", type=FILE, metavar="SESSION",
              help="Continue an interactive consultation from its session file.")
@click.option("--session", "session_file", type=FILE,
              help="Where to keep the interactive session (default: a new file under "
                   "~/.local/share/twitchdx/sessions, or $TWITCHDX_SESSIONS).")
@click.option("--save", "save_file", type=FILE,
              help="Also write the answers to FILE as an answers file (.yaml or .json).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="html: one page to print or take to a doctor; fhir: an "
              "HL7 FHIR R4 Bundle (QuestionnaireResponse, RiskAssessment, GuidanceResponse).")
@click.option("--output", "-o", "output_file", type=FILE,
              help="Write the report to FILE instead of the terminal (any format).")
@click.option("--no-history", "history", is_flag=True, flag_value=False, default=True,
              help="Do not keep this consultation for `twitchdx history` and `compare`.")
@click.option("--trace", is_flag=True,
              help="Print every fact and firing on stderr as it happens (CLIPS's watch).")
@show_rules_option
@kb_option
def consult_command(answers_file: Path | None, ask_missing: bool, resume: Path | None,
                    session_file: Path | None, save_file: Path | None, fmt: str,
                    output_file: Path | None, history: bool, trace: bool, show_rules: bool,
                    kb_dirs: tuple[Path, ...]) -> None:
    """Run a consultation and print the report.

    With --answers it asks nothing. Without it (or with --ask-missing) it asks,
    in the terminal, only the questions that can still change the report,
    warning signs first; type why, back, unknown, help or quit at any prompt.
    Every answer is saved as it is given: continue later with --resume.
    """
    from expert.consult.answers import load_answers
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
    answers = load_answers(kb, answers_file) \
        if answers_file else {}
    if save_file:  # before anything is asked: a typo must not cost the answers
        check_writable(save_file, "answers file (--save)")
    if output_file:
        check_writable(output_file, "report (--output)")
    if answers_file and not ask_missing:
        emit(consult(kb, answers, watcher(trace)), fmt, show_rules, output_file, history)
        if save_file:
            Session(save_file, kb.version, answers).export(save_file)
        return
    if sys.stdin is None or sys.stdin.closed:  # <&-: nothing could be answered
        raise InputError("standard input is closed, so no question can be answered; give "
                         "the answers with --answers FILE")
    if resume:
        from expert.fileio import real_file

        resume = real_file(resume, "session")  # saved in place of the file, not the link
        check_writable(resume, "session")
    path = resume or session_path(session_file)
    with locked(path, "session"):
        if resume:
            session = resume_session(kb, resume)
            click.echo(f"Resumed {session.path}: {len(session.answers)} answer"
                       f"{'s' if len(session.answers) != 1 else ''} restored.", err=True)
        else:
            session = start_session(kb, answers, path)
        result = converse(kb, session, save_file, resumed=bool(resume),
                          report_follows=fmt == "text" and output_file is None
                          and sys.stdout.isatty() and sys.stderr.isatty())
    if trace:
        result = consult(kb, result.answers, watcher(trace))
    kept = emit(result, fmt, show_rules, output_file, history, session.path)
    tell(f"Session saved to {session.path}")
    if kept:
        tell(f"Kept in your history as {kept.stem}: see `twitchdx history`")
    if save_file:  # after the report: if this fails, the report is out and the session kept
        session.export(save_file)


def tell(text: str) -> None:
    """A line for the person on stderr: wrapped to their terminal, down to 20 columns
    (in a pipe or a file, as it is)."""
    from expert.text import stderr_width

    width = stderr_width()
    if width and text:
        from expert.text import wrap

        text = wrap(text, "", "", width, whole_words=True)
    click.echo(text, err=True)


def watcher(trace: bool) -> Any:
    if not trace:
        return None
    from expert.engine.trace import EchoWatcher

    return EchoWatcher(lambda line: click.echo(line, err=True))


def converse(kb: Any, session: Any, save_file: Path | None, resumed: bool = False,
             report_follows: bool = False) -> Any:
    """Run the dialogue; on quit, Ctrl-C or end of input say where the answers are kept.
    ``report_follows``: the text report is shown next on the same terminal."""
    from expert.consult.dialogue import Dialogue, Quit

    gc.freeze()  # a dialogue runs for minutes: let the collector work (see main), on
    gc.enable()  # what the dialogue makes, not on the knowledge and the engine
    say = tell
    if not session.complete:
        say("twitchdx: questions about muscle twitching at rest. Health information, not a "
            "diagnosis.")
        say("At any prompt type why, back, unknown, help or quit.")
        say(f"Your answers are saved as you go in {session.path}")
    dialogue = Dialogue(kb, session, report_follows=report_follows)
    if resumed and session.answers:
        dialogue.tell_answers("Restored answers:")
    try:
        return dialogue.run()
    except (Quit, KeyboardInterrupt, EOFError) as stop:
        given = len(session.answers)
        say("")
        if isinstance(stop, EOFError):
            asked = f'"{dialogue.current.short_text}"' if dialogue.current else "a question"
            say(f"twitchdx: error: the input ended while asking {asked}, before the "
                "consultation was complete.")
        say(f"Stopped. {given} answer{'s' if given != 1 else ''} saved in {session.path}")
        say(f"Continue with: twitchdx consult --resume {session.path}")
        if save_file:
            session.export(save_file)
            say(f"Answers so far written to {save_file}")
        code = getattr(stop, "exit_code", 130) if isinstance(stop, KeyboardInterrupt) \
            else 2 if isinstance(stop, EOFError) else 0
        raise click.exceptions.Exit(code) from None


def emit(result: Any, fmt: str, show_rules: bool = False, output: Path | None = None,
         history: bool = False, session: Path | None = None) -> Path | None:
    """The report in ``fmt``: on standard output (coloured and wrapped only on a terminal),
    or written to ``output``, and the terminal told where; with ``history``, the
    consultation kept for `twitchdx history` (returns where)."""
    from expert.clock import now
    from expert.fileio import write_atomic
    from expert.report.formats import format_report, report_of
    from expert.text import terminal_width

    when = now()
    report = report_of(result)
    terminal = output is None and sys.stdout.isatty()
    text = format_report(result, fmt, show_rules, terminal, terminal_width(), when, report)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_atomic(output, text)
        except OSError as exc:
            from expert.fileio import os_failure

            raise os_failure(output, "write the report", exc) from None
        tell(f"Report written to {output}")
    if not history:
        return None
    from expert.consult.history import keep

    return keep(result.given, report, when, session, text if fmt == "json" else None)
