"""The trace of a consultation: each firing, the facts it matched, what it concluded.

Firings are plain data, so any conclusion can be traced back through the rules
that derived it down to the answers (explain/how.py), and a Watcher can follow
them as they happen (CLIPS's watch).
"""


from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring as _string  # a str as JSON, as json.dumps does
from typing import Any, NamedTuple, Protocol, overload

from ..text import show
from .facts import FACT_ID, Answer, Certainty, Derived, describe, fact_id


class FactRef(NamedTuple):
    """A matched fact, as data: answer, derived fact or hypothesis certainty."""

    id: int
    kind: str  # answer | fact | hypothesis
    name: str  # question id, fact name or hypothesis id
    value: Any  # answer value, or the certainty
    text: str  # how the trace prints it


class Firing(NamedTuple):
    """One firing: its step, the rule, the facts it matched and what it concluded."""

    step: int
    rule: str
    facts: tuple[FactRef, ...]
    asserted: tuple[str, ...]


class FiringLog(Sequence[Firing]):
    """A consultation's firings, each written out as a Firing (its facts named, what it
    concluded put in words) only when something reads it: a batch of JSON reports
    reads every one, a what-if, a plan or a count of firings reads none, and at
    14,000 rules the words were a fifth of a consultation.  ``rules`` (the rule of
    each step) is kept as it goes, for what needs only that."""

    def __init__(self, write: "TraceWriter"):
        self.rules: list[str] = []
        self._raw: list[Any] = []
        self._written: list[Firing | None] = []
        self._write = write

    def record(self, rule: str, raw: Any) -> None:
        self.rules.append(rule)
        self._raw.append(raw)
        self._written.append(None)

    def __len__(self) -> int:
        return len(self._raw)

    @overload
    def __getitem__(self, index: int) -> Firing: ...

    @overload
    def __getitem__(self, index: slice) -> list[Firing]: ...

    def __getitem__(self, index: int | slice) -> Firing | list[Firing]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        firing = self._written[index]
        if firing is None:
            firing = self._written[index] = self._write(self._raw[index])
        return firing

    def __iter__(self) -> Iterator[Firing]:
        return (self[i] for i in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def json_items(self) -> list[str]:
        """Each firing as the report's compact JSON object (step, rule, facts, asserted),
        written straight from what was kept, without the Firing objects: a batch's trace
        is half of every report it writes."""
        return self._write.json(self._raw, self._written)

    __hash__ = None  # type: ignore[assignment]  # like a list: it grows


class TraceWriter:
    """Writes a firing's trace entry from what RuleActions kept of it: the facts it matched
    (each with the steps that had made it by then) and what it concluded, in words.

    It holds the steps that made each fact, not the RuleActions: so a consultation's
    objects form no reference cycle and are freed the moment its Result is, without
    the garbage collector (which a batch then runs rarely; cycles of 500 objects a
    consultation made it a quarter of a batch's time)."""

    def __init__(self, derived_by: dict[str, list[int]],
                 evidence_steps: dict[str, list[int]]):
        self.derived_by, self.evidence_steps = derived_by, evidence_steps
        self.refs: dict[tuple[int, tuple[int, ...]], FactRef] = {}
        self.answer_json: dict[int, str] = {}  # fact id -> an answer's ref, as JSON
        self.ref_json: dict[tuple[int, tuple[int, ...]], str] = {}  # refs' texts, as JSON

    def __call__(self, raw: tuple[int, Any, list[Any], dict]) -> Firing:
        step, rule, matched, changes = raw
        return Firing(step, rule.id, tuple([self.ref(f, step) for f in matched]),
                      asserted(rule, changes))

    def json(self, raws: list[tuple[int, Any, list[Any], dict]],
             written: list[Firing | None]) -> list[str]:
        """``firing_json`` of each firing (of ``written``, else ``self(raw)``), without
        making the Firings: what is the same at every firing (a rule's id and words, an
        answer's words) is encoded once."""
        answers, fact_json, words_of = self.answer_json, self._fact_json, _words_of
        out = []
        for raw, firing in zip(raws, written, strict=True):
            if firing is not None:
                out.append(firing_json(firing))
                continue
            step, rule, matched, changes = raw
            if len(matched) == 1:  # most firings: one fact, one change (or none)
                fact = matched[0]
                facts = answers.get(fact["__factid__"]) or fact_json(fact, step)
            else:
                facts = ",".join([answers.get(f["__factid__"]) or fact_json(f, step)
                                  for f in matched])
            _, _, _, fixed, named, moves = words_of(rule)
            if moves:
                if len(moves) == 1:
                    moved = _change(moves[0][1], changes[moves[0][0]], '"')
                else:
                    moved = ",".join([_change(head, changes[key], '"') for key, head in moves])
                fixed = f"{moved},{fixed}" if fixed else moved
            out.append(f'{{"step":{step},{named}"facts":[{facts}],"asserted":[{fixed}]}}')
        return out

    def _fact_json(self, fact: Any, step: int) -> str:
        """A matched fact's text as JSON: an answer's kept by its number (the same at
        every step), a derived fact's or certainty's by number and provenance."""
        if type(fact) is Answer:
            number = fact["__factid__"]
            text = self.answer_json[number] = f'"f-{number} {_answer_words(fact)}'
            return text
        key = self._key(fact, step)
        text = self.ref_json.get(key)
        if text is None:
            known = self.refs.get(key)
            text = self.ref_json[key] = _string(known.text if known else _text(fact, key[1]))
        return text

    def ref(self, fact: Any, step: int, key: tuple[int, tuple[int, ...]] | None = None
            ) -> FactRef:
        """How the trace of ``step`` names a matched fact: written once for each fact and
        provenance (an answer is matched by many rules, and never changes)."""
        key = key or self._key(fact, step)
        ref = self.refs.get(key)
        if ref is None:
            ref = self.refs[key] = fact_ref(fact, key[1])
        return ref

    def _key(self, fact: Any, step: int) -> tuple[int, tuple[int, ...]]:
        """A fact as the trace of ``step`` names it: its id, and the steps that had made
        it by then."""
        kind = type(fact)
        if kind is Derived:
            made = self.derived_by.get(fact["name"], ())
        elif kind is Certainty:
            made = self.evidence_steps.get(fact["hypothesis"], ())
        else:
            made = ()
        return fact["__factid__"], tuple(made[:bisect_left(made, step)]) if made else ()


def asserted(rule: Any, changes: dict[tuple[str, str], tuple[float, float]]
             ) -> tuple[str, ...]:
    """What a firing concluded, in the trace's words: the certainties it moved (before ->
    after), then what the rule always concludes (both worded once per rule)."""
    _, moves, fixed, _, _, _ = _words_of(rule)
    return (*_moved(moves, changes), *fixed) if moves else fixed


def _moved(moves: tuple[tuple[tuple[str, str], str], ...],
           changes: dict[tuple[str, str], tuple[float, float]]) -> list[str]:
    """The words of each certainty a firing moved, with its before -> after."""
    return [_change(head, changes[key]) for key, head in moves]


def _change(head: str, moved: tuple[float, float], end: str = "") -> str:
    """A change's words: its head, then (before -> after); ``end`` closes a JSON head."""
    return f"{head}({_two(moved[0])} -> {_two(moved[1])}){end}"


def matched_facts(bindings: Mapping[str, Any]) -> list[Any]:
    """The facts a firing matched (its named patterns), oldest first: how the trace lists
    them, from experta's bindings (the indexed matcher keeps them so: matcher.Match)."""
    matched = [v for k, v in bindings.items() if k[0] == "p"]
    if len(matched) > 1:
        matched.sort(key=FACT_ID)
    return matched


def firing_json(firing: Firing) -> str:
    """A firing as the report's compact JSON object (step, rule, facts, asserted)."""
    facts = ",".join([_string(ref.text) for ref in firing.facts])
    words = ",".join([_string(word) for word in firing.asserted])
    return (f'{{"step":{firing.step},"rule":{_string(firing.rule)},"facts":[{facts}],'
            f'"asserted":[{words}]}}')


def _words_of(rule: Any) -> tuple[Any, tuple[tuple[tuple[str, str], str], ...],
                                  tuple[str, ...], str, str,
                                  tuple[tuple[tuple[str, str], str], ...]]:
    """(rule, how its changes are worded, its fixed words, those as JSON, its id as the
    trace's JSON names it, and the changes' words as JSON up to the before -> after),
    made once per rule.  Only the numbers of a change are new at each firing, and they
    need no escaping, so a change's JSON is its words' JSON with them put in."""
    words = _WORDS.get(rule.id)
    if words is None or words[0] is not rule:  # an override concludes otherwise
        moves, fixed = _words(rule)
        words = _WORDS[rule.id] = (rule, moves, fixed, ",".join(map(_string, fixed)),
                                   f'"rule":{_string(rule.id)},',
                                   tuple((key, _string(head)[:-1]) for key, head in moves))
    return words


def _words(rule: Any) -> tuple[tuple[tuple[tuple[str, str], str], ...], tuple[str, ...]]:
    """(what each change a rule makes is called in ``changes``, and the words before its
    before -> after), and the words of what it always concludes."""
    then = rule.then
    moves = (*((("hypothesis", h), f"hypothesis {h} {cf:+.2f} ") for h, cf in then.hypotheses),
             *((("hypothesis", h), f"hypothesis {h} at most {cap:.2f} ")
               for h, cap in then.ceilings),
             *((("note", n), f"note {n} {cf:+.2f} ") for n, cf in then.notes))
    fixed = (*([f"referral {then.referral}"] if then.referral else []),
             *(f"test {t}" for t in then.tests), *(f"fact {f}" for f in then.facts),
             *(f"advice: {a.text}" for a in then.advice),
             *(f"conflict: {text}" for text in then.conflicts))
    return moves, fixed


def _answer_words(fact: Any) -> str:
    """What follows an answer's ``f-N `` in its JSON text, to the closing quote: the same
    for every consultation giving that answer, so encoded once (``describe``'s words;
    tests/test_reportline.py holds the two alike)."""
    value = fact["value"]
    key = (fact["question"], type(value), value)  # 1, 1.0 and True: equal keys, not words
    words = _ANSWER_WORDS.get(key)
    if words is None:
        if len(_ANSWER_WORDS) > 10_000:
            _ANSWER_WORDS.clear()
        words = _ANSWER_WORDS[key] = _string(f"{fact['question']} = {show(value)}")[1:]
    return words


def _two(value: float) -> str:
    """``f"{value:.2f}"``, remembered: a batch prints the same few certainties again and
    again."""
    text = _TWO.get(value)
    if text is None or not value:  # -0.0 is 0.0 as a key, but not in print
        if len(_TWO) > 10_000:
            _TWO.clear()
        text = _TWO[value] = f"{value:.2f}"
    return text


_WORDS: dict[str, tuple[Any, tuple, tuple[str, ...], str, str, tuple]] = {}  # rule id -> words
_TWO: dict[float, str] = {}
_ANSWER_WORDS: dict[tuple[str, type, Any], str] = {}  # (question, type, value) -> JSON words


def fact_ref(fact: Any, provenance: tuple[int, ...] = ()) -> FactRef:
    """A matched fact; ``provenance`` (steps that made it) is appended to its text."""
    if isinstance(fact, Answer):
        kind, name, value = "answer", fact["question"], fact["value"]
    elif isinstance(fact, Derived):
        kind, name, value = "fact", fact["name"], True
    elif isinstance(fact, Certainty):
        kind, name, value = "hypothesis", fact["hypothesis"], fact["cf"]
    else:  # pragma: no cover - only the kinds above are ever matched with a binding
        kind, name, value = type(fact).__name__.lower(), "", None
    if isinstance(value, list | tuple):
        value = tuple(value)
    return FactRef(fact_id(fact), kind, name, value, _text(fact, provenance))


def _text(fact: Any, provenance: tuple[int, ...]) -> str:
    """A matched fact as the trace prints it, with the steps that made it."""
    text = describe(fact)
    if provenance:
        text += f" (from step{'s' if len(provenance) > 1 else ''} " \
                f"{', '.join(map(str, provenance))})"
    return text


class Watcher(Protocol):
    """Follows a consultation as it runs, like CLIPS's (watch facts) and (watch rules)."""

    def fact(self, ref: FactRef) -> None: ...

    def fire(self, firing: Firing) -> None: ...


class EchoWatcher:
    """Prints facts and firings as they happen, in the spirit of CLIPS's watch output."""

    def __init__(self, echo: Callable[[str], None]):
        self.echo = echo

    def fact(self, ref: FactRef) -> None:
        self.echo(f"==> {ref.text}")

    def fire(self, firing: Firing) -> None:
        matched = ", ".join(ref.text for ref in firing.facts) or "(no facts: always)"
        self.echo(f"FIRE {firing.step:>3} {firing.rule}: {matched}")
        for item in firing.asserted:
            self.echo(f"      ==> {item}")
