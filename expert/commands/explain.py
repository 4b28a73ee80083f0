"""``twitchdx explain`` and ``twitchdx whatif``: why a consultation concluded what it did,
and what a changed answer would move."""

from __future__ import annotations

from pathlib import Path

import click

from .options import kb_option, load_kb, output, show_rules_option, text_or_json, with_answers


@click.command()
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


@click.command()
@with_answers
@click.option("--set", "settings", multiple=True, required=True, metavar="QUESTION=VALUE",
              help="An answer to change (repeatable); VALUE as typed at the prompt, "
                   "e.g. age=70, medications=ppi_long_term,loop_diuretic, smoker=yes, "
                   "sleep_hours=unknown.")
@text_or_json
@show_rules_option
@kb_option
def whatif(answers_file: Path | None, session_file: Path | None, settings: tuple[str, ...],
           fmt: str, show_rules: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Re-run a consultation with some answers changed and show what moved."""
    from expert.consult.session import answers_from
    from expert.explain.whatif import parse_settings, render, what_if

    kb = load_kb(kb_dirs)
    answers = answers_from(kb, answers_file, session_file)
    output(what_if(kb, answers, parse_settings(kb, settings)), fmt,
           lambda node: render(node, show_rules))
