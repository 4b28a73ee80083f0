"""Build a KnowledgeBase from file texts, finding every problem at once.

Each problem names ``path:line: rule-id: message``.  Structure is checked
against the JSON Schemas (schema.py); references are then checked against what
the files define: question ids, choices, ranges, catalog ids and sources, with
a "did you mean" for near misses; finally rules are ordered into strata.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import Problem
from ..language.conditions import Ask, Condition, ConditionSyntaxError
from ..language.conditions import parse as parse_condition
from ..language.forms import leaves
from ..language.model import (
    AdviceKind,
    Choice,
    Constraint,
    Contraindication,
    Entry,
    KnowledgeBase,
    Level,
    Manifest,
    Question,
    RuleDef,
    Source,
    Voice,
)
from ..text import did_you_mean
from . import sealing
from .digest import sha256
from .printed import Key, Sharing, other_fields, rule_keys, screen_printed, sharing
from .readahead import Read, read_ahead
from .references import check_ask, check_rule
from .rulefiles import add_rule, check_salvaged, check_status, collect_rules, register
from .strata import strata
from .yamlsource import LineDict

SINGULAR = {"hypotheses": "hypothesis", "notes": "note", "tests": "test"}
Bad = set[tuple[str, int | None]]  # (section, item index) with a schema problem; None: all


class Proofs(NamedTuple):
    """What a base must pass before anyone is advised from it (the loader's), proved while
    a large base's printed texts are screened on the other core: ``rules`` reads the rules
    alone (that core proves it, on the rules as built, once it has read the advice),
    ``asks`` reads what the advice asks too."""

    rules: Callable[[KnowledgeBase], list[Problem]]
    asks: Callable[[KnowledgeBase], list[Problem]]


def display_path(path: Path) -> str:
    """A path as an author would type it: relative to the working folder when inside it."""
    shown = os.path.relpath(os.path.abspath(path))  # never resolves links: they may loop
    return str(path) if shown.startswith("..") else shown


def fingerprint(texts: list[tuple[str, Path, str]], experimental: bool = True) -> str:
    """sha256 of every file's kind, name and content (and whether experimental rules are
    in): the report's knowledge hash, and what tells two bases apart."""
    digest = sha256(b"" if experimental else b"\0without experimental rules")
    for kind, path, text in texts:
        digest.update(f"\0{kind}\0{path.name}\0".encode())
        digest.update(text.encode())
    return digest.hexdigest()


