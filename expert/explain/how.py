"""HOW: the proof tree of a conclusion, from the conclusion down to the answers.

Built from the recorded firings (what each rule matched) and the rule
definitions (why, and on whose authority).  The tree is plain data so the
JSON output and the indented text are the same structure.
"""

from __future__ import annotations

from typing import Any

from ..consult.consultation import Result
from ..engine.trace import FactRef, Firing
from ..errors import InputError
from ..language.conditions import Ask
from ..language.forms import leaves, to_nnf
from ..language.model import RuleDef
from ..text import did_you_mean, plain, show

Node = dict[str, Any]
DEEPEST = 40  # rules from the top of a tree; a fact derived deeper is a tree of its own


def resolve(result: Result, target: str) -> tuple[str, str]:
    """What ``target`` names: (kind, id).  Kinds: hypothesis, note, referral, fact, test, rule."""
    kb = result.kb
    if target in kb.hypotheses:
        return "hypothesis", target
    if target in kb.notes:
        return "note", target
    if target == "referral" or target in kb.level_rank:
        return "referral", target
    if target in kb.tests:
        return "test", target
    if target in kb.rules_by_id:
        return "rule", target
    if any(target in r.then.facts for r in kb.rules):
        return "fact", target
    names = [*kb.hypotheses, *kb.notes, *kb.level_rank, *kb.tests, *kb.rules_by_id]
    hint = did_you_mean(target, names)
    raise InputError(f"{target!r} is not a hypothesis, note, referral level, test, fact or rule "
                     f"id{hint}")


def how(result: Result, target: str) -> Node:
    """The proof tree of ``target``; InputError if it was not concluded."""
    kind, ident = resolve(result, target)
    if kind == "rule":
        firing = next((f for f in result.firings if f.rule == ident), None)
        if firing is None:
            raise InputError(f"rule {ident} did not fire; try --why-not {ident} or --rule {ident}")
        return _rule_node(result, firing, None)
    if kind == "referral":
        if ident not in ("referral", result.level.id):
            raise InputError(f"the referral level is {result.level.id}, not {ident}; "
                             f"try --why-not {ident}")
        level = result.level
        return {"kind": "referral", "id": level.id, "label": level.label,
                "text": f"referral {level.id}: {level.label}",
                "children": [_rule_node(result, _firing(result, r), None) for r in result.reasons]}
    if kind in ("hypothesis", "note"):
        return _belief_node(result, kind, ident)
    if kind == "test":
        steps = [f for f in result.firings if ident in result.kb.rules_by_id[f.rule].then.tests]
        if not steps:
            raise InputError(f"test {ident} was not suggested; try --why-not {ident}")
        return {"kind": "test", "id": ident, "label": result.kb.tests[ident].label,
                "text": f"test {ident}: {result.kb.tests[ident].label}",
                "children": [_rule_node(result, f, None) for f in steps]}
    steps = result.derived_by.get(ident, ())
    if not steps:
        raise InputError(f"fact {ident} was not derived; try --why-not {ident}")
    return {"kind": "fact", "id": ident, "text": f"fact {ident}",
            "children": [_rule_node(result, result.firing(s), None) for s in steps]}


def _firing(result: Result, rule_id: str) -> Firing:
    return next(f for f in result.firings if f.rule == rule_id)


def _belief_node(result: Result, kind: str, ident: str, depth: int = 0) -> Node:
    ranked = result.hypothesis(ident) if kind == "hypothesis" else result.note(ident)
    if ranked is None:
        raise InputError(f"no rule gave evidence for {kind} {ident}; try --why-not {ident}")
    entry = (result.kb.hypotheses if kind == "hypothesis" else result.kb.notes)[ident]
    contributions, ceilings = dict(ranked.contributions), dict(ranked.ceilings)
    return {
        "kind": kind, "id": ident, "label": entry.label, "certainty": ranked.certainty,
        "band": ranked.band,
        "text": f"{kind} {ident}: {entry.label} = {ranked.certainty:.2f} ({ranked.band})",
        "children": [_rule_node(result, _firing(result, r), contributions.get(r), ceilings.get(r),
                                depth) for r in ranked.rules],
    }


