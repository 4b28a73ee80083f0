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
for the screens are still at hand.

A field's verdict depends only on what it is and its texts (with the base's
language and forbidden phrases), so each is judged once however often it is
written, and a large base is judged on two cores: a child forked as soon as the
files are read takes the fields from one end while the loader builds the base and
proves it safe, then takes them from the other (forked.TwoEnds).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from ..errors import Problem
from ..language.model import KnowledgeBase, Manifest, Question, RuleDef
from ..policy import screen
from ..policy.asks import Actions, actions, keep
from ..policy.language import foreign
from ..policy.reading import disguised_words, hidden_characters
from ..policy.voice import calm as without_reassurance
from .forked import Forked, TwoEnds, can_fork

Texts = tuple[str, ...]  # the texts of a field, read together
Field = tuple[str, int, str, str, Texts]  # (path, line, owner, what, texts)
Key = tuple[str, Texts]  # (what, texts): all a field's verdict depends on, with the base's
# language and forbidden phrases


def fields(kb: KnowledgeBase, defined_at: dict[tuple[str, str], str]) -> Iterator[Field]:
    """Every printed field, where it is written, grouped as a reader meets it."""
    for rule in kb.rules:
        yield from _rule_fields(rule)
    entries = (("hypothesis", kb.hypotheses), ("note", kb.notes), ("test", kb.tests))
    yield from other_fields(kb.questions.values(), kb.levels, entries, kb.manifests,
                            kb.sources, kb.evidence, defined_at)


def rule_keys(rule: RuleDef) -> Iterator[Key]:
    """A built rule's printed fields: what each is, and its texts."""
    yield "title", (rule.title,)
    yield "because", (rule.because,)
    for text in rule.then.conflicts:
        yield "conflict", (text,)
    if rule.then.advice:
        yield "advice", tuple(a.text for a in rule.then.advice)


def _rule_fields(rule: RuleDef) -> Iterator[Field]:
    then = rule.then
    keys = dict(rule.lines)  # one pass over the rule's few keys, not one per field
    lines = {"title": keys.get("title", rule.line), "because": keys.get("because", rule.line),
             "conflict": keys.get("then", rule.line),
             "advice": then.advice[0].line or keys.get("then", rule.line) if then.advice
             else 0}
    for what, texts in rule_keys(rule):
        yield rule.path, lines[what], rule.id, what, texts


def other_fields(questions: Iterable[Question], levels: Iterable[Any],
                 entries: Iterable[tuple[str, dict[str, Any]]], manifests: Iterable[Manifest],
                 sources: dict[str, Any], evidence: dict[str, str],
                 defined_at: dict[tuple[str, str], str]) -> Iterator[Field]:
    """The printed fields of everything but the rules (``entries``: (section, its entries)
    for hypotheses, notes and tests)."""
    for question in questions:
        yield question.path, question.line, question.id, "text", (question.text,)
        if question.help:
            yield question.path, question.line, question.id, "help", (question.help,)
        for choice in question.choices:
            yield (choice.path or question.path, choice.line, question.id, f"choice {choice.id}",
                   (choice.text,))
    for level in levels:
        yield level.path, level.line, level.id, "label and action", (level.label, level.action)
    for section, items in entries:
        for entry in items.values():
            yield entry.path, entry.line, entry.id, f"{section} label", (entry.label, entry.text)
    for manifest in manifests:
        yield manifest.path, 1, manifest.name, "title and disclaimer", (manifest.title,
                                                                        manifest.disclaimer)
    for key, section in (("source", sources), ("fact", evidence)):
        for ident, value in section.items():
            path, _, line = defined_at.get((key, ident), "reference.yaml:0").rpartition(":")
            text = value.title if key == "source" else value
            yield path, int(line or 0), ident, f"{key} text", (text,)


class Verdict(NamedTuple):
    """What screening one field's texts found: why it is refused (none if it is not), and
    each text without its reassuring sentences (those that have any)."""

    refusals: tuple[str, ...]
    calm: tuple[tuple[str, str], ...]


CLEAR = Verdict((), ())  # most fields'


class Screened(NamedTuple):
    """What reading the printed fields found: the problems, and each text without its
    reassuring sentences (only those that have any), in the fields' order."""

    problems: list[Problem]
    calm: dict[str, str]


