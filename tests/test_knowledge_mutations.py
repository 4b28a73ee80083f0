"""Every rule's strength is asserted by some knowledge case (mutation analysis)."""

from expert.authoring.cases import load_cases
from expert.authoring.mutation import mutants, survivors
from expert.kb.loader import package_knowledge


def test_no_wrong_edit_of_a_rule_goes_unnoticed(kb):
    alive = survivors(kb, load_cases(kb, [package_knowledge()]))
    assert not alive, "\n".join(f"{m.rule}: {m.change}" for m in alive)


def test_a_rule_the_cases_do_not_pin_is_reported(kb):
    cases = [c for c in load_cases(kb, [package_knowledge()]) if c.id == "ppi-alone-eyelid"]
    alive = {(m.rule, m.change) for m in survivors(kb, cases)}
    assert ("mg-ppi-long-term", "certainty quartered") not in alive  # this case pins it
    assert ("ca-neck-surgery", "certainty quartered") in alive  # no case here pins it


def test_mutants_weaken_each_kind_of_conclusion(kb):
    by_rule = {rule: {m.change for m in mutants(kb, kb.rules_by_id[rule])}
               for rule in ("mg-ppi-long-term", "mg-likely-needs-symptoms", "stress-high",
                            "emergency-seizure", "self-care-baseline")}
    assert by_rule == {
        "mg-ppi-long-term": {"certainty quartered"},
        "mg-likely-needs-symptoms": {"ceiling doubled"},
        "stress-high": {"note certainty quartered"},
        "emergency-seizure": {"referral one rung down (same_day)"},
        "self-care-baseline": set(),
    }
