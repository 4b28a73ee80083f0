"""One sentence in the reader's form, with the lexicon's words found in it, and the
questions the screens ask of it: is this verb negated, conditional, agreed with a
doctor; what does it act on."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from .reading import TOKEN, Word, fold, words
from .sealed import Lexicon, Terms, lexicon

FILLERS = frozenset({"or", "and", "to", "try", "ever", "just", "suddenly", "abruptly",
                     "simply", "completely", "really", "immediately", "yet", "also", "/",
                     "yourself", "at", "all", "once", "now", "straight", "away", "any",
                     "even", "then", "please", "go", "ahead"})
DETERMINERS = frozenset({"your", "the", "a", "an", "any", "all", "my", "their", "his", "her",
                         "of", "taking", "using", "to", "take", "use", "off", "this", "that",
                         "these", "those", "daily", "regular", "usual", "current", "prescribed",
                         "prescription", "new", "some", "more", "extra", "on", "with"})
PRONOUNS = frozenset({"it", "them", "this", "these", "that", "those"})
ENDS_OBJECT = frozenset({"about", "before", "after", "until", "for", "when", "while", "if",
                         "because", "so", "than", "as", "in", "at", "from", "into", "is",
                         "are", "can", "may", "will"})
OVERDOSE = frozenset({"more", "extra", "double", "another", "twice"})
RESTRICTIVE = frozenset({"only"})
DANGER = frozenset({"dangerous", "danger", "harm", "harmful", "harms", "risk", "risky",
                    "unsafe", "toxic", "cause", "causes", "overdose", "too"})
REDUCTION = frozenset({"avoid", "avoiding", "limit", "limiting", "less", "fewer", "reduce",
                       "reducing", "cut", "low", "lower", "restrict", "restricting",
                       "little", "without", "not", "never", "no", "instead"})
LABORATORY = frozenset({"panel", "measures", "measured", "measure", "test", "tests", "tested",
                        "level", "levels", "serum", "blood", "check", "checked", "result"})
CAPS = frozenset({"more", "exceed", "over", "above", "beyond"})


class _Found:
    """A list of the lexicon found in a sentence, looked for when first read (most
    sentences are never searched for most lists), then kept on the sentence."""

    def __init__(self, terms: str):
        self.terms = terms

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, sentence: Sentence, owner: type) -> list[tuple[int, int, str]]:
        found = sentence.__dict__[self.name] = sentence.find(getattr(sentence.lex, self.terms))
        return found


class _looked_up(_Found):
    """A finding of the sentence's own method, worked out when first read, then kept:
    functools.cached_property, without the lock Python 3.11's takes on every first read
    (each of a load's sentences is new, so every read is a first)."""

    def __init__(self, method: Callable[[Sentence], list[tuple[int, int, str]]]):
        self.method = method

    def __get__(self, sentence: Sentence, owner: type) -> list[tuple[int, int, str]]:
        found = sentence.__dict__[self.name] = self.method(sentence)
        return found


class Sentence:
    """One sentence in the reader's form, with the lexicon's matches indexed."""

    def __init__(self, written: str, lex: Lexicon):
        self.written = written
        self.lex = lex
        self.words: tuple[Word, ...] = words(written)
        self.t = [w.text for w in self.words]
        self.joined = " ".join(self.t)  # the words as one string, for searches of it
        self.phrase = [w.phrase for w in self.words]
        self.heads = [word[:3] for word in self.t]  # how each word opens, for Terms.find
        self._found: dict[Terms, list[tuple[int, int, str]]] = {}

    def find(self, terms: Terms) -> list[tuple[int, int, str]]:
        """``terms.find`` in this sentence, looked for once: the screens, the voice and
        what advice asks for each look for the same lists in the same sentences."""
        found = self._found.get(terms)
        if found is None:
            found = self._found[terms] = terms.find(self.t, self.heads)
        return found

    nutrients = _Found("nutrients")
    supplement_words = _Found("supplement_words")
    brands = _Found("supplement_brands")
    foods = _Found("foods")
    substances = _Found("substances")

    @_looked_up
    def medicines(self) -> list[tuple[int, int, str]]:
        """Medicine mentions, leaving out "tablets" of a nutrient or caffeine."""
        lex = self.lex
        out = []
        for start, length, label in self.find(lex.medicines):
            if label == "generic" and any(
                    lex.nutrients.match(self.t, i) or lex.substances.match(self.t, i)
                    or (lex.supplement_words.match(self.t, i) and self.t[i] != self.t[start])
                    for i in range(max(0, start - 3), start)):
                continue
            out.append((start, length, label))
        return out

    def term_at(self, at: int) -> tuple[str, int] | None:
        """(kind, length) of a lexicon term starting at ``at``."""
        lex = self.lex
        for kind, terms in (("brand", lex.supplement_brands), ("medicine", None),
                            ("nutrient", lex.nutrients), ("substance", lex.substances),
                            ("food", lex.foods)):
            if kind == "medicine":
                hit = next((length for start, length, _ in self.medicines if start == at), 0)
                if hit:
                    return kind, hit
                continue
            found = terms.match(self.t, at)
            if found:
                return kind, found[0]
        return None

    def back_from(self, start: int) -> int:
        """The index before ``start`` once fillers and other verbs are skipped, within the
        phrase (-1 at its beginning)."""
        lex, i = self.lex, start - 1
        while i >= 0 and self.phrase[i] == self.phrase[start] and (
                self.t[i] in FILLERS or lex.stop_verbs.ends_at(self.t, i)
                or lex.take_verbs.ends_at(self.t, i)):
            i -= 1
        return i if i >= 0 and self.phrase[i] == self.phrase[start] else -1

    def negated(self, start: int) -> bool:
        """Whether a negation governs the verb at ``start`` ("do not stop or change"), also
        across a comma ("do not restart it, or change the dose")."""
        i = self.back_from(start)
        if i < 0:
            return self._carried(start)
        if not self.lex.negations.ends_at(self.t, i):
            return self._coordinated(start, i)
        if self.t[i] == "not" and i > 0 and self.t[i - 1] == "why":
            return False  # "why not stop your PPI?" suggests it
        after = self.t[start:start + 3]
        return not CAPS.intersection(after[:1])  # "not more than 500 mg" caps, not negates

    def _coordinated(self, start: int, stop: int) -> bool:
        """"do not restart it or change the dose": a verb after "or" shares the negation
        that comes before the "or" in its phrase."""
        phrase = self.phrase[start]
        joint = next((j for j in range(start - 1, max(stop - 1, start - 6), -1)
                      if self.phrase[j] == phrase and self.t[j] in ("or", "nor")), None)
        return joint is not None and any(self.lex.negations.ends_at(self.t, j)
                                         for j in range(joint) if self.phrase[j] == phrase)

    def _carried(self, start: int) -> bool:
        """A phrase that opens with "or"/"nor" goes on with the negation before it."""
        phrase = self.phrase[start]
        first = next(i for i in range(len(self.t)) if self.phrase[i] == phrase)
        if self.t[first] not in ("or", "nor") or first == 0:
            return False
        return any(self.lex.negations.ends_at(self.t, i) for i in range(first)
                   if self.phrase[i] == self.phrase[first - 1])

    def agreed(self, start: int) -> bool:
        """A change made with, or decided by, a doctor ("planned with your doctor")."""
        phrase = self.phrase[start]
        return any(self.lex.medical_agents.match(self.t, i) for i in range(len(self.t))
                   if self.phrase[i] == phrase)

    def asks_about_you(self) -> bool:
        """A question about what someone did ("Have you stopped...?") instructs nothing."""
        return self.written.rstrip().endswith("?") and bool(
            self.t and self.lex.questions_about_you.match(self.t, 0))

    def conditional(self, start: int) -> bool:
        """A verb right after "if you" describes, it does not instruct."""
        i = self.back_from(start)
        return i >= 0 and self.lex.conditional.ends_at(self.t, i)

    def passive(self, start: int) -> bool:
        """A participle after be: its object is the subject ("your PPI should be stopped")."""
        return (start > 0 and self.lex.stop_participles.match(self.t, start) is not None
                and self.lex.be_words.ends_at(self.t, start - 1))

    def descriptive(self, start: int) -> bool:
        """A past passive ("the PPI was stopped") reports, it does not instruct."""
        return (start > 0 and self.lex.stop_participles.match(self.t, start) is not None
                and self.lex.past_be.ends_at(self.t, start - 1))

    def object_of(self, end: int) -> str | None:
        """What a verb ending before ``end`` acts on: medicine, pronoun, another term, or
        None.  When the verb's own phrase says nothing more ("stop taking, for now, your
        omeprazole"), the object is the first term of the next two phrases."""
        if not 0 < end <= len(self.t):
            return None
        phrase = self.phrase[end - 1]
        i = end
        while i < len(self.t) and self.phrase[i] == phrase:
            word, term = self.t[i], self.term_at(i)
            if term:
                return term[0]
            if word in PRONOUNS:
                return "pronoun"
            if word in ENDS_OBJECT or (word.endswith("ing") and word not in DETERMINERS
                                        and not self.lex.take_verbs.match(self.t, i)):
                return None
            if word not in DETERMINERS and word not in FILLERS:
                return None  # another object ("stop worrying", "change your diet")
            i += 1
        while i < len(self.t) and self.phrase[i] <= phrase + 2:
            term = self.term_at(i)
            if term:
                return term[0]
            if self.t[i] in PRONOUNS:
                return "pronoun"
            i += 1
        return None

    def in_phrase(self, at: int, vocabulary: Iterable[str], before: bool = True) -> bool:
        phrase = self.phrase[at]
        span = range(0, at) if before else range(len(self.t))
        return any(self.phrase[i] == phrase and self.t[i] in vocabulary for i in span)

    def mentions_medicine(self) -> bool:
        return bool(self.medicines)

    def near_supplement_word(self, at: int) -> bool:
        """A supplement word (tablets, supplement, chloride) right by the word at ``at``."""
        return any(self.phrase[w] == self.phrase[at] and -2 <= w - at <= 3
                   for w, _, _ in self.supplement_words)

    def negated_before(self, at: int) -> bool:
        """A negation anywhere before ``at`` in its phrase."""
        return any(self.lex.negations.ends_at(self.t, i) for i in range(at)
                   if self.phrase[i] == self.phrase[at])

    def withheld(self, at: int) -> bool:
        """A supplement named as something not to take, or only on a doctor's advice."""
        return self.negated_before(at) or self.in_phrase(at, RESTRICTIVE, before=False)

    def food_phrase(self, at: int) -> bool:
        """Whether the phrase of ``at`` is about food ("get potassium from food")."""
        phrase = self.phrase[at]
        words = [self.t[i] for i in range(len(self.t)) if self.phrase[i] == phrase]
        return bool(self.lex.nutrient_foods.find(words)) or any(
            self.phrase[f] == phrase for f, _, _ in self.foods)

    def taken(self, at: int) -> bool:
        """Whether the term at ``at`` is what a take-verb just before it acts on (and the
        verb instructs: "if you already take magnesium" describes)."""
        i = at - 1
        while i >= 0 and self.t[i] in DETERMINERS:
            i -= 1
        if i < 0 or not self.lex.take_verbs.ends_at(self.t, i):
            return False
        start = next(j for j in range(max(0, i - 3), i + 1)
                     if (hit := self.lex.take_verbs.match(self.t, j)) and j + hit[0] - 1 == i)
        return not self.conditional(start)


@functools.lru_cache(maxsize=1024)
def read(written: str) -> Sentence:
    """A sentence of the sealed lexicon, read once for everything that asks of it (a load
    screens each printed sentence, takes out its reassurance and reads what its advice
    asks for, one after the other; sentences that many texts share stay).  Shared: never
    change what it holds."""
    return Sentence(written, lexicon())


def plainly_lacks(written: str, lists: tuple[Terms, ...]) -> bool:
    """Whether no entry of these lists can be found in a sentence, told without reading
    it into words: each of its words is a token of its reader's form, or a part of a
    hyphenated one, and an entry is found only where its first word is a word (or, for
    a stem, opens one); so when none of those tokens and parts is a first word, and no
    stem is in the text at all, nothing is found.  Most sentences of a large base name
    nothing of the lexicon, and need not be read."""
    exact, stems = openings(lists)
    folded, tokens = _tokens(written)
    return exact.isdisjoint(tokens) and not any(stem in folded for stem in stems)


@functools.lru_cache(maxsize=4096)
def _tokens(written: str) -> tuple[str, frozenset[str]]:
    """A sentence's reader's form, and its tokens with the parts of hyphenated ones
    (every list asked about a sentence asks of the same: the screens, the voice, the
    advice's asks)."""
    folded = fold(written)
    tokens = TOKEN.findall(folded)
    return folded, frozenset(
        [*tokens, *(part for token in tokens if "-" in token for part in token.split("-"))])


@functools.lru_cache(maxsize=64)
def openings(lists: tuple[Terms, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The first words of the entries of these lists (an entry is found only where its
    first word is a word of the sentence), and the stems of those that end in ``*``."""
    firsts = {parts[0] for terms in lists for listed in terms.phrases.values()
              for parts, _ in listed}
    return (frozenset(f for f in firsts if not f.endswith("*")),
            tuple(sorted(f[:-1] for f in firsts if f.endswith("*"))))
