"""Every text of the knowledge that a person reads, screened as they read it.

Advice, reasons (``because``), conflict notices, titles, labels, question and
choice texts, level actions, test names, source titles and reference
statements: each is refused when it hides characters, mixes alphabets inside a
word, is not in the knowledge's language, or says what the policy forbids
(read together with the text printed next to it, so an instruction split over
two advice items is still one instruction).  The same pass records each text
without its reassuring sentences, which is what a report says while a warning
sign is present or unchecked.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import Problem
from ..language.model import KnowledgeBase
from ..policy import screen
from ..policy.language import foreign
from ..policy.reading import disguised_words, hidden_characters
from ..policy.voice import calm as without_reassurance

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


def screen_printed(kb: KnowledgeBase, defined_at: dict[tuple[str, str], str]
                   ) -> tuple[list[Problem], dict[str, str]]:
    """Problems of every printed field, and each text without its reassuring sentences
    (only those that have any)."""
    problems: list[Problem] = []
    calm: dict[str, str] = {}
    for path, line, owner, what, texts in fields(kb, defined_at):
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
        naming = what == "title" or what.endswith("label") or what.startswith("choice")
        for found in screen.forbidden(texts, kb.forbidden_phrases, naming):
            refuse(f"{what} tells people to {found.says} ({found.rule}): "
                   f"{found.sentence[:80]!r}; write instead: {found.instead}")
    return sorted(set(problems)), calm
