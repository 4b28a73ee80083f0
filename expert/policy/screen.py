"""Read printed text against the lexicon, as a person would read it.

Every check works on the reader's form (reading.fold) one sentence at a time:

* ``forbidden``: what no text may tell people to do (policy ``never_advise``):
  stop, reduce or change a medicine; start potassium supplements; take more of a
  supplement than its upper limit.  A negation saves an instruction only inside
  its own phrase and only when it governs the verb ("do not stop or change"), so
  "do not worry, stop your PPI" is still an instruction to stop.
* ``actions``: what a text asks for (foods to eat, supplements to take),
  whatever its author declared: contraindications are judged on it.
* ``reassuring`` and ``calm``: sentences that tell people not to worry, and the
  text without them.
* ``foreign``: whether a text is written in another language than the knowledge's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from .reading import Word, fold, other_scripts, sentences, words
from .sealed import Lexicon, lexicon, policy

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


class Finding(NamedTuple):
    """An instruction a text gives that the policy forbids."""

    rule: str  # a never_advise id, or "phrase:<phrase>" for a folder's own forbidden phrase
    says: str
    sentence: str  # as written
    instead: str


class Actions(NamedTuple):
    """What a text asks for, read from its words."""

    eat: frozenset[str] = frozenset()  # food ids, and nutrient ids for "<nutrient> foods"
    avoid: frozenset[str] = frozenset()  # foods and nutrients it says to eat less of
    supplement: frozenset[str] = frozenset()  # nutrients it says to take as supplements
    avoid_supplement: frozenset[str] = frozenset()
    substances: frozenset[str] = frozenset()
    medicines: frozenset[str] = frozenset()

    def rich_in(self) -> frozenset[str]:
        """The nutrients of everything it says to eat."""
        lex = lexicon()
        found = set()
        for item in self.eat:
            found |= set(lex.food_nutrients.get(item, (item,)))
        return frozenset(found)


# ---------------------------------------------------------------- a sentence, read


class _Sentence:
    """One sentence in the reader's form, with the lexicon's matches indexed."""

    def __init__(self, written: str, lex: Lexicon):
        self.written = written
        self.lex = lex
        self.words: list[Word] = words(written)
        self.t = [w.text for w in self.words]
        self.phrase = [w.phrase for w in self.words]
        self.medicines = self._medicines()
        self.nutrients = lex.nutrients.find(self.t)
        self.supplement_words = lex.supplement_words.find(self.t)
        self.brands = lex.supplement_brands.find(self.t)
        self.foods = lex.foods.find(self.t)
        self.substances = lex.substances.find(self.t)

    def _medicines(self) -> list[tuple[int, int, str]]:
        """Medicine mentions, leaving out "tablets" of a nutrient or caffeine."""
        lex = self.lex
        out = []
        for start, length, label in lex.medicines.find(self.t):
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


# ---------------------------------------------------------------- forbidden instructions


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
    lex, rules = lexicon(), policy().never_advise
    out: list[Finding] = []
    medicine_before = False
    for written in sentences(text):
        s = _Sentence(written, lex)
        for rule in _stops(s, medicine_before, naming) + _potassium(s) + _limits(s):
            out.append(Finding(rule, rules[rule].says, written, rules[rule].instead))
        folded = " " + " ".join(s.t) + " "
        for phrase in extra:
            wanted = " " + " ".join(w.text for w in words(phrase)) + " "
            if wanted.strip() and wanted in folded:
                out.append(Finding(f"phrase:{phrase}", f"say {phrase!r} (forbidden by the "
                                   "knowledge's own catalog)", written, "leave it out"))
        medicine_before = medicine_before or s.mentions_medicine()
    return out


def _stops(s: _Sentence, medicine_before: bool, naming: bool = False) -> list[str]:
    """Stopping, reducing or changing a medicine, or (negated) not taking it."""
    lex = s.lex
    if s.asks_about_you():
        return []
    hits = []
    for start, length, _ in lex.stop_verbs.find(s.t):
        if s.descriptive(start) or s.negated(start) or s.conditional(start) \
                or s.agreed(start) or (naming and s.t[start].endswith("ing")):
            continue
        hits.append((start, length))
    for start, length, _ in lex.stop_participles.find(s.t):
        if s.passive(start) and not s.descriptive(start) and not s.negated(start - 1) \
                and not s.agreed(start):
            hits.append((start, length))
    for start, length, _ in lex.take_verbs.find(s.t):
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


def _potassium(s: _Sentence) -> list[str]:
    """Potassium supplements named as something to take, not as something to avoid."""
    lex = s.lex
    mentions = [start for start, _, label in s.brands if label == "potassium"]
    for start, _length, label in s.nutrients:
        if label != "potassium":
            continue
        near = [w for w, _, _ in s.supplement_words
                if s.phrase[w] == s.phrase[start] and -2 <= w - start <= 3]
        if near:
            mentions.append(start)
    for start, length, _ in lex.take_verbs.find(s.t):
        target_at = start + length
        while target_at < len(s.t) and s.t[target_at] in DETERMINERS:
            target_at += 1
        hit = lex.nutrients.match(s.t, target_at) if target_at < len(s.t) else None
        if hit and hit[1] == "potassium" and not lex.nutrient_foods.find(
                [s.t[i] for i in range(len(s.t)) if s.phrase[i] == s.phrase[start]]) \
                and not any(s.phrase[f] == s.phrase[start] for f, _, _ in s.foods):
            mentions.append(target_at)
    for at in mentions:
        if s.in_phrase(at, RESTRICTIVE, before=False) or DANGER.intersection(s.t) or (
                LABORATORY.intersection(s.t) and not lex.take_verbs.find(s.t)):
            continue
        negation = any(lex.negations.ends_at(s.t, i) for i in range(at)
                       if s.phrase[i] == s.phrase[at])
        verb = next((i for i in range(at - 1, -1, -1) if s.phrase[i] == s.phrase[at]
                     and lex.take_verbs.match(s.t, i)), None)
        if negation or (verb is not None and s.conditional(verb)):
            continue
        return ["start-potassium-supplements"]
    return []


def _limits(s: _Sentence) -> list[str]:
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


# ---------------------------------------------------------------- what a text asks for


def actions(text: str) -> Actions:
    """Foods, supplements, substances and medicines a text names, by what it asks."""
    lex = lexicon()
    eat, avoid, take, refuse, substances, medicines = set(), set(), set(), set(), set(), set()
    for written in sentences(text):
        s = _Sentence(written, lex)
        for start, _, food in s.foods:
            (avoid if s.in_phrase(start, REDUCTION) else eat).add(food)
        diet_words = [i for i, _, _ in lex.nutrient_foods.find(s.t)
                      if not s.in_phrase(i, REDUCTION)]
        for start, _, label in s.nutrients:
            supplemental = any(s.phrase[w] == s.phrase[start] and -2 <= w - start <= 3
                               for w, _, _ in s.supplement_words)
            taken = _taken(s, start)
            if supplemental or (taken and not diet_words):
                (refuse if _withheld(s, start) else take).add(label)
        for start, _, label in s.brands:
            (refuse if _withheld(s, start) else take).add(label)
        supplements = take | refuse
        for start, _, label in s.nutrients:
            if diet_words and label != "sodium" and label not in supplements and not any(
                    s.phrase[w] == s.phrase[start] and -2 <= w - start <= 3
                    for w, _, _ in s.supplement_words):
                (avoid if s.in_phrase(start, REDUCTION) else eat).add(label)
        substances |= {label for _, _, label in s.substances}
        medicines |= {label for _, _, label in s.medicines if label != "generic"}
    return Actions(frozenset(eat), frozenset(avoid), frozenset(take), frozenset(refuse),
                   frozenset(substances), frozenset(medicines))


def _taken(s: _Sentence, at: int) -> bool:
    """Whether the nutrient at ``at`` is what a take-verb just before it acts on (and the
    verb instructs: "if you already take magnesium" describes)."""
    i = at - 1
    while i >= 0 and s.t[i] in DETERMINERS:
        i -= 1
    if i < 0 or not s.lex.take_verbs.ends_at(s.t, i):
        return False
    start = next(j for j in range(max(0, i - 3), i + 1)
                 if s.lex.take_verbs.match(s.t, j) and j + s.lex.take_verbs.match(
                     s.t, j)[0] - 1 == i)
    return not s.conditional(start)


def _withheld(s: _Sentence, at: int) -> bool:
    """A supplement named as something not to take, or only on a doctor's advice."""
    lex = s.lex
    return any(lex.negations.ends_at(s.t, i) for i in range(at)
               if s.phrase[i] == s.phrase[at]) or s.in_phrase(at, RESTRICTIVE, before=False)


