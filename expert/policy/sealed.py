"""The package's safety policy and lexicon, read once per process from package data.

Nothing a knowledge folder says can change what is loaded here: the builder
proves every folder against it (kb/sealing.py), and a folder may only add.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple

HERE = Path(__file__).resolve().parent


class Kind(NamedTuple):
    """An advice kind: its label, whether it survives an overriding referral, and the
    actions (``does``) advice of this kind may ask for."""

    id: str
    label: str
    kept_when_overridden: bool
    does: tuple[str, ...]


class Voice(NamedTuple):
    fact: str
    level: str
    drops_advice: tuple[str, ...]
    drops_actions: tuple[str, ...]
    notes_caveat: str


class Forbids(NamedTuple):
    """What a contraindication keeps from someone: foods rich in these nutrients, these
    foods, supplements of these nutrients."""

    eat_rich_in: tuple[str, ...] = ()
    eat: tuple[str, ...] = ()
    supplement: tuple[str, ...] = ()


class Rule(NamedTuple):
    """Something no text may tell people to do, and what to write instead."""

    id: str
    says: str
    instead: str


class Policy(NamedTuple):
    ladder: tuple[tuple[str, int], ...]  # (level id, rank), lowest first
    keeps: dict[str, tuple[str, ...]]  # level -> the advice kinds a report at it keeps
    kinds: tuple[Kind, ...]
    voice: Voice
    warning_signs: dict[tuple[str, Any], str]  # (question, choice id or True) -> level
    warning_questions: tuple[str, ...]
    contraindications: tuple[tuple[str, Any, Forbids, str], ...]  # (id, when, forbids, why)
    never_advise: dict[str, Rule]
    upper_limits: dict[str, float]  # nutrient -> mg a day
    unchecked_heading: str
    unchecked_text: str

    @property
    def rank(self) -> dict[str, int]:
        return dict(self.ladder)

    def kind(self, kind_id: str) -> Kind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)


def _yaml(name: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (HERE / name).open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # a safe loader: data only


def _words(text: str) -> str:
    return " ".join(str(text).split())


@functools.cache
def policy() -> Policy:
    """The sealed policy (policy.yaml)."""
    data = _yaml("policy.yaml")
    voice = data["warning_voice"]
    signs: dict[tuple[str, Any], str] = {}
    for question, choices in data["warning_signs"].items():
        for choice, level in choices.items():
            signs[(question, True if choice is True else str(choice))] = level
    return Policy(
        ladder=tuple((lv["id"], lv["rank"]) for lv in data["ladder"]),
        keeps={lv["id"]: tuple(lv["keeps_advice"]) for lv in data["ladder"]
               if "keeps_advice" in lv},
        kinds=tuple(Kind(k["id"], k["label"], bool(k.get("kept_when_overridden")),
                         tuple(k["does"])) for k in data["advice_kinds"]),
        voice=Voice(voice["fact"], voice["level"], tuple(voice["drops_advice"]),
                    tuple(voice["drops_actions"]), _words(voice["notes_caveat"])),
        warning_signs=signs,
        warning_questions=tuple(data["warning_questions"]),
        contraindications=tuple(
            (c["id"], c["when"], Forbids(**{k: tuple(v) for k, v in c["forbids"].items()}),
             _words(c["because"])) for c in data["contraindications"]),
        never_advise={r["id"]: Rule(r["id"], _words(r["says"]), _words(r["instead"]))
                      for r in data["never_advise"]},
        upper_limits={n: float(v["mg"]) for n, v in data["upper_limits"].items()},
        unchecked_heading=data["reassurance_voice"]["heading"],
        unchecked_text=_words(data["reassurance_voice"]["text"]),
    )


OPENINGS = 65_536  # words each list remembers the entries they open (texts hold few words)


class Terms:
    """A list of words and phrases, matched on the reader's form of a sentence."""

    def __init__(self, entries: Any):
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for entry, label in _pairs(entries):
            parts = tuple(str(entry).casefold().split())
            if parts:
                self.phrases.setdefault(parts[0].rstrip("*")[:3], []).append((parts, label))
        for listed in self.phrases.values():
            listed.sort(key=lambda item: -len(item[0]))  # the longest match first
        self._opening: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {}

    def match(self, words: Any, at: int) -> tuple[int, str] | None:
        """(length, label) of the longest entry starting at ``words[at]``, if any."""
        opening = self._opening.get(words[at])
        for parts, label in self.opening(words[at]) if opening is None else opening:
            if len(parts) == 1:
                return 1, label
            if at + len(parts) <= len(words) and all(
                    _fits(want, words[at + i]) for i, want in enumerate(parts) if i):
                return len(parts), label
        return None

    def opening(self, word: str) -> tuple[tuple[tuple[str, ...], str], ...]:
        """The entries whose first word ``word`` is, longest first: worked out once for
        each word (a load of 14,000 rules with words of their own asks 700,000 times,
        mostly of words that open none though their first letters do)."""
        found = self._opening.get(word)
        if found is None:
            if len(self._opening) >= OPENINGS:
                self._opening.clear()
            found = self._opening[word] = tuple(
                entry for entry in self.phrases.get(word[:3], ()) if _fits(entry[0][0], word))
        return found

    def find(self, words: list[str], heads: list[str] | None = None
             ) -> list[tuple[int, int, str]]:
        """(start, length, label) of every match, left to right, not overlapping.  Only
        where a word opens like an entry is a match tried: screening a load's texts asks
        this of ten lists for every sentence, and most words open none.  ``heads``: each
        word's first three letters, when the caller has them already (Sentence.heads)."""
        phrases = self.phrases
        if heads is None:
            heads = [word[:3] for word in words]
        if phrases.keys().isdisjoint(heads):
            return []
        out: list[tuple[int, int, str]] = []
        at = 0
        for start in [i for i, head in enumerate(heads) if head in phrases]:
            if start < at:
                continue  # inside the match before
            hit = self.match(words, start)
            if hit:
                out.append((start, hit[0], hit[1]))
                at = start + hit[0]
        return out

    def ends_at(self, words: list[str], end: int) -> bool:
        """Whether an entry ends exactly at ``words[end]``."""
        for start in range(max(0, end - 5), end + 1):
            hit = self.match(words, start)
            if hit and start + hit[0] - 1 == end:
                return True
        return False


