"""``twitchdx kb check``'s warnings: what loading accepts but an author would want to know.

Loading refuses what would break the engine, double-count evidence or harm
someone (kb/builder.py, kb/verify.py, kb/safety.py).  These checks find
knowledge that loads but is wrong or dead, in the manner of the Drools Verifier
and CLIPS's load checks: rules that can never fire (contradictions, or reading
only facts that dead rules derive), branches of ``any:`` that can never hold,
thresholds outside a question's range, what an ``override`` drops, questions
and conclusions nothing uses.
"""

from collections.abc import Iterable
from typing import Any

from ..errors import Problem
from ..language.certainty import LIKELY, combine
from ..language.conditions import (
    All,
    AnyOf,
    Ask,
    Belief,
    Condition,
    ConditionSyntaxError,
    FactIs,
    Leaf,
)
from ..language.forms import alternatives
from ..language.model import KnowledgeBase, Question, RuleDef
from ..text import did_you_mean


def lint(kb: KnowledgeBase) -> list[Problem]:
    """Every warning for a base that loads, sorted by file and line."""
    problems: list[Problem] = []
    dead = dead_rules(kb)
    made = {f for r in kb.rules for f in r.then.facts}
    for rule in kb.rules:
        problems += _undefined_facts(rule, made)
        problems += _out_of_range(kb, rule)
        problems += _dead(kb, rule, dead)
    problems += _overrides(kb)
    problems += _unused_questions(kb)
    problems += _unreached_conclusions(kb)
    problems += _uncapped(kb)
    problems += [deprecation(rule) for rule in kb.rules if rule.status == "deprecated"]
    problems += _to_fill_in(kb)
    return sorted(set(problems))


FILL_IN = "FILL IN"  # what a skeleton of `kb new` leaves for the author to write


def _to_fill_in(kb: KnowledgeBase) -> list[Problem]:
    """Texts a skeleton left to write: one warning each, at its line."""
    found = []
    for rule in kb.rules:
        found += [(rule.path, rule.line_of(key), rule.id, key)
                  for key in ("title", "because") if FILL_IN in getattr(rule, key)]
    for kind, entries in (("hypothesis", kb.hypotheses), ("note", kb.notes)):
        found += [(e.path, e.line, e.id, f"{kind} {key}") for e in entries.values()
                  for key in ("label", "text") if FILL_IN in getattr(e, key)]
    for q in kb.askable:
        found += [(q.path, q.line, q.id, key) for key in ("text", "help")
                  if FILL_IN in getattr(q, key)]
    return [Problem(path, line, ident, f"fill this in: {what}", "warning", "fill-in")
            for path, line, ident, what in found]


def deprecation(rule: RuleDef) -> Problem:
    """A deprecated rule, and what replaces it."""
    instead = f"; use {rule.replaced_by} instead" if rule.replaced_by else ""
    return Problem(rule.path, rule.line_of("status"), rule.id,
                   f"rule {rule.id} is deprecated{instead}", "warning", "deprecated")


def _problem(rule: RuleDef, line: int, message: str, check: str) -> Problem:
    return Problem(rule.path, line or rule.line, rule.id, message, "warning", check)


def _leaves(rule: RuleDef) -> Iterable[Leaf]:
    seen = []
    for alternative in rule.alternatives:
        for leaf in alternative:
            if leaf not in seen:
                seen.append(leaf)
                yield leaf


def _undefined_facts(rule: RuleDef, made: set[str]) -> list[Problem]:
    out = []
    for leaf in _leaves(rule):
        if isinstance(leaf, FactIs) and leaf.name not in made:
            out.append(_problem(rule, leaf.line, f"fact {leaf.name} is not concluded by any rule"
                                + did_you_mean(leaf.name, sorted(made)), "undefined-fact"))
    return out


