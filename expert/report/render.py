"""The report for people: plain text for the terminal, or Markdown.

Both are drawn from the same report dict the JSON format prints, so the three
formats can never disagree.  Order: referral first (what to do, how soon),
then possible deficiencies, lifestyle triggers, advice, tests, and the
disclaimer last.  On a terminal the referral banner and the certainty bands
are coloured (the caller decides: never in a pipe, never with NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..clock import Moment
from ..text import WIDTH, question_only, wrap

Style = Callable[[str, str], str]  # (text, role) -> text as printed

#: colours by role: the referral banner by how urgent it is, certainties by band
COLOURS = {"urgent": {"fg": "red", "bold": True}, "soon": {"fg": "yellow", "bold": True},
           "calm": {"fg": "green", "bold": True}, "likely": {"fg": "red"},
           "possible": {"fg": "yellow"}, "low": {"dim": True}, "heading": {"bold": True}}


def plain_style(text: str, role: str) -> str:
    """No styling: pipes, files and NO_COLOR."""
    return text


def colour_style(text: str, role: str) -> str:
    """ANSI colour for a role, for a terminal."""
    return click.style(text, **COLOURS[role]) if role in COLOURS else text


def header_facts(report: dict[str, Any], when: Moment | None) -> list[tuple[str, str]]:
    """What a page for a doctor says first: when, which knowledge, age and sex."""
    given = {a["question"]: a["answer_text"] for a in report.get("answers", ())}
    facts = [("Date", when.spoken())] if when else []
    facts += [("Knowledge", report["knowledge"]["version"]),
              ("Age", given.get("age", "not given")), ("Sex", given.get("sex", "not given"))]
    return facts


def _urgency(report: dict[str, Any]) -> str:
    """urgent (same day or sooner), soon (a doctor within days or routine), calm."""
    level = report["referral"]["level"]
    return {"emergency": "urgent", "same_day": "urgent", "self_care": "calm"}.get(level, "soon")


def render_text(report: dict[str, Any], width: int = WIDTH, style: Style = plain_style,
                show_rules: bool = False) -> str:
    """The report as terminal text, wrapped to ``width``; rule ids only with ``show_rules``
    (for an author: a person reads what each rule is about instead)."""

    def fill(text: str, indent: str = "  ", first: str | None = None) -> str:
        return wrap(text, indent, first, width)

    def heading(text: str, role: str = "heading", after: str = "") -> str:
        """A heading, styled line by line once wrapped; ``after`` follows it unstyled."""
        if len(text) + len(after) <= width:
            return style(text, role) + after
        lines = [style(line, role) for line in wrap(text, "", "", width).split("\n")]
        return "\n".join(lines + ([wrap(after.strip(), "", "", width)] if after else []))

    def rows(items: list[dict[str, Any]]) -> list[str]:
        out = []
        for item in items:
            band = item["band"].ljust(9) if width >= 40 else item["band"]
            first = f"  {item['certainty']:.2f} {band} "
            line = fill(item["label"], "      ", first)
            out.append(line.replace(band, style(band, item["band"]), 1))
            out.append(fill(_evidence(item, show_rules), "      "))
        return out

    referral = report["referral"]
    out = []
    notice = referral.get("unchecked_notice")
    if notice:
        out += [heading(notice["heading"], "urgent"), fill(notice["text"])]
        for label, texts in _unchecked_groups(referral):
            out.append(fill(f"{label}:"))
            out += [fill(text, "      ", "    - ") for text in texts]
        out.append("")
    banner = f"REFERRAL: {referral['label'].upper()}"
    if notice:
        banner += " (ONLY IF NONE OF THE ABOVE)"
    out.append(heading(banner, _urgency(report)))
    out.append(fill(referral["action"]))
    if referral["reasons"]:
        out.append("  Because:")
        out += [fill(r["text"] + (f" [{r['rule']}]" if show_rules else ""), "      ", "    - ")
                for r in referral["reasons"]]
    if referral.get("doctor_first"):
        out.append(fill(referral["doctor_first"]))
    out.append("")
    likely = [h for h in report["hypotheses"] if h["band"] != "low"]
    title = "POSSIBLE DEFICIENCIES (confirm with a blood test before acting on them)"
    out.append(heading(title) if len(title) <= width else
               heading("POSSIBLE DEFICIENCIES") + "\n" +
               fill("(confirm with a blood test before acting on them)", ""))
    if likely:
        out += rows(likely)
    else:
        out.append("  None above low.")
    low = [h for h in report["hypotheses"] if h["band"] == "low" and h["certainty"] > 0]
    if low:
        out.append(fill("Low: " + "; ".join(f"{h['label']} {h['certainty']:.2f}" for h in low),
                        "       ", "  "))
    out.append("")
    out.append(heading("LIFESTYLE TRIGGERS"))
    out += rows(report["notes"]) if report["notes"] else ["  None found."]
    caveat = next((n["caveat"] for n in report["notes"] if n.get("caveat")), "")
    if caveat:
        out.append(fill(caveat))
    if report.get("conflicts"):
        out += ["", heading("ANSWERS THAT DISAGREE")]
        out += [fill(c["text"], "    ", "  - ") for c in report["conflicts"]]
    if report["advice"]:
        out += ["", heading("ADVICE")]
        out += [fill(a["text"], "    ", "  - ") for a in report["advice"]]
    if report["tests"]:
        out += ["", heading("SUGGESTED TESTS", after=" (ask your doctor)")]
        out += [fill(t["label"], "    ", "  - ") for t in report["tests_detail"]]
    if report.get("value_of_information"):
        out += ["", heading("UNANSWERED QUESTIONS THAT COULD CHANGE THIS")]
        out += [fill(_could(v, show_rules), "    ", "  - ") for v in report["value_of_information"]]
    if report["unknown"]:
        out += ["", fill("Not answered (treated as unknown, never as no):", "", "")]
        out += [fill(_unknown(u, show_rules), "    ", "  - ") for u in report["unknown_questions"]]
    out += ["", fill(f"Knowledge: {report['knowledge']['version']} "
                     f"({report['knowledge']['hash']})", "", ""),
            "", fill(report["disclaimer"], "", "")]
    return "\n".join(out) + "\n"


def _evidence(item: dict[str, Any], show_rules: bool) -> str:
    """What a conclusion rests on: the rules' titles, or their ids for an author."""
    if show_rules:
        return "rules: " + ", ".join(item["rules"])
    return "because: " + "; ".join(dict.fromkeys(item["evidence"]))


