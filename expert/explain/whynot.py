"""WHY-NOT and rule explanations, with counterfactuals found by re-running the engine.

For a conclusion that was not reached (or not as strongly as it could be),
every rule that could have concluded it is evaluated against what the
consultation established: which condition failed or was unknown, what it was
answered, and what answer would have made it hold.  Then each of those answers
is tried, one at a time, in a fresh consultation, and the change that raises
the conclusion most is reported with the ``whatif`` command that reproduces it.
"""

from __future__ import annotations

from typing import Any

from ..consult.consultation import Result, consult, final_oracle
from ..errors import InputError
from ..language.conditions import Ask, FactIs, Leaf
from ..language.model import RuleDef
from ..language.truth import evaluate
from ..language.witness import answers_for, fix_for
from ..text import plain, show
from .how import resolve

Node = dict[str, Any]


def _leaf_node(result: Result, leaf: Leaf, truth: bool | None) -> Node:
    kb = result.kb
    state = "unknown" if truth is None else "failed"
    if isinstance(leaf, Ask):
        question = kb.questions[leaf.question]
        current = result.answers.get(leaf.question)
        node: Node = {"kind": "answer", "question": leaf.question, "state": state,
                      "needs": leaf.describe(), "answered": plain(current)}
        if question.computed:
            node["text"] = (f"needs {leaf.describe()}; estimated "
                            f"{'unknown' if current is None else show(current)} from "
                            + ", ".join(q for q, _ in question.sum))
            return node
        fix = fix_for(question, leaf, current)
        node["would_hold_with"] = plain(fix)
        answered = "unanswered" if leaf.question not in result.answers else \
            f"answered: {show(current)}"
        node["text"] = f"needs {leaf.describe()}; {answered}"
        return node
    if isinstance(leaf, FactIs):
        makers = result.kb.producers("fact", leaf.name)
        node = {"kind": "fact", "fact": leaf.name, "state": state, "needs": leaf.describe(),
                "text": f"needs {leaf.describe()}"
                        + ("" if leaf.negated else
                           f"; no rule derived it ({', '.join(r.id for r in makers)} did not "
                           "fire)"),
                "children": [] if leaf.negated else [
                    rule_node(result, maker, depth=1) for maker in makers]}
        return node
    value = result.certainty_of(leaf.hypothesis)
    return {"kind": "hypothesis", "hypothesis": leaf.hypothesis, "state": state,
            "needs": leaf.describe(), "certainty": value,
            "text": f"needs {leaf.describe()}; it is {value:.2f}"}


def rule_node(result: Result, rule: RuleDef, depth: int = 0) -> Node:
    """Whether ``rule`` fired and, if not, the conditions that failed or were unknown."""
    firing = next((f for f in result.firings if f.rule == rule.id), None)
    node: Node = {"kind": "rule", "id": rule.id, "title": rule.title, "because": rule.because,
                  "sources": list(rule.sources), "where": rule.where, "fired": firing is not None}
    if firing is not None:
        node.update(step=firing.step, facts=[r.text for r in firing.facts],
                    asserted=list(firing.asserted),
                    text=f"rule {rule.id} fired at step {firing.step}: {rule.title}",
                    children=[])
        return node
    oracle = final_oracle(result)
    verdict = evaluate(rule.when, oracle)
    leaves = [(leaf, False) for leaf in verdict.failing] + [(leaf, None)
                                                             for leaf in verdict.unknown]
    children = [_leaf_node(result, leaf, truth) for leaf, truth in leaves] if depth < 2 else []
    node.update(text=f"rule {rule.id} did not fire: {rule.title}", children=children,
                first_failing=children[0]["text"] if children else None)
    return node


def why_not(result: Result, target: str, counterfactual: bool = True) -> Node:
    """Every rule that could conclude ``target``, why each did not, and the single answer
    change that would raise it most."""
    kind, ident = resolve(result, target)
    kb = result.kb
    if kind == "rule":
        raise InputError(f"{ident} is a rule: use --rule {ident}")
    if kind == "referral":
        if ident == "referral":
            raise InputError("name a referral level: --why-not within_days")
        makers = list(kb.producers("referral", ident))
        reached = result.level.rank >= kb.level_rank[ident]
        state = f"the referral is {result.level.id}" + (
            f", at or above {ident}" if reached else f", below {ident}")
    elif kind in ("hypothesis", "note"):
        makers = list(kb.producers(kind, ident))
        value = result.certainty_of(ident)
        state = f"{kind} {ident} is {value:.2f}"
    else:
        makers = list(kb.producers(kind, ident))
        state = f"{kind} {ident} was " + ("" if _reached(result, kind, ident) else "not ") + \
            ("derived" if kind == "fact" else "suggested")
    node: Node = {"kind": "why-not", "target": ident, "target_kind": kind, "state": state,
                  "text": f"why not {kind} {ident}? {state}",
                  "children": [rule_node(result, rule) for rule in makers]}
    if counterfactual:
        node["counterfactual"] = best_change(result, kind, ident, makers)
    return node


