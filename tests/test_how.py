"""HOW trees: every conclusion traced back through its rules to the answers."""

import pytest

from conftest import consult_raw
from expert.errors import InputError
from expert.explain.how import answers_in, how, render_tree

VITAMIN_D_CHAIN = {"age": 76, "sun_exposure": "low", "darker_skin": True,
                   "symptoms": ["tingling_mouth", "weakness"]}


def test_a_chained_conclusion_reaches_the_answers_behind_the_chain(kb):
    result = consult_raw(kb, VITAMIN_D_CHAIN)
    tree = how(result, "calcium")
    assert tree["kind"] == "hypothesis"
    rules = [child["id"] for child in tree["children"]]
    assert "ca-from-low-vitamin-d" in rules
    chain = next(c for c in tree["children"] if c["id"] == "ca-from-low-vitamin-d")
    assert {(c["kind"], c["id"]) for c in chain["children"]} == {
        ("hypothesis", "vitamin_d"), ("fact", "calcium_symptoms")}
    vitamin_d = next(c for c in chain["children"] if c["kind"] == "hypothesis")
    assert {"age", "sun_exposure", "darker_skin"} <= answers_in(vitamin_d)
    assert {"symptoms", "age", "sun_exposure", "darker_skin"} <= answers_in(tree)


def test_every_conclusion_has_a_tree_ending_in_answers(kb):
    result = consult_raw(kb, VITAMIN_D_CHAIN)
    targets = [h.id for h in result.hypotheses] + [n.id for n in result.notes]
    targets += ["referral", *result.tests]
    for target in targets:
        tree = how(result, target)
        assert answers_in(tree) or target == "referral", target
        for rule_node in _rules(tree):
            assert rule_node["because"] and rule_node["sources"]


def _rules(node):
    if node["kind"] == "rule":
        yield node
    for child in node["children"]:
        yield from _rules(child)


def test_rule_nodes_carry_sources_and_contribution(kb):
    tree = how(consult_raw(kb, VITAMIN_D_CHAIN), "vitamin_d")
    low_sun = next(c for c in tree["children"] if c["id"] == "vd-low-sun")
    assert low_sun["contribution"] == pytest.approx(0.3)
    assert {"id": "S06", "title": kb.sources["S06"].title} in low_sun["sources"]
    (fact,) = low_sun["children"]  # a chain: the rule reads a fact another rule derived
    assert (fact["kind"], fact["id"]) == ("fact", "limited_sun")
    (derivation,) = fact["children"]
    assert derivation["id"] == "risk-limited-sun" and derivation["contribution"] is None
    (answer,) = derivation["children"]
    assert answer == {"kind": "answer", "question": "sun_exposure", "value": "low",
                      "matched": ["is low"], "text": "answer sun_exposure = low  [is low]",
                      "children": []}


def test_the_text_tree_is_the_same_structure(kb):
    result = consult_raw(kb, VITAMIN_D_CHAIN)
    calcium = result.hypothesis("calcium")
    tree = how(result, "calcium")
    text = render_tree(tree).splitlines()
    assert text[0] == ("hypothesis calcium: Low blood calcium (hypocalcaemia) = "
                       f"{calcium.certainty:.2f} ({calcium.band})")
    rules = [line.split("rule ", 1)[1].split()[0] for line in text
             if line.startswith(("├─ rule ", "└─ rule "))]
    assert rules == list(calcium.rules)  # the children, in firing order, one line each
    assert "└─ answer age = 76  [is at least 65]" in "\n".join(text)


def test_a_ceiling_shows_in_the_tree_with_its_reason(kb):
    result = consult_raw(kb, {"medications": ["ppi_long_term"], "symptoms": []})
    tree = how(result, "magnesium")
    capped = next(c for c in tree["children"] if c["id"] == "mg-likely-needs-symptoms")
    assert capped["ceiling"] == 0.45 and capped["contribution"] is None
    assert capped["text"].startswith("rule mg-likely-needs-symptoms at most 0.45 (step ")
    assert "some people have no symptoms" in capped["because"]


def test_conclusions_not_reached_are_refused_with_a_hint(kb):
    result = consult_raw(kb, {"age": 30})
    with pytest.raises(InputError, match="try --why-not magnesium"):
        how(result, "magnesium")
    with pytest.raises(InputError, match="did you mean magnesium"):
        how(result, "magnesium_")
