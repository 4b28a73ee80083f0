"""Three-valued rule status (language/status.py): which rules hold, fail or are still
open for partial answers, on the small knowledge base of tests/kbs/mini and a few
rules added to it."""

import random
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st
from synthetic import random_answers

from conftest import MINI, seeded
from expert.consult.answers import check_answers
from expert.kb.loader import load_knowledge
from expert.language.status import RuleStatus
from expert.language.truth import alternatives_truth, evaluate_alternatives

EXTRA = """
rules:
  - id: cap-h1
    title: C caps h1
    when: {pick: x}
    then: {hypothesis: {id: h1, at_most: 0.3}}
    because: Without y, h1 is at most possible.
    sources: [S01]
  - id: cap-h1-lower
    title: Blue caps h1 lower
    when: {many: {includes: blue}}
    then: {hypothesis: {id: h1, at_most: 0.1}}
    because: Blue keeps h1 low in this test.
    sources: [S01]
  - id: wide
    title: A wide sum
    when: {both: {at_least: 40}}
    then: {facts: [wide]}
    because: A sum of two inputs passes forty.
    sources: [S01]
  - id: narrow
    title: The sum is exactly ten
    when: {both: {between: [10, 10]}}
    then: {facts: [narrow]}
    because: A sum of two inputs is exactly ten.
    sources: [S01]
  - id: any-sum
    title: Any sum at all
    when: {both: {at_least: 1}}
    then: {facts: [any_sum]}
    because: A sum of two inputs of one or more.
    sources: [S01]
  - id: big-sum
    title: A big sum
    when: {both: {at_least: 600}}
    then: {facts: [big_sum]}
    because: A sum of two inputs of 600 or more.
    sources: [S01]
  - id: sum-above
    title: A sum above thirty
    when: {both: {above: 30}}
    then: {facts: [sum_above]}
    because: A sum of two inputs above thirty.
    sources: [S01]
  - id: sum-at-most
    title: A sum of five at most
    when: {both: {at_most: 5}}
    then: {facts: [sum_at_most]}
    because: A sum of two inputs of five at most.
    sources: [S01]
  - id: sum-below
    title: A sum below three
    when: {both: {below: 3}}
    then: {facts: [sum_below]}
    because: A sum of two inputs below three.
    sources: [S01]
  - id: not-a-seen
    title: Nothing saw A
    when: {not: {fact: a_seen}}
    then: {hypothesis: {id: h2, cf: 0.1}}
    because: Without a_seen, a little h2.
    sources: [S01]
  - id: h1-possible
    title: h1 at least possible
    when: {hypothesis: {id: h1, at_least: 0.2}}
    then: {facts: [h1_possible]}
    because: h1 reached possible in this test.
    sources: [S01]
"""
QUESTIONS = """
questions:
  - {id: c, text: "C?", type: integer, min: 0, max: 20}
  - {id: d, text: "D?", type: integer, min: 0, max: 1000}
computed:
  - {id: both, text: Both, sum: {c: 1, d: 2}}
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extra")
    (folder / "rules").mkdir()
    (folder / "kb.yaml").write_text("name: extra\nversion: '1'\n")
    (folder / "questions.yaml").write_text(textwrap.dedent(QUESTIONS))
    (folder / "rules" / "extra.yaml").write_text(textwrap.dedent(EXTRA))
    return load_knowledge((MINI, folder), package=False, use_cache=False)


def truths(kb, answers, **options):
    status = RuleStatus(kb, answers, **options)
    return {rule: status.truth(rule) for rule in status.rules}


def test_a_rule_without_conditions_holds_and_the_rest_wait_for_answers(kb):
    found = truths(kb, {})
    assert found["base"] is True
    assert found["h1-from-a"] is None and found["fact-chain"] is None
    status = RuleStatus(kb, {})
    assert "h1-from-a" in status.undecided() and "base" not in status.undecided()
    assert status.truth("no-such-rule") is None


def test_answers_decide_rules_and_facts_follow_their_producers(kb):
    found = truths(kb, {"a": True, "b": False})
    assert found["h1-from-a"] is True and found["fact-chain"] is True
    assert found["no-a-fact"] is False  # the fact is made, so its absence fails
    found = truths(kb, {"a": False})
    assert found["h1-from-a"] is False
    assert found["fact-chain"] is False and found["no-a-fact"] is True


def test_a_fact_with_an_open_producer_stays_open_negated_or_not(kb):
    found = truths(kb, {"b": False})
    assert found["fact-chain"] is None and found["no-a-fact"] is None
    assert found["not-a-seen"] is None


def test_unknown_is_open_unless_settled(kb):
    assert truths(kb, {"a": None})["h1-from-a"] is None
    assert truths(kb, {"a": None}, settled=True)["h1-from-a"] is False
    assert truths(kb, {}, settled=True)["h1-from-a"] is None  # never asked: still open


def test_only_judges_the_rules_named(kb):
    status = RuleStatus(kb, {"a": True}, only={"h1-from-a"})
    assert set(status.rules) == {"h1-from-a"} and status.truth("h1-from-a") is True
    assert status.truth("base") is None


@pytest.mark.parametrize("answers,expected", [
    ({}, (-0.3, 0.7)),  # open evidence against lowers the floor, for raises the top
    ({"a": True, "pick": "y", "many": []}, (0.143, 0.7)),  # (0.4 - 0.3) / 0.7 .. 0.7
    ({"a": True, "b": False, "n": 10, "pick": "y", "many": []}, (0.4, 0.4)),  # decided
    ({"a": False, "b": True, "n": 10}, (-0.3, -0.3)),
    ({"a": True, "b": False, "n": 60, "pick": "x", "many": []}, (0.3, 0.3)),  # capped
    ({"a": True, "b": False, "n": 60, "many": []}, (0.3, 0.7)),  # an open cap: the floor
    ({"a": True, "b": False, "n": 60, "pick": "y", "many": ["blue"]}, (0.1, 0.1)),
    ({"a": True, "b": False, "n": 60, "pick": "x", "many": ["blue"]}, (0.1, 0.1)),
])
def test_bounds_of_a_hypothesis(kb, answers, expected):
    assert RuleStatus(kb, answers).bounds("h1") == expected


def test_bounds_are_kept_once_asked(kb):
    status = RuleStatus(kb, {"a": True, "b": False, "n": 10})
    first = status.bounds("h1")
    status.rules["h1-from-n"] = status.rules["h1-from-a"]  # would change them if recomputed
    assert status.bounds("h1") is first


@pytest.mark.parametrize("answers,expected", [
    ({"a": True, "b": False, "n": 60, "pick": "y", "many": []}, True),  # 0.7 for sure
    ({"a": True, "b": False, "n": 10}, False),  # 0.4 at most
    ({"a": True, "n": 60}, None),  # b could still bring it under 0.5
    ({"a": True, "b": False, "n": 60, "pick": "x"}, False),  # capped at 0.3
])
def test_a_belief_holds_only_when_both_bounds_pass(kb, answers, expected):
    assert truths(kb, answers)["aa-h2-chain"] is expected


def test_a_belief_in_a_fact_chain(kb):
    assert truths(kb, {"a": True, "b": False, "pick": "y", "many": []})["h1-possible"] is True
    assert truths(kb, {"a": True, "b": False})["h1-possible"] is None  # a cap may come
    assert truths(kb, {"a": False, "b": True, "n": 10})["h1-possible"] is False


@pytest.mark.parametrize("answers,rule,expected", [
    ({}, "red-or-total", None),  # n unasked: the total could still pass 150
    ({"n": 80}, "red-or-total", True),  # 160
    ({"n": 20, "many": []}, "red-or-total", False),
    ({"c": 5}, "wide", None),  # d could still add up to 2,000
    ({"c": 20, "d": 11}, "wide", True),
    ({"c": 0, "d": 1}, "wide", False),
    ({"d": 30}, "wide", True),  # 60 already, whatever c adds
    ({"d": 2}, "narrow", None),  # exactly ten: only a threshold is decided early
    ({"d": 30}, "narrow", None),
    ({"c": 4, "d": 3}, "narrow", True),
    ({}, "any-sum", None),  # nothing answered counts as nothing yet, not as one
    ({"c": 0}, "any-sum", None),
    ({"c": 0}, "big-sum", None),  # d can still add 2 x 1,000
    ({"d": 30}, "sum-above", True),
    ({"d": 3}, "sum-at-most", False),
    ({"d": 2}, "sum-below", False),
    ({"c": 2}, "sum-below", None),
])
def test_a_computed_answer_is_decided_early_only_when_its_inputs_cannot_change_it(
        kb, answers, rule, expected):
    assert truths(kb, answers)[rule] is expected


def test_a_computed_answer_whose_inputs_are_all_unknown(kb):
    assert truths(kb, {"c": None, "d": None})["wide"] is None
    assert truths(kb, {"c": None, "d": None}, settled=True)["wide"] is False
    assert truths(kb, {"c": None}, settled=True)["wide"] is None  # d still to be asked


@given(st.lists(st.lists(st.integers(0, 5), max_size=4).map(tuple), max_size=4),
       st.lists(st.sampled_from([True, False, None]), min_size=6, max_size=6))
def test_a_truth_alone_is_the_truth_of_the_whole_evaluation(alternatives, judged):
    oracle = judged.__getitem__  # leaf i is judged judged[i]
    assert alternatives_truth(alternatives, oracle) is \
        evaluate_alternatives(alternatives, oracle).truth


@pytest.mark.parametrize("settled", [False, True])
def test_truths_alone_are_the_truths_explained_on_the_shipped_knowledge(settled):
    shipped = load_knowledge()
    rng = random.Random(seeded(5))
    for _ in range(60):
        answers = {q: (None if rng.random() < 0.2 else value)
                   for q, value in random_answers(rng, fill=rng.random()).items()}
        answers = check_answers(shipped, answers)
        cone = shipped.cone(rng.sample(shipped.rules, 10))
        for only in (None, cone):
            quick = RuleStatus(shipped, answers, settled, only, explain=False)
            assert quick.truths == RuleStatus(shipped, answers, settled, only).truths
            assert not quick.rules
