"""Rule files: their rules as RuleDefs, overrides, and the rules the schema refused.

A rule the schema refuses only for what describes it (title, because, sources)
still has a condition and conclusions worth checking, so it is checked with
stand-ins and its real problems are reported in the same run.
"""

from __future__ import annotations

import re
from typing import Any

from ..language.conditions import Ask, Belief, ConditionSyntaxError, FactIs
from ..language.conditions import parse as parse_condition
from ..language.forms import alternatives, leaves
from ..language.model import Advice, Effects, RuleDef
from ..text import did_you_mean
from . import sealing
from .references import check_rule
from .yamlsource import LineDict, LineList

TEMPLATE_RULE = "my-new-rule"  # the example rule of _template.yaml: a copy must rename it
Bad = set[tuple[str, int | None]]


def collect_rules(b: Any, data: LineDict, path: str, bad: Bad) -> None:
    for raw in b.items(data, "rules", bad):
        if raw.get("id") == TEMPLATE_RULE:
            b.problem(path, raw.line_of("id"), raw["id"], "this is the template's example "
                      "rule: give the copy an id, condition and conclusions of its own")
            continue
        b.raw_rules.append((path, raw))
    items = data.get("rules")
    if isinstance(items, list) and ("rules", None) not in bad:
        for index, raw in enumerate(items):
            if ("rules", index) in bad and isinstance(raw, LineDict):
                salvaged = _salvage(raw)
                if salvaged is not None:
                    b.raw_salvaged.append((path, salvaged, raw))


SOURCE_ID = re.compile(r"^S[0-9]{2}[a-z]?$")
DESCRIBING = {"title": "A broken rule", "because": "Kept only to check its references.",
              "sources": ["S00"]}  # values that pass the schema, in place of broken ones


def _salvage(raw: LineDict) -> LineDict | None:
    """A rule whose schema problem is only in what describes it (title, because, sources,
    evidence, an unknown key) still has conditions and conclusions worth checking: the
    same rule with valid stand-ins, or None when the problem is in those."""
    from .schema import schema
    from .validation import validate

    allowed = schema("rules")["properties"]["rules"]["items"]["properties"]
    for keep_when, keep_then in ((True, True), (False, True), (True, False)):
        patched = LineDict({key: value for key, value in raw.items() if key in allowed})
        patched.line, patched.key_lines = raw.line, raw.key_lines
        patched.update(DESCRIBING)
        patched.pop("evidence", None)
        patched.pop("override", None)
        if not keep_when:
            patched.pop("when", None)
        if not keep_then:  # conclusions nothing checks, so the condition can be
            patched["then"] = LineDict(facts=["kept_only_to_check_the_condition"])
        if not validate({"rules": [patched]}, "rules", "")[0]:
            return patched
    return None


def add_rule(b: Any, raw: LineDict, path: str, order: int = 0) -> None:
    rule = _rule(b, raw, path, order)
    if rule is not None:
        register(b, rule)


def register(b: Any, rule: RuleDef) -> None:
    """A built rule added to the base: a new id, or an override of an earlier rule."""
    rid = rule.id
    earlier = b.rules.get(rid)
    if earlier and not rule.override:
        b.problem(rule.path, rule.line, rid, f"rule id {rid} is already used at "
                  f"{earlier.where}; to replace that rule say override: true")
        return
    if rule.override and not earlier:
        b.problem(rule.path, rule.line_of("override"), rid,
                  "override: true but no earlier rule has this id" + did_you_mean(rid, b.rules))
    if earlier:
        b.overridden[rid] = earlier
    b.rules[rid] = rule


def check_status(b: Any, written: set[str]) -> None:
    """A deprecated rule names a successor ``written`` (switched on or not); only a
    deprecated rule has one."""
    for rule in b.rules.values():
        if not rule.replaced_by:
            continue
        line = rule.line_of("replaced_by")
        if rule.status != "deprecated":
            b.problem(rule.path, line, rule.id, "replaced_by belongs to a deprecated rule: "
                      "add status: deprecated, or drop replaced_by")
        elif rule.replaced_by not in written:
            b.problem(rule.path, line, rule.id, f"replaced_by {rule.replaced_by}: no rule has "
                      "that id" + did_you_mean(rule.replaced_by, b.rules))


