"""The condition language of rule files: its trees, its tests, parsing and plain words.

A condition is a tree of ``all`` / ``any`` / ``not`` over three kinds of leaf:

* ``Ask``        a test on one answer: ``medications: {includes: ppi_long_term}``
* ``FactIs``     a fact another rule derived: ``fact: older_age``
* ``Belief``     a hypothesis's certainty: ``hypothesis: {id: magnesium, at_least: 0.5}``

The same tree is compiled into experta patterns, put in normal forms (forms.py),
evaluated in three-valued (Kleene) logic to decide which questions still matter
(truth.py), and described in plain words to say why a rule did not fire.  An
unanswered question is *unknown*, never "no": ``not`` over an answer holds only
when the answer is known.
"""

from typing import Any, NamedTuple

Truth = bool | None  # None: unknown

#: answer operators, and the question types each applies to
OPERATORS: dict[str, tuple[str, ...]] = {
    "is": ("boolean", "choice", "integer", "number"),
    "in": ("choice",),
    "includes": ("multi",),
    "includes_any": ("multi",),
    "includes_all": ("multi",),
    "includes_at_least": ("multi",),
    "count_at_least": ("multi",),
    "at_least": ("integer", "number"),
    "at_most": ("integer", "number"),
    "above": ("integer", "number"),
    "below": ("integer", "number"),
    "between": ("integer", "number"),
    "answered": ("boolean", "choice", "integer", "number", "multi"),
}
BELIEF_OPERATORS = ("at_least", "below")
RESERVED = frozenset({"all", "any", "not", "fact", "hypothesis"})


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple | frozenset | set):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def holds(op: str, expected: Any, value: Any) -> bool:
    """Does a known answer ``value`` satisfy ``op expected``?  Type mismatches are False.

    ``answered`` is the one test on the answer's presence: ``value`` None is unanswered.
    """
    if op == "answered":
        return (value is not None) == expected
    try:
        if op == "is":
            if isinstance(value, bool) or isinstance(expected, bool):
                return isinstance(value, bool) and isinstance(expected, bool) and value == expected
            return value == expected
        if op == "in":
            return value in expected
        if op == "includes":
            return expected in value
        if op == "includes_any":
            return any(item in value for item in expected)
        if op == "includes_all":
            return all(item in value for item in expected)
        if op == "includes_at_least":
            count, choices = expected
            return sum(1 for item in choices if item in value) >= count
        if isinstance(value, bool):
            return False
        if op == "count_at_least":
            return len(value) >= expected
        if op == "at_least":
            return value >= expected
        if op == "at_most":
            return value <= expected
        if op == "above":
            return value > expected
        if op == "below":
            return value < expected
        if op == "between":
            return expected[0] <= value <= expected[1]
    except TypeError:
        return False
    raise ValueError(f"unknown operator {op!r}")


_PHRASES = {
    "is": "to be {}",
    "in": "to be one of {}",
    "includes": "to include {}",
    "includes_any": "to include any of {}",
    "includes_all": "to include all of {}",
    "includes_at_least": "to include at least {} of {}",
    "count_at_least": "to have at least {} selected",
    "at_least": "to be at least {}",
    "at_most": "to be at most {}",
    "above": "to be above {}",
    "below": "to be below {}",
    "between": "to be between {} and {}",
    "answered": "to be answered",
}
_NEGATED = {
    "is": "not to be {}",
    "in": "to be none of {}",
    "includes": "not to include {}",
    "includes_any": "to include none of {}",
    "includes_all": "not to include all of {}",
    "includes_at_least": "to include fewer than {} of {}",
    "count_at_least": "to have fewer than {} selected",
    "at_least": "to be below {}",
    "at_most": "to be above {}",
    "above": "to be at most {}",
    "below": "to be at least {}",
    "between": "to be outside {} to {}",
    "answered": "to be left unanswered",
}


_PRESENT = {  # the same tests, said of an answer that passes them (longest prefix first)
    "to be": "is", "not to be": "is not", "to be left unanswered": "is unanswered",
    "to include": "includes", "not to include": "does not include", "to have": "has",
}


class Ask(NamedTuple):
    """A test on one question's answer."""

    question: str
    op: str
    value: Any
    negated: bool = False
    line: int = 0

    def test(self, value: Any) -> bool:
        return holds(self.op, self.value, value) != self.negated

    @property
    def on_presence(self) -> bool:
        """True for ``answered``: decided by whether there is an answer, not by its value."""
        return self.op == "answered"

    def expectation(self) -> str:
        """``to include ppi_long_term``: what the rule needs of the answer."""
        if self.on_presence:
            return (_PHRASES if self.value else _NEGATED)["answered"]
        template = (_NEGATED if self.negated else _PHRASES)[self.op]
        if self.op in ("between", "includes_at_least"):
            return template.format(_fmt(self.value[0]), _fmt(self.value[1]))
        return template.format(_fmt(self.value))

    def describe(self) -> str:
        return f"{self.question} {self.expectation()}"

    def satisfied(self) -> str:
        """``includes ppi_long_term``: the test, said of an answer that passes it."""
        text = self.expectation() + " "
        future = max((f for f in _PRESENT if text.startswith(f + " ")), key=len)
        return (_PRESENT[future] + text[len(future):]).rstrip()

    def negate(self) -> "Ask":
        if self.on_presence:  # "not answered: true" is "answered: false"
            return Ask(self.question, self.op, not self.value, False, self.line)
        return Ask(self.question, self.op, self.value, not self.negated, self.line)