def _fits(want: str, word: str) -> bool:
    return word.startswith(want[:-1]) if want.endswith("*") else word == want


def _pairs(entries: Any) -> list[tuple[str, str]]:
    """(phrase, label): a list labels each entry by itself; a mapping by its key."""
    if isinstance(entries, dict):
        return [(e, str(key)) for key, values in entries.items() for e in values]
    return [(e, str(e)) for e in entries]


class Lexicon(NamedTuple):
    negations: Terms
    stop_verbs: Terms
    stop_participles: Terms
    be_words: Terms
    past_be: Terms
    take_verbs: Terms
    conditional: Terms
    medical_agents: Terms
    questions_about_you: Terms
    medicines: Terms
    nutrients: Terms
    supplement_words: Terms
    supplement_brands: Terms
    foods: Terms
    food_nutrients: dict[str, tuple[str, ...]]
    nutrient_foods: Terms
    substances: Terms
    reassurance: Terms
    foreign: dict[str, str]  # word -> language
    mass_units: dict[str, float]
    number_words: dict[str, float]


@functools.cache
def lexicon() -> Lexicon:
    """The lexicon (lexicon.yaml), compiled for matching."""
    data = _yaml("lexicon.yaml")
    return Lexicon(
        negations=Terms(data["negations"]),
        stop_verbs=Terms(data["stop_verbs"]),
        stop_participles=Terms(data["stop_participles"]),
        be_words=Terms(data["be_words"]),
        past_be=Terms(data["past_be"]),
        take_verbs=Terms(data["take_verbs"]),
        conditional=Terms(data["conditional_leads"]),
        medical_agents=Terms(data["medical_agents"]),
        questions_about_you=Terms(data["questions_about_you"]),
        medicines=Terms(data["medicines"]),
        nutrients=Terms(data["nutrients"]),
        supplement_words=Terms(data["supplement_words"]),
        supplement_brands=Terms(data["supplement_brands"]),
        foods=Terms({food: spec["words"] for food, spec in data["foods"].items()}),
        food_nutrients={food: tuple(spec["rich_in"]) for food, spec in data["foods"].items()},
        nutrient_foods=Terms(data["nutrient_foods"]),
        substances=Terms(data["substances"]),
        reassurance=Terms(data["reassurance"]),
        foreign={w: lang for lang, ws in data["foreign_words"].items() for w in ws},
        mass_units={k: float(v) for k, v in data["mass_units"].items()},
        number_words={k: float(v) for k, v in data["number_words"].items()},
    )


@functools.cache  # the lexicon is the package's: fixed
def food_ids() -> tuple[str, ...]:
    """Every food of the lexicon: what ``does: {eat: [...]}`` may name (and nutrients)."""
    return tuple(lexicon().food_nutrients)


@functools.cache  # the lexicon is the package's: fixed
def substance_ids() -> tuple[str, ...]:
    return tuple(sorted({label for entries in lexicon().substances.phrases.values()
                         for _, label in entries}))


@functools.cache  # the lexicon is the package's: fixed
def nutrient_ids() -> tuple[str, ...]:
    return tuple(sorted({label for entries in lexicon().nutrients.phrases.values()
                         for _, label in entries}))
