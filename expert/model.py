"""The knowledge base as plain, immutable data: what the loader builds and everything reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from .conditions import ALWAYS, Condition

ANSWER_TYPES = ("boolean", "integer", "number", "choice", "multi")


class Choice(NamedTuple):
    id: str
    text: str
    red_flag: str | None = None  # the lowest referral level this choice must lead to


class Question(NamedTuple):
    id: str
    text: str
    type: str
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: str = ""
    help: str = ""
    section: str = ""
    red_flag: str | None = None  # for a boolean: the level a "yes" must lead to
    sum: tuple[tuple[str, float], ...] = ()  # computed questions: weighted sum of answers
    path: str = ""
    line: int = 0

    @property
    def computed(self) -> bool:
        return bool(self.sum)

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    def allowed(self) -> str:
        """What an answer may be, in words, for error messages and prompts."""
        if self.type == "boolean":
            return "yes or no"
        if self.type == "choice":
            return "one of " + ", ".join(self.choice_ids)
        if self.type == "multi":
            return "a list of zero or more of " + ", ".join(self.choice_ids)
        kind = "a whole number" if self.type == "integer" else "a number"
        return f"{kind} from {_num(self.min)} to {_num(self.max)}"

    @property
    def red_flags(self) -> dict[str, str]:
        """Answer value (choice id, or True) -> the lowest referral level it must reach."""
        if self.type == "boolean" and self.red_flag:
            return {"true": self.red_flag}
        return {c.id: c.red_flag for c in self.choices if c.red_flag}


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return str(int(value)) if float(value).is_integer() else str(value)


class Advice(NamedTuple):
    text: str
    kind: str = "care"


class Effects(NamedTuple):
    """What a rule concludes when it fires."""

    hypotheses: tuple[tuple[str, float], ...] = ()
    notes: tuple[tuple[str, float], ...] = ()
    referral: str | None = None
    advice: tuple[Advice, ...] = ()
    tests: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()

    def describe(self) -> list[str]:
        """One phrase per conclusion: how the trace says what a rule asserted."""
        out = [f"hypothesis {h} {cf:+.2f}" for h, cf in self.hypotheses]
        out += [f"note {n} {cf:+.2f}" for n, cf in self.notes]
        if self.referral:
            out.append(f"referral {self.referral}")
        out += [f"test {t}" for t in self.tests]
        out += [f"fact {f}" for f in self.facts]
        out += [f"advice ({a.kind}): {a.text}" for a in self.advice]
        return out


class RuleDef(NamedTuple):
    id: str
    title: str
    when: Condition
    then: Effects
    because: str
    sources: tuple[str, ...]
    evidence: tuple[str, ...] = ()
    override: bool = False
    path: str = ""
    line: int = 0
    stratum: int = 0  # rules of a lower stratum all fire first (see strata.py)
    lines: tuple[tuple[str, int], ...] = ()  # (key, line) of each key of the rule
    questions: tuple[str, ...] = ()  # question ids the condition reads
    reads_facts: tuple[str, ...] = ()  # derived facts it reads
    reads_hypotheses: tuple[str, ...] = ()  # hypotheses whose certainty it reads

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def line_of(self, key: str) -> int:
        return dict(self.lines).get(key, self.line)

    @property
    def unconditional(self) -> bool:
        return self.when == ALWAYS


class Level(NamedTuple):
    """A rung of the referral ladder."""

    id: str
    rank: int
    label: str
    action: str


class Entry(NamedTuple):
    """A named conclusion or test in the catalog: hypothesis, note or test."""

    id: str
    label: str
    text: str = ""


class Source(NamedTuple):
    id: str
    title: str
    url: str = ""


class Manifest(NamedTuple):
    name: str
    version: str
    path: str
    title: str = ""
    disclaimer: str = ""


@dataclass(frozen=True)
class KnowledgeBase:
    manifests: tuple[Manifest, ...]
    questions: dict[str, Question]
    rules: tuple[RuleDef, ...]  # sorted by (stratum, id): the firing order of ties
    levels: tuple[Level, ...]  # lowest rank first
    hypotheses: dict[str, Entry]
    notes: dict[str, Entry]
    tests: dict[str, Entry]
    sources: dict[str, Source]
    evidence: dict[str, str]  # reference fact id -> statement
    fingerprint: str  # hash of every file's content: what the report calls the knowledge

    @cached_property
    def rules_by_id(self) -> dict[str, RuleDef]:
        return {r.id: r for r in self.rules}

    @cached_property
    def level_rank(self) -> dict[str, int]:
        return {lv.id: lv.rank for lv in self.levels}

    @property
    def version(self) -> str:
        return " + ".join(f"{m.name} {m.version}" for m in self.manifests)

    @property
    def disclaimer(self) -> str:
        return next((m.disclaimer for m in self.manifests if m.disclaimer), "")

    @cached_property
    def askable(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions.values() if not q.computed)

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)

    def producers(self, kind: str, name: str) -> tuple[RuleDef, ...]:
        """Rules whose conclusions include ``kind`` ``name`` (hypothesis, note, fact, test,
        referral)."""
        return self._producers.get((kind, name), ())

    @cached_property
    def _producers(self) -> dict[tuple[str, str], tuple[RuleDef, ...]]:
        index: dict[tuple[str, str], list[RuleDef]] = {}
        for rule in self.rules:
            for key in conclusion_keys(rule.then):
                index.setdefault(key, []).append(rule)
        return {k: tuple(v) for k, v in index.items()}

    def describe_value(self, question_id: str, value: Any) -> str:
        """An answer as a person reads it: ``[loop_diuretic, ppi_long_term]``, ``yes``, ``7``."""
        if value is None:
            return "unknown"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, tuple | list):
            return "[" + ", ".join(value) + "]"
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)


def conclusion_keys(then: Effects) -> list[tuple[str, str]]:
    keys = [("hypothesis", h) for h, _ in then.hypotheses]
    keys += [("note", n) for n, _ in then.notes]
    keys += [("fact", f) for f in then.facts]
    keys += [("test", t) for t in then.tests]
    if then.referral:
        keys.append(("referral", then.referral))
    return keys