def _out_of_range(kb: KnowledgeBase, rule: RuleDef) -> list[Problem]:
    out = []
    for leaf in _leaves(rule):
        if not isinstance(leaf, Ask) or leaf.op not in ("is", "at_least", "at_most", "above",
                                                        "below", "between"):
            continue
        question = kb.questions[leaf.question]
        if question.type not in ("integer", "number"):
            continue
        lo = question.min if question.min is not None else float("-inf")
        hi = question.max if question.max is not None else float("inf")
        values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
        for value in values:
            if isinstance(value, int | float) and not lo <= value <= hi:
                out.append(_problem(rule, leaf.line, f"{value:g} is outside the range of "
                                    f"{leaf.question} ({question.allowed().split(' from ')[1]})",
                                    "out-of-range"))
    return out


# ---------------------------------------------------------------- contradictions


class _Range:
    """The values a numeric answer may still take: [lo, hi] with open or closed ends."""

    def __init__(self, lo: float, hi: float, integer: bool):
        self.lo, self.hi, self.lo_open, self.hi_open, self.integer = lo, hi, False, False, integer

    def above(self, value: float, open_: bool) -> None:
        if value > self.lo or (value == self.lo and open_):
            self.lo, self.lo_open = value, open_

    def below(self, value: float, open_: bool) -> None:
        if value < self.hi or (value == self.hi and open_):
            self.hi, self.hi_open = value, open_

    def empty(self) -> bool:
        if self.integer:
            import math

            first = math.floor(self.lo) + 1 if self.lo_open or self.lo != int(self.lo) \
                else self.lo
            last = math.ceil(self.hi) - 1 if self.hi_open or self.hi != int(self.hi) \
                else self.hi
            return first > last
        if self.lo > self.hi:
            return True
        return self.lo == self.hi and (self.lo_open or self.hi_open)


def _numeric(question: Question, leaves: list[Ask]) -> bool:
    lo = question.min if question.min is not None else float("-inf")
    hi = question.max if question.max is not None else float("inf")
    span = _Range(lo, hi, question.type == "integer")
    for leaf in leaves:
        op, value = leaf.op, leaf.value
        if leaf.negated:  # the complement of a bound is a bound; of is/between it is not
            op = {"at_least": "below", "at_most": "above", "above": "at_most",
                  "below": "at_least"}.get(op)
            if op is None:
                continue
        if op == "is":
            span.above(value, False)
            span.below(value, False)
        elif op == "between":
            span.above(value[0], False)
            span.below(value[1], False)
        elif op in ("at_least", "above"):
            span.above(value, op == "above")
        else:
            span.below(value, op == "below")
    return span.empty()


def _choice(question: Question, leaves: list[Ask]) -> bool:
    allowed = set(question.choice_ids) if question.type == "choice" else {True, False}
    for leaf in leaves:
        values = set(leaf.value) if leaf.op == "in" else {leaf.value}
        allowed = allowed - values if leaf.negated else allowed & values
    return not allowed


def _multi(question: Question, leaves: list[Ask]) -> bool:
    required: set[str] = set()
    forbidden: set[str] = set()
    some_of: list[set[str]] = []
    counts: list[tuple[int, set[str]]] = []
    for leaf in leaves:
        op, value = leaf.op, leaf.value
        if op == "includes":
            (forbidden if leaf.negated else required).add(value)
        elif op == "includes_any":
            if leaf.negated:
                forbidden |= set(value)
            else:
                some_of.append(set(value))
        elif op == "includes_all" and not leaf.negated:
            required |= set(value)
        elif op == "includes_at_least" and not leaf.negated:
            counts.append((value[0], set(value[1])))
        elif op == "count_at_least" and not leaf.negated:
            counts.append((value, set(question.choice_ids)))
    if required & forbidden or any(not (group - forbidden) for group in some_of):
        return True
    return any(len(group - forbidden) < count for count, group in counts)


