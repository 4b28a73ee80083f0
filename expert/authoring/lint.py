"""``twitchdx kb check``: what loading accepts but an author would want to know.

Loading (kb/builder.py) rejects what would break the engine.  These checks find
knowledge that loads but is wrong or dead: facts no rule derives, thresholds
outside a question's range, rules whose conditions contradict each other,
questions and conclusions nothing uses, and the two safety properties:

* every warning sign (``red_flag`` in questions.yaml) reaches at least its
  level whatever else is answered, proved with the three-valued rule status
  (language/status.py), which never changes a decided rule as more answers arrive;
* no rule that requires a warning sign concludes a lower referral.  (The rule
  language has no way to lower a referral: the highest level reached wins.)
"""

from collections.abc import Iterable
from typing import Any

from ..errors import Problem
from ..language.conditions import Ask, Belief, FactIs, Leaf
from ..language.model import KnowledgeBase, Question, RuleDef
from ..language.status import RuleStatus
from ..text import did_you_mean


def lint(kb: KnowledgeBase) -> list[Problem]:
    """Everything wrong with a base that loads: dead facts, ranges, contradictions, safety."""
    problems: list[Problem] = []
    for rule in kb.rules:
        problems += _undefined_facts(kb, rule)
        problems += _out_of_range(kb, rule)
        problems += _contradictions(kb, rule)
        problems += _lowered_referral(kb, rule)
    problems += _unused_questions(kb)
    problems += _unreached_conclusions(kb)
    problems += safety(kb)
    return sorted(set(problems))


def _problem(rule: RuleDef, line: int, message: str) -> Problem:
    return Problem(rule.path, line or rule.line, rule.id, message)


def _leaves(rule: RuleDef) -> Iterable[Leaf]:
    seen = []
    for alternative in rule.alternatives:
        for leaf in alternative:
            if leaf not in seen:
                seen.append(leaf)
                yield leaf


def _undefined_facts(kb: KnowledgeBase, rule: RuleDef) -> list[Problem]:
    made = {f for r in kb.rules for f in r.then.facts}
    out = []
    for leaf in _leaves(rule):
        if isinstance(leaf, FactIs) and leaf.name not in made:
            out.append(_problem(rule, leaf.line, f"fact {leaf.name} is not concluded by any rule"
                                + did_you_mean(leaf.name, sorted(made))))
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
                                    f"{leaf.question} ({question.allowed().split(' from ')[1]})"))
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
    by_question: dict[str, list[Ask]] = {}
    facts: dict[str, set[bool]] = {}
    beliefs: dict[str, _Range] = {}
    for leaf in alternative:
        if isinstance(leaf, Ask):
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


def _contradictions(kb: KnowledgeBase, rule: RuleDef) -> list[Problem]:
    if rule.alternatives and all(impossible(kb, alt) for alt in rule.alternatives):
        return [_problem(rule, rule.line_of("when"),
                         "this rule can never fire: its conditions contradict each other")]
    return []


# ---------------------------------------------------------------- dead knowledge


def _unused_questions(kb: KnowledgeBase) -> list[Problem]:
    used = {q for rule in kb.rules for q in rule.questions}
    used |= {q for constraint in kb.constraints for q in constraint.questions}
    used |= {source for q in kb.questions.values() if q.computed and q.id in used
             for source, _ in q.sum}
    return [Problem(q.path, q.line, q.id, f"question {q.id} is not used by any rule")
            for q in kb.questions.values() if q.id not in used]


def _unreached_conclusions(kb: KnowledgeBase) -> list[Problem]:
    out = []
    for kind, entries in (("hypothesis", kb.hypotheses), ("note", kb.notes), ("test", kb.tests)):
        for ident in entries:
            if not kb.producers(kind, ident):
                out.append(Problem("catalog", 0, ident, f"no rule concludes {kind} {ident}"))
    for level in kb.levels:
        if not kb.producers("referral", level.id):
            out.append(Problem("catalog", 0, level.id, f"no rule concludes referral {level.id}"))
    return out


# ---------------------------------------------------------------- safety


def red_flags(kb: KnowledgeBase) -> list[tuple[Question, Any, str, int]]:
    """(question, answer value, lowest level, line) for every warning sign."""
    flags = []
    for question in kb.askable:
        if question.type == "boolean" and question.red_flag:
            flags.append((question, True, question.red_flag, question.line))
        for choice in question.choices:
            if choice.red_flag:
                flags.append((question, (choice.id,), choice.red_flag, choice.line))
    return flags


def guaranteed_level(kb: KnowledgeBase, answers: dict[str, Any]) -> tuple[str, list[str]]:
    """The highest referral these answers reach whatever else is answered, and the rules
    that are sure to fire for it."""
    status = RuleStatus(kb, answers)
    sure = [r for r in kb.rules if r.then.referral and status.truth(r.id) is True]
    if not sure:
        return kb.levels[0].id, []
    top = max(kb.level_rank[r.then.referral] for r in sure)
    level = next(lv.id for lv in kb.levels if lv.rank == top)
    return level, [r.id for r in sure if r.then.referral == level]


def safety(kb: KnowledgeBase) -> list[Problem]:
    """Every warning sign reaches its level, and changes the report's voice, whatever else
    is answered."""
    out = []
    for question, answer, floor, line in red_flags(kb):
        level, _ = guaranteed_level(kb, {question.id: answer})
        shown = "yes" if answer is True else answer[0]
        where = (question.path, line or question.line, question.id)
        if kb.level_rank[level] < kb.level_rank[floor]:
            out.append(Problem(*where, f"warning sign {question.id}={shown} must lead to at "
                               f"least {floor} whatever else is answered, but is only sure to "
                               f"reach {level}"))
        if kb.voice and not _sure_to_derive(kb, {question.id: answer}, kb.voice.fact):
            out.append(Problem(*where, f"warning sign {question.id}={shown} must derive fact "
                               f"{kb.voice.fact} (the warning voice) whatever else is answered"))
    return out


def _sure_to_derive(kb: KnowledgeBase, answers: dict[str, Any], fact: str) -> bool:
    status = RuleStatus(kb, answers)
    return any(status.truth(rule.id) is True for rule in kb.producers("fact", fact))


def _requires(alternative: tuple[Leaf, ...], question: str, value: Any) -> bool:
    for leaf in alternative:
        if not isinstance(leaf, Ask) or leaf.question != question or leaf.negated:
            continue
        if value is True and leaf.op == "is" and leaf.value is True:
            return True
        if leaf.op == "includes" and leaf.value == value:
            return True
        if leaf.op == "includes_all" and value in leaf.value:
            return True
    return False


def _lowered_referral(kb: KnowledgeBase, rule: RuleDef) -> list[Problem]:
    if not rule.then.referral or not rule.alternatives:
        return []
    out = []
    for question, answer, floor, _ in red_flags(kb):
        value = True if answer is True else answer[0]
        if kb.level_rank[rule.then.referral] < kb.level_rank[floor] and all(
                _requires(alt, question.id, value) for alt in rule.alternatives):
            shown = "yes" if value is True else value
            out.append(_problem(rule, rule.line_of("then"),
                                f"concludes {rule.then.referral} for warning sign "
                                f"{question.id}={shown}, which must lead to at least {floor}"))
    return out
