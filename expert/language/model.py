"""The knowledge base as plain, immutable data: what the loader builds and everything reads."""


import functools
from collections.abc import Iterable
from typing import Any, NamedTuple

from ..errors import InputError
from ..text import did_you_mean, question_only
from .conditions import Condition

ANSWER_TYPES = ("boolean", "integer", "number", "choice", "multi")


class Choice(NamedTuple):
    """One choice of a choice or multi question, and the level it must lead to if a warning sign."""

    id: str
    text: str
    red_flag: str | None = None  # the lowest referral level this choice must lead to
    line: int = 0
    path: str = ""  # the file that added it, when not its question's (``extend: true``)


class Question(NamedTuple):
    """A question: what is asked, what an answer may be, and whether it is a warning sign."""

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
    core: bool = False  # always asked, right after the warning signs (age, sex)
    warning: bool = False  # about a warning sign: unanswered, the report cannot reassure
    doctor: bool = False  # what a doctor will want to know: asked once the referral is fixed

    @property
    def computed(self) -> bool:
        return bool(self.sum)

    @property
    def choice_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.choices)

    def allowed(self, most: int | None = None) -> str:
        """What an answer may be, in words, for error messages and prompts; with ``most``,
        a long list of choices is cut there, saying where the rest are."""
        if self.type == "boolean":
            return "yes or no"
        ids = list(self.choice_ids)
        listed = ", ".join(ids) if most is None or len(ids) <= most else \
            ", ".join(ids[:most]) + f", ... ({len(ids)} in all: `twitchdx questions` " \
            "lists them)"
        if self.type == "choice":
            return "one of " + listed
        if self.type == "multi":
            return "a list of zero or more of " + listed
        kind = "a whole number" if self.type == "integer" else "a number"
        return f"{kind} from {_num(self.min)} to {_num(self.max)}"

    @property
    def short_text(self) -> str:
        """The question itself, without the instructions after it."""
        return question_only(self.text)

    def answer_text(self, value: Any) -> str:
        """An answer as a person reads it: yes or no, the choices' own words, a number with
        its unit; "unknown" for no answer."""
        if value is None:
            return "unknown"
        if self.type == "boolean":
            return "yes" if value else "no"
        texts = dict((c.id, c.text) for c in self.choices)
        if self.type == "choice":
            return texts.get(value, str(value))
        if self.type == "multi":
            return "; ".join(texts.get(v, str(v)) for v in value) or "none of these"
        number = _num(value)
        unit = self.unit[:-1] if number == "1" and self.unit.endswith("s") else self.unit
        return f"{number} {unit}" if unit else number

    @property
    def about_warning_signs(self) -> bool:
        """A warning sign itself (red_flag) or a question about one (``warning``)."""
        return self.warning or bool(self.red_flag) or any(c.red_flag for c in self.choices)

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
    """A piece of advice: its kind (the policy orders kinds and says when each is kept) and
    what it asks the person to do (``does``: eat these foods, take a test, see a doctor),
    which the safety proofs read together with what its text says."""

    text: str
    kind: str = "care"
    does: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (action, (what, ...)), sorted
    line: int = 0

    def asks(self, action: str) -> tuple[str, ...]:
        """What ``does`` names for ``action`` (a few pairs: read in place, no dict made)."""
        for name, what in self.does:
            if name == action:
                return what
        return ()


class Effects(NamedTuple):
    """What a rule concludes when it fires."""

    hypotheses: tuple[tuple[str, float], ...] = ()
    notes: tuple[tuple[str, float], ...] = ()
    referral: str | None = None
    advice: tuple[Advice, ...] = ()
    tests: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    ceilings: tuple[tuple[str, float], ...] = ()  # (hypothesis, the most it may be)
    conflicts: tuple[str, ...] = ()  # answers that disagree, and the reading taken

    def describe(self) -> list[str]:
        """One phrase per conclusion: how the trace says what a rule asserted."""
        out = [f"hypothesis {h} {cf:+.2f}" for h, cf in self.hypotheses]
        out += [f"hypothesis {h} at most {cap:.2f}" for h, cap in self.ceilings]
        out += [f"note {n} {cf:+.2f}" for n, cf in self.notes]
        if self.referral:
            out.append(f"referral {self.referral}")
        out += [f"test {t}" for t in self.tests]
        out += [f"fact {f}" for f in self.facts]
        out += [f"advice ({a.kind}): {a.text}" for a in self.advice]
        out += [f"conflict: {text}" for text in self.conflicts]
        return out


