"""The safety proofs (kb/safety.py), rule by rule, on the small knowledge base of
tests/kbs/mini with a warning sign (z), a conditions question and rules added."""

import textwrap

import pytest

from conftest import MINI
from expert.kb import safety
from expert.kb.builder import build
from expert.kb.loader import all_files, knowledge_dirs, read_knowledge
from expert.language.model import Advice

QUESTIONS = """
questions:
  - {id: z, text: "Z?", type: boolean, red_flag: emergency}
  - id: conditions
    text: Conditions?
    type: multi
    choices: [{id: kidney_disease, text: Kidney disease}, {id: other, text: Other}]
  - id: sev
    text: How bad?
    type: choice
    choices:
      - {id: mild, text: Mild}
      - {id: severe, text: Severe, red_flag: emergency}
  - id: w
    text: Which?
    type: multi
    choices:
      - {id: fine, text: Fine}
      - {id: bad, text: Bad, red_flag: same_day}
"""
Z_EMERGENCY = """
  - id: z-emergency
    title: Z now
    when: {any: [{z: true}, {sev: severe}]}
    then: {referral: emergency, facts: [warning_sign]}
    because: The warning sign z is an emergency.
    sources: [S01]
  - id: w-same-day
    title: W bad
    when: {w: {includes: bad}}
    then: {referral: same_day, facts: [warning_sign]}
    because: The warning sign w=bad needs a doctor today.
    sources: [S01]
"""


OTHERS = """
  - id: others
    title: The other warning signs
    when: {any: [{sev: severe}, {w: {includes: bad}}]}
    then: {referral: emergency, facts: [warning_sign]}
    because: Every other warning sign here is an emergency.
    sources: [S01]
"""


def rule(rid, when, then):
    return (f"  - id: {rid}\n    title: Rule {rid}\n    when: {when}\n    then: {then}\n"
            f"    because: A rule for testing safety.\n    sources: [S01]\n")


def built(tmp_path, *rules):
    folder = tmp_path / "ext"
    (folder / "rules").mkdir(parents=True)
    (folder / "kb.yaml").write_text("name: ext\nversion: '1'\n")
    (folder / "questions.yaml").write_text(textwrap.dedent(QUESTIONS))
    (folder / "rules" / "ext.yaml").write_text("rules:\n" + "".join(rules))
    kb, problems = build(read_knowledge(all_files(knowledge_dirs((MINI, folder),
                                                                 package=False))))
    assert problems == [] and kb is not None, problems
    return kb


def said(kb):
    return [f"{p.path.rsplit('/', 1)[-1]}:{p.line}: {p.rule}: {p.message}"
            for p in safety.check(kb)]


def test_a_base_that_keeps_every_floor_is_safe(tmp_path):
    kb = built(tmp_path, Z_EMERGENCY)
    assert safety.check(kb) == []
    assert [(q.id, c, floor) for q, c, floor, _ in safety.warning_signs(kb)] == [
        ("many", "red", "emergency"), ("z", True, "emergency"), ("sev", "severe", "emergency"),
        ("w", "bad", "same_day")]


def test_a_floor_may_be_kept_by_one_rule_and_the_voice_by_another(tmp_path):
    kb = built(tmp_path, rule("z-referral", "{any: [{z: true}, {sev: severe}]}",
                              "{referral: emergency}"),
               rule("z-voice", "{any: [{z: true}, {sev: severe}]}", "{facts: [warning_sign]}"),
               rule("w-both", "{w: {includes: bad}}",
                    "{referral: same_day, facts: [warning_sign]}"))
    assert safety.check(kb) == []


def test_a_choice_of_a_multi_question_is_refused_at_its_own_line(tmp_path):
    kb = built(tmp_path, rule("z-referral", "{any: [{z: true}, {sev: severe}]}",
                              "{referral: emergency, facts: [warning_sign]}"),
               rule("w-routine", "{w: {includes: bad}}",
                    "{referral: routine, facts: [warning_sign]}"))
    assert said(kb)[0] == (
        "questions.yaml:19: w: warning sign w=bad must lead to at least same_day whatever else "
        "is answered, but is only sure to reach routine; counterexample: w=[bad] (everything "
        "else unknown): it reaches routine")


