"""Safety properties, proved whenever knowledge is loaded.

A knowledge set that breaks one is refused, whatever command loads it: a rule
file must not be able to tell a person having a seizure to rest.  Each proof is
semantic: rules are evaluated in three-valued logic (language/status.py) over
the whole answer space, so every operator, derived fact and chain is covered.
Where a property fails, the problem carries a counterexample: answers under
which every rule that would save it is decided false.

The properties:

* every warning sign (``red_flag``) reaches at least its level, and derives the
  warning voice fact, whatever else is answered;
* no rule that can only fire with a warning sign concludes a lower referral;
* no advice reaches someone a contraindication protects (potassium-rich foods
  with kidney disease), judged on what the advice asks, declared or said.

What printed text may say is screened in printed.py; the floors and
contraindications come from the package's policy (sealing.py), with what a
folder added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ..errors import Problem
from ..language.conditions import Ask, FactIs, Leaf
from ..language.model import Advice, Contraindication, KnowledgeBase, Question, RuleDef
from ..language.status import RuleStatus
from ..language.truth import Including, answers_oracle, evaluate
from ..language.witness import fix_for, satisfiable
from ..text import show

SEARCH_LIMIT = 200  # candidate answer sets tried when looking for a counterexample


def check(kb: KnowledgeBase) -> list[Problem]:
    """Every safety property this knowledge breaks, each with a counterexample."""
    problems: list[Problem] = []
    for question, choice, floor, line in warning_signs(kb):
        problems += _floor(kb, question, choice, floor, line)
    floors = _floors(kb)
    for rule in kb.rules:
        problems += _lowered(kb, rule, floors)
    asking = _asking(kb) if kb.contraindications else {}
    for contraindication in kb.contraindications:
        problems += _contraindicated(kb, contraindication, asking)
    return sorted({p._replace(check="safety") for p in problems})


def warning_signs(kb: KnowledgeBase) -> list[tuple[Question, Any, str, int]]:
    """(question, choice id or True, lowest level, line) for every warning sign."""
    signs = []
    for question in kb.askable:
        if question.type == "boolean" and question.red_flag:
            signs.append((question, True, question.red_flag, question.line))
        for choice in question.choices:
            if choice.red_flag:
                signs.append((question, choice.id, choice.red_flag, choice.line))
    return signs


def _open(question: Question, choice: Any) -> Any:
    """The answer "this warning sign, whatever else": a multi stays open."""
    return Including({choice}) if question.type == "multi" else choice


def _exact(question: Question, choice: Any) -> Any:
    return (choice,) if question.type == "multi" else choice


def sure_level(kb: KnowledgeBase, status: RuleStatus) -> str:
    """The highest referral these answers reach whatever else is answered."""
    sure = [kb.level_rank[r.then.referral] for r in kb.referring
            if status.truth(r.id) is True]
    return next(lv.id for lv in kb.levels if lv.rank == max(sure, default=kb.levels[0].rank))


def _floor(kb: KnowledgeBase, question: Question, choice: Any, floor: str,
           line: int) -> list[Problem]:
    voice = kb.voice.fact if kb.voice else None
    saving = [r for r in kb.referring if kb.level_rank[r.then.referral] >= kb.level_rank[floor]]
    voiced = list(kb.producers("fact", voice)) if voice else []
    status = RuleStatus(kb, {question.id: _open(question, choice)},
                        only=kb.cone(saving + voiced))  # the rules that could save it
    level = sure_level(kb, status)
    shown = "yes" if choice is True else choice
    added = next((c.path for c in question.choices if c.id == choice and c.path), "")
    where = (added or question.path, line or question.line, question.id)
    culprit = _override_that_dropped(kb, question, floor)
    if culprit is not None:  # an extension's override broke it: say so where it is
        rule, old = culprit
        where = (rule.path, rule.line_of("then"), rule.id)
        shown += (f" ({question.path}:{line or question.line}; this override replaced "
                  f"{old.where}, which ensured it)")
    out = []
    if kb.level_rank[level] < kb.level_rank[floor]:
        level = sure_level(kb, RuleStatus(kb, {question.id: _open(question, choice)}))
        example = counterexample(kb, {question.id: _exact(question, choice)}, saving)
        out.append(Problem(*where, f"warning sign {question.id}={shown} must lead to at least "
                           f"{floor} whatever else is answered, but is only sure to reach "
                           f"{level}" + _example(example, f"it reaches {_level_of(kb, example)}")))
    if voice and not any(status.truth(r.id) is True for r in voiced):
        example = counterexample(kb, {question.id: _exact(question, choice)}, voiced)
        out.append(Problem(*where, f"warning sign {question.id}={shown} must derive fact "
                           f"{voice} (the warning voice) whatever else is answered"
                           + _example(example, f"{voice} is not derived")))
    return out


def _override_that_dropped(kb: KnowledgeBase, question: Question, floor: str
                           ) -> tuple[RuleDef, RuleDef] | None:
    """An override whose replaced rule read this warning sign's question and reached its
    floor, while the override does not: (the override, the rule it replaced)."""
    rank = kb.level_rank
    for rule_id, old in sorted(kb.overridden.items()):
        rule = kb.rules_by_id.get(rule_id)
        if rule is None or question.id not in old.questions:
            continue
        before = rank.get(old.then.referral or "", -1)
        after = rank.get(rule.then.referral or "", -1)
        if before >= rank[floor] > after:
            return rule, old
    return None


def _level_of(kb: KnowledgeBase, answers: dict[str, Any] | None) -> str:
    """The level a counterexample reaches (every other question unknown)."""
    if answers is None:
        return ""
    closed = {q.id: None for q in kb.askable}
    return sure_level(kb, RuleStatus(kb, {**closed, **answers}, settled=True))


def _example(answers: dict[str, Any] | None, outcome: str) -> str:
    if answers is None:
        return " (no counterexample found within the search, but it is not proved either)"
    given = {q: v for q, v in answers.items() if v is not None}
    return "; counterexample: " + ", ".join(f"{q}={show(v)}" for q, v in given.items()) + \
        f" (everything else unknown): {outcome}"


def counterexample(kb: KnowledgeBase, start: dict[str, Any],
                   saving: list[RuleDef]) -> dict[str, Any] | None:
    """Concrete answers extending ``start`` under which every rule of ``saving`` is decided
    false (every other question asked and left unknown), or None if none is found."""
    closed = {q.id: None for q in kb.askable}
    queue = [dict(start)]
    seen: list[dict[str, Any]] = []
    cone = kb.cone(saving)
    while queue and len(seen) < SEARCH_LIMIT:
        answers = queue.pop(0)
        if answers in seen:
            continue
        seen.append(answers)
        status = RuleStatus(kb, {**closed, **answers}, settled=True, only=cone)
        alive = [r for r in saving if status.truth(r.id) is not False]
        if not alive:
            return answers
        for rule in alive:  # falsify one test the rule still passes, and try again
            for leaf in _held_leaves(kb, rule, {**closed, **answers}):
                question = kb.questions[leaf.question]
                if question.computed or leaf.question in start:
                    continue
                value = fix_for(question, leaf.negate(), answers.get(leaf.question))
                if value is not None:
                    queue.append({**answers, leaf.question: value})
    return None


def _held_leaves(kb: KnowledgeBase, rule: RuleDef, answers: dict[str, Any]) -> Iterator[Ask]:
    """Answer tests of ``rule`` that hold now, through the facts it reads."""
    oracle = answers_oracle(answers, lambda leaf: None, closed=True)
    for alternative in rule.alternatives:
        for leaf in alternative:
            if isinstance(leaf, Ask) and oracle(leaf) is True:
                yield leaf
            elif isinstance(leaf, FactIs) and not leaf.negated:
                for maker in kb.producers("fact", leaf.name):
                    if maker.id != rule.id:
                        yield from _held_leaves(kb, maker, answers)


# ---------------------------------------------------------------- lowered referrals


def _flag_floor(kb: KnowledgeBase) -> dict[tuple[str, Any], int]:
    """(question, choice or True) -> the rank a warning sign must reach."""
    return {(q.id, c): kb.level_rank[floor] for q, c, floor, _ in warning_signs(kb)}


def guaranteed_floor(kb: KnowledgeBase, rule: RuleDef,
                     memo: dict[str, int] | None = None) -> int:
    """The rank every firing of ``rule`` is owed: each way it can fire needs a warning
    sign at least this serious (0 when it can fire without one)."""
    memo = {} if memo is None else memo
    if rule.id in memo:
        return memo[rule.id]
    memo[rule.id] = 0  # a cycle guarantees nothing
    flags = _flag_floor(kb)
    floors = []
    for alternative in rule.alternatives or ((),):
        if not satisfiable(kb, alternative):
            continue  # a branch no answers can take guarantees nothing, and lowers nothing
        floors.append(max((_leaf_floor(kb, leaf, flags, memo) for leaf in alternative),
                          default=0))
    memo[rule.id] = min(floors, default=0)
    return memo[rule.id]


def _leaf_floor(kb: KnowledgeBase, leaf: Leaf, flags: dict[tuple[str, Any], int],
                memo: dict[str, int]) -> int:
    if isinstance(leaf, FactIs):
        if leaf.negated:
            return 0
        makers = kb.producers("fact", leaf.name)
        return min((guaranteed_floor(kb, maker, memo) for maker in makers), default=0)
    if not isinstance(leaf, Ask) or leaf.negated:
        return 0
    rank = lambda choice: flags.get((leaf.question, choice), 0)  # noqa: E731
    if leaf.op == "is":  # yes to a warning-sign question, or a warning-sign choice
        return rank(leaf.value)
    if leaf.op == "includes":
        return rank(leaf.value)
    if leaf.op in ("includes_any", "in"):
        return min((rank(v) for v in leaf.value), default=0)
    if leaf.op == "includes_all":
        return max((rank(v) for v in leaf.value), default=0)
    if leaf.op == "includes_at_least":
        count, choices = leaf.value
        return sorted(rank(v) for v in choices)[count - 1]
    return 0


def _floors(kb: KnowledgeBase) -> dict[str, int]:
    """guaranteed_floor of every rule that concludes a referral and of every rule whose
    fact those read, however far back: worked out in the rules' order (by stratum), so
    what a rule reads is known before it, and a chain of thousands of derived facts is
    followed without thousands of nested calls."""
    needed: set[str] = set()
    waiting = list(kb.referring)
    while waiting:
        rule = waiting.pop()
        if rule.id not in needed:
            needed.add(rule.id)
            waiting += [maker for name in rule.reads_facts
                        for maker in kb.producers("fact", name)]
    floors: dict[str, int] = {}
    for rule in kb.rules:
        if rule.id in needed:
            guaranteed_floor(kb, rule, floors)
    return floors


def _lowered(kb: KnowledgeBase, rule: RuleDef, floors: dict[str, int] | None = None
             ) -> list[Problem]:
    if not rule.then.referral:
        return []
    owed = guaranteed_floor(kb, rule, floors)
    if kb.level_rank[rule.then.referral] >= owed:
        return []
    level = next(lv.id for lv in kb.levels if lv.rank == owed)
    return [Problem(rule.path, rule.line_of("then"), rule.id,
                    f"concludes {rule.then.referral}, but it can only fire with a warning sign "
                    f"that must lead to at least {level}"
                    + _example(witness(kb, rule), f"rule {rule.id} concludes "
                               f"{rule.then.referral}"))]


def witness(kb: KnowledgeBase, rule: RuleDef, depth: int = 0) -> dict[str, Any] | None:
    """Answers under which ``rule`` can fire (its first satisfiable alternative)."""
    for alternative in rule.alternatives or ((),):
        answers: dict[str, Any] = {}
        for leaf in alternative:
            if isinstance(leaf, Ask):
                question = kb.questions[leaf.question]
                if question.computed:
                    continue
                if leaf.on_presence and not leaf.value:
                    answers[leaf.question] = None
                    continue
                value = fix_for(question, leaf, answers.get(leaf.question))
                if value is None:
                    break
                answers[leaf.question] = value
            elif isinstance(leaf, FactIs) and not leaf.negated and depth < 8:
                made = next((w for maker in kb.producers("fact", leaf.name)
                             if (w := witness(kb, maker, depth + 1)) is not None), None)
                if made is None:
                    break
                answers = {**made, **answers}
        else:
            return answers
    return None


# ---------------------------------------------------------------- advice


class Asked(NamedTuple):
    """What an advice asks people to have, declared in ``does`` or said in its text."""

    eaten: frozenset[str]  # foods (and nutrients, for "<nutrient> foods")
    rich: frozenset[str]  # the nutrients of all of them
    taken: frozenset[str]  # supplements


def asked(advice: Advice) -> Asked:
    """What an advice asks for, read once: every contraindication is judged on it."""
    from ..policy.asks import actions

    said = actions(advice.text)
    eaten = frozenset(said.eat | set(advice.asks("eat")) | set(advice.asks("drink")))
    return Asked(eaten, said._replace(eat=eaten).rich_in() if eaten else frozenset(),
                 frozenset(said.supplement | set(advice.asks("supplement"))))


def forbidden_by(advice: Advice, contra: Contraindication, have: Asked | None = None
                 ) -> list[str]:
    """What of ``advice`` the contraindication forbids, read from what it asks (``have``,
    if already read): foods by the nutrients they are rich in."""
    eaten, rich, taken = have or asked(advice)
    hits = [f"{food}" for food in sorted(eaten) if food in contra.eat]
    hits += [f"foods rich in {n}" for n in sorted(rich & set(contra.eat_rich_in))]
    hits += [f"{n} supplements" for n in sorted(taken & set(contra.supplement))]
    return hits


def _asking(kb: KnowledgeBase) -> dict[str, list[tuple[Advice, Asked]]]:
    """Rule id -> its advice that asks people to eat, drink or take something, with what
    (read once for every contraindication; most advice asks for neither)."""
    have: dict[Advice, Asked] = {}
    out = {}
    for rule in kb.rules:
        reads = []
        for advice in rule.then.advice:
            read = have.get(advice)
            if read is None:
                read = have[advice] = asked(advice)
            if read.eaten or read.taken:
                reads.append((advice, read))
        if reads:
            out[rule.id] = reads
    return out


def _contraindicated(kb: KnowledgeBase, contra: Contraindication,
                     asking: dict[str, list[tuple[Advice, Asked]]]) -> list[Problem]:
    """No advice the contraindication forbids may be sure-or-possible when it holds."""
    given = _answers_satisfying(contra.when)
    advising = {rule_id: hit for rule_id, reads in asking.items()
                if (hit := [h for advice, read in reads for h in forbidden_by(advice, contra,
                                                                              read)])}
    status = RuleStatus(kb, given, only=kb.cone(kb.rules_by_id[r] for r in advising))
    out = []
    for rule_id, hit in advising.items():  # in the rules' order, as asking is
        rule = kb.rules_by_id[rule_id]
        if status.truth(rule.id) is False or not any(
                satisfiable(kb, alternative) for alternative in rule.alternatives or ((),)):
            continue  # it cannot give the advice then, or it cannot fire at all
        example = witness(kb, rule)
        example = {**(example or {}), **{q: tuple(sorted(v)) if isinstance(v, Including) else v
                                          for q, v in given.items()}}
        out.append(Problem(rule.path, rule.line_of("then"), rule.id,
                           f"advice to have {', '.join(dict.fromkeys(hit))} can reach someone it "
                           f"harms ({contra.id}: {contra.because}); add a condition that "
                           "leaves them out"
                           + _example(example, f"rule {rule.id} may give it")))
    return out


def _answers_satisfying(condition: Any) -> dict[str, Any]:
    """The least answers that make an answers-only condition hold: ``includes x`` is a
    multi answer including x (others open), ``is v`` the value itself."""
    answers: dict[str, Any] = {}
    verdict = evaluate(condition, lambda leaf: None)
    for leaf in verdict.unknown:
        if not isinstance(leaf, Ask) or leaf.negated:
            continue
        if leaf.op == "includes":
            answers[leaf.question] = Including({*answers.get(leaf.question, ()), leaf.value})
        elif leaf.op == "includes_all":
            answers[leaf.question] = Including({*answers.get(leaf.question, ()), *leaf.value})
        elif leaf.op == "is":
            answers[leaf.question] = leaf.value
    return answers
