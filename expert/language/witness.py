"""Witnesses: answers that would make a condition hold (or fail).

The raw material of every "what would change this" claim (WHY-NOT's best
change, the report's value of information) and of the counterexamples a safety
proof gives.  Each function proposes one answer, as close to the current one as
it can; the caller evaluates what that answer really changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .conditions import Ask
from .model import KnowledgeBase, Question


def fix_for(question: Question, leaf: Ask, current: Any) -> Any:
    """An answer to ``question`` under which ``leaf`` holds, as close to ``current`` as
    possible; None if there is none."""
    if leaf.on_presence:  # any answer will do for "answered"; "unanswered" is not an answer
        return None if not leaf.value or current is not None else _any_answer(question)
    if question.type == "multi":
        chosen = set(current or ())
        change = _REMOVE if leaf.negated else _ADD
        chosen = change[leaf.op](chosen, leaf.value, question)
        candidate = tuple(c for c in question.choice_ids if c in chosen)
        return candidate if leaf.test(candidate) else None
    held = [o for o in _OPTIONS[question.type](question, leaf.value) if leaf.test(o)]
    return held[0] if held else None


def _calm_choices(question: Question, count: int) -> set[str]:
    """Any ``count`` choices, preferring ones that are no warning sign."""
    return {c.id for c in sorted(question.choices, key=lambda c: bool(c.red_flag))[:count]}


#: how a multi answer changes so that a (negated) test holds: (chosen, value, question) -> chosen
_ADD = {
    "includes": lambda chosen, value, q: chosen | {value},
    "includes_any": lambda chosen, value, q: chosen | set(value[:1]),
    "includes_all": lambda chosen, value, q: chosen | set(value),
    "includes_at_least": lambda chosen, value, q: chosen | set(value[1][:value[0]]),
    "count_at_least": lambda chosen, value, q: chosen | _calm_choices(q, value),
}
_REMOVE = {  # take out what the test must not find
    "includes": lambda chosen, value, q: chosen - {value},
    "includes_any": lambda chosen, value, q: chosen - set(value),
    "includes_all": lambda chosen, value, q: chosen - set(value),
    "includes_at_least": lambda chosen, value, q: chosen - set(value[1]),
    "count_at_least": lambda chosen, value, q: chosen,
}


def _near(question: Question, value: Any) -> list[Any]:
    """Each bound of a numeric test and its neighbours, inside the question's range."""
    step = 1 if question.type == "integer" else 0.5
    bounds = value if isinstance(value, tuple) else (value,)
    options = [b + d for b in bounds for d in (0, step, -step)]
    return [o for o in options if (question.min is None or o >= question.min)
            and (question.max is None or o <= question.max)]


#: the answers worth trying for a question of each type: (question, test value) -> answers
_OPTIONS = {
    "boolean": lambda question, value: [True, False],
    "choice": lambda question, value: list(question.choice_ids),
    "integer": _near,
    "number": _near,
}


def _any_answer(question: Question) -> Any:
    if question.type == "boolean":
        return False
    if question.type == "multi":
        return ()
    if question.type == "choice":
        return question.choice_ids[0]
    return question.min


def fix_computed(kb: KnowledgeBase, answers: Mapping[str, Any], computed: Question, leaf: Ask,
                 source: str) -> Any:
    """A value of one input of a computed answer that makes ``leaf`` hold, others unchanged."""
    question = kb.questions[source]
    others = sum((answers.get(q) or 0) * w for q, w in computed.sum if q != source)
    weight = dict(computed.sum)[source]
    step = 1 if question.type == "integer" else 0.5
    value = 0.0
    upper = question.max if question.max is not None else 1000
    while value <= upper:
        if leaf.test(round(others + value * weight, 3)):
            return int(value) if float(value).is_integer() else value
        value += step
    return None


