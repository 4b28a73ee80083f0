"""``kb doc``: a page per rule and per conclusion, for reviewers and authors.

A rule's page says what it concludes, its conditions in the words of the questions
and choices, its sources with their citations and the reference's statements, the
cases that assert it, and the rules it feeds and is fed by; a conclusion's page
says what it is, every rule that gives it evidence (for, against, ceilings) and the
cases that expect it.  Markdown or HTML, from the same blocks.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from ..language.conditions import Ask, Belief, FactIs
from ..language.model import KnowledgeBase, RuleDef
from .cases import Case
from .views import feeds

Segment = tuple[str, str]  # (text, link: "" for none)
Block = tuple[str, Any]  # ("h1" | "h2" | "p", [Segment]) or ("ul", [[Segment]])


def leaf_words(kb: KnowledgeBase, leaf: Any) -> str:
    """One test of a condition as a reviewer reads it: the question's own words, and
    choices by their text."""
    if isinstance(leaf, Ask):
        question = kb.questions.get(leaf.question)
        if question is None:
            return leaf.describe()
        said = leaf.expectation()
        for choice in question.choices:
            said = said.replace(choice.id, f"\u201c{choice.text}\u201d")
        return f"\u201c{question.short_text}\u201d: answer {said}"
    if isinstance(leaf, FactIs):
        return f"fact {leaf.name} {'not ' if leaf.negated else ''}established"
    if isinstance(leaf, Belief):
        return leaf.describe()
    return str(leaf)


def _rule_link(rule_id: str) -> Segment:
    return rule_id, f"../rules/{rule_id}"


def _conclusion_link(kind: str, ident: str) -> Segment:
    return f"{kind} {ident}", f"../conclusions/{kind}-{ident}"


def rule_page(kb: KnowledgeBase, rule: RuleDef, asserted: list[str],
              fed: dict[str, list[str]]) -> list[Block]:
    blocks: list[Block] = [("h1", [(f"{rule.title} ({rule.id})", "")]),
                           ("p", [(f"Defined at {rule.where}; status {rule.status}"
                                   + (f", replaced by {rule.replaced_by}"
                                      if rule.replaced_by else "") + ".", "")])]
    concludes = [[(text, "")] for text in rule.then.describe()]
    concludes += [[("gives evidence for: ", ""), _conclusion_link(kind, ident)]
                  for kind, ident in _conclusions(rule)]
    blocks += [("h2", [("Concludes", "")]), ("ul", concludes)]
    ways = [" and ".join(leaf_words(kb, leaf) for leaf in alt) or "always"
            for alt in rule.alternatives]
    blocks += [("h2", [("When", "")]),
               ("ul", [[(("or: " if i else "") + way, "")] for i, way in enumerate(ways)])]
    blocks += [("h2", [("Because", "")]), ("p", [(rule.because, "")])]
    sources = [[(f"{s}: {kb.sources[s].title}", kb.sources[s].url)] for s in rule.sources
               if s in kb.sources]
    sources += [[(f"{e}: {kb.evidence[e]}", "")] for e in rule.evidence if e in kb.evidence]
    blocks += [("h2", [("Sources", "")]), ("ul", sources)]
    blocks += [("h2", [("Cases that assert it", "")]),
               ("ul", [[(c, "")] for c in asserted] or [[("none: no case fails without "
                                                          "it", "")]])]
    fed_by = sorted({r.id for r in kb.rules if r.id != rule.id and (
        set(r.then.facts) & set(rule.reads_facts)
        or {h for h, _ in r.then.hypotheses} & set(rule.reads_hypotheses))})
    blocks += [("h2", [("Fed by", "")]),
               ("ul", [[_rule_link(r)] for r in fed_by] or [[("answers only", "")]]),
               ("h2", [("Feeds", "")]),
               ("ul", [[_rule_link(r)] for r in fed.get(rule.id, ())] or
                [[("no other rule", "")]])]
    if rule.refines:
        blocks += [("h2", [("Extra evidence on top of", "")]),
                   ("ul", [[_rule_link(r)] for r in rule.refines])]
    return blocks


def _conclusions(rule: RuleDef) -> list[tuple[str, str]]:
    then = rule.then
    out = [("hypothesis", h) for h, _ in then.hypotheses]
    out += [("hypothesis", h) for h, _ in then.ceilings if ("hypothesis", h) not in out]
    out += [("note", n) for n, _ in then.notes] + [("test", t) for t in then.tests]
    out += [("referral", then.referral)] if then.referral else []
    return out


def conclusion_page(kb: KnowledgeBase, kind: str, ident: str, expected_by: list[str]
                    ) -> list[Block]:
    label, text = _described(kb, kind, ident)
    rows = []
    for rule in kb.rules:
        given = dict(rule.then.hypotheses if kind == "hypothesis" else
                     rule.then.notes if kind == "note" else ())
        cap = dict(rule.then.ceilings).get(ident) if kind == "hypothesis" else None
        if ident in given:
            rows.append([_rule_link(rule.id), (f" {given[ident]:+g}: {rule.title}", "")])
        elif cap is not None:
            rows.append([_rule_link(rule.id), (f" at most {cap:g}: {rule.title}", "")])
        elif (kind, ident) in _conclusions(rule):
            rows.append([_rule_link(rule.id), (f": {rule.title}", "")])
    return [("h1", [(f"{label} ({kind} {ident})", "")]), ("p", [(text, "")]),
            ("h2", [("Rules that conclude it", "")]),
            ("ul", rows or [[("no rule", "")]]),
            ("h2", [("Cases that expect it", "")]),
            ("ul", [[(c, "")] for c in expected_by] or [[("none", "")]])]


def _described(kb: KnowledgeBase, kind: str, ident: str) -> tuple[str, str]:
    if kind == "referral":
        level = kb.level(ident)
        return level.label, level.action
    entry = {"hypothesis": kb.hypotheses, "note": kb.notes, "test": kb.tests}[kind][ident]
    return entry.label, entry.text


def pages(kb: KnowledgeBase, cases: list[Case], asserted_by: dict[str, list[str]]
          ) -> dict[str, list[Block]]:
    """Every page, by its path without suffix: rules/ID, conclusions/KIND-ID, index."""
    fed = feeds(kb)
    out = {f"rules/{r.id}": rule_page(kb, r, asserted_by.get(r.id, []), fed) for r in kb.rules}
    every = ([("referral", lv.id) for lv in kb.levels]
             + [("hypothesis", h) for h in kb.hypotheses] + [("note", n) for n in kb.notes]
             + [("test", t) for t in kb.tests])
    for kind, ident in every:
        expected = [c.id for c in cases if _expects(c, kind, ident)]
        out[f"conclusions/{kind}-{ident}"] = conclusion_page(kb, kind, ident, expected)
    out["index"] = [("h1", [(f"Knowledge: {kb.version}", "")]),
                    ("h2", [("Rules", "")]),
                    ("ul", [[(r.id, f"rules/{r.id}"), (f": {r.title}", "")] for r in kb.rules]),
                    ("h2", [("Conclusions", "")]),
                    ("ul", [[(f"{kind} {ident}", f"conclusions/{kind}-{ident}")]
                            for kind, ident in every])]
    return out


def _expects(case: Case, kind: str, ident: str) -> bool:
    expect = case.expect
    if kind == "referral":
        return expect.get("referral") == ident
    keys = {"hypothesis": ("leading", "low", "at_least", "below"),
            "note": ("notes", "notes_include", "notes_exclude", "at_least", "below"),
            "test": ("tests_include", "tests_exclude")}[kind]
    return any(ident in (expect.get(key) or ()) for key in keys)


def render(blocks: list[Block], fmt: str) -> str:
    """One page as Markdown or as a self-contained HTML page."""
    if fmt == "html":
        return _html(blocks)
    out = []
    for kind, body in blocks:
        if kind == "ul":
            out += [f"- {_md(item)}" for item in body] + [""]
        else:
            prefix = {"h1": "# ", "h2": "## ", "p": ""}[kind]
            out += [prefix + _md(body), ""]
    return "\n".join(out).rstrip() + "\n"


def _md(segments: list[Segment]) -> str:
    return "".join(f"[{text}]({link}.md)" if link and not link.startswith("http")
                   else f"[{text}]({link})" if link else text for text, link in segments)


def _html(blocks: list[Block]) -> str:
    def inline(segments: list[Segment]) -> str:
        return "".join(
            f'<a href="{escape(link + ("" if link.startswith("http") else ".html"))}">'
            f"{escape(text)}</a>" if link else escape(text) for text, link in segments)

    title = "".join(text for text, _ in blocks[0][1]) if blocks else ""
    out = ["<!DOCTYPE html>", '<html lang="en">', '<head><meta charset="utf-8">',
           f"<title>{escape(title)}</title>",
           "<style>body{font:11pt/1.45 system-ui,sans-serif;max-width:48em;margin:2em auto;"
           "padding:0 1em}h2{border-bottom:1px solid #ccc}</style>", "</head>", "<body>"]
    for kind, body in blocks:
        if kind == "ul":
            out += ["<ul>"] + [f"<li>{inline(item)}</li>" for item in body] + ["</ul>"]
        else:
            out.append(f"<{kind}>{inline(body)}</{kind}>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_pages(folder: Path, all_pages: dict[str, list[Block]], fmt: str) -> list[Path]:
    from ..fileio import write_atomic

    suffix = ".html" if fmt == "html" else ".md"
    written = []
    for name, blocks in sorted(all_pages.items()):
        path = folder / (name + suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, render(blocks, fmt))
        written.append(path)
    return written
