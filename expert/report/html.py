"""The report as one self-contained HTML page, to print or take to a doctor.

Drawn from the same report dict as the JSON, text and Markdown.  Everything is in
the page (styles inline, no scripts, no fonts or images fetched), and its print
styles fit A4.  Every text is escaped: knowledge and answers are data, never markup.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..clock import Moment
from ..text import question_only
from .render import header_facts, said_unknown

STYLE = """
@page { size: A4; margin: 16mm 15mm; }
* { box-sizing: border-box; }
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
       color: #1a1a1a; max-width: 180mm; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 17pt; margin: 0 0 .2em; }
h2 { font-size: 12.5pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #bbb; }
.meta { color: #444; font-size: 9.5pt; margin: 0 0 1em; }
.meta span { margin-right: 1.5em; white-space: nowrap; }
.referral { border: 2px solid; border-radius: 6px; padding: .6em .9em; margin: 1em 0; }
.referral h2 { border: 0; margin: 0 0 .3em; font-size: 14pt; }
.urgent { border-color: #b00020; background: #fdecee; }
.soon { border-color: #b26a00; background: #fff5e0; }
.calm { border-color: #2e7d32; background: #edf7ee; }
.notice { border: 2px solid #b00020; padding: .6em .9em; margin: 1em 0; }
table { border-collapse: collapse; width: 100%; font-size: 10pt; }
th, td { text-align: left; vertical-align: top; padding: .3em .4em;
         border-bottom: 1px solid #ddd; }
th { background: #f3f3f3; }
.bar { display: inline-block; width: 22mm; height: 3mm; border: 1px solid #888;
       vertical-align: middle; margin-right: .4em; background: #fff; }
.bar i { display: block; height: 100%; background: #555; }
.likely .bar i { background: #b00020; }
.possible .bar i { background: #b26a00; }
.certainty { white-space: nowrap; }
.evidence { color: #444; font-size: 9.5pt; }
.unknown { color: #666; }
.disclaimer { margin-top: 2em; font-size: 9pt; color: #444; border-top: 1px solid #bbb;
              padding-top: .6em; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  .referral, .notice, table, tr { break-inside: avoid; }
  .urgent, .soon, .calm, th, .bar i { -webkit-print-color-adjust: exact;
                                       print-color-adjust: exact; }
}
"""


def _e(text: Any) -> str:
    return escape(str(text), quote=True)


def _urgency(level: str) -> str:
    return {"emergency": "urgent", "same_day": "urgent", "self_care": "calm"}.get(level, "soon")


def _ranked(items: list[dict[str, Any]], heading: str, none: str) -> list[str]:
    if not items:
        return [f"<p>{_e(none)}</p>"]
    out = [f"<table><tr><th>{_e(heading)}</th><th>Certainty</th><th>Because</th></tr>"]
    for item in items:
        width = max(0, min(100, round(item["certainty"] * 100)))
        evidence = "; ".join(dict.fromkeys(item["evidence"]))
        bar = (f'<span class="bar" role="img" aria-label="{width}%">'
               f'<i style="width:{width}%"></i></span>')
        out.append(
            f'<tr class="{_e(item["band"])}"><td>{_e(item["label"])}</td>'
            f'<td class="certainty">{bar}{item["certainty"]:.2f} {_e(item["band"])}</td>'
            f'<td class="evidence">{_e(evidence)}</td></tr>')
    out.append("</table>")
    return out


def render_html(report: dict[str, Any], when: Moment | None = None) -> str:
    """The whole report as one HTML page."""
    referral = report["referral"]
    facts = header_facts(report, when)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>twitchdx consultation</title>", f"<style>{STYLE}</style>", "</head>",
           "<body>", "<h1>Muscle twitching: consultation report</h1>",
           '<p class="meta">' + "".join(f"<span><b>{_e(k)}:</b> {_e(v)}</span>"
                                         for k, v in facts) + "</p>"]
    notice = referral.get("unchecked_notice")
    if notice:
        out += ['<section class="notice">', f"<h2>{_e(notice['heading'])}</h2>",
                f"<p>{_e(notice['text'])}</p>", "<ul>"]
        out += [f"<li>{_e(u['text'])} <em>({_e(u['level_label'])})</em></li>"
                for u in referral.get("unchecked_warning_signs", ())]
        out += ["</ul>", "</section>"]
    title = referral["label"] + (" (only if none of the above)" if notice else "")
    out += [f'<section class="referral {_urgency(referral["level"])}">',
            f"<h2>Referral: {_e(title)}</h2>", f"<p>{_e(referral['action'])}</p>"]
    if referral["reasons"]:
        out += ["<p>Because:</p>", "<ul>"] + [f"<li>{_e(r['text'])}</li>"
                                               for r in referral["reasons"]] + ["</ul>"]
    if referral.get("doctor_first"):
        out.append(f"<p><em>{_e(referral['doctor_first'])}</em></p>")
    out.append("</section>")
    out += ["<h2>Possible deficiencies</h2>",
            "<p><em>Possible, not diagnosed: confirm with a blood test before acting on "
            "any of these.</em></p>"]
    out += _ranked(report["hypotheses"], "Deficiency", "None above low.")
    out += ["<h2>Lifestyle triggers</h2>"]
    out += _ranked(report["notes"], "Trigger", "None found.")
    caveat = next((n["caveat"] for n in report["notes"] if n.get("caveat")), "")
    if caveat:
        out.append(f"<p><em>{_e(caveat)}</em></p>")
    if report.get("conflicts"):
        out += ["<h2>Answers that disagree</h2>", "<ul>"]
        out += [f"<li>{_e(c['text'])}</li>" for c in report["conflicts"]] + ["</ul>"]
    if report["tests"]:
        out += ["<h2>Tests to ask your doctor about</h2>", "<ul>"]
        out += [f"<li>{_e(t['label'])}</li>" for t in report["tests_detail"]] + ["</ul>"]
    if report["advice"]:
        out += ["<h2>Advice</h2>", "<ul>"]
        out += [f"<li>{_e(a['text'])}</li>" for a in report["advice"]] + ["</ul>"]
    out += ["<h2>Your answers</h2>", "<table><tr><th>Question</th><th>Answer</th></tr>"]
    out += [f"<tr><td>{_e(question_only(a['text']))}</td><td>{_e(a['answer_text'])}</td></tr>"
            for a in report["answers"]]
    out.append("</table>")
    if report["unknown_questions"]:
        out += ["<h2>Not answered</h2>",
                '<p class="unknown">Treated as unknown, never as no.</p>',
                '<ul class="unknown">']
        out += [f"<li>{_e(question_only(u['text']))}{said_unknown(u)}</li>"
                for u in report["unknown_questions"]] + ["</ul>"]
    out += [f'<p class="disclaimer">{_e(report["disclaimer"])}</p>', "</body>", "</html>"]
    return "\n".join(out) + "\n"