def _rule_node(result: Result, firing: Firing, contribution: float | None,
               ceiling: float | None = None, depth: int = 0) -> Node:
    kb = result.kb
    rule = kb.rules_by_id[firing.rule]
    part = f" {contribution:+.2f}" if contribution is not None else ""
    if ceiling is not None:
        part = f" at most {ceiling:.2f}"
    node: Node = {
        "kind": "rule",
        "id": rule.id,
        "title": rule.title,
        "step": firing.step,
        "contribution": contribution,
        "because": rule.because,
        "sources": [{"id": s, "title": kb.sources[s].title} for s in rule.sources],
        "evidence": [{"id": e, "statement": kb.evidence[e]} for e in rule.evidence],
        "where": rule.where,
        "text": f"rule {rule.id}{part} (step {firing.step}): {rule.title}",
        "children": [_fact_node(result, ref, rule, depth + 1) for ref in firing.facts],
    }
    if ceiling is not None:
        node["ceiling"] = ceiling
    return node


def _fact_node(result: Result, ref: FactRef, rule: RuleDef, depth: int) -> Node:
    if ref.kind == "answer":
        question = result.kb.questions[ref.name]
        held = [leaf.satisfied() for leaf in leaves(to_nnf(rule.when))
                if isinstance(leaf, Ask) and leaf.question == ref.name and leaf.test(ref.value)]
        node: Node = {"kind": "answer", "question": ref.name, "value": plain(ref.value),
                      "matched": held,
                      "text": f"answer {ref.name} = {show(ref.value)}"
                              + (f"  [{'; '.join(held)}]" if held else ""),
                      "children": []}
        if question.computed:
            node["text"] = (f"estimate {ref.name} = {show(ref.value)} {question.unit}".rstrip()
                            + (f"  [{'; '.join(held)}]" if held else ""))
            node["children"] = [
                {"kind": "answer", "question": q, "value": plain(result.answers[q]),
                 "text": f"answer {q} = {show(result.answers[q])} (x {w:g})", "children": []}
                for q, w in question.sum if result.answers.get(q) is not None]
        return node
    if depth >= DEEPEST:  # a chain of thousands of derived facts: its own tree from here
        shown = f"fact {ref.name}" if ref.kind == "fact" else \
            f"hypothesis {ref.name} = {ref.value:.2f}"
        return {"kind": ref.kind, "id": ref.name, "children": [], "continued": True,
                "text": f"{shown} ({DEEPEST} rules down: `twitchdx explain --how "
                        f"{ref.name}` goes on from here)"}
    if ref.kind == "fact":
        return {"kind": "fact", "id": ref.name, "text": f"fact {ref.name}",
                "children": [_rule_node(result, result.firing(s), None, depth=depth)
                             for s in result.derived_by.get(ref.name, ())]}
    # a certainty the rule tested; strata make it final before any rule reads it
    node = _belief_node(result, "hypothesis", ref.name, depth)
    node["text"] = f"hypothesis {ref.name} = {ref.value:.2f}"
    return node



def answers_in(node: Node) -> set[str]:
    """Every question a proof tree rests on."""
    found = {node["question"]} if node["kind"] == "answer" else set()
    for child in node.get("children", ()):
        found |= answers_in(child)
    return found


def render_tree(node: Node, verbose: bool = True) -> str:
    """The tree as indented text, each rule with its reason and sources."""
    lines = [node["text"]]
    _render_children(node, "", lines, verbose)
    return "\n".join(lines) + "\n"


def _render_children(node: Node, prefix: str, lines: list[str], verbose: bool) -> None:
    children = node.get("children", [])
    for index, child in enumerate(children):
        last = index == len(children) - 1
        lines.append(f"{prefix}{'└─ ' if last else '├─ '}{child['text']}")
        inner = prefix + ("   " if last else "│  ")
        if verbose and child["kind"] == "rule":
            lines.append(f"{inner}because: {child['because']}")
            lines.append(f"{inner}sources: " + "; ".join(f"{s['id']} {s['title']}"
                                                        for s in child["sources"]))
        _render_children(child, inner, lines, verbose)
