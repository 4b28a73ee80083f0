"""The synthetic knowledge the differential tests and bench/scale.py run on is what
they say it is: knowledge the loader accepts whatever the seed (a rule restating the
evidence of one before it is drawn again), and, for the nested shape, every operator
and every way of nesting the language has (a generator that drifted to easy rules
would leave the differential tests comparing less than they claim)."""

import hashlib
import json

import pytest
from synthetic import SHAPES, Givers, _alternatives, synthetic_rules, write_extension

from expert.language.conditions import BELIEF_OPERATORS, OPERATORS


def walk(condition, parent=None):
    """(parent key, key, operator or None) of every node of a rule's ``when``."""
    if isinstance(condition, list):
        for item in condition:
            yield from walk(item, parent)
        return
    (key, value), = condition.items()
    op = next(iter(value)) if isinstance(value, dict) and key not in ("not",) else None
    if key == "hypothesis":
        op = next(k for k in value if k != "id")
    yield parent, key, op
    if key in ("all", "any", "not"):
        yield from walk(value, key)


def test_the_nested_shape_uses_every_operator_and_nesting():
    nodes = {node for rule in synthetic_rules(400, seed=3, shape="nested")
             for node in walk(rule["when"])}
    operators = {op for _, key, op in nodes if key not in ("all", "any", "not", "fact",
                                                           "hypothesis")}
    assert operators >= set(OPERATORS) - {"is", "in"}  # those two written as shorthand too
    assert {op for _, key, op in nodes if key == "hypothesis"} == set(BELIEF_OPERATORS)
    assert {("all", "any"), ("any", "all"), ("all", "not"), ("all", "fact")} <= {
        (parent, key) for parent, key, _ in nodes}


def test_the_nested_shape_chains_rules_on_two_derived_facts():
    rules = synthetic_rules(400, seed=3, shape="nested")
    reading = [sum(key == "fact" for _, key, _ in walk(rule["when"])) for rule in rules]
    assert max(reading) == 2 and sum(n > 0 for n in reading) > len(rules) / 3


def test_the_flat_shape_is_the_one_the_benchmarks_were_measured_on():
    """Its rules never change for a seed: the README's tables name the seed they ran."""
    drawn = json.dumps(synthetic_rules(300, seed=11), sort_keys=True).encode()
    assert hashlib.sha256(drawn).hexdigest() == FLAT_300_SEED_11


FLAT_300_SEED_11 = "a6c758ff988dc0c87ed4c546516939898e5bcef3a2d9f57c4c425d79b8587fbc"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_each_shape_is_knowledge_the_loader_accepts(shape, tmp_path):
    from expert.kb.loader import load_knowledge

    kb = load_knowledge((write_extension(tmp_path / shape, 150, seed=9, shape=shape),),
                        use_cache=False)
    prefix = "synthetic-" if shape == "flat" else f"{shape}-"
    assert sum(rule.id.startswith(prefix) for rule in kb.rules) == 150


def test_the_worded_shape_gives_most_rules_words_of_their_own():
    rules = synthetic_rules(400, seed=3, shape="worded")
    advised = [rule for rule in rules if "advice" in rule["then"]]
    assert 0.7 < len(advised) / len(rules) < 0.9
    for field in ("title", "because"):
        texts = [rule[field] for rule in advised]
        assert len(set(texts)) == len(texts)  # nothing a screen could read once for all
    texts = [rule["then"]["advice"]["text"] for rule in advised]
    assert len(set(texts)) == len(texts)


def test_a_copy_of_a_rule_before_is_known_for_one():
    givers = Givers.shipped()
    copy = _alternatives(  # what mg-endurance-water-only gives magnesium evidence on
        {"all": [{"water_only_during_exercise": True}, {"strenuous_exercise_recent": True}]})
    assert givers.restates([("hypotheses", "magnesium")], copy)
    assert not givers.restates([("hypotheses", "calcium")], copy)
    assert not givers.restates([("notes", "magnesium")], copy)
    broader = _alternatives({"strenuous_exercise_recent": True})
    assert not givers.restates([("hypotheses", "magnesium")], broader)  # a warning at most
    drawn = Givers()
    drawn.add([("notes", "stress")], _alternatives({"stress_level": {"in": ["high", "low"]}}))
    assert drawn.restates([("notes", "stress")], _alternatives(
        {"stress_level": {"in": ["low", "high"]}}))
    assert not drawn.restates([("notes", "stress")], _alternatives(  # the loader cannot
        {"any": [{"stress_level": "low"}, {"stress_level": "high"}]}))  # tell: no error


def test_a_seed_that_drew_a_copy_of_a_shipped_rule_loads(tmp_path):
    """Seed 2088 drew mg-endurance-water-only's conditions for magnesium as its rule
    2221, and the loader refused the base."""
    from expert.kb.loader import load_knowledge

    kb = load_knowledge((write_extension(tmp_path / "copy", 2_300, seed=2088),),
                        use_cache=False)
    assert sum(rule.id.startswith("synthetic-") for rule in kb.rules) == 2_300


def test_the_wide_shape_holds_rules_of_several_alternatives():
    rules = synthetic_rules(200, seed=3, shape="wide")
    widths = [len(_alternatives(rule["when"])) for rule in rules]
    assert min(widths) >= 4 and max(widths) >= 7


def test_the_beliefs_shape_holds_small_rules_most_of_which_read_a_certainty():
    rules = synthetic_rules(400, seed=3, shape="beliefs")
    reading = [rule for rule in rules if "hypothesis" in str(rule["when"])]
    assert len(reading) >= 280  # four in five, give or take
    assert max(len(_alternatives(rule["when"])[0]) for rule in rules) <= 4  # with a
    # certainty and a fact
    assert {"at_least", "below"} <= {op for rule in reading for op in str(rule["when"]).split("'")}
