"""What a text asks people to do, read from its words whatever its author declared:
foods to eat (or have less of), supplements to take (or not), substances and
medicines it names.  Contraindications are judged on this with ``does:``."""

from __future__ import annotations

from typing import NamedTuple

from .reading import sentences
from .sealed import lexicon
from .sentence import REDUCTION, plainly_lacks, read


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


KEEP = 65_536  # texts whose reading is kept: every advice text of a large base, which the
# screens, check_advice and the safety proofs (once for each contraindication) all read
_READ: dict[str, Actions] = {}


def actions(text: str) -> Actions:
    """Foods, supplements, substances and medicines a text names, by what it asks."""
    found = _READ.get(text)
    if found is None:
        found = _reading(text)
        keep({text: found})
    return found


def keep(readings: dict[str, Actions]) -> None:
    """Remember what these texts ask (read by another process: kb/printed.py)."""
    if len(_READ) + len(readings) > KEEP:
        _READ.clear()
    _READ.update(readings)


def _reading(text: str) -> Actions:
    lex = lexicon()
    eat, avoid, take, refuse, substances, medicines = set(), set(), set(), set(), set(), set()
    named = (lex.foods, lex.nutrients, lex.supplement_brands, lex.substances, lex.medicines)
    for written in sentences(text):
        if plainly_lacks(written, named):  # asks for nothing: no need to read it
            continue
        s = read(written)
        for start, _, food in s.foods:
            (avoid if s.in_phrase(start, REDUCTION) else eat).add(food)
        diet_words = [i for i, _, _ in s.find(lex.nutrient_foods)
                      if not s.in_phrase(i, REDUCTION)]
        for start, _, label in s.nutrients:
            if s.near_supplement_word(start) or (s.taken(start) and not diet_words):
                (refuse if s.withheld(start) else take).add(label)
        for start, _, label in s.brands:
            (refuse if s.withheld(start) else take).add(label)
        for start, _, label in s.nutrients:
            if diet_words and label != "sodium" and label not in take | refuse \
                    and not s.near_supplement_word(start):
                (avoid if s.in_phrase(start, REDUCTION) else eat).add(label)
        substances |= {label for _, _, label in s.substances}
        medicines |= {label for _, _, label in s.medicines if label != "generic"}
    return Actions(frozenset(eat), frozenset(avoid), frozenset(take), frozenset(refuse),
                   frozenset(substances), frozenset(medicines))