def _could(item: dict[str, Any], show_rules: bool) -> str:
    """An unanswered question that could change the report, as a person reads it."""
    says = item["why"] if show_rules else item["says"]
    question = f"{item['question']}: " if show_rules else ""
    return f"{question}{question_only(item['question_text'])} {says[0].upper()}{says[1:]}"


def said_unknown(item: dict[str, Any]) -> str:
    """What follows a question left unknown when the person answered so themselves."""
    return " (answered: don't know)" if item["asked"] else ""


def _unknown(item: dict[str, Any], show_rules: bool) -> str:
    said = question_only(item["text"]) + said_unknown(item)
    return f"{item['question']}: {said}" if show_rules else said


def _unchecked_groups(referral: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """Unchecked warning signs by what they lead to, most urgent first: (heading, texts);
    a sign itself ("A seizure") and a question about one ("Did it come on suddenly?")
    are said apart."""
    groups: dict[str, list[str]] = {}
    for item in referral.get("unchecked_warning_signs", ()):
        lead = "If you have any of these" if item["choice"] else "If the answer to any is yes"
        groups.setdefault(f"{lead}: {item['level_label']}", []).append(item["text"])
    return list(groups.items())


def _markdown_table(heading: str, items: list[dict[str, Any]], show_rules: bool) -> list[str]:
    if not items:
        return ["None found."]
    last = "Rules" if show_rules else "Because"
    return [f"| {heading} | Certainty | Band | {last} |", "|---|---|---|---|"] + [
        f"| {i['label']} | {i['certainty']:.2f} | {i['band']} | "
        f"{_evidence(i, show_rules).split(': ', 1)[1]} |" for i in items]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(report: dict[str, Any], show_rules: bool = False,
                    when: Moment | None = None) -> str:
    """The report as Markdown, for notes and tickets: what the HTML page holds, as text;
    rule ids only with ``show_rules``."""
    referral = report["referral"]
    out = ["# twitchdx consultation", ""]
    out += [f"**{k}:** {v}  " for k, v in header_facts(report, when)] + [""]
    notice = referral.get("unchecked_notice")
    if notice:
        out += [f"## {notice['heading'].capitalize()}", "", f"**{notice['text']}**", ""]
        for label, texts in _unchecked_groups(referral):
            out += [f"{label}:", ""] + [f"- {t}" for t in texts] + [""]
    heading = f"## Referral: {referral['label']}"
    out += [heading + (" (only if none of the above)" if notice else ""), "",
            referral["action"], ""]
    out += [f"- {r['text']}" + (f" (`{r['rule']}`)" if show_rules else "")
            for r in referral["reasons"]]
    if referral.get("doctor_first"):
        out += ["", f"_{referral['doctor_first']}_"]
    out += ["", "## Possible deficiencies", "",
            "_Confirm with a blood test before acting on any of these._", ""]
    out += _markdown_table("Hypothesis", report["hypotheses"], show_rules)
    out += ["", "## Lifestyle triggers", ""]
    out += _markdown_table("Trigger", report["notes"], show_rules)
    caveat = next((n["caveat"] for n in report["notes"] if n.get("caveat")), "")
    if caveat:
        out += ["", f"_{caveat}_"]
    if report.get("conflicts"):
        out += ["", "## Answers that disagree", ""] + [f"- {c['text']}"
                                                      for c in report["conflicts"]]
    if report["advice"]:
        out += ["", "## Advice", ""] + [f"- {a['text']}" for a in report["advice"]]
    if report["tests"]:
        out += ["", "## Suggested tests", ""]
        out += [f"- {t['label']}" + (f" (`{t['id']}`)" if show_rules else "")
                for t in report["tests_detail"]]
    if report.get("value_of_information"):
        out += ["", "## Unanswered questions that could change this", ""]
        out += [f"- {_could(v, show_rules)}" for v in report["value_of_information"]]
    if report.get("answers"):
        out += ["", "## Your answers", "", "| Question | Answer |", "|---|---|"]
        out += [f"| {_cell(question_only(a['text']))} | {_cell(a['answer_text'])} |"
                for a in report["answers"]]
    if report["unknown"]:
        out += ["", "## Not answered", "", "_Treated as unknown, never as no._", ""]
        out += [f"- {_unknown(u, show_rules)}" for u in report["unknown_questions"]]
    out += ["", "---", "", f"Knowledge: {report['knowledge']['version']}", "",
            f"_{report['disclaimer']}_"]
    return "\n".join(out) + "\n"
