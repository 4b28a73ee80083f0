import pytest

from expert.language.conditions import (
    ALWAYS,
    All,
    AnyOf,
    Ask,
    Belief,
    ConditionSyntaxError,
    FactIs,
    Not,
    parse,
)
from expert.language.forms import alternatives, to_nnf
from expert.language.truth import answers_oracle, evaluate


def test_parses_the_rule_file_forms():
    cond = parse({"all": [
        {"medications": {"includes": "ppi_long_term"}},
        {"age": {"at_least": 65}},
        {"stress_level": "high"},
        {"sun_exposure": ["low", "moderate"]},
        {"fact": "older_age"},
        {"hypothesis": {"id": "magnesium", "at_least": 0.5}},
        {"not": {"symptoms": {"includes": "seizure"}}},
    ]})
    assert cond == All((
        Ask("medications", "includes", "ppi_long_term"),
        Ask("age", "at_least", 65),
        Ask("stress_level", "is", "high"),
        Ask("sun_exposure", "in", ("low", "moderate")),
        FactIs("older_age"),
        Belief("magnesium", "at_least", 0.5),
        Not(Ask("symptoms", "includes", "seizure")),
    ))
    assert parse(None) == ALWAYS


@pytest.mark.parametrize("bad", [
    {"a": 1, "b": 2},
    {"all": []},
    {"age": {"atleast": 3}},
    {"age": {"at_least": 3, "at_most": 5}},
    {"hypothesis": {"id": "x"}},
    {"fact": 3},
])
def test_malformed_conditions_say_what_is_wrong(bad):
    with pytest.raises(ConditionSyntaxError):
        parse(bad)


def test_not_is_pushed_onto_the_leaves():
    cond = Not(All((Ask("a", "is", True), AnyOf((FactIs("f"), Belief("h", "at_least", 0.5))))))
    assert to_nnf(cond) == AnyOf((
        Ask("a", "is", True, negated=True),
        All((FactIs("f", negated=True), Belief("h", "below", 0.5))),
    ))


def test_alternatives_expand_any_inside_all():
    cond = All((AnyOf((Ask("a", "is", True), Ask("b", "is", True))), Ask("n", "above", 3)))
    assert alternatives(cond) == [
        (Ask("a", "is", True), Ask("n", "above", 3)),
        (Ask("b", "is", True), Ask("n", "above", 3)),
    ]


def test_too_many_alternatives_is_an_error():
    wide = AnyOf(tuple(Ask(f"q{i}", "is", True) for i in range(6)))
    with pytest.raises(ConditionSyntaxError, match="alternatives"):
        alternatives(All((wide, wide, wide)))


def test_unknown_is_never_taken_as_no():
    cond = parse({"not": {"symptoms": {"includes": "weakness"}}})
    assert evaluate(cond, answers_oracle({})).truth is None
    assert evaluate(cond, answers_oracle({"symptoms": None})).truth is None
    assert evaluate(cond, answers_oracle({"symptoms": ()})).truth is True
    assert evaluate(cond, answers_oracle({"symptoms": ("weakness",)})).truth is False


def test_kleene_logic_and_its_explanation():
    cond = parse({"all": [{"a": True}, {"any": [{"b": True}, {"n": {"above": 3}}]}]})
    result = evaluate(cond, answers_oracle({"a": True, "b": False}))
    assert result.truth is None
    assert [leaf.question for leaf in result.unknown] == ["n"]
    result = evaluate(cond, answers_oracle({"a": False, "b": True}))
    assert result.truth is False
    assert [leaf.describe() for leaf in result.failing] == ["a to be yes"]
    assert evaluate(cond, answers_oracle({"a": True, "n": 4})).truth is True


@pytest.mark.parametrize("leaf,value,expected", [
    (Ask("s", "includes_any", ("a", "b")), ("c", "b"), True),
    (Ask("s", "includes_all", ("a", "b")), ("a",), False),
    (Ask("s", "count_at_least", 2), ("a", "b"), True),
    (Ask("n", "between", (14, 28)), 14, True),
    (Ask("n", "above", 14), 14, False),
    (Ask("b", "is", True), 1, False),  # a number is not a yes
    (Ask("n", "is", 1), True, False),
    (Ask("n", "at_least", 3), "7", False),  # a type mismatch never matches
])
def test_operators(leaf, value, expected):
    assert leaf.test(value) is expected


def test_plain_words():
    assert Ask("medications", "includes", "ppi_long_term").describe() == \
        "medications to include ppi_long_term"
    assert Ask("age", "at_least", 65, negated=True).describe() == "age to be below 65"
    assert Ask("symptoms", "includes_any", ("a", "b")).satisfied() == "includes any of [a, b]"
    assert Belief("h", "at_least", 0.5).describe() == "hypothesis h certainty at least 0.5"