def impossible(kb: KnowledgeBase, alternative: tuple[Leaf, ...]) -> bool:
    """Can no set of answers satisfy every leaf of this alternative at once?"""
    presence: dict[str, set[bool]] = {}
    for leaf in alternative:
        if isinstance(leaf, Ask):
            presence.setdefault(leaf.question, set()).add(
                leaf.value if leaf.on_presence else True)
    if any(len(states) == 2 for states in presence.values()):
        return True  # left unanswered, yet tested for a value (or answered)
    by_question: dict[str, list[Ask]] = {}
    facts: dict[str, set[bool]] = {}
    beliefs: dict[str, _Range] = {}
    for leaf in alternative:
        if isinstance(leaf, Ask) and not leaf.on_presence:
            by_question.setdefault(leaf.question, []).append(leaf)
        elif isinstance(leaf, FactIs):
            facts.setdefault(leaf.name, set()).add(leaf.negated)
        elif isinstance(leaf, Belief):
            span = beliefs.setdefault(leaf.hypothesis, _Range(0.0, 1.0, False))
            if leaf.op == "at_least":
                span.above(leaf.value, False)
            else:
                span.below(leaf.value, True)
    if any(len(states) == 2 for states in facts.values()):
        return True
    if any(span.empty() for span in beliefs.values()):
        return True
    for question_id, leaves in by_question.items():
        question = kb.questions[question_id]
        check = {"integer": _numeric, "number": _numeric, "choice": _choice,
                 "boolean": _choice, "multi": _multi}[question.type]
        if check(question, leaves):
            return True
    return False


def dead_rules(kb: KnowledgeBase) -> dict[str, str]:
    """Rules that can never fire, with why: their conditions contradict each other, or
    every way to fire reads a fact that only dead rules (or none) derive."""
    dead: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for rule in kb.rules:
            if rule.id in dead or not rule.alternatives:
                continue
            reasons = [_why_dead(kb, alternative, dead) for alternative in rule.alternatives]
            if all(reasons):
                dead[rule.id] = reasons[0]
                changed = True
    return dead


def _why_dead(kb: KnowledgeBase, alternative: tuple[Leaf, ...], dead: dict[str, str]) -> str:
    """Why this alternative can never hold ("" if it can)."""
    if impossible(kb, alternative):
        return "its conditions contradict each other"
    for leaf in alternative:
        if isinstance(leaf, FactIs) and not leaf.negated:
            makers = kb.producers("fact", leaf.name)
            if makers and all(m.id in dead for m in makers):
                return (f"it reads fact {leaf.name}, which only rules that can never fire "
                        f"derive ({', '.join(m.id for m in makers)})")
            if not makers:
                return f"it reads fact {leaf.name}, which no rule derives"
    return ""


def _dead(kb: KnowledgeBase, rule: RuleDef, dead: dict[str, str]) -> list[Problem]:
    if rule.id in dead:
        if dead[rule.id].endswith("which no rule derives"):
            return []  # said already, with a suggestion (undefined-fact)
        return [_problem(rule, rule.line_of("when"), f"this rule can never fire: "
                         f"{dead[rule.id]}", "dead-rule")]
    return [_problem(rule, branch.line, f"this branch of any: can never hold: {why}",
                     "dead-branch") for branch, why in _dead_branches(kb, rule.when, dead)]


def _dead_branches(kb: KnowledgeBase, node: Condition, dead: dict[str, str]
                   ) -> list[tuple[Any, str]]:
    """Items of ``any:`` (outside ``not``) whose every alternative is dead."""
    found: list[tuple[Any, str]] = []
    if isinstance(node, AnyOf):
        for item in node.items:
            try:
                reasons = [_why_dead(kb, alt, dead) for alt in alternatives(item)]
            except ConditionSyntaxError:
                continue
            if reasons and all(reasons):
                found.append((item, reasons[0]))
            else:
                found += _dead_branches(kb, item, dead)
    elif isinstance(node, All):
        for item in node.items:
            found += _dead_branches(kb, item, dead)
    return found


