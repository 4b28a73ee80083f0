"""Every text of the knowledge that a person reads, screened as they read it.

Advice, reasons (``because``), conflict notices, titles, labels, question and
choice texts, level actions, test names, source titles and reference
statements: each is refused when it hides characters, mixes alphabets inside a
word, is not in the knowledge's language, or says what the policy forbids
(read together with the text printed next to it, so an instruction split over
two advice items is still one instruction).  The same pass records each text
without its reassuring sentences, which is what a report says while a warning
sign is present or unchecked, and reads what each advice text asks people to do
(sealing.check_advice holds it to the advice's ``does``), while the sentences read
for the screens are still at hand.  A large base is read on two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import NamedTuple

from ..errors import Problem
from ..language.model import KnowledgeBase
from ..policy import screen
from ..policy.asks import Actions, actions, keep
from ..policy.language import foreign
from ..policy.reading import disguised_words, hidden_characters
from ..policy.voice import calm as without_reassurance
from .forked import Forked, can_fork, share_end

Field = tuple[str, int, str, str, list[str]]  # (path, line, owner, what, texts read together)


def fields(kb: KnowledgeBase, defined_at: dict[tuple[str, str], str]) -> Iterator[Field]:
    """Every printed field, where it is written, grouped as a reader meets it."""
    for rule in kb.rules:
        yield rule.path, rule.line_of("title"), rule.id, "title", [rule.title]
        yield rule.path, rule.line_of("because"), rule.id, "because", [rule.because]
        for text in rule.then.conflicts:
            yield rule.path, rule.line_of("then"), rule.id, "conflict", [text]
        if rule.then.advice:
            yield (rule.path, rule.then.advice[0].line or rule.line_of("then"), rule.id,
                   "advice", [a.text for a in rule.then.advice])
    for question in kb.questions.values():
        yield question.path, question.line, question.id, "text", [question.text]
        if question.help:
            yield question.path, question.line, question.id, "help", [question.help]
        for choice in question.choices:
            yield (choice.path or question.path, choice.line, question.id, f"choice {choice.id}",
                   [choice.text])
    for level in kb.levels:
        yield level.path, level.line, level.id, "label and action", [level.label, level.action]
    for section, entries in (("hypothesis", kb.hypotheses), ("note", kb.notes),
                             ("test", kb.tests)):
        for entry in entries.values():
            yield entry.path, entry.line, entry.id, f"{section} label", [entry.label, entry.text]
    for manifest in kb.manifests:
        yield manifest.path, 1, manifest.name, "title and disclaimer", [manifest.title,
                                                                        manifest.disclaimer]
    for key, section in (("source", kb.sources), ("fact", kb.evidence)):
        for ident, value in section.items():
            path, _, line = defined_at.get((key, ident), "reference.yaml:0").rpartition(":")
            text = value.title if key == "source" else value
            yield path, int(line or 0), ident, f"{key} text", [text]


class Screened(NamedTuple):
    """What reading the printed fields found: the problems, each text without its
    reassuring sentences (only those that have any), and what each advice text asks
    people to do (sealing.check_advice holds it to the advice's ``does``)."""

    problems: list[Problem]
    calm: dict[str, str]
    asks: dict[str, Actions]


APART_FROM = 8_000  # printed fields of a base screened on two cores (about 3,000 rules
# with words of their own); fewer pay less than a process costs


def screen_printed(kb: KnowledgeBase, defined_at: dict[tuple[str, str], str],
                   meanwhile: Callable[[], None] | None = None) -> Screened:
    """Every printed field screened: on two cores when there are many (forked.py), with
    the same result as one process's.  ``meanwhile``: other work on the base that reads
    what advice asks for (the loader's safety proofs); this core then screens the advice
    and does that work, the child everything else; without it, each screens half the
    text."""
    every = list(fields(kb, defined_at))
    if len(every) < APART_FROM or not can_fork():
        found = _screened(kb, every)
        if meanwhile is not None:
            meanwhile()
        return found
    if meanwhile is None:
        split = share_end([sum(map(len, texts)) for *_, texts in every], 0.5)
        mine, theirs = every[:split], every[split:]
    else:
        mine = [field for field in every if field[3] == "advice"]
        theirs = [field for field in every if field[3] != "advice"]
    child = Forked(lambda: _screened(kb, theirs))
    try:
        first = _screened(kb, mine)
        if meanwhile is not None:
            meanwhile()  # what the advice asks is read now: the proofs read it again
        second = child.result()
    finally:
        child.close()
    if not isinstance(second, Screened):  # the child failed: read its part here
        second = _screened(kb, theirs)
    keep(second.asks)  # read there: check_advice and the safety proofs read them again
    calm = {**first.calm, **second.calm}  # in the fields' order, as one process finds them
    return Screened(sorted({*first.problems, *second.problems}),
                    {text: calm[text] for *_, texts in every for text in texts if text in calm},
                    {**first.asks, **second.asks})


def _screened(kb: KnowledgeBase, every: list[Field]) -> Screened:
    problems: list[Problem] = []
    calm: dict[str, str] = {}
    asked: dict[str, Actions] = {}
    for path, line, owner, what, texts in every:
        texts = [t for t in texts if t]

        def refuse(message: str, path: str = path, line: int = line, owner: str = owner) -> None:
            problems.append(Problem(path, line, owner, message, check="safety"))

        for text in texts:
            hidden = hidden_characters(text)
            if hidden:
                refuse(f"{what} hides {', '.join(hidden)}: a reader cannot see it; delete it")
            mixed = disguised_words(text)
            if mixed:
                refuse(f"{what} mixes letters of two alphabets in {', '.join(map(repr, mixed))}"
                       ": write it in Latin letters")
            why = foreign(text, kb.language)
            if why:
                refuse(f"{what} is not in the knowledge's language ({kb.language}, kb.yaml): "
                       f"{why}; write it in English")
            if what in ("advice", "because", "label and action", "conflict"):
                quiet = without_reassurance(text)
                if quiet != text:
                    calm[text] = quiet
            if what == "advice":
                asked[text] = actions(text)  # read while its sentences are at hand
        naming = what == "title" or what.endswith("label") or what.startswith("choice")
        for found in screen.forbidden(texts, kb.forbidden_phrases, naming):
            refuse(f"{what} tells people to {found.says} ({found.rule}): "
                   f"{found.sentence[:80]!r}; write instead: {found.instead}")
    return Screened(sorted(set(problems)), calm, asked)
