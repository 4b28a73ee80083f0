"""What no printed text may tell people to do (the policy's ``never_advise``), read as a
person reads it.

Stopping, reducing or changing a medicine; starting potassium supplements; taking
more of a supplement than its upper limit.  A negation saves an instruction only
inside its own phrase and only when it governs the verb ("do not stop or change"),
so "do not worry, stop your PPI" is still an instruction to stop.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

from .reading import sentences, words
from .sealed import Lexicon, Terms, lexicon, policy
from .sentence import (
    CAPS,
    DANGER,
    DETERMINERS,
    LABORATORY,
    OVERDOSE,
    RESTRICTIVE,
    Sentence,
    openings,
    plainly_lacks,
    read,
)


class Finding(NamedTuple):
    """An instruction a text gives that the policy forbids."""

    rule: str  # a never_advise id, or "phrase:<phrase>" for a folder's own forbidden phrase
    says: str
    sentence: str  # as written
    instead: str


def forbidden(texts: Sequence[str], extra: Sequence[str] = (), naming: bool = False
              ) -> list[Finding]:
    """Every forbidden instruction in ``texts`` (the printed fields of one rule or entry,
    in order): each text alone, and each with the next, so an instruction split over two
    advice items, or "it" after a medicine named before, is read as a person reads it.
    ``naming``: the texts name something (a title, a label), so "Stopping a
    benzodiazepine" names a subject; "Stop your PPI" still instructs."""
    found: list[Finding] = []
    for index, text in enumerate(texts):
        found += _screen(text, extra, naming)
        if index + 1 < len(texts):
            joined = text.rstrip() + " " + texts[index + 1].lstrip()
            found += [f for f in _screen(joined, extra, naming) if f not in found]
    return list(dict.fromkeys(found))


def _screen(text: str, extra: Sequence[str], naming: bool = False) -> list[Finding]:
    return list(_screened(text, tuple(extra), naming))


@functools.lru_cache(maxsize=16384)  # every load screens the shipped texts again
def _screened(text: str, extra: tuple[str, ...], naming: bool) -> tuple[Finding, ...]:
    rules = policy().never_advise
    out: list[Finding] = []
    medicine_before = False
    for written in sentences(text):
        broken, medicine = _instructs(written, medicine_before, naming)
        out += [Finding(rule, rules[rule].says, written, rules[rule].instead) for rule in broken]
        medicine_before = medicine_before or medicine
        if not extra:
            continue
        folded = f" {read(written).joined} "
        for phrase in extra:
            wanted = " " + " ".join(w.text for w in words(phrase)) + " "
            if wanted.strip() and wanted in folded:
                out.append(Finding(f"phrase:{phrase}", f"say {phrase!r} (forbidden by the "
                                   "knowledge's own catalog)", written, "leave it out"))
    return tuple(out)


@functools.lru_cache(maxsize=16384)
def _instructs(written: str, medicine_before: bool, naming: bool
               ) -> tuple[tuple[str, ...], bool]:
    """The never_advise rules one sentence breaks (``medicine_before``: a medicine was
    named earlier in its text, so "stop it" stops that), and whether it names a
    medicine: judged once for each sentence and context (texts are written of the same
    sentences: two in five of a large base's are met before)."""
    if plainly_lacks(written, _cue_terms()):  # most sentences: never read into words
        return (), False
    s = read(written)
    if not _cued(s):
        return (), False
    return (*_stops(s, medicine_before, naming), *_potassium(s), *_limits(s)), \
        s.mentions_medicine()


def _cued(s: Sentence) -> bool:
    """Whether a sentence names a stop or take verb, a participle, a medicine, a
    nutrient or a supplement brand of the lexicon: every screen starts from one of
    them, so a sentence with none instructs nothing the policy forbids, and is not read
    further (most of a large knowledge base's titles and reasons).  A word no entry
    starts with rules a sentence out at once; what is found, the screens look for
    again (Sentence.find keeps it)."""
    exact, starts = _cues()
    if exact.isdisjoint(s.t) and (starts is None or not starts.search(s.joined)):
        return False
    return any(s.find(terms) for terms in _cue_terms())


def _cue_terms() -> tuple[Terms, ...]:
    lex = lexicon()
    return (lex.stop_verbs, lex.stop_participles, lex.take_verbs, lex.medicines,
            lex.nutrients, lex.supplement_brands)


@functools.cache
def _cues() -> tuple[frozenset[str], re.Pattern[str] | None]:
    """The first words of those entries (an entry's first word must be a sentence's word
    for it to match there), and where a word of the sentence opens with the stem of one
    that ends in ``*`` (one search of the sentence, not one look at each word)."""
    exact, stems = openings(_cue_terms())
    return exact, re.compile("(?:^| )(?:" + "|".join(map(re.escape, stems)) + ")") \
        if stems else None


