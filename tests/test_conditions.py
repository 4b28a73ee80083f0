import pytest

from expert.language.conditions import (
    ALWAYS,
    BELIEF_OPERATORS,
    OPERATORS,
    RESERVED,
    All,
    AnyOf,
    Ask,
    Belief,
    ConditionSyntaxError,
    FactIs,
    Not,
    holds,
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


def test_a_test_written_twice_is_one_test_at_its_first_line():
    cond = All((FactIs("f", line=1), AnyOf((FactIs("f", line=2), Ask("a", "is", False, line=3)),
                                           line=2)))
    assert [[(leaf[0], leaf.line) for leaf in alt] for alt in alternatives(cond)] == [
        [("f", 1)], [("f", 1), ("a", 3)]]
    twice = AnyOf((Ask("a", "is", False, line=5), Ask("a", "is", False, line=6)))
    assert alternatives(twice) == [(Ask("a", "is", False, line=5),)]
    assert alternatives(twice)[0][0].line == 5


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


@pytest.mark.parametrize("op,expected,value,result", [
    ("answered", True, 0, True), ("answered", True, None, False),
    ("answered", False, None, True), ("answered", False, (), False),
    ("is", True, True, True), ("is", False, False, True), ("is", True, 1, False),
    ("is", 1, True, False), ("is", "x", "x", True), ("is", 3, 3.0, True), ("is", "x", "y", False),
    ("in", ("a", "b"), "b", True), ("in", ("a", "b"), "c", False),
    ("includes", "a", ("b", "a"), True), ("includes", "a", ("b",), False),
    ("includes_any", ("a", "b"), ("c",), False), ("includes_any", ("a", "b"), ("b",), True),
    ("includes_all", ("a", "b"), ("b", "a", "c"), True),
    ("includes_all", ("a", "b"), ("b",), False),
    ("includes_at_least", (2, ("a", "b", "c")), ("a", "c"), True),
    ("includes_at_least", (2, ("a", "b", "c")), ("a", "d"), False),
    ("count_at_least", 2, ("a", "b"), True), ("count_at_least", 2, ("a",), False),
    ("count_at_least", 1, True, False),
    ("at_least", 3, 3, True), ("at_least", 3, 2.9, False), ("at_least", 0, False, False),
    ("at_most", 3, 3, True), ("at_most", 3, 3.1, False),
    ("above", 3, 3, False), ("above", 3, 3.1, True),
    ("below", 3, 3, False), ("below", 3, 2.9, True),
    ("between", (14, 28), 28, True), ("between", (14, 28), 14, True),
    ("between", (14, 28), 13, False), ("between", (14, 28), 29, False),
    ("at_least", 3, "7", False), ("includes", "a", 5, False),  # mismatched types never match
])
def test_every_operator_at_its_boundaries(op, expected, value, result):
    assert holds(op, expected, value) is result


def test_an_unknown_operator_is_a_bug_said_plainly():
    with pytest.raises(ValueError, match=r"^unknown operator 'nope'$"):
        holds("nope", 1, 1)


@pytest.mark.parametrize("op,value,says,negated,present", [
    ("is", True, "to be yes", "not to be yes", "is yes"),
    ("is", 2.0, "to be 2", "not to be 2", "is 2"),
    ("is", 2.5, "to be 2.5", "not to be 2.5", "is 2.5"),
    ("in", ("a", "b"), "to be one of [a, b]", "to be none of [a, b]", "is one of [a, b]"),
    ("includes", "a", "to include a", "not to include a", "includes a"),
    ("includes_any", ("a", "b"), "to include any of [a, b]", "to include none of [a, b]",
     "includes any of [a, b]"),
    ("includes_all", ("a", "b"), "to include all of [a, b]", "not to include all of [a, b]",
     "includes all of [a, b]"),
    ("includes_at_least", (2, ("a", "b", "c")), "to include at least 2 of [a, b, c]",
     "to include fewer than 2 of [a, b, c]", "includes at least 2 of [a, b, c]"),
    ("count_at_least", 2, "to have at least 2 selected", "to have fewer than 2 selected",
     "has at least 2 selected"),
    ("at_least", 65, "to be at least 65", "to be below 65", "is at least 65"),
    ("at_most", 65, "to be at most 65", "to be above 65", "is at most 65"),
    ("above", 65, "to be above 65", "to be at most 65", "is above 65"),
    ("below", 65, "to be below 65", "to be at least 65", "is below 65"),
    ("between", (14, 28), "to be between 14 and 28", "to be outside 14 to 28",
     "is between 14 and 28"),
])
def test_every_test_in_plain_words(op, value, says, negated, present):
    ask = Ask("q", op, value)
    assert ask.describe() == f"q {says}" and ask.expectation() == says
    assert ask.negate().describe() == f"q {negated}"
    assert ask.satisfied() == present


@pytest.mark.parametrize("text,present", [
    ("not to be 2", "is not 2"), ("to be none of [a]", "is none of [a]"),
    ("not to include a", "does not include a"), ("to have fewer than 2 selected",
                                                "has fewer than 2 selected"),
    ("to include fewer than 2 of [a]", "includes fewer than 2 of [a]")])
def test_negated_tests_said_of_a_passing_answer(text, present):
    asks = {"not to be 2": Ask("q", "is", 2, True),
            "to be none of [a]": Ask("q", "in", ("a",), True),
            "not to include a": Ask("q", "includes", "a", True),
            "to have fewer than 2 selected": Ask("q", "count_at_least", 2, True),
            "to include fewer than 2 of [a]": Ask("q", "includes_at_least", (2, ("a",)), True)}
    assert asks[text].expectation() == text and asks[text].satisfied() == present


def test_answered_is_a_test_of_presence():
    answered, unanswered = Ask("q", "answered", True, line=4), Ask("q", "answered", False)
    assert answered.on_presence and not Ask("q", "is", True).on_presence
    assert answered.describe() == "q to be answered" and answered.satisfied() == "is answered"
    assert unanswered.describe() == "q to be left unanswered"
    assert unanswered.satisfied() == "is unanswered"
    assert answered.negate() == Ask("q", "answered", False, False, 4)  # never a negated flag
    assert unanswered.negate() == Ask("q", "answered", True, False, 0)
    assert answered.test(0) and not answered.test(None) and unanswered.test(None)


def test_negating_a_test_flips_it_and_keeps_its_line():
    ask = Ask("n", "above", 3, line=7)
    assert ask.negate() == Ask("n", "above", 3, True, 7) and ask.negate().negate() == ask
    assert ask.test(4) and not ask.negate().test(4) and ask.negate().test(3)


def test_facts_and_beliefs_in_plain_words_and_negated():
    assert FactIs("older_age").describe() == "fact older_age to be established"
    assert FactIs("older_age", True).describe() == "fact older_age not to be established"
    assert FactIs("f", False, 3).negate() == FactIs("f", True, 3)
    assert FactIs("f", True, 3).negate() == FactIs("f", False, 3)
    at_least, below = Belief("h", "at_least", 0.5, 2), Belief("h", "below", 0.2)
    assert (at_least.test(0.5), at_least.test(0.49)) == (True, False)
    assert (below.test(0.2), below.test(0.19)) == (False, True)
    assert below.describe() == "hypothesis h certainty below 0.2"
    assert at_least.negate() == Belief("h", "below", 0.5, 2)
    assert below.negate() == Belief("h", "at_least", 0.2, 0)


def from_yaml(text):
    from expert.kb.yamlsource import parse as parse_yaml

    return parse_yaml(text, "rule.yaml")["when"]


def test_lines_are_kept_from_the_file():
    cond = parse(from_yaml("when:\n  all:\n    - {a: true}\n    - any:\n        - {b: true}\n"
                           "        - fact: f\n"))
    assert cond.line == 2 and cond.items[0].line == 3 and cond.items[1].line == 4
    assert cond.items[1].items[1] == FactIs("f", False, 6)
    listed = parse(from_yaml("when:\n  - {a: true}\n  - {n: {above: 2}}\n"))
    assert listed == All((Ask("a", "is", True, False, 2), Ask("n", "above", 2, False, 3)), 2)
    assert parse([{"a": True}], line=9) == All((Ask("a", "is", True, False, 0),), 9)
    assert parse({"not": {"a": True}}, line=5) == Not(Ask("a", "is", True, False, 5), 5)


def test_shorthands_and_lists_become_tuples():
    assert parse({"a": ["x", "y"]}) == Ask("a", "in", ("x", "y"))
    assert parse({"n": {"between": [1, 2]}}) == Ask("n", "between", (1, 2))
    assert parse({"s": {"includes_at_least": {"count": 2, "of": ["a", "b"]}}}) == \
        Ask("s", "includes_at_least", (2, ("a", "b")))
    assert parse({"any": [{"a": 1}]}) == AnyOf((Ask("a", "is", 1),))
    assert parse({"hypothesis": {"id": "h", "below": 1}}) == Belief("h", "below", 1.0)
    assert isinstance(parse({"hypothesis": {"id": "h", "below": 1}}).value, float)


ONE_OF = ", ".join(["is", "in", "includes", "includes_any", "includes_all", "includes_at_least",
                    "count_at_least", "at_least", "at_most", "above", "below", "between",
                    "answered"])


@pytest.mark.parametrize("bad,message", [
    ({"a": 1, "b": 2}, "a condition is a mapping with exactly one key: all, any, not, fact, "
                       "hypothesis or a question id"),
    ("text", "a condition is a mapping with exactly one key: all, any, not, fact, hypothesis "
             "or a question id"),
    ({"all": []}, "'all' needs a non-empty list of conditions"),
    ({"any": {"a": 1}}, "'any' needs a non-empty list of conditions"),
    ({"fact": 3}, "'fact' needs the name of a derived fact"),
    ({"hypothesis": "h"}, "'hypothesis' needs {id: ..., at_least: n} or {id: ..., below: n}"),
    ({"hypothesis": {"at_least": 1}},
     "'hypothesis' needs {id: ..., at_least: n} or {id: ..., below: n}"),
    ({"hypothesis": {"id": "h"}}, "'hypothesis' needs exactly one of at_least, below"),
    ({"hypothesis": {"id": "h", "above": 1}}, "'hypothesis' needs exactly one of at_least, below"),
    ({"hypothesis": {"id": "h", "at_least": 1, "below": 2}},
     "'hypothesis' needs exactly one of at_least, below"),
    ({"hypothesis": {"id": "h", "at_least": True}},
     "hypothesis threshold must be a number, not True"),
    ({"hypothesis": {"id": "h", "at_least": "x"}},
     "hypothesis threshold must be a number, not 'x'"),
    ({"age": {}}, f"the test on age needs exactly one operator: {ONE_OF}"),
    ({"age": {"at_least": 3, "at_most": 5}},
     f"the test on age needs exactly one operator: {ONE_OF}"),
    ({"age": {"atleast": 3}}, f"unknown operator 'atleast' on age; use one of: {ONE_OF}"),
    ({"s": {"includes_at_least": [2, "a"]}}, "includes_at_least needs {count: n, of: [choices]}"),
    ({"s": {"includes_at_least": {"count": 2}}},
     "includes_at_least needs {count: n, of: [choices]}"),
    ({"s": {"includes_at_least": {"count": 2, "of": [], "x": 1}}},
     "includes_at_least needs {count: n, of: [choices]}"),
])
def test_each_malformed_condition_says_what_is_wrong(bad, message):
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(bad, line=12)
    assert str(caught.value) == message and caught.value.line == 12


def test_which_operators_apply_to_which_answers():
    numeric = ("integer", "number")
    every = ("boolean", "choice", "integer", "number", "multi")
    assert {
        "is": ("boolean", "choice", "integer", "number"), "in": ("choice",),
        "includes": ("multi",), "includes_any": ("multi",), "includes_all": ("multi",),
        "includes_at_least": ("multi",), "count_at_least": ("multi",),
        "at_least": numeric, "at_most": numeric, "above": numeric, "below": numeric,
        "between": numeric, "answered": every} == OPERATORS
    assert BELIEF_OPERATORS == ("at_least", "below")
    assert {"all", "any", "not", "fact", "hypothesis"} == RESERVED  # never a question id


def test_yes_and_no_in_plain_words():
    assert Ask("b", "is", False).describe() == "b to be no"
    assert Ask("b", "is", True, True).satisfied() == "is not yes"


def test_a_malformed_item_is_reported_at_its_own_line():
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(from_yaml("when:\n  all:\n    - {a: true}\n    - 5\n"))
    assert caught.value.line == 4
    with pytest.raises(ConditionSyntaxError) as caught:
        parse(from_yaml("when:\n  any: []\n  x: 1\n"), line=9)
    assert caught.value.line == 2  # where the mapping starts, not the line passed in