class FactIs(NamedTuple):
    """A derived fact is (or, negated, is not) established.  Closed world: the
    rules that could establish it run first, so "not established" is final."""

    name: str
    negated: bool = False
    line: int = 0

    def describe(self) -> str:
        return f"fact {self.name} {'not ' if self.negated else ''}to be established"

    def negate(self) -> "FactIs":
        return FactIs(self.name, not self.negated, self.line)


class Belief(NamedTuple):
    """A hypothesis's combined certainty is at least / below a threshold."""

    hypothesis: str
    op: str
    value: float
    line: int = 0

    def test(self, certainty: float) -> bool:
        return certainty >= self.value if self.op == "at_least" else certainty < self.value

    def describe(self) -> str:
        word = "at least" if self.op == "at_least" else "below"
        return f"hypothesis {self.hypothesis} certainty {word} {_fmt(self.value)}"

    def negate(self) -> "Belief":
        return Belief(self.hypothesis, "below" if self.op == "at_least" else "at_least",
                      self.value, self.line)


class All(NamedTuple):
    """Every item must hold."""

    items: tuple["Condition", ...]
    line: int = 0


class AnyOf(NamedTuple):
    """At least one item must hold."""

    items: tuple["Condition", ...]
    line: int = 0


class Not(NamedTuple):
    """The item must not hold (an unknown answer stays unknown)."""

    item: "Condition"
    line: int = 0


Leaf = Ask | FactIs | Belief
Condition = Ask | FactIs | Belief | All | AnyOf | Not
ALWAYS = All(())


class ConditionSyntaxError(ValueError):
    """A condition that does not parse; ``line`` says where."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


# ---------------------------------------------------------------- parsing


def parse(data: Any, line: int = 0) -> Condition:
    """Build a condition tree from its YAML form (already schema-checked)."""
    if data is None:
        return ALWAYS
    if isinstance(data, list):  # a bare list means "all of these"
        items = tuple(_parse_item(data, i) for i in range(len(data)))
        return All(items, getattr(data, "line", line))
    if not isinstance(data, dict) or len(data) != 1:
        raise ConditionSyntaxError(
            "a condition is a mapping with exactly one key: all, any, not, fact, hypothesis "
            "or a question id", getattr(data, "line", line))
    here = getattr(data, "line", line)
    (key, value), = data.items()
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise ConditionSyntaxError(f"'{key}' needs a non-empty list of conditions", here)
        items = tuple(_parse_item(value, i) for i in range(len(value)))
        return All(items, here) if key == "all" else AnyOf(items, here)
    if key == "not":
        return Not(parse(value, here), here)
    if key == "fact":
        if not isinstance(value, str):
            raise ConditionSyntaxError("'fact' needs the name of a derived fact", here)
        return FactIs(value, False, here)
    if key == "hypothesis":
        return _parse_belief(value, here)
    return _parse_ask(str(key), value, here)


def _parse_item(items: list, index: int) -> Condition:
    line = items.line_of(index) if hasattr(items, "line_of") else 0
    return parse(items[index], line)


def _parse_belief(value: Any, line: int) -> Belief:
    if not isinstance(value, dict) or "id" not in value:
        raise ConditionSyntaxError(
            "'hypothesis' needs {id: ..., at_least: n} or {id: ..., below: n}", line)
    ops = [k for k in value if k != "id"]
    if len(ops) != 1 or ops[0] not in BELIEF_OPERATORS:
        raise ConditionSyntaxError("'hypothesis' needs exactly one of at_least, below", line)
    threshold = value[ops[0]]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise ConditionSyntaxError(
            f"hypothesis threshold must be a number, not {threshold!r}", line)
    return Belief(str(value["id"]), ops[0], float(threshold), line)


def _parse_ask(question: str, value: Any, line: int) -> Ask:
    if isinstance(value, dict):
        if len(value) != 1:
            raise ConditionSyntaxError(
                f"the test on {question} needs exactly one operator: " + ", ".join(OPERATORS), line)
        (op, expected), = value.items()
        if op not in OPERATORS:
            raise ConditionSyntaxError(
                f"unknown operator {op!r} on {question}; use one of: " + ", ".join(OPERATORS), line)
        if op == "includes_at_least":
            if not isinstance(expected, dict) or set(expected) != {"count", "of"}:
                raise ConditionSyntaxError(
                    "includes_at_least needs {count: n, of: [choices]}", line)
            expected = (expected["count"], tuple(expected["of"]))
        elif isinstance(expected, list):
            expected = tuple(expected)
        return Ask(question, op, expected, False, line)
    if isinstance(value, list):  # shorthand: question: [a, b] means "in"
        return Ask(question, "in", tuple(value), False, line)
    return Ask(question, "is", value, False, line)  # shorthand: question: value