class RuleDef(NamedTuple):
    """A rule as the knowledge defines it: condition, conclusions, reasons and sources."""

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
    stratum: int = 0  # rules of a lower stratum all fire first (see kb/strata.py)
    lines: tuple[tuple[str, int], ...] = ()  # (key, line) of each key of the rule
    questions: tuple[str, ...] = ()  # question ids the condition reads
    reads_facts: tuple[str, ...] = ()  # derived facts it reads
    reads_hypotheses: tuple[str, ...] = ()  # hypotheses whose certainty it reads
    alternatives: tuple[tuple[Any, ...], ...] = ()  # the condition in DNF (language/conditions.py)
    item_lines: tuple[tuple[str, int], ...] = ()  # ("tests/ecg", line) of each listed id
    order: int = 0  # the order it was read in, across folders: later folders come later
    refines: tuple[str, ...] = ()  # broader rules this one adds extra evidence to (verify.py)
    status: str = "stable"  # experimental (can be switched off) | stable | deprecated
    replaced_by: str = ""  # a deprecated rule's successor

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    def line_of(self, key: str) -> int:
        """The line of one of the rule's keys (``then``, ``sources``...)."""
        for name, line in self.lines:  # a few keys: no dict worth making
            if name == key:
                return line
        return self.line

    def line_of_item(self, key: str, item: Any) -> int:
        """The line of one listed id (``tests`` ``ecg``), else of its key."""
        return dict(self.item_lines).get(f"{key}/{item}", self.line_of(key))


class Level(NamedTuple):
    """A rung of the referral ladder."""

    id: str
    rank: int
    label: str
    action: str
    tests: bool = True  # whether a report at this level lists suggested tests
    advice: tuple[str, ...] | None = None  # the advice kinds it keeps (None: all)
    path: str = ""  # where it is defined, for the author
    line: int = 0


class AdviceKind(NamedTuple):
    """A kind of advice, in the order reports list them."""

    id: str
    label: str
    kept_when_overridden: bool = False  # survives when a higher referral overrides its own


class Voice(NamedTuple):
    """Warning signs: the level a plain ``red_flag: true`` means, and how a report speaks
    once one is present (red flags change its voice)."""

    fact: str  # the derived fact that says a warning sign is present
    level: str  # the lowest referral a warning sign must lead to, unless it names one
    drops_advice: tuple[str, ...] = ()  # advice kinds that would sound like the fix
    notes_caveat: str = ""  # said of the lifestyle triggers: they do not explain it
    drops_actions: tuple[str, ...] = ()  # advice asking for these goes too, whatever its kind
    unchecked_heading: str = ""  # said first while a warning sign is unanswered
    unchecked_text: str = ""


class Contraindication(NamedTuple):
    """Advice that must never reach someone for whom ``when`` holds, named by what it asks:
    foods rich in these nutrients, these foods, supplements of these nutrients."""

    id: str
    when: Any  # a Condition over answers only
    eat_rich_in: tuple[str, ...]
    eat: tuple[str, ...]
    supplement: tuple[str, ...]
    because: str
    path: str = ""  # where it is defined: the package's policy, or a folder's catalog
    line: int = 0


class Constraint(NamedTuple):
    """Answers that cannot all be true: refused in files, asked again in the dialogue."""

    id: str
    when: Any  # a Condition over answers only
    message: str
    questions: tuple[str, ...]
    path: str = ""
    line: int = 0


class Entry(NamedTuple):
    """A named conclusion or test in the catalog: hypothesis, note or test."""

    id: str
    label: str
    text: str = ""
    path: str = ""  # where it is defined, for the author
    line: int = 0


class Source(NamedTuple):
    """A source of the domain reference that rules cite."""

    id: str
    title: str
    url: str = ""


class Manifest(NamedTuple):
    """A knowledge folder's name, version and disclaimer, as every report names them."""

    name: str
    version: str
    path: str
    title: str = ""
    disclaimer: str = ""
    language: str = "en"  # the language every printed text is in (kb.yaml)