def test_a_counterexample_is_searched_for_through_derived_facts(tmp_path, monkeypatch):
    kb = built(tmp_path, Z_EMERGENCY.replace("{any: [{z: true}, {sev: severe}]}",
                                             "{sev: severe}"),
               rule("z-quiet", "{all: [{z: true}, {b: {answered: false}}]}",
                    "{facts: [z_quiet]}"),
               rule("z-quiet-emergency", "{fact: z_quiet}",
                    "{referral: emergency, facts: [warning_sign]}"))
    problems = said(kb)
    assert problems[1].endswith("only sure to reach self_care; counterexample: z=yes, b=no "
                                "(everything else unknown): it reaches self_care")
    monkeypatch.setattr(safety, "SEARCH_LIMIT", 1)  # the answers given, and nothing more
    assert said(kb)[1].endswith("only sure to reach self_care (no counterexample found "
                                "within the search, but it is not proved either)")


def test_a_warning_sign_that_reaches_too_little_and_says_nothing(tmp_path):
    kb = built(tmp_path, rule("z-routine", "{z: true}", "{referral: routine}"), OTHERS)
    assert said(kb) == [
        "questions.yaml:3: z: warning sign z=yes must derive fact warning_sign (the warning "
        "voice) whatever else is answered; counterexample: z=yes (everything else unknown): "
        "warning_sign is not derived",
        "questions.yaml:3: z: warning sign z=yes must lead to at least emergency whatever else "
        "is answered, but is only sure to reach routine; counterexample: z=yes (everything "
        "else unknown): it reaches routine",
        "ext.yaml:5: z-routine: concludes routine, but it can only fire with a warning sign "
        "that must lead to at least emergency; counterexample: z=yes (everything else "
        "unknown): rule z-routine concludes routine"]
    assert all(p.check == "safety" for p in safety.check(kb))


def test_a_warning_sign_that_needs_something_else_is_not_safe(tmp_path):
    kb = built(tmp_path, rule("z-and-a", "{all: [{z: true}, {a: true}]}",
                              "{referral: emergency, facts: [warning_sign]}"), OTHERS)
    problems = said(kb)
    assert "but is only sure to reach self_care; counterexample: z=yes (everything else " \
           "unknown): it reaches self_care" in problems[1]
    assert len(problems) == 2


@pytest.mark.parametrize("when,lowered", [
    ("{many: {includes: red}}", True),
    ("{many: {includes_all: [red, green]}}", True),  # needs red, whatever else
    ("{many: {includes_any: [red, green]}}", False),  # green alone will do
    ("{many: {includes_at_least: {count: 2, of: [red, green, blue]}}}", False),
    ("{many: {includes_at_least: {count: 3, of: [red, green, blue]}}}", True),
    ("{z: true}", True), ("{z: false}", False), ("{not: {z: true}}", False),
    ("{all: [{z: true}, {a: true}]}", True), ("{any: [{z: true}, {a: true}]}", False),
    ("{any: [{n: {at_least: 200}}, {z: true}]}", True),  # a branch no answer can take
    ("{any: [{all: [{a: true}, {a: false}]}, {z: true}]}", True),
    ("{n: {at_least: 50}}", False), ("{pick: [x, y]}", False),
    ("{many: {includes_any: [red]}}", True), ("{sev: [severe]}", True),
    ("{sev: [mild, severe]}", False), ("{sev: severe}", True),
])
def test_a_rule_that_needs_a_warning_sign_may_not_conclude_less(tmp_path, when, lowered):
    kb = built(tmp_path, Z_EMERGENCY, rule("low", when, "{referral: routine}"))
    problems = [p for p in said(kb) if ": low: " in p]
    assert bool(problems) is lowered
    if lowered:
        assert problems[0].startswith("ext.yaml:18: low: concludes routine, but it can only "
                                      "fire with a warning sign that must lead to at least "
                                      "emergency; counterexample: ")


