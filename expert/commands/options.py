"""What the commands share: their common options, loading the knowledge, and printing
a result as JSON or as the text drawn from the same structure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

FILE = click.Path(dir_okay=False, path_type=Path)  # made once for every option: click
FOLDER = click.Path(file_okay=False, path_type=Path)  # looks up a translation for each
KB_HELP = "Extra knowledge folder (repeatable); also $TWITCHDX_KB, separated by ':'."

text_or_json = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                            default="text", show_default=True)
show_rules_option = click.option(
    "--show-rules", is_flag=True,
    help="For authors: name the rule behind each reason and piece of evidence.")
_kb_dirs = click.option("--kb", "kb_dirs", multiple=True, metavar="DIR",
                        type=FOLDER, help=KB_HELP)
_no_experimental = click.option(
    "--no-experimental", is_flag=True, expose_value=False, is_eager=True,
    callback=lambda ctx, _param, value: ctx.meta.__setitem__("twitchdx.experimental",
                                                               not value) if value else None,
    help="Leave out the rules marked status: experimental (the rest is checked again so).")


def kb_option(function: Any) -> Any:
    """--kb DIR (repeatable) and --no-experimental, read by load_kb."""
    return _kb_dirs(_no_experimental(function))
answers_options = [
    click.option("--answers", "answers_file", type=FILE,
                 help="YAML or JSON answers file."),
    click.option("--session", "session_file", type=FILE,
                 help="An interactive session file instead."),
]


def with_answers(function: Any) -> Any:
    for option in reversed(answers_options):
        function = option(function)
    return function


def load_kb(kb_dirs: tuple[Path, ...]) -> Any:
    """The knowledge of the command line; a deprecated rule is said once on stderr (kb
    check lists it with the other warnings)."""
    from expert.kb.loader import load_knowledge

    ctx = click.get_current_context(silent=True)
    experimental = ctx.meta.get("twitchdx.experimental", True) if ctx else True
    kb = load_knowledge(kb_dirs, experimental=experimental)
    if ctx is not None and not ctx.meta.get("twitchdx.deprecations_said") and \
            (ctx.parent is None or ctx.parent.info_name != "kb"):
        ctx.meta["twitchdx.deprecations_said"] = True
        deprecated = [rule for rule in kb.rules if rule.status == "deprecated"]
        if deprecated:  # the linter is imported only when it has something to say
            from expert.authoring.lint import deprecation

        for rule in deprecated:
            said = deprecation(rule)
            click.echo(f"twitchdx: warning: {said.path}:{said.line}: {said.message}",
                       err=True)
    return kb


def output(node: Any, fmt: str, render: Any) -> None:
    """Print a result as JSON, or as the text ``render`` draws from the same structure."""
    if fmt == "json":
        from expert.consult.contract import to_json

        click.echo(to_json(node), nl=False)
    else:
        click.echo(render(node), nl=False)