class KnowledgeBase:
    """A loaded, checked knowledge base, with the indexes every consultation uses.

    Immutable by convention; equal to another when built from the same files.
    """

    def __init__(self, *, manifests: tuple[Manifest, ...], questions: dict[str, Question],
                 rules: tuple[RuleDef, ...], levels: tuple[Level, ...],
                 hypotheses: dict[str, Entry], notes: dict[str, Entry], tests: dict[str, Entry],
                 sources: dict[str, Source], evidence: dict[str, str], fingerprint: str,
                 advice_kinds: tuple[AdviceKind, ...] = (), voice: Voice | None = None,
                 constraints: tuple[Constraint, ...] = (), sections: dict[str, str] | None = None,
                 forbidden_phrases: tuple[str, ...] = (),
                 contraindications: tuple[Contraindication, ...] = (),
                 overridden: dict[str, RuleDef] | None = None,
                 calm: dict[str, str] | None = None, language: str = "en"):
        self.manifests = manifests
        self.questions = questions
        self.rules = rules  # sorted by (stratum, id): the firing order of ties
        self.levels = levels  # lowest rank first
        self.hypotheses = hypotheses
        self.notes = notes
        self.tests = tests
        self.sources = sources
        self.evidence = evidence  # reference fact id -> statement
        self.fingerprint = fingerprint  # sha256 of every file: the report's knowledge hash
        self.advice_kinds = advice_kinds  # in report order
        self.voice = voice
        self.constraints = constraints
        self.sections = sections or {}  # section id -> heading
        self.forbidden_phrases = forbidden_phrases  # a folder's own additions to the policy
        self.contraindications = contraindications
        self.calm = calm or {}  # printed text -> itself without reassuring sentences
        self.language = language
        self.overridden = overridden or {}  # rule id -> the definition an override replaced
        self.rules_by_id = {r.id: r for r in rules}
        self.position = {r.id: i for i, r in enumerate(rules)}  # rule id -> firing order
        self.referring = tuple(r for r in rules if r.then.referral)  # rules that refer
        self.level_rank = {lv.id: lv.rank for lv in levels}
        self.askable = tuple(q for q in questions.values() if not q.computed)
        self.computed_questions = tuple(q for q in questions.values() if q.computed)
        self.computed = frozenset(q.id for q in self.computed_questions)
        producers: dict[tuple[str, str], list[RuleDef]] = {}
        for rule in rules:
            for key in conclusion_keys(rule.then):
                producers.setdefault(key, []).append(rule)
        self._producers = {k: tuple(v) for k, v in producers.items()}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KnowledgeBase) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"<KnowledgeBase {self.version}: {len(self.rules)} rules>"

    @property
    def version(self) -> str:
        return " + ".join(f"{m.name} {m.version}" for m in self.manifests)

    @property
    def disclaimer(self) -> str:
        return next((m.disclaimer for m in self.manifests if m.disclaimer), "")

    def find_rule(self, rule_id: str) -> RuleDef:
        """The rule with this id; a near miss gets a suggestion."""
        rule = self.rules_by_id.get(rule_id)
        if rule is None:
            hint = did_you_mean(rule_id, self.rules_by_id, "; see twitchdx kb list")
            raise InputError(f"no rule {rule_id!r}{hint}")
        return rule

    def calm_text(self, text: str) -> str:
        """``text`` as a report says it while a warning sign is present or unchecked: its
        reassuring sentences left out ("" when nothing else is left)."""
        return self.calm.get(text, text)

    @functools.cached_property
    def warning_questions(self) -> tuple[Question, ...]:
        """The questions about warning signs, in the order they are asked (worked out once:
        every consultation asks which of them were left unknown)."""
        return tuple(q for q in self.askable if q.about_warning_signs)

    def level(self, level_id: str) -> Level:
        return next(lv for lv in self.levels if lv.id == level_id)

    @property
    def top_level(self) -> Level:
        """The highest rung (the emergency): once reached, nothing more is asked."""
        return self.levels[-1]

    @property
    def warning_level(self) -> str:
        """The lowest referral a warning sign leads to when it names no level."""
        return self.voice.level if self.voice else self.levels[-1].id

    def section_title(self, section: str) -> str:
        """The heading a section of questions is asked under."""
        return self.sections.get(section) or section.replace("_", " ").capitalize()

    def producers(self, kind: str, name: str) -> tuple[RuleDef, ...]:
        """Rules whose conclusions include ``kind`` ``name`` (hypothesis, note, fact, test,
        referral)."""
        return self._producers.get((kind, name), ())

    def cone(self, rules: Iterable[RuleDef]) -> set[str]:
        """The ids of ``rules`` and of every rule whose conclusions they read, through
        facts and certainties, to the end: all a question about them depends on."""
        found: set[str] = set()
        stack = list(rules)
        while stack:
            rule = stack.pop()
            if rule.id in found:
                continue
            found.add(rule.id)
            for name in rule.reads_facts:
                stack.extend(self.producers("fact", name))
            for hypothesis in rule.reads_hypotheses:
                stack.extend(self.producers("hypothesis", hypothesis))
                stack.extend(self.producers("ceiling", hypothesis))
        return found


def conclusion_keys(then: Effects) -> list[tuple[str, str]]:
    """(kind, id) of everything a rule concludes: how producers are indexed."""
    keys = [("hypothesis", h) for h, _ in then.hypotheses]
    keys += [("ceiling", h) for h, _ in then.ceilings]
    keys += [("note", n) for n, _ in then.notes]
    keys += [("fact", f) for f in then.facts]
    keys += [("test", t) for t in then.tests]
    if then.referral:
        keys.append(("referral", then.referral))
    return keys