def test_a_floor_is_owed_through_a_derived_fact_but_not_its_absence(tmp_path):
    kb = built(tmp_path, Z_EMERGENCY,
               rule("red-fact", "{many: {includes: red}}", "{facts: [saw_red]}"),
               rule("via-fact", "{any: [{all: [{fact: saw_red}, {a: true}]}, {fact: saw_red}]}",
                    "{referral: same_day}"),
               rule("not-fact", "{all: [{not: {fact: saw_red}}, {a: true}]}",
                    "{referral: routine}"),
               rule("sev-fact", "{sev: severe}", "{facts: [saw_sev]}"),
               rule("b-fact", "{b: true}", "{facts: [saw_sev]}"),
               rule("via-either", "{fact: saw_sev}", "{referral: routine}"),
               rule("never", "{n: {at_least: 200}}", "{referral: routine}"))
    assert [p.rule for p in safety.check(kb)] == ["via-fact"]
    assert said(kb)[0].endswith("counterexample: many=[red], a=yes (everything else unknown): "
                                "rule via-fact concludes same_day")
    ranks = {r.id: safety.guaranteed_floor(kb, r) for r in kb.rules}
    assert {rule: ranks[rule] for rule in ("via-fact", "red-fact", "sev-fact", "via-either",
                                           "not-fact", "base", "never", "aa-h2-chain",
                                           "h1-from-n")} == {
        "via-fact": 5, "red-fact": 5, "sev-fact": 5, "via-either": 0,  # b makes it too
        "not-fact": 0, "base": 0, "never": 0, "aa-h2-chain": 0, "h1-from-n": 0}


def test_a_rule_without_a_referral_is_never_lowered(tmp_path):
    kb = built(tmp_path, Z_EMERGENCY, rule("note", "{z: true}", "{note: {id: caffeine, cf: 0.1}}"))
    assert safety.check(kb) == []


def test_sure_level_and_counterexamples(tmp_path):
    from expert.language.status import RuleStatus

    kb = built(tmp_path, Z_EMERGENCY)
    assert safety.sure_level(kb, RuleStatus(kb, {})) == "self_care"
    assert safety.sure_level(kb, RuleStatus(kb, {}, only=set())) == "self_care"
    assert safety.sure_level(kb, RuleStatus(kb, {"z": True})) == "emergency"
    assert safety.sure_level(kb, RuleStatus(kb, {"a": True, "b": False})) == "routine"
    saving = [kb.rules_by_id["fact-chain"]]
    assert safety.counterexample(kb, {"a": True}, saving) == {"a": True}  # b unknown
    assert safety.counterexample(kb, {"a": True, "b": None}, saving) == {"a": True,
                                                                        "b": None}
    assert safety.counterexample(kb, {"a": True, "b": False}, saving) is None  # it holds
    assert safety.counterexample(kb, {}, []) == {}
    assert safety.SEARCH_LIMIT == 200


def test_a_witness_is_answers_under_which_a_rule_fires(tmp_path):
    kb = built(tmp_path, Z_EMERGENCY,
               rule("unanswered", "{all: [{b: {answered: false}}, {a: true}]}",
                    "{facts: [quiet_b]}"),
               rule("never", "{n: {at_least: 200}}", "{facts: [never]}"),
               rule("chained", "{all: [{fact: never}, {a: true}]}", "{facts: [chained]}"),
               rule("computed", "{all: [{total: {above: 10}}, {a: true}]}", "{facts: [tot]}"),
               rule("b-false", "{b: false}", "{facts: [b_no]}"))
    assert safety.witness(kb, kb.rules_by_id["computed"]) == {"a": True}
    assert safety.witness(kb, kb.rules_by_id["b-false"]) == {"b": False}
    assert safety.witness(kb, kb.rules_by_id["fact-chain"]) == {"a": True, "b": False}
    assert safety.witness(kb, kb.rules_by_id["red-or-total"]) == {"many": ("red",)}
    assert safety.witness(kb, kb.rules_by_id["unanswered"]) == {"b": None, "a": True}
    assert safety.witness(kb, kb.rules_by_id["never"]) is None
    assert safety.witness(kb, kb.rules_by_id["chained"]) is None
    assert safety.witness(kb, kb.rules_by_id["base"]) == {}


