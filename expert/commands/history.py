"""``twitchdx history`` and ``twitchdx compare``: consultations kept over time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .options import kb_option, load_kb, output, text_or_json


def _summary(record: Any) -> dict[str, Any]:
    report = record.report
    top = lambda key: [{"id": c["id"], "label": c.get("label", c["id"]),  # noqa: E731
                        "certainty": c["certainty"], "band": c["band"]}
                       for c in report.get(key, ()) if c["band"] != "low"]
    return {"id": record.id, "path": str(record.path), "finished": record.finished,
            "when": record.when, "session": record.session or None,
            "referral": {"level": report["referral"]["level"],
                         "label": report["referral"].get("label", report["referral"]["level"])},
            "hypotheses": top("hypotheses"), "notes": top("notes")}


def _render_history(data: dict[str, Any]) -> str:
    kept = data["consultations"]
    if not kept:
        return (f"No consultations kept yet in {data['folder']}.\n"
                "Each finished `twitchdx consult` is kept here.\n")
    out = [f"{len(kept)} consultation{'s' if len(kept) != 1 else ''} in {data['folder']}, "
           "oldest first:", ""]
    for number, item in enumerate(kept, 1):
        out.append(f"{number:>3}  {item['when']}  {item['referral']['label']}")
        found = [f"{c['label']} ({c['band']})" for c in item["hypotheses"] + item["notes"]]
        out.append(f"     {item['id']}: " + ("; ".join(found[:4]) or "nothing above low")
                   + ("; ..." if len(found) > 4 else ""))
    out += ["", "Compare two with `twitchdx compare A B` (numbers or ids; "
            "the last two if none given)."]
    return "\n".join(out) + "\n"


@click.command()
@text_or_json
def history(fmt: str) -> None:
    """List the consultations kept: date, referral and what was found."""
    from expert.consult.history import records
    from expert.consult.session import sessions_dir

    data = {"folder": str(sessions_dir()), "consultations": [_summary(r) for r in records()]}
    output(data, fmt, _render_history)


@click.command()
@click.argument("first", required=False, metavar="[A]")
@click.argument("second", required=False, metavar="[B]")
@text_or_json
@kb_option
def compare(first: str | None, second: str | None, fmt: str,
            kb_dirs: tuple[Path, ...]) -> None:
    """Show what changed between two consultations: answers, referral, deficiencies and
    triggers.  A and B are numbers from `twitchdx history`, ids or record files; with
    one, it is compared with the newest; with none, the last two."""
    from expert.consult.history import find, records
    from expert.errors import InputError
    from expert.report.compare import compare as diff
    from expert.report.compare import render_compare

    if first and second:
        before, after = find(first), find(second)
    else:
        kept = records()
        if first:
            if not kept:
                raise InputError("no consultation kept yet to compare it with")
            before, after = find(first), kept[-1]
        elif len(kept) < 2:
            raise InputError(f"compare needs two consultations; the history holds {len(kept)} "
                             "(see `twitchdx history`)")
        else:
            before, after = kept[-2], kept[-1]
    kb = load_kb(kb_dirs)
    output(diff(before, after, kb.level_rank), fmt, render_compare)
