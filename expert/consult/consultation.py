"""Run a consultation: checked answers in, conclusions with their evidence out.

This is the only path from answers to conclusions; the answers-file command,
the interactive dialogue, explanations and what-if all come through here.
"""


from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ..engine.actions import RuleActions
from ..engine.engine import engine_for
from ..engine.trace import Firing, Watcher
from ..language.certainty import band
from ..language.computed import with_computed
from ..language.conditions import FactIs, Leaf
from ..language.model import Advice, KnowledgeBase, Level, RuleDef
from ..language.truth import LeafOracle, answers_oracle
from .answers import Answers
from .unchecked import Unchecked, unchecked_warning_signs


class Ranked(NamedTuple):
    """A hypothesis or note with its combined certainty and the rules behind it."""

    id: str
    certainty: float
    rules: tuple[str, ...]  # in firing order; includes evidence against and ceilings
    contributions: tuple[tuple[str, float], ...]  # (rule, cf) in firing order
    ceilings: tuple[tuple[str, float], ...] = ()  # (rule, at most) in firing order

    @property
    def band(self) -> str:
        return band(self.certainty)


class Result(NamedTuple):
    """A finished consultation: conclusions with their evidence, and the trace behind them."""

    kb: KnowledgeBase
    answers: Answers  # checked answers, computed values included
    firings: Sequence[Firing]  # written out as they are read (trace.FiringLog)
    level: Level
    reasons: tuple[str, ...]  # ids of the rules that set the winning level
    hypotheses: tuple[Ranked, ...]
    notes: tuple[Ranked, ...]
    tests: tuple[str, ...]
    advice: tuple[tuple[str, Advice], ...]
    derived_by: dict[str, tuple[int, ...]]
    conflicts: tuple[tuple[str, str], ...] = ()  # (rule, text): answers read the serious way
    warning: bool = False  # a warning sign is present: the report speaks differently
    unchecked: tuple[Unchecked, ...] = ()  # warning signs left unanswered that still matter

    @property
    def quiet(self) -> bool:
        """No reassurance: a warning sign is present, or one was not checked."""
        return self.warning or bool(self.unchecked)

    @property
    def voice(self) -> str:
        """The lifestyle-notes caveat in force, or "" when no warning sign is present."""
        return self.kb.voice.notes_caveat if self.warning and self.kb.voice else ""

    @property
    def fired(self) -> tuple[str, ...]:
        rules = getattr(self.firings, "rules", None)
        return tuple(rules if rules is not None else (f.rule for f in self.firings))

    @property
    def given(self) -> dict[str, Any]:
        """The answers as given (``None`` for "don't know"), without computed values."""
        return {q.id: self.answers[q.id] for q in self.kb.askable if q.id in self.answers}

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(q.id for q in self.kb.askable if self.answers.get(q.id) is None)

    def hypothesis(self, hypothesis_id: str) -> Ranked | None:
        return next((h for h in self.hypotheses if h.id == hypothesis_id), None)

    def note(self, note_id: str) -> Ranked | None:
        return next((n for n in self.notes if n.id == note_id), None)

    def certainty_of(self, conclusion: str) -> float:
        """Certainty of a hypothesis or note id (0 when nothing supports it)."""
        found = self.hypothesis(conclusion) or self.note(conclusion)
        return found.certainty if found else 0.0

    def firing(self, step: int) -> Firing:
        return self.firings[step - 1]


def final_oracle(result: Result) -> LeafOracle:
    """Judge a rule's tests against what a finished consultation established: its answers,
    the facts derived and the certainties reached (explanations and coverage read it)."""

    def established(leaf: Leaf) -> bool | None:
        if isinstance(leaf, FactIs):
            return (leaf.name in result.derived_by) != leaf.negated
        return leaf.test(result.certainty_of(leaf.hypothesis))

    return answers_oracle(result.answers, established, closed=True)


def consult(kb: KnowledgeBase, answers: Answers, watch: Watcher | None = None,
            overrides: Mapping[str, RuleDef] | None = None) -> Result:
    """Run the engine on checked answers (see answers.check_answers)."""
    full = with_computed(kb, answers)
    actions = engine_for(kb).infer(kb, full, watch, overrides)
    return summarise(kb, full, actions)


