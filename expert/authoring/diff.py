"""``kb diff``: what a knowledge change does to the conclusions, before it ships.

Every knowledge case of both sides, and any vignettes given, is run on the knowledge
before and after; a consultation whose referral, a hypothesis's or note's band,
a certainty (beyond the tolerance) or the advice changed is reported, before ->
after, with the changed rules that fired in it on either side (the cause).  Like
``diff``: nothing changed is exit 0, something changed exit 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from ..consult.answers import check_answers
from ..consult.consultation import Result, consult
from ..errors import AnswerError
from ..language.model import KnowledgeBase, RuleDef
from .cases import load_cases

TOLERANCE = 0.005  # certainties closer than this are the same (reports show three decimals)


class Side(NamedTuple):
    kb: KnowledgeBase
    dirs: list[Path]


def _bare(rule: RuleDef) -> RuleDef:
    """A rule without where it was read: two definitions are the same rule if this is."""
    then = rule.then._replace(advice=tuple(a._replace(line=0) for a in rule.then.advice))
    return rule._replace(path="", line=0, lines=(), item_lines=(), order=0, stratum=0,
                         override=False, when=None, alternatives=_conditions(rule), then=then)


def _conditions(rule: RuleDef) -> tuple:
    """The rule's condition (its alternatives), without the lines it was written on."""
    return tuple(tuple(leaf._replace(line=0) if hasattr(leaf, "line") else leaf
                       for leaf in alternative) for alternative in rule.alternatives)


def rule_changes(before: KnowledgeBase, after: KnowledgeBase) -> dict[str, list[dict]]:
    """Rules added, removed and changed (and how), by id."""
    old, new = before.rules_by_id, after.rules_by_id
    changed = []
    for rid in sorted(old.keys() & new.keys()):
        if _bare(old[rid]) != _bare(new[rid]):
            changed.append({"rule": rid, "where": new[rid].where,
                            "what": _what_changed(old[rid], new[rid])})
    return {"added": [{"rule": r, "where": new[r].where} for r in sorted(new.keys() - old.keys())],
            "removed": [{"rule": r, "where": old[r].where}
                        for r in sorted(old.keys() - new.keys())],
            "changed": changed}


def _what_changed(old: RuleDef, new: RuleDef) -> list[str]:
    said = []
    for kind in ("hypotheses", "notes"):
        was, now = dict(getattr(old.then, kind)), dict(getattr(new.then, kind))
        for target in sorted(was.keys() | now.keys()):
            if was.get(target) != now.get(target):
                said.append(f"{target} {_cf(was.get(target))} -> {_cf(now.get(target))}")
    if old.then.ceilings != new.then.ceilings:
        said.append("ceilings")
    if old.then.referral != new.then.referral:
        said.append(f"referral {old.then.referral or 'none'} -> {new.then.referral or 'none'}")
    old_then, new_then = _bare(old).then, _bare(new).then
    for key in ("advice", "tests", "facts", "conflicts"):
        if getattr(old_then, key) != getattr(new_then, key):
            said.append(key)
    if _conditions(old) != _conditions(new):
        said.append("conditions")
    for key in ("title", "because", "sources", "evidence", "refines"):
        if getattr(old, key) != getattr(new, key):
            said.append(key)
    return said


def _cf(value: float | None) -> str:
    return "none" if value is None else f"{value:+g}"


class Run(NamedTuple):
    name: str  # case:ID or vignette:ID
    where: str
    answers: dict[str, Any]


def runs(before: Side, after: Side, vignettes: list[Any]) -> list[Run]:
    """Every case of either side (once, by id: the later side's definition), then the
    vignettes."""
    found: dict[str, Run] = {}
    for side in (before, after):
        for case in load_cases(side.kb, side.dirs):
            found[f"case:{case.id}"] = Run(f"case:{case.id}", f"{case.path}:{case.line}",
                                           case.answers)
    out = sorted(found.values())
    out += [Run(f"vignette:{v.id}", v.where, v.answers) for v in vignettes]
    return out


def _summary(result: Result) -> dict[str, Any]:
    return {"referral": result.level.id,
            "hypotheses": {h.id: (h.certainty, h.band) for h in result.hypotheses},
            "notes": {n.id: (n.certainty, n.band) for n in result.notes},
            "advice": sorted({a.text for _, a in result.advice}),
            "fired": set(result.fired)}


def _consult(kb: KnowledgeBase, answers: dict[str, Any]) -> dict[str, Any] | str:
    try:
        return _summary(consult(kb, check_answers(kb, answers)))
    except AnswerError as exc:
        return "; ".join(str(p) for p in exc.problems)


def _strength(pair: tuple[float, str] | None) -> dict[str, Any] | None:
    return None if pair is None else {"certainty": pair[0], "band": pair[1]}


