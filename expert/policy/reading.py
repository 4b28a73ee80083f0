"""Text as a reader sees it: the form every safety check reads.

A disguise must not change what a check sees: look-alike letters from another
alphabet are folded to their Latin skeleton (Unicode TR39 confusables, through
confusable_homoglyphs), compatibility forms are unified (NFKC), accents and
invisible format characters are dropped and case is folded.  Sentences and the
phrases inside them are then split the way the checks scope words: a negation
governs only its own phrase.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
PHRASE_BREAKS = frozenset(",;:()[]{}\u2014\u2013|") | {"->", "--", "=>", "but"}
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z0-9µ]+(?:['+\-][a-z0-9µ+]+)*\+?|->|=>|--|[^\sa-z0-9]")
INVISIBLE_CATEGORIES = ("Cf", "Co", "Cs", "Cn")
COMPOUND_ENDS = ("rich", "based", "containing", "free", "enriched", "fortified", "only",
                 "high", "low", "heavy", "packed", "dense")  # "potassium-rich": two words


class Word(NamedTuple):
    """A token of a sentence, and the index of the phrase it is in."""

    text: str
    phrase: int


@functools.cache
def _latin(char: str) -> str:
    """The Latin letter a character from another alphabet passes for, or the character."""
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
    if found:
        for glyph in found[0]["homoglyphs"]:
            if glyph["n"].startswith("LATIN") and glyph["c"].isascii():
                return glyph["c"]
    return char


def script(char: str) -> str:
    """The alphabet a letter belongs to (LATIN, CYRILLIC, GREEK...), COMMON otherwise."""
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if char.isalpha() and name else "COMMON"


def visible(text: str) -> str:
    """``text`` without invisible characters (zero-width spaces, joiners, soft hyphens)."""
    if text.isascii():  # every invisible character is outside ASCII
        return text
    return "".join(c for c in text if unicodedata.category(c) not in INVISIBLE_CATEGORIES)


def hidden_characters(text: str) -> list[str]:
    """Each invisible character of ``text``, named: a reader cannot see what it hides."""
    if text.isascii():
        return []
    return [f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in dict.fromkeys(text)
            if unicodedata.category(c) in INVISIBLE_CATEGORIES]


def disguised_words(text: str) -> list[str]:
    """Words that mix letters of two alphabets (a Cyrillic о in "stоp"): a disguise."""
    if text.isascii():
        return []
    out = []
    for word in re.findall(r"\w+", unicodedata.normalize("NFKC", visible(text))):
        scripts = {script(c) for c in word if c.isalpha()} - {"COMMON"}
        if len(scripts) > 1:
            out.append(word)
    return out


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The reader's form: NFKC, no invisible characters, look-alikes folded to Latin, no
    accents, case folded, spaces collapsed."""
    if text.isascii():
        return " ".join(text.casefold().replace("`", "'").split())
    text = unicodedata.normalize("NFKC", visible(text))
    text = "".join(c if c.isascii() else _latin(c) for c in text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    text = text.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(text.split())


def other_scripts(text: str) -> list[str]:
    """Alphabets other than Latin left once look-alikes are folded: text in another language."""
    if text.isascii():
        return []
    folded = "".join(c if c.isascii() else _latin(c)
                     for c in unicodedata.normalize("NFKC", visible(text)))
    found = {script(c) for c in folded if c.isalpha() and not c.isascii()}
    return sorted(s for s in found - {"LATIN", "COMMON"})


@functools.lru_cache(maxsize=16384)
def sentences(text: str) -> tuple[str, ...]:
    """The sentences of a text as written (what a report shows or drops, one at a time):
    split once for the screens, the voice and what advice asks, which each read them."""
    return tuple(stripped for s in SENTENCE_END.split(text.strip()) if (stripped := s.strip()))


_WORDLIKE = re.compile(r"[a-z0-9+µ]")
_WORD_STARTS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+µ")  # _WORDLIKE's, at once


@functools.lru_cache(maxsize=4096)
def words(sentence: str) -> tuple[Word, ...]:
    """The tokens of one sentence in the reader's form, each with its phrase index."""
    phrase, out = 0, []
    word = _word  # a Word made in C: a large knowledge base has a million of them
    for token in TOKEN.findall(fold(sentence)):
        if token in PHRASE_BREAKS:
            phrase += 1
            continue
        if token[0] not in _WORD_STARTS and not _WORDLIKE.search(token):
            continue  # punctuation: not a word
        if "-" in token:
            parts = token.split("-")
            if parts[-1] in COMPOUND_ENDS:
                out += [word(Word, (part, phrase)) for part in parts if part]
                continue
        out.append(word(Word, (token, phrase)))
    return tuple(out)


_word = tuple.__new__