def summarise(kb: KnowledgeBase, answers: Answers, actions: RuleActions) -> Result:
    """Turn what the rules concluded into a Result: the winning level, ranked beliefs, advice."""
    steps = {rule: step for step, rule in enumerate(actions.firings.rules, 1)}
    rank = kb.level_rank
    if actions.referrals:
        top = max(rank[level] for level, _ in actions.referrals)
        level = next(lv for lv in kb.levels if lv.rank == top)
        reasons = tuple(sorted({rule for lv, rule in actions.referrals if lv == level.id},
                               key=steps.__getitem__))
    else:
        level, reasons = kb.levels[0], ()

    def ranked(table: dict[str, dict[str, float]], certainty: Callable[[str], float],
               keep_zero: bool, ceilings: dict[str, dict[str, float]]) -> tuple[Ranked, ...]:
        out = []
        for key, pieces in table.items():
            value = max(0.0, certainty(key))
            if value > 0 or keep_zero:
                caps = ceilings.get(key, {})
                order = sorted([*pieces, *caps], key=steps.__getitem__)
                out.append(Ranked(key, value, tuple(order),
                                  tuple([(r, pieces[r]) for r in order if r in pieces]),
                                  tuple([(r, caps[r]) for r in order if r in caps])))
        return tuple(sorted(out, key=_by_certainty))

    warning = bool(kb.voice and kb.voice.fact in actions.derived_by)
    unchecked = unchecked_warning_signs(kb, answers, level, warning)
    suggested = {t for _, t in actions.tests}
    return Result(
        kb=kb,
        answers=answers,
        firings=actions.firings,
        level=level,
        reasons=reasons,
        hypotheses=ranked(actions.evidence, actions.certainty, True, actions.ceilings),
        notes=ranked(actions.note_evidence, actions.note_certainty, False, {}),
        tests=tuple(t for t in kb.tests if t in suggested) if level.tests else (),
        advice=_advice(kb, actions, level, warning, steps, quiet=warning or bool(unchecked)),
        derived_by={k: tuple(v) for k, v in actions.derived_by.items()},
        conflicts=tuple(dict.fromkeys(actions.conflicts)),
        warning=warning,
        unchecked=unchecked,
    )


def _by_certainty(ranked: Ranked) -> tuple[float, str]:
    return -ranked.certainty, ranked.id


def _advice(kb: KnowledgeBase, actions: RuleActions, level: Level, warning: bool,
            steps: dict[str, int], quiet: bool = False) -> tuple[tuple[str, Advice], ...]:
    """The advice a report gives, in the policy's order of kinds.

    A level may keep only some kinds (an emergency leads with what to do now); a
    warning sign drops the kinds, and the actions, that would sound like the fix;
    advice that came with a referral a higher one overrode goes with it, unless its
    kind survives.  While a warning sign is present or unchecked (``quiet``), no
    advice reassures: its reassuring sentences are left out.
    """
    kinds = {kind.id: kind for kind in kb.advice_kinds}
    order = {kind.id: index for index, kind in enumerate(kb.advice_kinds)}
    kept = set(kinds if level.advice is None else level.advice)
    dropped_actions: set[str] = set()
    if warning and kb.voice:
        kept -= set(kb.voice.drops_advice)
        dropped_actions = set(kb.voice.drops_actions)
    overridden = {rule for lv, rule in actions.referrals if kb.level_rank[lv] < level.rank}
    advice: list[tuple[str, Advice]] = []
    seen: set[str] = set()
    for rule_id, item in sorted(actions.advice, key=lambda ra: (order[ra[1].kind],
                                                                 steps[ra[0]])):
        if item.text in seen or item.kind not in kept:
            continue
        if dropped_actions.intersection(action for action, _ in item.does):
            continue
        if rule_id in overridden and not kinds[item.kind].kept_when_overridden:
            continue
        seen.add(item.text)
        said = kb.calm_text(item.text) if quiet else item.text
        if said:
            advice.append((rule_id, item._replace(text=said) if said != item.text else item))
    return tuple(advice)
