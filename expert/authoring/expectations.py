"""What a knowledge case may expect of a consultation, one small check per ``expect`` key.

Each check takes the result and the expected value and returns the failures, in
words an author reads as expected against got.  ``check`` runs those of the
keys a case gives, in the order of this table, so a report lists failures in
the same order every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from ..consult.consultation import Result
from ..language.certainty import POSSIBLE
from ..language.model import Effects

T = TypeVar("T")


class Failure(NamedTuple):
    """One unmet expectation of a case."""

    what: str
    expected: Any
    got: Any

    def __str__(self) -> str:
        return f"{self.what}: expected {self.expected}, got {self.got}"


Check = Callable[[Result, Any], list[Failure]]


def _ranked(result: Result) -> str:
    return ", ".join(f"{h.id} {h.certainty:.2f}" for h in result.hypotheses) or "none"


def _notes(result: Result) -> str:
    return ", ".join(f"{n.id} {n.certainty:.2f}" for n in result.notes) or "none"


def _raised(result: Result) -> list[str]:
    return [h.id for h in result.hypotheses if h.certainty >= POSSIBLE]


def referral(result: Result, level: str) -> list[Failure]:
    if result.level.id == level:
        return []
    reasons = ", ".join(result.reasons) or "no rule"
    return [Failure("referral", level, f"{result.level.id} (from {reasons})")]


def leading(result: Result, expected: list[str]) -> list[Failure]:
    raised = _raised(result)
    if not expected:
        return [Failure("leading hypotheses", "none above low", _ranked(result))] if raised \
            else []
    if raised[:len(expected)] != list(expected):
        return [Failure("leading hypotheses", expected, _ranked(result))]
    return []


def low(result: Result, expected: list[str]) -> list[Failure]:
    return [Failure(f"{ident} (must stay low)", f"< {POSSIBLE}", result.certainty_of(ident))
            for ident in expected if result.certainty_of(ident) >= POSSIBLE]


def at_least(result: Result, floors: dict[str, float]) -> list[Failure]:
    return [Failure(f"{ident} certainty", f">= {floor}", result.certainty_of(ident))
            for ident, floor in floors.items() if result.certainty_of(ident) < floor]


def below(result: Result, ceilings: dict[str, float]) -> list[Failure]:
    return [Failure(f"{ident} certainty", f"< {ceiling}", result.certainty_of(ident))
            for ident, ceiling in ceilings.items() if result.certainty_of(ident) >= ceiling]


def notes(result: Result, expected: list[str]) -> list[Failure]:
    got = [n.id for n in result.notes]
    return [Failure("notes", expected, _notes(result))] if got != list(expected) else []


def _membership(what: str, listed: Callable[[Result], Any], present: bool,
                shown: Callable[[Result], Any]) -> Check:
    """A check that each expected id is (or is not) among what ``listed`` gives."""
    word = "to include" if present else "not to include"

    def check(result: Result, expected: list[str]) -> list[Failure]:
        have = listed(result)
        return [Failure(what, f"{word} {ident}", shown(result)) for ident in expected
                if (ident in have) != present]

    return check


def _fired(present: bool) -> Check:
    def check(result: Result, expected: list[str]) -> list[Failure]:
        fired = set(result.fired)
        if present:
            return [Failure("rules", f"{rule} to fire", "it did not") for rule in expected
                    if rule not in fired]
        return [Failure("rules", f"{rule} not to fire", "it fired") for rule in expected
                if rule in fired]

    return check


def _advice_text(result: Result) -> str:
    return " ".join(a.text for _, a in result.advice).lower()


def advice_mentions(result: Result, expected: list[str]) -> list[Failure]:
    said = _advice_text(result)
    return [Failure("advice", f"to mention {words!r}", "it does not") for words in expected
            if words.lower() not in said]


def advice_excludes(result: Result, expected: list[str]) -> list[Failure]:
    out = []
    for words in expected:
        giving = [rule for rule, a in result.advice if words.lower() in a.text.lower()]
        if giving:
            out.append(Failure("advice", f"not to mention {words!r}", f"it does ({giving[0]})"))
    return out


def advice_first(result: Result, words: str) -> list[Failure]:
    first = result.advice[0] if result.advice else None
    if first is not None and words.lower() in first[1].text.lower():
        return []
    return [Failure("first advice", f"to mention {words!r}",
                    f"{first[0]}: {first[1].text}" if first else "no advice")]


def advice_kinds_exclude(result: Result, kinds: list[str]) -> list[Failure]:
    out = []
    for kind in kinds:
        given = [rule for rule, a in result.advice if a.kind == kind]
        if given:
            out.append(Failure("advice", f"no {kind} advice",
                               f"{kind} advice from {', '.join(given)}"))
    return out


def _conflicts(result: Result) -> str:
    return " ".join(text for _, text in result.conflicts).lower()


def conflicts_mention(result: Result, expected: list[str]) -> list[Failure]:
    said = _conflicts(result)
    return [Failure("conflicts", f"to mention {words!r}", said or "no conflict")
            for words in expected if words.lower() not in said]


def no_conflicts(result: Result, wanted: bool) -> list[Failure]:
    if wanted and result.conflicts:
        return [Failure("conflicts", "none", _conflicts(result))]
    return []


def warning(result: Result, on: bool) -> list[Failure]:
    if result.warning == on:
        return []
    return [Failure("warning voice", "on" if on else "off", "on" if result.warning else "off")]


def _note_ids(result: Result) -> list[str]:
    return [n.id for n in result.notes]


def _tests(result: Result) -> list[str]:
    return list(result.tests)


EXPECTATIONS: dict[str, Check] = {
    "referral": referral,
    "leading": leading,
    "low": low,
    "at_least": at_least,
    "below": below,
    "notes": notes,
    "notes_include": _membership("notes", _note_ids, True, _notes),
    "notes_exclude": _membership("notes", _note_ids, False, _notes),
    "tests_include": _membership("tests", _tests, True, _tests),
    "tests_exclude": _membership("tests", _tests, False, _tests),
    "fires": _fired(True),
    "not_fires": _fired(False),
    "advice_mentions": advice_mentions,
    "advice_excludes": advice_excludes,
    "advice_first": advice_first,
    "advice_kinds_exclude": advice_kinds_exclude,
    "conflicts_mention": conflicts_mention,
    "no_conflicts": no_conflicts,
    "warning": warning,
}


def check(result: Result, expect: dict[str, Any]) -> list[Failure]:
    """Every unmet expectation of ``expect`` in ``result``."""
    return [failure for key, checker in EXPECTATIONS.items() if key in expect
            for failure in checker(result, expect[key])]


def likeliest_first(items: Iterable[T], then: Effects, expect_of: Callable[[T], Any]
                    ) -> list[T]:
    """``items`` (cases, or runs of them) with those whose expectations name something
    ``then`` concludes first: where changing a rule's conclusions is likeliest to show, so a
    search for a case that notices stops early (the order of the rest is kept)."""
    concluded = ({h for h, _ in then.hypotheses + then.ceilings} | {n for n, _ in then.notes}
                 | set(then.tests) | ({then.referral} if then.referral else set()))
    return sorted(items, key=lambda item: not concluded & _named(expect_of(item)))


def _named(expect: Any) -> set[str]:
    """Every id an expectation names, at any depth."""
    if isinstance(expect, str):
        return {expect}
    if isinstance(expect, dict):
        return set(expect) | set().union(*map(_named, expect.values()))
    if isinstance(expect, list | tuple):
        return set().union(*map(_named, expect))
    return set()
