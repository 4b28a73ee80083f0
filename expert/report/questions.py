"""``twitchdx questions``: what an answers file may contain, as data or as text."""

from __future__ import annotations

import textwrap
from typing import Any

from ..language.model import KnowledgeBase, Question, _num


def question_data(q: Question) -> dict[str, Any]:
    """One question as the JSON of ``twitchdx questions`` shows it."""
    item: dict[str, Any] = {"id": q.id, "text": q.text, "type": q.type}
    if q.choices:
        item["choices"] = [{"id": c.id, "text": c.text, **({"red_flag": c.red_flag}
                                                            if c.red_flag else {})}
                           for c in q.choices]
    if q.type in ("integer", "number") and not q.computed:
        item["min"], item["max"] = q.min, q.max
    if q.unit:
        item["unit"] = q.unit
    if q.red_flag:
        item["red_flag"] = q.red_flag
    if q.help:
        item["help"] = q.help
    if q.computed:
        item["computed_from"] = {source: weight for source, weight in q.sum}
    return item


def questions_data(kb: KnowledgeBase) -> dict[str, Any]:
    """Every question an answers file may use, as data."""
    return {
        "questions": [question_data(q) for q in kb.askable],
        "computed": [question_data(q) for q in kb.questions.values() if q.computed],
        "knowledge": {"version": kb.version},
    }


def describe_type(q: Question) -> str:
    """A question's type and range in a few words: ``integer 1-120 years``."""
    if q.type in ("integer", "number"):
        unit = f" {q.unit}" if q.unit else ""
        return f"{q.type} {_num(q.min)}-{_num(q.max)}{unit}"
    return q.type


def render_questions(kb: KnowledgeBase) -> str:
    """``twitchdx questions`` as text: what an answers file may contain."""
    out = [f"Questions of {kb.version}. Leave a question out of an answers file (or answer "
           "null) when you do not know: unknown is never taken as no.", ""]
    for q in kb.askable:
        out.append(f"{q.id}  ({describe_type(q)})")
        out.append(textwrap.fill(q.text, 78, initial_indent="    ", subsequent_indent="    "))
        for c in q.choices:
            flag = "  [warning sign]" if c.red_flag else ""
            out.append(f"      {c.id:<24} {c.text}{flag}")
        out.append("")
    computed = [q for q in kb.questions.values() if q.computed]
    if computed:
        out.append("Computed, not asked:")
        for q in computed:
            parts = " + ".join(f"{w:g} x {s}" for s, w in q.sum)
            out.append(f"  {q.id} = {parts}")
    return "\n".join(out).rstrip() + "\n"
