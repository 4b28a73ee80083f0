"""``twitchdx compare``: what changed between two kept consultations.

Drawn from the two records' reports alone (what was concluded then, by the
knowledge of then), so an old consultation reads as it was reported.
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..consult.history import Record
from ..text import question_only

NOT_FOUND = "not found"
NOT_ANSWERED = "not answered"


def _side(record: Record) -> dict[str, str]:
    return {"id": record.id, "finished": record.finished, "when": record.when,
            "path": str(record.path)}


def _conclusions(before: dict[str, Any], after: dict[str, Any], key: str
                 ) -> list[dict[str, Any]]:
    old = {c["id"]: c for c in before.get(key, ())}
    new = {c["id"]: c for c in after.get(key, ())}
    changed = []
    for cid in dict.fromkeys([*new, *old]):  # today's order first, then what went
        was, now = old.get(cid), new.get(cid)
        if was and now and (was["band"], was["certainty"]) == (now["band"], now["certainty"]):
            continue
        shown = now or was
        changed.append({"id": cid, "label": shown.get("label", cid),
                        "before": _strength(was), "after": _strength(now)})
    return changed


def _strength(conclusion: dict[str, Any] | None) -> dict[str, Any] | None:
    if not conclusion:
        return None
    return {"certainty": conclusion["certainty"], "band": conclusion["band"]}


def _answers(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    old = {a["question"]: a for a in before.get("answers", ())}
    new = {a["question"]: a for a in after.get("answers", ())}
    changed = []
    for qid in dict.fromkeys([*old, *new]):
        was, now = old.get(qid), new.get(qid)
        if was and now and was.get("answer") == now.get("answer"):
            continue
        text = (now or was)["text"]
        changed.append({"question": qid, "text": text,
                        "before": was["answer_text"] if was else None,
                        "after": now["answer_text"] if now else None})
    return changed


def compare(before: Record, after: Record, rank: dict[str, int]) -> dict[str, Any]:
    """What changed, as data: ``rank`` orders the referral levels (the knowledge's)."""
    old, new = before.report["referral"], after.report["referral"]
    step = rank.get(new["level"], 0) - rank.get(old["level"], 0)
    return {
        "before": _side(before), "after": _side(after),
        "referral": {"before": {"level": old["level"], "label": old.get("label", old["level"])},
                     "after": {"level": new["level"], "label": new.get("label", new["level"])},
                     "change": "more urgent" if step > 0 else "less urgent" if step < 0
                     else "same"},
        "hypotheses": _conclusions(before.report, after.report, "hypotheses"),
        "notes": _conclusions(before.report, after.report, "notes"),
        "answers": _answers(before.report, after.report),
    }


def _said(strength: dict[str, Any] | None) -> str:
    if strength is None:
        return NOT_FOUND
    return f"{strength['band']} ({strength['certainty']:.2f})"


def _moved(item: dict[str, Any]) -> str:
    """``possible (0.33), was low (0.03)``: a conclusion's change in words."""
    was, now = item["before"], item["after"]
    if was is None:
        return f"new, {_said(now)}"
    if now is None:
        return f"gone, was {_said(was)}"
    if was["band"] == now["band"]:
        return f"still {now['band']}, {was['certainty']:.2f} -> {now['certainty']:.2f}"
    return f"now {_said(now)}, was {_said(was)}"


def render_compare(diff: dict[str, Any], width: int = 78) -> str:
    """The comparison in words, then as a table."""
    before, after, referral = diff["before"], diff["after"], diff["referral"]
    out = [f"Before: {before['when']}  ({before['id']})",
           f"After:  {after['when']}  ({after['id']})", ""]
    said = (f"unchanged, {referral['after']['label']}." if referral["change"] == "same" else
            f"{referral['change']}, from {referral['before']['label']} to "
            f"{referral['after']['label']}.")
    out.append(textwrap.fill(f"Referral: {said}", width, subsequent_indent="  "))
    rows = [("Referral", referral["before"]["label"], referral["after"]["label"])]
    for key, heading in (("hypotheses", "Possible deficiencies"), ("notes", "Trigger notes")):
        items = diff[key]
        out.append(f"{heading}:" + (" no change." if not items else ""))
        for item in items:
            out.append(textwrap.fill(f"{item['label']}: {_moved(item)}", width,
                                     initial_indent="  ", subsequent_indent="    "))
            rows.append((item["label"], _said(item["before"]), _said(item["after"])))
    answers = diff["answers"]
    out.append(f"Answers changed: {len(answers) or 'none'}" + (", in the table." * bool(answers)))
    for a in answers:
        rows.append((question_only(a["text"]), a["before"] or NOT_ANSWERED,
                     a["after"] or NOT_ANSWERED))
    return "\n".join(out) + "\n\n" + _table(("", "Before", "After"), rows, width)


def _table(header: tuple[str, str, str], rows: list[tuple[str, str, str]], width: int) -> str:
    """Three columns, wrapped within ``width``: the first a third, the others the rest."""
    first = max(12, min(max(len(r[0]) for r in rows), width // 3))
    other = max(10, (width - first - 6) // 2)
    lines = []
    widths = (first, other, other)
    for row in (header, *rows):
        cells = [textwrap.wrap(c, w) or [""] for c, w in zip(row, widths, strict=True)]
        for i in range(max(map(len, cells))):
            parts = [(c[i] if i < len(c) else "").ljust(w)
                     for c, w in zip(cells, widths, strict=True)]
            lines.append("   ".join(parts).rstrip())
        if row is header:
            lines.append("-" * min(width, first + 2 * other + 6))
    return "\n".join(lines) + "\n"