def compare_run(run: Run, before: Side, after: Side, touched: set[str],
                tolerance: float) -> dict[str, Any] | None:
    """What changed in one consultation, or None."""
    old, new = _consult(before.kb, run.answers), _consult(after.kb, run.answers)
    out: dict[str, Any] = {"name": run.name, "where": run.where}
    if isinstance(old, str) or isinstance(new, str):
        if old == new:
            return None
        out["answers"] = {"before": old if isinstance(old, str) else "accepted",
                          "after": new if isinstance(new, str) else "accepted"}
        out["rules"] = []
        return out
    if old["referral"] != new["referral"]:
        out["referral"] = {"before": old["referral"], "after": new["referral"]}
    for kind in ("hypotheses", "notes"):
        moved = []
        for cid in sorted(old[kind].keys() | new[kind].keys()):
            was, now = old[kind].get(cid), new[kind].get(cid)
            if was is None or now is None:
                different = (was or now)[1] != "low" or (was or now)[0] > tolerance
            else:
                different = was[1] != now[1] or abs(was[0] - now[0]) > tolerance
            if different:
                moved.append({"id": cid, "before": _strength(was), "after": _strength(now)})
        if moved:
            out[kind] = moved
    if old["advice"] != new["advice"]:
        out["advice"] = {"added": [a for a in new["advice"] if a not in old["advice"]],
                         "removed": [a for a in old["advice"] if a not in new["advice"]]}
    if len(out) == 2:
        return None
    out["rules"] = sorted((old["fired"] | new["fired"]) & touched)
    return out


def knowledge_diff(before: Side, after: Side, vignettes: list[Any] = (),
                   tolerance: float = TOLERANCE) -> dict[str, Any]:
    """The whole comparison, as data."""
    rules = rule_changes(before.kb, after.kb)
    touched = {c["rule"] for key in ("added", "removed", "changed") for c in rules[key]}
    every = runs(before, after, list(vignettes))
    changed = [c for run in every if (c := compare_run(run, before, after, touched,
                                                       tolerance))]
    return {"before": before.kb.version, "after": after.kb.version, "tolerance": tolerance,
            "rules": rules, "consultations": len(every), "changed": changed}


def _said(strength: dict[str, Any] | None) -> str:
    return "none" if strength is None else f"{strength['certainty']:.3f} {strength['band']}"


def _lines(change: dict[str, Any]) -> list[str]:
    out = []
    if "answers" in change:
        out.append(f"answers: {change['answers']['before']} -> {change['answers']['after']}")
    if "referral" in change:
        out.append(f"referral: {change['referral']['before']} -> {change['referral']['after']}")
    for kind in ("hypotheses", "notes"):
        out += [f"{m['id']}: {_said(m['before'])} -> {_said(m['after'])}"
                for m in change.get(kind, ())]
    advice = change.get("advice")
    if advice:
        out += [f"advice added: {a}" for a in advice["added"]]
        out += [f"advice removed: {a}" for a in advice["removed"]]
    return out


def _cause(change: dict[str, Any]) -> str:
    return ", ".join(change["rules"]) or "no changed rule fired (a question, the catalog or a "\
        "fact another rule derives changed)"


def _rule_line(rules: dict[str, list[dict]]) -> str:
    parts = [f"{len(rules['changed'])} changed", f"{len(rules['added'])} added",
             f"{len(rules['removed'])} removed"]
    return "Rules: " + ", ".join(parts)


def render_text(data: dict[str, Any]) -> str:
    out = [f"kb diff: {data['before']}  ->  {data['after']}", _rule_line(data["rules"])]
    for c in data["rules"]["changed"]:
        out.append(f"  changed {c['rule']} ({c['where']}): {'; '.join(c['what'])}")
    out += [f"  added {c['rule']} ({c['where']})" for c in data["rules"]["added"]]
    out += [f"  removed {c['rule']} ({c['where']})" for c in data["rules"]["removed"]]
    out.append(f"Consultations: {data['consultations']} run, {len(data['changed'])} changed "
               f"(certainties within {data['tolerance']:g} are the same)")
    for change in data["changed"]:
        out += ["", f"{change['name']}  ({change['where']})"]
        out += [f"  {line}" for line in _lines(change)]
        out.append(f"  caused by: {_cause(change)}")
    return "\n".join(out) + "\n"


def render_markdown(data: dict[str, Any]) -> str:
    """For a pull-request comment."""
    out = ["## Knowledge diff", "", f"`{data['before']}` → `{data['after']}`", "",
           f"**{len(data['changed'])} of {data['consultations']} consultations changed.** "
           + _rule_line(data["rules"]) + ".", ""]
    for c in data["rules"]["changed"]:
        out.append(f"- changed `{c['rule']}`: {'; '.join(c['what'])}")
    out += [f"- added `{c['rule']}`" for c in data["rules"]["added"]]
    out += [f"- removed `{c['rule']}`" for c in data["rules"]["removed"]]
    if data["changed"]:
        out += ["", "| consultation | before → after | caused by |", "|---|---|---|"]
        for change in data["changed"]:
            what = "<br>".join(line.replace("->", "→").replace("|", "\\|")
                               for line in _lines(change))
            cause = ", ".join(f"`{r}`" for r in change["rules"]) or "no changed rule fired"
            out.append(f"| `{change['name']}` | {what} | {cause} |")
    return "\n".join(out) + "\n"