class _Builder:
    """What has been read so far, and every problem met on the way: one method per kind of
    file or entry (rule files are rulefiles.py's, references references.py's)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.manifests: list[Manifest] = []
        self.questions: dict[str, Question] = {}
        self.levels: dict[str, Level] = {}
        self.catalog: dict[str, dict[str, Entry]] = {"hypotheses": {}, "notes": {}, "tests": {}}
        self.sources: dict[str, Source] = {}
        self.evidence: dict[str, str] = {}
        self.rules: dict[str, RuleDef] = {}
        self.raw_rules: list[tuple[str, LineDict]] = []  # read, not yet built
        self.written: list[str] = []  # the id of every rule read, left out or not
        self.raw_salvaged: list[tuple[str, LineDict, LineDict]] = []  # (path, stand-in, raw)
        self.advice_kinds: dict[str, AdviceKind] = {
            k.id: AdviceKind(k.id, k.label, k.kept_when_overridden) for k in sealing.policy().kinds}
        self.voice: tuple[Voice, str, int] = (sealing.policy_voice(), sealing.POLICY_PATH, 0)
        self.constraints: list[Constraint] = []
        self.raw_constraints: list[tuple[str, LineDict]] = []
        self.sections: dict[str, str] = {}
        self.forbidden: list[str] = []  # phrases a folder adds to what no text may say
        self.contraindications: list[Contraindication] = []
        self.raw_contraindications: list[tuple[str, LineDict]] = []
        self.manifest_lines: list[tuple[Manifest, int]] = []
        self.catalog_path = ""
        self.defined_at: dict[tuple[str, str], str] = {}  # (kind, id) -> where, for sources
        self.overridden: dict[str, RuleDef] = {}

    def take(self, kind: str, shown: str, read: Read | Built, experimental: bool = True
             ) -> None:
        """What a file holds, as readahead.read_file read it (a rule file's rules built at
        once), or as the other core read and built it."""
        if isinstance(read, Built):
            self.add_built(read)
            return
        if read[0] == "error":
            self.problem(shown, read[1], "", read[2])
            return
        _, data, schema_problems, bad = read
        if not isinstance(data, dict):
            self.problem(shown, getattr(data, "line", 1), "", f"a {kind} file must be a mapping")
            return
        self.problems += schema_problems
        if ("", None) in bad:  # the file as a whole is unusable
            return
        if kind == "rules":
            collect_rules(self, data, shown, bad)
            self.add_rules(experimental)
            return
        {"kb": self.add_manifest, "questions": self.add_questions, "catalog": self.add_catalog,
         "reference": self.add_reference}[kind](data, shown, bad)

    def add_rules(self, experimental: bool) -> None:
        """The rules read and not yet built, built (in the order they were read; a rule's
        order counts every rule read before it, left out as experimental or not).  What
        was read of them is let go at once: freed while the other core still reads, not
        all at the end (a twentieth of a large load)."""
        for shown, raw in self.raw_rules:
            if experimental or raw.get("status") != "experimental":
                add_rule(self, raw, shown, len(self.written))
            self.written.append(raw.get("id"))
        self.raw_rules.clear()

    def add_built(self, built: Built) -> None:
        """A rule file's rules, built on the other core (each numbered within its file)."""
        for rule in built.rules:
            register(self, _with(rule, ORDER, len(self.written) + rule.order))
        self.written += built.ids

    @staticmethod
    def items(data: LineDict, section: str, bad: Bad) -> list[LineDict]:
        return items(data, section, bad)

    def problem(self, path: str, line: int, rule: str, message: str) -> None:
        self.problems.append(Problem(path, line, rule, message))

    def check_answers_only(self, when: Condition, path: str, raw: LineDict, owner: str) -> None:
        """A catalog condition (constraint, contraindication) tests answers only."""
        for leaf in leaves(when):
            if isinstance(leaf, Ask):
                check_ask(self.questions, leaf, lambda line, msg: self.problem(
                    path, line or raw.line, owner, msg))
            else:
                self.problem(path, getattr(leaf, "line", 0) or raw.line, owner,
                             "this condition tests answers only, not facts or hypotheses")

    def add_manifest(self, data: LineDict, path: str, bad: Bad) -> None:
        if bad:
            return
        manifest = Manifest(name=data["name"], version=str(data["version"]), path=path,
                            title=data.get("title", ""),
                            disclaimer=" ".join(data.get("disclaimer", "").split()),
                            language=data.get("language", "en"))
        self.manifests.append(manifest)
        self.manifest_lines.append((manifest, data.line_of("language")))

    def add_questions(self, data: LineDict, path: str, bad: Bad) -> None:
        for raw in items(data, "questions", bad):
            qid = raw["id"]
            earlier = self.questions.get(qid)
            if raw.get("extend"):
                self.extend_question(raw, path)
                continue
            if earlier and not raw.get("override"):
                self.problem(path, raw.line, qid, f"question {qid} is already defined in "
                             f"{earlier.path}:{earlier.line}; to add choices to it say "
                             "extend: true, to replace it override: true")
                continue
            if raw.get("override") and not earlier:
                self.problem(path, raw.line_of("override"), qid, "override: true but no "
                             "earlier question has this id" + _suggest(qid, self.questions))
                continue
            choices = tuple(Choice(c["id"], c["text"], _flag(c.get("red_flag")), c.line)
                            for c in raw.get("choices", []))
            ids = [c.id for c in choices]
            for dup in sorted({c for c in ids if ids.count(c) > 1}):
                self.problem(path, raw.line, qid, f"choice {dup} is listed twice")
            lo, hi = raw.get("min"), raw.get("max")
            if lo is not None and hi is not None and lo > hi:
                self.problem(path, raw.line, qid, f"min {lo} is above max {hi}")
            if raw.get("red_flag") and raw["type"] != "boolean":
                self.problem(path, raw.line_of("red_flag"), qid,
                             "red_flag on a question needs a boolean; flag choices instead")
            self.questions[qid] = Question(
                id=qid, text=" ".join(raw["text"].split()), type=raw["type"], choices=choices,
                min=lo, max=hi,
                unit=raw.get("unit", ""), help=" ".join(raw.get("help", "").split()),
                section=raw.get("section", ""), red_flag=_flag(raw.get("red_flag")),
                path=path, line=raw.line, core=bool(raw.get("core", False)),
                doctor=bool(raw.get("doctor", False)),
                warning=bool(raw.get("warning", False)))
        for raw in items(data, "computed", bad):
            qid = raw["id"]
            if qid in self.questions:
                self.problem(path, raw.line, qid, f"question {qid} is already defined")
                continue
            terms = tuple(raw["sum"].items())
            for source, _w in terms:
                q = self.questions.get(source)
                if q is None or q.type not in ("integer", "number"):
                    self.problem(path, raw["sum"].line_of(source), qid,
                                 f"{source} is not a numeric question"
                                 + _suggest(source, self.questions))
            self.questions[qid] = Question(
                id=qid, text=raw["text"], type="number", unit=raw.get("unit", ""),
                help=" ".join(raw.get("help", "").split()), sum=terms, path=path, line=raw.line,
                min=0, max=None)
        self.raw_constraints += [(path, raw) for raw in items(data, "constraints", bad)]
        for raw in items(data, "sections", bad):
            self.sections[raw["id"]] = " ".join(raw["title"].split())

    def extend_question(self, raw: LineDict, path: str) -> None:
        """``extend: true``: new choices for an earlier choice or multi question, added
        after its own; nothing of it is removed, renamed or changed."""
        qid = raw["id"]
        earlier = self.questions.get(qid)
        if earlier is None:
            self.problem(path, raw.line_of("extend"), qid, "extend: true but no earlier "
                         "question has this id" + _suggest(qid, self.questions))
            return
        if earlier.type not in ("choice", "multi"):
            self.problem(path, raw.line_of("extend"), qid, f"{qid} is a {earlier.type} "
                         "question: only choice and multi questions take new choices")
            return
        known = set(earlier.choice_ids)
        added = []
        for c in raw["choices"]:
            if c["id"] in known:
                self.problem(path, c.line, qid, f"choice {c['id']} is already a choice of "
                             f"{qid} ({earlier.path}:{earlier.line}): extend only adds "
                             "choices; to change one, override the question")
                continue
            known.add(c["id"])
            added.append(Choice(c["id"], c["text"], _flag(c.get("red_flag")), c.line, path))
        self.questions[qid] = earlier._replace(choices=earlier.choices + tuple(added))

    def add_catalog(self, data: LineDict, path: str, bad: Bad) -> None:
        for raw in items(data, "levels", bad):
            if raw["id"] in self.levels:
                self.problem(path, raw.line, raw["id"], "referral level defined twice")
            kinds = raw.get("advice")
            self.levels[raw["id"]] = Level(raw["id"], raw["rank"], raw["label"],
                                           " ".join(raw["action"].split()), raw.get("tests", True),
                                           tuple(kinds) if kinds is not None else None, path,
                                           raw.line)
        self.catalog_path = self.catalog_path or path
        safety_keys = ("advice_kinds", "warning_signs", "forbidden_advice", "contraindications")
        if not any(key[0] in safety_keys for key in bad):
            sealing.seal_catalog(self, data, path)
        ranks = [lv.rank for lv in self.levels.values()]
        if len(set(ranks)) != len(ranks):
            self.problem(path, data.line, "", "two referral levels share a rank")
        for section in ("hypotheses", "notes", "tests"):
            for raw in items(data, section, bad):
                if raw["id"] in self.catalog[section]:
                    self.problem(path, raw.line, raw["id"],
                                 f"{SINGULAR[section]} {raw['id']} is defined twice")
                self.catalog[section][raw["id"]] = Entry(raw["id"], raw["label"],
                                                         " ".join(raw.get("text", "").split()),
                                                         path, raw.line)

    def add_reference(self, data: LineDict, path: str, bad: Bad) -> None:
        for raw in items(data, "sources", bad):
            if self.redefines("source", raw, path):
                self.sources[raw["id"]] = Source(raw["id"], raw["title"], raw.get("url", ""))
        for raw in items(data, "facts", bad):
            if self.redefines("fact", raw, path):
                self.evidence[raw["id"]] = " ".join(raw["statement"].split())

    def redefines(self, kind: str, raw: LineDict, path: str) -> bool:
        """A source or reference fact may be defined again only with ``override: true``."""
        key = (kind, raw["id"])
        earlier = self.defined_at.get(key)
        if earlier and not raw.get("override"):
            self.problem(path, raw.line, raw["id"], f"{kind} {raw['id']} is already defined at "
                         f"{earlier}; to replace it say override: true")
            return False
        if raw.get("override") and not earlier:
            self.problem(path, raw.line_of("override"), raw["id"],
                         f"override: true but no earlier {kind} has this id")
        self.defined_at[key] = f"{path}:{raw.line}"
        return True

    def when(self, raw: LineDict, path: str) -> Condition | None:
        """The parsed ``when`` of a catalog entry, or None after reporting why it is not."""
        try:
            return parse_condition(raw["when"], raw.line_of("when"))
        except ConditionSyntaxError as exc:
            self.problem(path, exc.line or raw.line, raw["id"], str(exc))
            return None

    def add_constraint(self, raw: LineDict, path: str) -> None:
        when = self.when(raw, path)
        if when is None:
            return
        asks = [leaf for leaf in leaves(when) if isinstance(leaf, Ask)]
        if len(asks) != len(list(leaves(when))):
            self.problem(path, raw.line_of("when"), raw["id"],
                         "a constraint tests answers only, not facts or hypotheses")
            return
        before = len(self.problems)
        for leaf in asks:
            check_ask(self.questions, leaf, lambda line, msg: self.problem(
                path, line or raw.line, raw["id"], msg))
        if len(self.problems) == before:
            self.constraints.append(Constraint(
                raw["id"], when, " ".join(raw["message"].split()),
                tuple(dict.fromkeys(leaf.question for leaf in asks)), path, raw.line))

    def check_catalog(self) -> None:
        """Levels and warning signs, held to the safety policy."""
        self.resolve_flags()
        sealing.seal_contraindications(self)
        sealing.seal_ladder(self)
        sealing.seal_warning_signs(self)
        sealing.seal_language(self)

    def resolve_flags(self) -> None:
        """``red_flag: true`` means the catalog's warning level; a named level must exist."""
        default = self.voice[0].level

        def resolve(flag: str | None, where: Any, qid: str) -> str | None:
            if flag == DEFAULT_FLAG:
                if default is None:
                    self.problem(where.path, where.line, qid, "red_flag: true needs "
                                 "warning_signs.level in the catalog (the level a warning "
                                 "sign leads to)")
                return default
            if flag and self.levels and flag not in self.levels:
                self.problem(where.path, where.line, qid, f"red_flag: unknown referral level {flag}"
                             + _suggest(flag, self.levels))
                return None  # reported; the base keeps no reference to a level it lacks
            return flag

        for qid, question in list(self.questions.items()):
            choices = tuple(c._replace(red_flag=resolve(c.red_flag, question._replace(line=c.line),
                                                        qid)) for c in question.choices)
            self.questions[qid] = question._replace(
                red_flag=resolve(question.red_flag, question, qid), choices=choices)