def _reached(result: Result, kind: str, ident: str) -> bool:
    if kind == "fact":
        return ident in result.derived_by
    return ident in result.tests


def measure(result: Result, kind: str, ident: str) -> float:
    """How far ``result`` goes towards the target: a certainty, a rank, or 0/1."""
    if kind in ("hypothesis", "note"):
        return result.certainty_of(ident)
    if kind == "referral":
        return float(result.level.rank)
    return 1.0 if _reached(result, kind, ident) else 0.0


def candidate_changes(result: Result, makers: list[RuleDef]) -> list[tuple[str, Any]]:
    """Single answer changes that would make a failing or unknown condition hold."""
    seen: list[tuple[str, Any]] = []
    oracle = final_oracle(result)
    rules = list(makers)
    for rule in rules:
        if any(f.rule == rule.id for f in result.firings):
            continue
        verdict = evaluate(rule.when, oracle)
        for leaf in [*verdict.failing, *verdict.unknown]:
            if isinstance(leaf, FactIs) and not leaf.negated:
                rules += [r for r in result.kb.producers("fact", leaf.name) if r not in rules]
            if not isinstance(leaf, Ask):
                continue
            for change in answers_for(result.kb, result.answers, leaf):
                if change not in seen:
                    seen.append(change)
    return seen


def best_change(result: Result, kind: str, ident: str,
                makers: list[RuleDef]) -> Node | None:
    """Re-run the consultation with each candidate change; keep the one that helps most."""
    before = measure(result, kind, ident)
    # a referral is raised best by reaching the level asked about, not by overshooting it
    cap = float(result.kb.level_rank[ident]) if kind == "referral" else float("inf")
    best: tuple[tuple[float, float, int], str, Any, Result] | None = None
    order = {q.id: i for i, q in enumerate(result.kb.askable)}
    for question, value in candidate_changes(result, makers):
        answers = {q: v for q, v in result.answers.items()
                   if not result.kb.questions[q].computed}
        answers[question] = value
        changed = consult(result.kb, answers)
        after = measure(changed, kind, ident)
        score = (min(after, cap) - before, -after, -order[question])
        if score[0] > 1e-9 and (best is None or score > best[0]):
            best = (score, question, value, changed)
    if best is None:
        return None
    _, question, value, changed = best
    after = measure(changed, kind, ident)
    setting = f"{question}={_arg(value)}"
    return {"question": question, "value": plain(value), "set": setting,
            "before": _shown(kind, before, result), "after": _shown(kind, after, changed),
            "text": f"answering {question} = {show(value)} would raise {kind} {ident} from "
                    f"{_shown(kind, before, result)} to {_shown(kind, after, changed)} "
                    f"(twitchdx whatif ... --set {setting})"}


def _shown(kind: str, value: float, result: Result) -> str:
    if kind in ("hypothesis", "note"):
        return f"{value:.2f}"
    if kind == "referral":
        return next(lv.id for lv in result.kb.levels if lv.rank == int(value))
    return "yes" if value else "no"


def _arg(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(value) or "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return show(value)



def explain_rule(result: Result, rule_id: str) -> Node:
    """``explain --rule``: whether a rule fired, with its facts or its failing conditions."""
    return rule_node(result, result.kb.find_rule(rule_id))


def render(node: Node, indent: str = "") -> str:
    """Any explanation node as indented text: the same structure JSON prints."""
    lines = [indent + node["text"]]
    if node["kind"] == "rule":
        if node.get("fired"):
            lines += [f"{indent}  matched: {fact}" for fact in node["facts"]]
            lines += [f"{indent}  asserted: {item}" for item in node["asserted"]]
        elif not indent:
            lines.append(f"{indent}  because: {node['because']}")
    for child in node.get("children", []):
        lines.append(render(child, indent + "  ").rstrip("\n"))
    if node.get("counterfactual"):
        lines.append(f"{indent}best single change: {node['counterfactual']['text']}")
    elif node["kind"] == "why-not" and "counterfactual" in node:
        lines.append(f"{indent}no single answer change would raise it")
    return "\n".join(lines) + "\n"