Policy = tuple[str, tuple[str, ...]]  # the base's language and forbidden phrases
APART_FROM = 8_000  # printed fields of a base screened on two cores (about 3,000 rules
# with words of their own); fewer pay less than a process costs


class Sharing:
    """Fields judged on two cores: a child forked at once takes them from the front and
    the parent, while it waits, from the back, the advice before the rest
    (check_advice and the safety proofs read what all of it asks, and wait for it): the
    two meet in the advice wherever their other work lets them, the child sends what
    its part asks, then what ``first`` comes to (other work the parent would wait for,
    if any), and goes on with the rest; ``verdicts``, once the parent's other work is
    done, takes the rest from the back and adds the child's."""

    def __init__(self, keys: Iterable[Key], policy: Policy,
                 first: Callable[[], Any] | None = None):
        self.keys = sorted(dict.fromkeys(keys), key=lambda key: key[0] != "advice")
        self.advice = sum(key[0] == "advice" for key in self.keys)
        self.policy = policy
        self.ends = (TwoEnds(self.advice), TwoEnds(len(self.keys) - self.advice,
                                                   start=self.advice))
        self.asked = False
        self.first = first
        self.came: Any = _WAITING if first is not None else None  # what first came to
        self.mine: dict[int, Verdict] = {}  # judged by the parent, from the back
        self.child = Forked(self._front, parts=True)

    def _front(self, send: Callable[[Any], None]
               ) -> tuple[tuple[int, int], dict[int, Verdict]]:
        """The child's work: (where its part of the advice and of the rest ends, the
        fields it judged not CLEAR).  What its part of the advice asks is sent as soon
        as the two have met in it; what ``first`` came to, next."""
        advice, rest = self.ends
        judged: dict[int, Verdict] = {}
        asked, rest_taken = 0, self.advice
        while tasks := advice.front():
            judged.update(self._judged(tasks))
            asked = tasks.stop
        send(self._asks(asked))
        if self.first is not None:
            send(_First(self._first()))
        while tasks := rest.front():
            judged.update(self._judged(tasks))
            rest_taken = tasks.stop
        return (asked, rest_taken), {index: verdict for index, verdict in judged.items()
                                     if verdict != CLEAR}

    def _first(self) -> Any:
        assert self.first is not None
        try:
            return self.first()
        except Exception:  # the parent does it again, and says why if it fails there
            return None

    def _asks(self, advice: int) -> dict[str, Actions]:
        return {text: actions(text) for _, texts in self.keys[:advice] for text in texts if text}

    def _judged(self, tasks: range) -> dict[int, Verdict]:
        return {index: judge(self.keys[index], self.policy) for index in tasks}

    def asks(self) -> None:
        """Judge fields from the back (the advice first) until the child has sent what
        its part of the advice asks, then keep that; what neither has read (all of the
        child's, if it failed), whoever reads it next reads anew."""
        while not self.asked:
            self._take()

    def first_came_to(self) -> Any:
        """What the child's ``first`` came to, judging fields from the back until it has
        sent it; None if there was none, or the child failed (the caller does it)."""
        while self.came is _WAITING:
            self._take()
        return self.came

    def _take(self) -> None:
        """The child's next part, once it begins to come (fields judged from the back
        meanwhile): what the advice asks, kept, or what ``first`` came to."""
        while not self.child.ready() and (tasks := self._back()):
            self.mine.update(self._judged(tasks))
        part = self.child.receive()
        if isinstance(part, _First):
            self.came = part.value
        elif isinstance(part, dict):
            keep(part)
            self.asked = True
        else:  # the child failed: nothing more will come
            self.asked = True
            self.came = None if self.came is _WAITING else self.came

    def verdicts(self) -> dict[Key, Verdict]:
        """The verdicts judged by the two: all of them, unless the child failed."""
        self.asks()
        while tasks := self._back():
            self.mine.update(self._judged(tasks))
        theirs = self.child.result()
        (asked, rest_taken), found = theirs if isinstance(theirs, tuple) else \
            ((0, self.advice), {})
        return {self.keys[index]: found.get(index, CLEAR)
                for index in (*range(asked), *range(self.advice, rest_taken))} | {
            self.keys[index]: verdict for index, verdict in self.mine.items()}

    def _back(self) -> range:
        """The parent's next fields: the advice's, from its back, while the two have not
        met in it; then the rest's."""
        advice, rest = self.ends
        return advice.back() or rest.back()

    def close(self) -> None:
        self.child.close()