def _overrides(kb: KnowledgeBase) -> list[Problem]:
    """What each override drops that the knowledge still uses or reports."""
    out = []
    for rule_id, old in kb.overridden.items():
        new = kb.rules_by_id.get(rule_id)
        if new is None:
            continue
        dropped = []
        for name in sorted(set(old.then.facts) - set(new.then.facts)):
            readers = sorted(r.id for r in kb.rules if name in r.reads_facts)
            if readers:
                dropped.append(f"fact {name} (read by {', '.join(readers)})")
        for kind, before, after in (
                ("hypothesis", old.then.hypotheses, new.then.hypotheses),
                ("note", old.then.notes, new.then.notes)):
            dropped += [f"{kind} {name}" for name in sorted({n for n, _ in before}
                                                            - {n for n, _ in after})]
        if old.then.referral and old.then.referral != new.then.referral:
            dropped.append(f"referral {old.then.referral}")
        dropped += [f"test {t}" for t in sorted(set(old.then.tests) - set(new.then.tests))]
        dropped += [f"advice {a.text[:40]!r}" for a in old.then.advice
                    if a.text not in {b.text for b in new.then.advice}]
        dropped += [f"source {s}" for s in sorted(set(old.sources) - set(new.sources))]
        if dropped:
            out.append(_problem(new, new.line_of("override"), f"override of {old.where} drops "
                                + "; ".join(dropped), "override-drops"))
    return out


# ---------------------------------------------------------------- dead knowledge


def _unused_questions(kb: KnowledgeBase) -> list[Problem]:
    used = {q for rule in kb.rules for q in rule.questions}
    used |= {q for constraint in kb.constraints for q in constraint.questions}
    used |= {source for q in kb.questions.values() if q.computed and q.id in used
             for source, _ in q.sum}
    return [Problem(q.path, q.line, q.id, f"question {q.id} is not used by any rule",
                    "warning", "unused-question")
            for q in kb.questions.values() if q.id not in used]


def _uncapped(kb: KnowledgeBase) -> list[Problem]:
    """A hypothesis its evidence can make likely with no ceiling to say what likely needs:
    every shipped one has them (the reference's strength words as rules)."""
    out = []
    for ident, entry in kb.hypotheses.items():
        given = [cf for rule in kb.producers("hypothesis", ident)
                 for target, cf in rule.then.hypotheses if target == ident and cf > 0]
        capped = [cap for rule in kb.rules for target, cap in rule.then.ceilings
                  if target == ident]
        if capped or combine(given) < LIKELY:
            continue
        out.append(Problem(
            entry.path, entry.line, ident, f"hypothesis {ident} can reach likely "
            f"({combine(given):.2f} with all its evidence) but no rule caps it: every shipped "
            "hypothesis has ceiling rules saying what likely needs (at_most 0.45 without a "
            "risk factor, at_most 0.45 without symptoms, at_most 0.15 without either; see "
            "mg-likely-needs-a-risk-factor, mg-likely-needs-symptoms and "
            "mg-weak-items-stay-low in knowledge/rules/magnesium.yaml)", "warning",
            "uncapped-hypothesis"))
    return out


def _unreached_conclusions(kb: KnowledgeBase) -> list[Problem]:
    out = []
    for kind, entries in (("hypothesis", kb.hypotheses), ("note", kb.notes), ("test", kb.tests)):
        for ident, entry in entries.items():
            if not kb.producers(kind, ident):
                out.append(Problem(entry.path, entry.line, ident,
                                   f"no rule concludes {kind} {ident}", "warning",
                                   "unreached-conclusion"))
    for level in kb.levels:
        if not kb.producers("referral", level.id):
            out.append(Problem(level.path, level.line, level.id,
                               f"no rule concludes referral {level.id}", "warning",
                               "unreached-conclusion"))
    return out