def check_salvaged(b: Any) -> None:
    """The conditions and conclusions of rules refused for their description: their
    problems are reported now, not after the author fixes the first one."""
    for path, patched, raw in b.raw_salvaged:
        rule = _rule(b, patched, path)
        if rule is None:
            continue
        sources = raw.get("sources")
        listed = tuple(s for s in sources if isinstance(s, str) and SOURCE_ID.match(s)) \
            if isinstance(sources, list) else ()  # a malformed id is reported already
        check_rule(b, rule._replace(sources=listed, evidence=()))


def _rule(b: Any, raw: LineDict, path: str, order: int = 0) -> RuleDef | None:
    """The rule of a schema-valid item; None (reported) when its condition is malformed."""
    rid = raw["id"]
    try:
        when = parse_condition(raw.get("when"), raw.line_of("when"))
        dnf = tuple(alternatives(when))
    except ConditionSyntaxError as exc:
        b.problem(path, exc.line or raw.line, rid, str(exc))
        return None
    then = raw.get("then") or {}
    title, because, conflicts = printed_texts(raw)
    beliefs = _as_list(then.get("hypothesis"))
    effects = Effects(
        hypotheses=_weighted([b for b in beliefs if "cf" in b]),
        notes=_weighted(then.get("note")),
        referral=then.get("referral"),
        advice=tuple(_advice(a) for a in _as_list(then.get("advice"))),
        tests=tuple(then.get("tests", ())),
        facts=tuple(then.get("facts", ())),
        ceilings=tuple((b["id"], float(b["at_most"])) for b in beliefs if "at_most" in b),
        conflicts=conflicts,
    )
    item_lines = [(f"{key}/{item}", raw[key].line_of(i)) for key in ("sources", "evidence")
                  if isinstance(raw.get(key), LineList) for i, item in enumerate(raw[key])]
    item_lines += [(f"{key}/{item}", then[key].line_of(i)) for key in ("tests", "facts")
                   if isinstance(then.get(key), LineList) for i, item in enumerate(then[key])]
    for key in ("hypothesis", "note"):
        listed = then.get(key)
        entries = listed if isinstance(listed, LineList) else [listed] if listed else []
        item_lines += [(f"{key}/{entry['id']}", getattr(entry, "line", 0) or then.line_of(key))
                       for entry in entries]
    read = leaves(when)
    rule = RuleDef(
        id=rid, title=title, when=when, then=effects, because=because,
        sources=tuple(raw.get("sources", ())), evidence=tuple(raw.get("evidence", ())),
        override=bool(raw.get("override", False)), path=path, line=raw.line,
        lines=tuple((k, raw.line_of(k)) for k in raw),
        questions=tuple(dict.fromkeys(leaf.question for leaf in read if isinstance(leaf, Ask))),
        reads_facts=tuple(dict.fromkeys(leaf.name for leaf in read if isinstance(leaf, FactIs))),
        reads_hypotheses=tuple(dict.fromkeys(leaf.hypothesis for leaf in read
                                             if isinstance(leaf, Belief))),
        alternatives=dnf,
        item_lines=tuple(item_lines),
        order=order,
        refines=tuple(_as_list(raw.get("refines"))),
        status=raw.get("status", "stable"),
        replaced_by=raw.get("replaced_by", ""),
    )
    return rule


def printed_texts(raw: LineDict) -> tuple[str, str, tuple[str, ...]]:
    """A schema-valid rule's title, reason and conflict notice, as its RuleDef holds them
    (words separated by single spaces, as a reader sees them)."""
    then = raw.get("then") or {}
    return (str(raw.get("title", "")), _words(str(raw.get("because", ""))),
            (_words(then["conflict"]),) if "conflict" in then else ())


def _words(text: str) -> str:
    return " ".join(text.split())


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _weighted(value: Any) -> tuple[tuple[str, float], ...]:
    return tuple((item["id"], float(item["cf"])) for item in _as_list(value))


def _advice(value: Any) -> Advice:
    return Advice(_words(value["text"]), value.get("kind", "care"),
                  sealing.parse_does(value.get("does")), getattr(value, "line", 0))
