"""``twitchdx evaluate``: triage accuracy against vignettes with an expected referral."""

from __future__ import annotations

from pathlib import Path

import click

from .options import kb_option, load_kb, output


@click.command()
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