class _First(NamedTuple):
    """What the child's first work came to (as a part, told apart from the others)."""

    value: Any


_WAITING = object()


@contextlib.contextmanager
def sharing(keys: list[Key], policy: Policy, first: Callable[[], Any] | None = None
            ) -> Iterator[Sharing | None]:
    """Fields of a large base judged on two cores from now on (a Sharing, whose child
    also does ``first``, once it has read the advice), else None; the child stopped
    however the caller ends."""
    shared = None
    if len(keys) >= APART_FROM and can_fork():
        try:
            shared = Sharing(keys, policy, first)
        except OSError:  # no shared memory to be had: one core judges them all
            shared = None
    try:
        yield shared
    finally:
        if shared is not None:
            shared.close()


def screen_printed(kb: KnowledgeBase, defined_at: dict[tuple[str, str], str],
                   meanwhile: Callable[[Callable[[], None]], None] | None = None,
                   shared: Sharing | None = None) -> Screened:
    """Every printed field screened, with the same result on one core or two.
    ``meanwhile(asked)``: other work on the base (check_advice, the loader's proofs),
    which calls ``asked()`` before it reads what advice asks (the other core sends that
    once it has read all the advice, fields judged here from the back meanwhile).
    ``shared``: fields being judged on two cores since before the base was built; a
    large base not yet shared is shared now."""
    every = list(fields(kb, defined_at))
    policy = (kb.language, kb.forbidden_phrases)
    if shared is not None and shared.policy == policy:
        return _shared(every, shared, policy, meanwhile)
    with sharing([field[3:] for field in every], policy) as started:
        if started is not None:
            return _shared(every, started, policy, meanwhile)
    screened = _assembled(every, {}, policy)  # one core: each field as it comes, then the
    if meanwhile is not None:  # checks, which read what advice asks again
        meanwhile(_nothing)
    return screened


def _nothing() -> None:
    pass


def _shared(every: list[Field], shared: Sharing, policy: Policy,
            meanwhile: Callable[[Callable[[], None]], None] | None) -> Screened:
    if meanwhile is not None:
        meanwhile(shared.asks)
    return _assembled(every, shared.verdicts(), policy)


def _assembled(every: list[Field], verdicts: dict[Key, Verdict], policy: Policy) -> Screened:
    """The problems of every field, at its file:line, and each text's calm; a field
    without a verdict (one a failed child had taken) is judged now."""
    problems: list[Problem] = []
    calm: dict[str, str] = {}
    for path, line, owner, what, texts in every:
        key = (what, texts)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = judge(key, policy)
        if verdict is not CLEAR:
            problems += [Problem(path, line, owner, message, check="safety")
                         for message in verdict.refusals]
            calm.update(verdict.calm)
    return Screened(sorted(set(problems)), calm)


def judge(key: Key, policy: Policy) -> Verdict:
    """One field's verdict: what it is, and its texts read together.  What advice asks is
    read too, while its sentences are at hand (policy.asks keeps it: the safety proofs
    and check_advice read it again)."""
    what, written = key
    language, forbidden = policy
    texts = [t for t in written if t]
    refusals: list[str] = []
    calm: list[tuple[str, str]] = []
    for text in texts:
        hidden = hidden_characters(text)
        if hidden:
            refusals.append(f"{what} hides {', '.join(hidden)}: a reader cannot see it; "
                            "delete it")
        mixed = disguised_words(text)
        if mixed:
            refusals.append(f"{what} mixes letters of two alphabets in "
                            f"{', '.join(map(repr, mixed))}: write it in Latin letters")
        why = foreign(text, language)
        if why:
            refusals.append(f"{what} is not in the knowledge's language ({language}, kb.yaml):"
                            f" {why}; write it in English")
        if what in ("advice", "because", "label and action", "conflict"):
            quiet = without_reassurance(text)
            if quiet != text:
                calm.append((text, quiet))
        if what == "advice":
            actions(text)
    naming = what == "title" or what.endswith("label") or what.startswith("choice")
    for found in screen.forbidden(texts, forbidden, naming):
        refusals.append(f"{what} tells people to {found.says} ({found.rule}): "
                        f"{found.sentence[:80]!r}; write instead: {found.instead}")
    return Verdict(tuple(refusals), tuple(calm)) if refusals or calm else CLEAR