def _stops(s: Sentence, medicine_before: bool, naming: bool = False) -> list[str]:
    """Stopping, reducing or changing a medicine, or (negated) not taking it."""
    lex = s.lex
    if s.asks_about_you():
        return []
    hits = []
    for start, length, _ in s.find(lex.stop_verbs):
        if s.descriptive(start) or s.negated(start) or s.conditional(start) \
                or s.agreed(start) or (naming and s.t[start].endswith("ing")):
            continue
        hits.append((start, length))
    for start, length, _ in s.find(lex.stop_participles):
        if s.passive(start) and not s.descriptive(start) and not s.negated(start - 1) \
                and not s.agreed(start):
            hits.append((start, length))
    for start, length, _ in s.find(lex.take_verbs):
        if s.negated(start) and not s.conditional(start) and not OVERDOSE.intersection(
                s.t[start + length:start + length + 3]):
            hits.append((start, length))
    for start, length in hits:
        target = s.object_of(start + length)
        earlier = medicine_before or any(m[0] < start for m in s.medicines)
        subject = s.passive(start) and any(m[0] < start and s.phrase[m[0]] == s.phrase[start]
                                           for m in s.medicines)
        if target == "medicine" or subject or (target == "pronoun" and earlier):
            return ["stop-a-prescribed-medicine"]
    return []


def _potassium(s: Sentence) -> list[str]:
    """Potassium supplements named as something to take, not as something to avoid."""
    for at in _potassium_mentions(s):
        if _cautioned(s, at) or s.negated_before(at):
            continue
        verb = next((i for i in range(at - 1, -1, -1) if s.phrase[i] == s.phrase[at]
                     and s.lex.take_verbs.match(s.t, i)), None)
        if verb is not None and s.conditional(verb):
            continue
        return ["start-potassium-supplements"]
    return []


def _potassium_mentions(s: Sentence) -> list[int]:
    """Where a potassium supplement is named: by a brand or salt, by potassium next to a
    supplement word, or as what a take-verb acts on outside a phrase about food."""
    mentions = [start for start, _, label in s.brands if label == "potassium"]
    mentions += [start for start, _, label in s.nutrients
                 if label == "potassium" and s.near_supplement_word(start)]
    for start, length, _ in s.find(s.lex.take_verbs):
        target = start + length
        while target < len(s.t) and s.t[target] in DETERMINERS:
            target += 1
        hit = s.lex.nutrients.match(s.t, target) if target < len(s.t) else None
        if hit and hit[1] == "potassium" and not s.food_phrase(start):
            mentions.append(target)
    return mentions


def _cautioned(s: Sentence, at: int) -> bool:
    """Named only on a doctor's advice, as a danger, or as something a test measures."""
    return s.in_phrase(at, RESTRICTIVE, before=False) or bool(DANGER.intersection(s.t)) or (
        bool(LABORATORY.intersection(s.t)) and not s.find(s.lex.take_verbs))


def _limits(s: Sentence) -> list[str]:
    """An amount of a supplement above its upper limit, next to the supplement's name."""
    limits = policy().upper_limits
    names = [(start, label) for start, _, label in s.nutrients + s.brands if label in limits]
    if not names:
        return []
    times = _per_day(s.t)
    for at, amount in _amounts(s.t, s.lex):
        for start, nutrient in names:
            if abs(start - at) > 6:  # "magnesium citrate, 500 mg twice a day"
                continue
            if amount * times <= limits[nutrient]:
                continue
            negation = any(s.lex.negations.ends_at(s.t, i) and not CAPS.intersection(
                s.t[i + 1:i + 3]) for i in range(at) if s.phrase[i] == s.phrase[at])
            if negation or DANGER.intersection(s.t):
                continue
            return ["supplement-above-the-upper-limit"]
    return []


def _number(word: str) -> float | None:
    try:
        return float(word.replace(",", "")) if "," in word and len(word.split(",")[-1]) == 3 \
            else float(word.replace(",", "."))
    except ValueError:
        return None


def _amounts(t: list[str], lex: Lexicon) -> list[tuple[int, float]]:
    """(index, milligrams) of each "500 mg", "0.5 g", "two 200 mg tablets" in a sentence."""
    out = []
    for i in range(len(t) - 1):
        value = _number(t[i])
        unit = lex.mass_units.get(t[i + 1])
        if value is None or unit is None:
            continue
        count = 1.0
        if i > 0:
            count = lex.number_words.get(t[i - 1]) or _number(t[i - 1]) or 1.0
            if count > 20:  # "take 1 000 mg" is a number, not a count
                count = 1.0
        out.append((i, value * unit * count))
    return out


def _per_day(t: list[str]) -> float:
    """Doses a day a sentence names: "twice a day" is 2, "3 times a day" 3."""
    lex = lexicon()
    for i, word in enumerate(t):
        if word == "twice":
            return 2.0
        if word == "times" and i > 0:
            n = lex.number_words.get(t[i - 1]) or _number(t[i - 1])
            if n:
                return n
    return 1.0
