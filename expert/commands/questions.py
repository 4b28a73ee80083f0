"""``twitchdx questions``: every question an answers file may answer."""

from __future__ import annotations

from pathlib import Path

import click

from .options import kb_option, load_kb, output


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "fhir"]), default="text",
              show_default=True, help="fhir: an HL7 FHIR R4 Questionnaire, for forms and apps "
              "that speak FHIR; `consult --answers` reads its QuestionnaireResponse.")
@kb_option
def questions(fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """List every question an answers file may answer."""
    from expert.report.questions import questions_data, render_questions

    kb = load_kb(kb_dirs)
    if fmt == "fhir":
        from expert.fhir.questionnaire import questionnaire

        output(questionnaire(kb), "json", render_questions)
    else:
        output(questions_data(kb) if fmt == "json" else kb, fmt, render_questions)