KIDNEY = "{not: {conditions: {includes: kidney_disease}}}"


def test_advice_that_a_contraindication_forbids(tmp_path):
    kb = built(
        tmp_path, Z_EMERGENCY,
        rule("bananas", "{a: true}", '{advice: {kind: diet, does: {eat: [bananas]}, text: '
                                     '"Eat bananas."}}'),
        rule("bananas-safe", f"{{all: [{{a: true}}, {KIDNEY}]}}",
             '{advice: {kind: diet, does: {eat: [bananas]}, text: "Eat bananas."}}'),
        rule("magnesium", "{n: {at_least: 10}}",
             '{advice: {kind: supplement, does: {supplement: [magnesium]}, text: "A magnesium '
             'supplement may help; ask your doctor how much."}}'),
        rule("never-kidney", "{all: [{a: true}, {a: false}]}",
             '{advice: {kind: diet, does: {eat: [bananas]}, text: "Eat bananas."}}'),
        rule("sometimes", "{any: [{n: {at_least: 200}}, {b: true}]}",
             '{advice: {kind: diet, does: {eat: [bananas]}, text: "Eat bananas."}}'))
    assert said(kb) == [
        "ext.yaml:18: bananas: advice to have foods rich in potassium can reach someone it "
        "harms (potassium-foods-with-kidney-disease: people with kidney disease are often told "
        "to limit potassium); add a condition that leaves them out; counterexample: a=yes, "
        "conditions=[kidney_disease] (everything else unknown): rule bananas may give it",
        "ext.yaml:30: magnesium: advice to have magnesium supplements can reach someone it "
        "harms (magnesium-supplements-with-kidney-disease: weak kidneys let supplemental "
        "magnesium build up (SAFE-04)); add a condition that leaves them out; counterexample: "
        "n=10, conditions=[kidney_disease] (everything else unknown): rule magnesium may "
        "give it",
        "ext.yaml:42: sometimes: advice to have foods rich in potassium can reach someone it "
        "harms (potassium-foods-with-kidney-disease: people with kidney disease are often told "
        "to limit potassium); add a condition that leaves them out; counterexample: b=yes, "
        "conditions=[kidney_disease] (everything else unknown): rule sometimes may give it"]


def test_what_advice_asks_is_read_from_its_declaration_and_its_words(tmp_path):
    kb = built(tmp_path, Z_EMERGENCY)
    potassium, magnesium = kb.contraindications
    advice = Advice("Eat more vegetables.", "diet", does=(("eat", ("bananas",)),))
    assert safety.forbidden_by(advice, potassium) == ["foods rich in potassium"]
    said_only = Advice("Have a banana and some potatoes.", "diet")
    assert safety.forbidden_by(said_only, potassium) == ["foods rich in potassium"]
    tablets = Advice("Ask about it.", "supplement", does=(("supplement", ("magnesium",)),))
    assert safety.forbidden_by(tablets, magnesium) == ["magnesium supplements"]
    assert safety.forbidden_by(tablets, potassium) == []
    assert safety.forbidden_by(Advice("Rest.", "care"), potassium) == []
    drink = Advice("Drink more.", "diet", does=(("drink", ("coconut_water",)),))
    assert safety.forbidden_by(drink, potassium) == ["foods rich in potassium"]


def test_the_least_answers_that_make_a_condition_hold():
    from expert.language.conditions import parse
    from expert.language.truth import Including

    assert safety._answers_satisfying(parse({"all": [
        {"not": {"b": True}}, {"conditions": {"includes": "kidney_disease"}},
        {"conditions": {"includes": "other"}}, {"a": True}]})) == {
        "conditions": Including({"kidney_disease", "other"}), "a": True}
    assert safety._answers_satisfying(parse({"conditions": {"includes_all": ["x", "y"]}})) == {
        "conditions": Including({"x", "y"})}
    assert safety._answers_satisfying(parse({"n": {"at_least": 3}})) == {}
