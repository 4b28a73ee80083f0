"""``twitchdx questions``: every question an answers file may answer."""

from __future__ import annotations

from pathlib import Path

import click

from .options import kb_option, load_kb, output, text_or_json


@click.command()
@text_or_json
@kb_option
def questions(fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """List every question an answers file may answer."""
    from expert.report.questions import questions_data, render_questions

    kb = load_kb(kb_dirs)
    output(questions_data(kb) if fmt == "json" else kb, fmt, render_questions)
