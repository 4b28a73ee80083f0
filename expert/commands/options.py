"""What the commands share: their common options, loading the knowledge, and printing
a result as JSON or as the text drawn from the same structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

KB_HELP = "Extra knowledge folder (repeatable); also $TWITCHDX_KB, separated by ':'."

text_or_json = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                            default="text", show_default=True)
show_rules_option = click.option(
    "--show-rules", is_flag=True,
    help="For authors: name the rule behind each reason and piece of evidence.")
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


def output(node: Any, fmt: str, render: Any) -> None:
    """Print a result as JSON, or as the text ``render`` draws from the same structure."""
    if fmt == "json":
        from expert.consult.contract import to_json

        click.echo(to_json(node), nl=False)
    else:
        click.echo(render(node), nl=False)