def build(texts: list[tuple[str, Path, str]], experimental: bool = True,
          proofs: Proofs | None = None
          ) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Turn file texts into a KnowledgeBase; return it (None if unusable) with all problems.
    ``experimental=False`` leaves out rules marked ``status: experimental``, as if they were
    not written (an experimental override then leaves the rule it would replace).
    ``proofs``: more checks of the built base (the loader's), their problems among the
    rest; only of a base built without problems so far."""
    b = _Builder()
    shown_paths = [display_path(path) for _, path, _ in texts]
    with read_ahead(texts, shown_paths, partial(built_apart, experimental)) as ahead:
        for index, read in ahead.reads():  # a large base: read and built on two cores
            b.take(texts[index][0], shown_paths[index], read, experimental)
    policy = (b.manifests[0].language if b.manifests else "", tuple(b.forbidden))
    first = None if proofs is None else partial(_proved_as_built, proofs.rules, b)
    with sharing(_printed_keys(b), policy, first) as shared:  # a large base: its printed
        return _built(b, texts, experimental, proofs, shared)  # texts judged on two cores


def _proved_as_built(prove: Callable[[KnowledgeBase], list[Problem]], b: _Builder
                     ) -> list[Problem]:
    """A proof that reads the rules alone, of the rules as built (on the other core, while
    this one checks them further): the same as of the finished base whenever that is
    proved, since a base is proved only if no rule was dropped on the way."""
    return prove(KnowledgeBase(manifests=(), questions={}, rules=tuple(b.rules.values()),
                               levels=(), hypotheses={}, notes={}, tests={}, sources={},
                               evidence={}, fingerprint=""))


class Built(NamedTuple):
    """A rule file read and built on the other core: its rules (each one's order counted
    within the file), and the id of every rule it holds, left out as experimental or not."""

    rules: tuple[RuleDef, ...]
    ids: tuple[str, ...]


def built_apart(experimental: bool, kind: str, shown: str, read: Read) -> Read | Built:
    """What the read-ahead's child sends of a file it read: a rule file's rules, built,
    when the file holds no problem; anything else as read, for the builder to take as
    if it had read it (and report its problems in their place)."""
    if kind != "rules" or read[0] != "data" or read[2] or read[3] \
            or not isinstance(read[1], dict):
        return read
    alone = _Builder()
    collect_rules(alone, read[1], shown, read[3])
    alone.add_rules(experimental)  # an override, or an id used twice, is a problem here
    if alone.problems or alone.raw_salvaged:
        return read
    return Built(tuple(alone.rules.values()), tuple(alone.written))


def _printed_keys(b: _Builder) -> list[Key]:
    """What the printed fields of the base will be, known once its rules are built."""
    entries = [(SINGULAR[section], b.catalog[section]) for section in SINGULAR]
    return [*(key for rule in b.rules.values() for key in rule_keys(rule)),
            *((what, texts) for *_, what, texts in other_fields(
                b.questions.values(), b.levels.values(), entries, b.manifests, b.sources,
                b.evidence, b.defined_at))]


def _built(b: _Builder, texts: list[tuple[str, Path, str]], experimental: bool,
           proofs: Proofs | None, shared: Sharing | None
           ) -> tuple[KnowledgeBase | None, list[Problem]]:
    check_status(b, set(b.written))
    for shown, raw in b.raw_constraints:
        b.add_constraint(raw, shown)
    b.check_catalog()
    missing = [(kind, what) for kind, what, have in (
        ("kb", "no kb.yaml naming the knowledge", b.manifests),
        ("questions", "no questions defined (questions.yaml: questions)", b.questions),
        ("catalog", "no referral levels defined (catalog.yaml: levels)", b.levels)) if not have]
    if missing:
        base = texts[0][1].parent if texts else Path("knowledge")
        for kind, what in missing:  # unless that file's own problems say why already
            if not any(Path(p.path).stem == kind for p in b.problems):
                b.problem(display_path(base / f"{kind}.yaml"), 0, "", what)
        return None, b.problems
    check_salvaged(b)
    for rule in list(b.rules.values()):
        before = len(b.problems)
        check_rule(b, rule)
        if len(b.problems) > before:  # reported; keep the rest consistent for further checks
            del b.rules[rule.id]
    level, tangles = strata(b.rules.values())
    for tangle in tangles:  # one problem for each knot of rules, at the one read last
        first = b.rules[tangle.cycle[0]]
        b.problem(first.path, first.line, first.id, tangle.says())
    rules = sorted((_with(r, STRATUM, level.get(r.id, 0)) for r in b.rules.values()),
                   key=lambda r: (r.stratum, r.id))
    kb = KnowledgeBase(
        manifests=tuple(b.manifests),
        questions=b.questions,
        rules=tuple(rules),
        levels=tuple(sorted(b.levels.values(), key=lambda lv: lv.rank)),
        hypotheses=b.catalog["hypotheses"],
        notes=b.catalog["notes"],
        tests=b.catalog["tests"],
        sources=b.sources,
        evidence=b.evidence,
        fingerprint=fingerprint(texts, experimental),
        advice_kinds=tuple(b.advice_kinds.values()),
        voice=b.voice[0],
        constraints=tuple(b.constraints),
        sections=b.sections,
        forbidden_phrases=tuple(b.forbidden),
        contraindications=tuple(b.contraindications),
        overridden=b.overridden,
        language=b.manifests[0].language,
    )
    prove = None if b.problems else proofs  # only a base built without problems
    more: list[Problem] = []

    def checks(asked: Callable[[], None]) -> None:  # while the other core screens
        asked()  # what the advice asks: the other core sends it first
        if prove is not None:
            more.extend(prove.asks(kb))
        more.extend(sealing.check_advice(kb, kb.tests))
        if prove is not None:  # then what it made of the rules as built
            proved = shared.first_came_to() if shared is not None else None
            more.extend(prove.rules(kb) if proved is None else proved)

    printed = screen_printed(kb, b.defined_at, checks, shared)
    kb.calm = printed.calm
    return kb, b.problems + printed.problems + more


ORDER, STRATUM = RuleDef._fields.index("order"), RuleDef._fields.index("stratum")


def _with(rule: RuleDef, field: int, value: Any) -> RuleDef:
    """``rule._replace`` of one field in half the time (NamedTuple's goes through a dict
    of every field): every rule of a large base gets its stratum so."""
    return tuple.__new__(RuleDef, (*rule[:field], value, *rule[field + 1:]))


def items(data: LineDict, section: str, bad: Bad) -> list[LineDict]:
    """The items of a list section that passed the schema (a broken one is reported
    already; checking it further would only add noise, or crash)."""
    items = data.get(section)
    if (section, None) in bad or not isinstance(items, list):
        return []
    return [item for index, item in enumerate(items)
            if (section, index) not in bad and isinstance(item, dict)]


def _mapping(data: LineDict, section: str, bad: Bad) -> LineDict | None:
    value = data.get(section)
    broken = any(key[0] == section for key in bad)
    return value if isinstance(value, dict) and not broken else None


def _flag(value: Any) -> str | None:
    """A warning sign's level as written; ``true`` is resolved to the catalog's default
    (warning_signs.level) once the catalog is read."""
    if value is True:
        return DEFAULT_FLAG
    return value or None


DEFAULT_FLAG = "\0warning_signs.level"  # a placeholder no level id can equal


def _suggest(name: str, known: Any) -> str:
    return did_you_mean(name, known)