def answers_for(kb: KnowledgeBase, answers: Mapping[str, Any], leaf: Ask) -> list[tuple[str, Any]]:
    """Single answers, each to an askable question, that make ``leaf`` hold and differ
    from what is answered now (a computed estimate is moved through one input)."""
    question = kb.questions[leaf.question]
    if question.computed:
        proposals = [(q, fix_computed(kb, answers, question, leaf, q)) for q, _ in question.sum]
    else:
        proposals = [(leaf.question, fix_for(question, leaf, answers.get(leaf.question)))]
    return [(q, value) for q, value in proposals
            if value is not None and answers.get(q) != value]


def satisfiable(kb: KnowledgeBase, alternative: tuple[Any, ...]) -> bool:
    """Whether some answers can make every test of one alternative hold: a value outside a
    question's range, contradictory tests ("at least 70" and "below 30"), a fact and its
    absence, or a fact no rule derives make a branch that can never fire."""
    from .conditions import Belief, FactIs

    by_question: dict[str, list[Ask]] = {}
    facts: dict[str, set[bool]] = {}
    beliefs: dict[str, list[Belief]] = {}
    for leaf in alternative:
        if isinstance(leaf, Ask):
            by_question.setdefault(leaf.question, []).append(leaf)
        elif isinstance(leaf, FactIs):
            facts.setdefault(leaf.name, set()).add(leaf.negated)
            if not leaf.negated and not kb.producers("fact", leaf.name):
                return False
        elif isinstance(leaf, Belief):
            beliefs.setdefault(leaf.hypothesis, []).append(leaf)
    if any(len(polarity) > 1 for polarity in facts.values()):
        return False
    for tests in beliefs.values():
        if not any(all(t.test(c) for t in tests) for c in (0.0, *(t.value for t in tests),
                                                            *(t.value - 1e-3 for t in tests))):
            return False
    return all(_answerable(kb.questions[q], tests) for q, tests in by_question.items()
               if q in kb.questions)


def _answerable(question: Question, tests: list[Ask]) -> bool:
    presence = [t.value for t in tests if t.on_presence]
    values = [t for t in tests if not t.on_presence]
    if False in presence:
        return not values  # unanswered: no test of its value can hold (unknown is never no)
    if not values:
        return True
    return any(all(t.test(candidate) for t in values) for candidate in _candidates(question,
                                                                                    values))


def _candidates(question: Question, tests: list[Ask]) -> list[Any]:
    """Answers worth trying: every choice, both booleans, each bound and its neighbours, or
    for a multi the choices the tests name, added greedily."""
    if question.type == "boolean":
        return [True, False]
    if question.type == "choice":
        return list(question.choice_ids)
    if question.type == "multi":
        return [_greedy_choices(question, tests)]
    step = 1 if question.type == "integer" else 0.001
    low = question.min if question.min is not None else 0
    high = question.max if question.max is not None else 10 ** 9
    found = {low, high}
    for test in tests:
        bounds = test.value if isinstance(test.value, tuple) else (test.value,)
        for bound in bounds:
            if isinstance(bound, int | float) and not isinstance(bound, bool):
                found |= {bound, bound + step, bound - step}
    return sorted(v for v in found if low <= v <= high)


def _greedy_choices(question: Question, tests: list[Ask]) -> tuple[str, ...]:
    banned: set[str] = set()
    for test in tests:
        if test.negated and test.op in ("includes", "includes_any"):
            banned |= {test.value} if test.op == "includes" else set(test.value)
    chosen: set[str] = set()
    for test in tests:
        if not test.negated and test.op == "includes":
            chosen.add(test.value)
        elif not test.negated and test.op == "includes_all":
            chosen |= set(test.value)
    for test in tests:
        if test.negated or test.test(tuple(chosen)):
            continue
        pool = (test.value if test.op == "includes_any" else test.value[1]
                if test.op == "includes_at_least" else question.choice_ids)
        for choice in pool:
            if test.test(tuple(chosen)):
                break
            if choice not in banned:
                chosen.add(choice)
    return tuple(c for c in question.choice_ids if c in chosen)