# ---------------------------------------------------------------- the voice


def reassuring(sentence: str) -> bool:
    """Whether a sentence tells people not to worry (harmless, common, nothing needs a
    doctor)."""
    t = [w.text for w in words(sentence)]
    return bool(lexicon().reassurance.find(t))


def calm(text: str) -> str:
    """``text`` without its reassuring sentences ("" when nothing else is left)."""
    kept = [s for s in sentences(text) if not reassuring(s)]
    return " ".join(kept)


# ---------------------------------------------------------------- language


def foreign(text: str, language: str = "en") -> str | None:
    """Why ``text`` is not in ``language``, or None.  Only English is read by the lexicon,
    so any other declared language is refused where it is declared."""
    scripts = other_scripts(text)
    if scripts:
        return f"it has {', '.join(s.title() for s in scripts)} letters"
    lex = lexicon()
    t = fold(text).replace("'", " ").split()
    hits = [w.strip(".,;:!?()\"") for w in t]
    hits = [w for w in hits if w in lex.foreign]
    if len(hits) >= 2 or (hits and len(t) <= 4):
        languages = sorted({lex.foreign[w] for w in hits})
        names = {"fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
                 "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "pl": "Polish"}
        quoted = ", ".join(repr(w) for w in dict.fromkeys(hits))
        return f"{quoted} {'is' if len(hits) == 1 else 'are'} " + \
            " or ".join(names.get(lang, lang) for lang in languages)
    return None
