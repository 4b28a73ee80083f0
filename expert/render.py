"""The report for people: plain text for the terminal, or Markdown.

Both are drawn from the same report dict the JSON format prints, so the three
formats can never disagree.  Order: referral first (what to do, how soon),
then possible deficiencies, lifestyle triggers, advice, tests, and the
disclaimer last.
"""

from __future__ import annotations

import textwrap
from typing import Any

WIDTH = 78


def _wrap(text: str, indent: str = "  ", first: str | None = None) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=first if first is not None else indent,
                         subsequent_indent=indent)


def _ranked_rows(items: list[dict[str, Any]]) -> list[str]:
    rows = []
    for item in items:
        rows.append(f"  {item['certainty']:.2f} {item['band']:<9} {item['label']}")
        rows.append(_wrap("rules: " + ", ".join(item["rules"]), "      "))
    return rows


def render_text(report: dict[str, Any]) -> str:
    referral = report["referral"]
    out = [f"REFERRAL: {referral['label'].upper()}", _wrap(referral["action"])]
    if referral["reasons"]:
        out.append("  Because:")
        out += [_wrap(f"{r['text']} [{r['rule']}]", "      ", "    - ")
                for r in referral["reasons"]]
    out.append("")
    likely = [h for h in report["hypotheses"] if h["band"] != "low"]
    out.append("POSSIBLE DEFICIENCIES (confirm with a blood test before acting on them)")
    if likely:
        out += _ranked_rows(likely)
    else:
        out.append("  None above low.")
    low = [h for h in report["hypotheses"] if h["band"] == "low" and h["certainty"] > 0]
    if low:
        out.append("  Low: " + ", ".join(f"{h['id']} {h['certainty']:.2f}" for h in low))
    out.append("")
    out.append("LIFESTYLE TRIGGERS")
    out += _ranked_rows(report["notes"]) if report["notes"] else ["  None found."]
    caveat = next((n["caveat"] for n in report["notes"] if n.get("caveat")), "")
    if caveat:
        out.append(_wrap(caveat))
    if report.get("conflicts"):
        out += ["", "ANSWERS THAT DISAGREE"]
        out += [_wrap(c["text"], "    ", "  - ") for c in report["conflicts"]]
    if report["advice"]:
        out += ["", "ADVICE"]
        out += [_wrap(a["text"], "    ", "  - ") for a in report["advice"]]
    if report["tests"]:
        out += ["", "SUGGESTED TESTS (ask your doctor)"]
        out += [f"  - {t['label']}" for t in report["tests_detail"]]
    out += _footer(report)
    return "\n".join(out) + "\n"


def _footer(report: dict[str, Any]) -> list[str]:
    out = []
    if report.get("value_of_information"):
        out += ["", "UNANSWERED QUESTIONS THAT COULD CHANGE THIS"]
        out += [_wrap(f"{v['question']}: {v['why']}", "    ", "  - ")
                for v in report["value_of_information"]]
    if report["unknown"]:
        out += ["", _wrap("Not answered (treated as unknown, never as no): "
                          + ", ".join(report["unknown"]), "  ", "")]
    out += ["", f"Knowledge: {report['knowledge']['version']} ({report['knowledge']['hash']})",
            "", _wrap(report["disclaimer"], "", "")]
    return out


def _markdown_table(heading: str, items: list[dict[str, Any]]) -> list[str]:
    if not items:
        return ["None found."]
    return [f"| {heading} | Certainty | Band | Rules |", "|---|---|---|---|"] + [
        f"| {i['label']} | {i['certainty']:.2f} | {i['band']} | {', '.join(i['rules'])} |"
        for i in items]


def render_markdown(report: dict[str, Any]) -> str:
    referral = report["referral"]
    out = ["# twitchdx consultation", "", f"## Referral: {referral['label']}", "",
           referral["action"], ""]
    out += [f"- {r['text']} (`{r['rule']}`)" for r in referral["reasons"]]
    out += ["", "## Possible deficiencies", "",
            "_Confirm with a blood test before acting on any of these._", ""]
    out += _markdown_table("Hypothesis", report["hypotheses"])
    out += ["", "## Lifestyle triggers", ""]
    out += _markdown_table("Trigger", report["notes"])
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
        out += [f"- {t['label']} (`{t['id']}`)" for t in report["tests_detail"]]
    if report.get("value_of_information"):
        out += ["", "## Unanswered questions that could change this", ""]
        out += [f"- `{v['question']}`: {v['why']}" for v in report["value_of_information"]]
    if report["unknown"]:
        out += ["", "## Not answered", "", ", ".join(f"`{q}`" for q in report["unknown"])]
    out += ["", "---", "", f"Knowledge: {report['knowledge']['version']}", "",
            f"_{report['disclaimer']}_"]
    return "\n".join(out) + "\n"
