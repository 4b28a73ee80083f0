"""The planner (consult/planner.py): which questions still matter and why, on the small
knowledge base of tests/kbs/mini with a few rules added (a core question, a rule that
reads a fact's absence, a second way to derive a fact)."""

import pytest

from conftest import MINI
from expert.consult.planner import (
    BAND_MOVE_WEIGHT,
    BAND_WEIGHT,
    LEADING_WEIGHT,
    REFERRAL_WEIGHT,
    VERIFY_FIRINGS,
    Budget,
    Claim,
    Impact,
    claim_text,
    describe,
    next_question,
    plan,
    priority,
    questions_that_matter,
    reasons,
    still_to_ask,
    value_of_information,
    verify,
)
from expert.kb.loader import load_knowledge

QUESTIONS = """\
questions:
  - {id: age, text: "How old are you?", type: integer, min: 0, max: 120, core: true}
  - {id: c, text: "C?", type: boolean}
  - {id: d, text: "D?", type: boolean}
"""
RULES = """\
rules:
  - id: p-c-within
    title: C without A
    when: {all: [{not: {fact: a_seen}}, {c: true}]}
    then: {referral: within_days}
    because: C without A needs a visit within days.
    sources: [S01]
  - id: p-y-seen
    title: Y also shows A
    when: {pick: y}
    then: {facts: [a_seen, y_seen]}
    because: Y is another sign of A here.
    sources: [S01]
  - id: p-y-routine
    title: Y without C
    when: {all: [{fact: y_seen}, {c: false}]}
    then: {referral: routine}
    because: Y without C needs a routine check.
    sources: [S01]
  - id: p-c-emergency
    title: C with X
    when: {all: [{c: true}, {pick: x}]}
    then: {referral: emergency}
    because: C with X is an emergency here.
    sources: [S01]
  - id: p-n-mid
    title: N in the middle
    when: {n: {between: [50, 60]}}
    then: {note: {id: caffeine, cf: 0.3}}
    because: A middling N raises the note.
    sources: [S01]
  - id: p-d-h2
    title: D raises h2
    when: {d: true}
    then: {hypothesis: {id: h2, cf: 0.4}}
    because: D is some evidence for h2.
    sources: [S01]
  - id: p-old-caffeine
    title: Age and caffeine
    when: {age: {at_least: 65}}
    then: {note: {id: caffeine, cf: 0.1}}
    because: Older age nudges the note.
    sources: [S01]
"""


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan")
    (folder / "rules").mkdir()
    (folder / "kb.yaml").write_text("name: plan\nversion: '1'\n")
    (folder / "questions.yaml").write_text(QUESTIONS)
    (folder / "rules" / "plan.yaml").write_text(RULES)
    return load_knowledge((MINI, folder), package=False, use_cache=False)


def impacts(state):
    return {(i.rule, i.kind, i.target, i.before, i.after, i.weight, i.via, i.leads)
            for found in state.impacts.values() for i in found}


def test_the_weights_that_rank_changes():
    assert (REFERRAL_WEIGHT, LEADING_WEIGHT, BAND_MOVE_WEIGHT) == (10.0, 2.0, 1.0)
    assert BAND_WEIGHT == {"low": 0.0, "possible": 0.1, "likely": 0.2}
    assert VERIFY_FIRINGS == 5_000 and Budget().left == 5_000 and Budget(7).left == 7


def test_what_each_undecided_rule_could_change(kb):
    state = plan(kb, {})
    assert impacts(state) == {
        ("aa-h2-chain", "hypothesis", "h2", "low", "likely", 1.0, "", False),
        ("fact-chain", "referral", "routine", "self_care", "routine", 10.0, "", False),
        ("p-c-within", "referral", "within_days", "self_care", "within_days", 20.0, "", False),
        ("p-y-routine", "referral", "routine", "self_care", "routine", 10.0, "", False),
        ("h1-from-a", "hypothesis", "h1", "low", "possible", 1.0, "", False),
        ("h1-from-a", "referral", "routine", "self_care", "routine", 10.0, "fact-chain", False),
        ("h1-from-n", "hypothesis", "h1", "low", "likely", 1.0, "", False),
        ("p-c-emergency", "referral", "emergency", "self_care", "emergency", 40.0, "", False),
        ("p-d-h2", "hypothesis", "h2", "low", "possible", 1.0, "", False),
        ("p-n-mid", "note", "caffeine", "possible", "likely", 2.0, "", False),
        ("p-y-seen", "referral", "routine", "self_care", "routine", 10.0, "fact-chain", False),
        ("p-y-seen", "referral", "routine", "self_care", "routine", 10.0, "p-y-routine", False),
        ("red-or-total", "referral", "emergency", "self_care", "emergency", 40.0, "", False),
    }
    # no-a-fact has fired already (nothing derived a_seen yet): its note is counted;
    # p-c-within reads a_seen's absence, so deriving a_seen cannot raise it
    assert state.impacts["no-a-fact"] == []
    assert state.needs == {
        "b": ["fact-chain"], "c": ["p-c-within", "p-y-routine", "p-c-emergency"],
        "a": ["h1-from-a"], "n": ["h1-from-n", "p-n-mid", "red-or-total"],
        "pick": ["p-c-emergency", "p-y-seen"], "d": ["p-d-h2"],
        "many": ["red-or-total"]}  # total is computed from n
    assert not state.emergency


def test_a_fact_already_established_is_no_reason_to_ask(kb):
    state = plan(kb, {"many": [], "a": True})  # a_seen is there: p-y-seen adds y_seen only
    assert {i for i in impacts(state) if i[0] == "p-y-seen"} == {
        ("p-y-seen", "referral", "routine", "self_care", "routine", 10.0, "p-y-routine",
         False)}
    state = plan(kb, {"many": [], "age": 30, "pick": "y"})
    assert not [i for i in impacts(state) if i[0] in ("h1-from-a", "p-y-seen")
                and i[1] == "referral"]


def test_a_rule_that_cannot_raise_the_referral_has_no_referral_impact(kb):
    state = plan(kb, {"many": [], "a": True, "b": False})  # routine already
    assert not [i for i in impacts(state) if i[0] == "p-y-routine"]


def test_an_unknown_answer_still_needs_asking_and_a_known_one_does_not(kb):
    assert "n" in plan(kb, {"many": [], "n": None}).needs
    assert "n" not in plan(kb, {"many": [], "n": 10}).needs


def test_a_referral_counts_only_upwards_and_by_rungs(kb):
    state = plan(kb, {"many": [], "a": True, "b": False})
    assert state.result.level.id == "routine"
    assert ("red-or-total", "referral", "emergency", "routine", "emergency", 30.0, "",
            False) in impacts(state)
    assert not [i for i in impacts(state) if i[0] == "fact-chain"]  # decided


def test_a_conclusion_that_would_lead_or_leave_its_band(kb):
    state = plan(kb, {"many": [], "a": True})  # h1 0.4 leads
    assert {i for i in impacts(state) if i[1] == "hypothesis"} == {
        ("aa-h2-chain", "hypothesis", "h2", "low", "likely", 2.0, "", True),
        ("h1-against-b", "hypothesis", "h1", "possible", "low", 2.0, "", False),
        ("h1-from-n", "hypothesis", "h1", "possible", "likely", 2.0, "", False),
        ("p-d-h2", "hypothesis", "h2", "low", "possible", 1.0, "", False),  # 0.4 ties h1
    }
    state = plan(kb, {"many": [], "a": False, "b": True, "n": 10})  # h1 listed, at 0
    assert state.result.hypotheses[0].band == "low"
    assert ("p-d-h2", "hypothesis", "h2", "low", "possible", 1.0, "", False) in \
        impacts(state)  # nothing above low leads: there is nothing to overtake
    state = plan(kb, {"many": [], "n": 60, "b": False})  # h2 0.6 leads h1 0.5
    assert ("h1-from-a", "hypothesis", "h1", "likely", "likely", 2.0, "", True) in \
        impacts(state)  # same band, but it would overtake


def test_a_note_that_is_not_there_is_absent_not_low(kb):
    state = plan(kb, {"many": [], "pick": "y"})  # a_seen: no-a-fact cannot fire
    assert ("p-old-caffeine", "note", "caffeine", "absent", "low", 1.0, "", False) in \
        impacts(state)


def test_warning_signs_come_first_then_what_could_make_an_emergency_then_core(kb):
    assert next_question(kb, {})[0].id == "many"
    assert next_question(kb, {"many": []})[0].id == "n"  # a total over 150 is an emergency
    assert next_question(kb, {"many": [], "n": 10, "pick": "x"})[0].id == "c"  # and c
    assert next_question(kb, {"many": [], "n": 10, "pick": "y"})[0].id == "age"  # core
    assert next_question(kb, {"many": [], "n": 10, "pick": "y", "age": 30})[0].id == "a"
    question, state = next_question(kb, {"many": ["red"]})
    assert question is None and state.emergency
    done = {"many": [], "age": 70, "c": False, "a": False, "b": True, "n": 10, "pick": "x",
            "d": False}
    assert next_question(kb, done)[0] is None
    state = plan(kb, {"many": []})
    assert next_question(kb, {"many": []}, state)[1] is state  # the plan given is used


def test_priority(kb):
    assert [priority(kb.questions[q]) for q in ("many", "age", "a")] == [0, 1, 2]


def test_reasons_strongest_first(kb):
    state = plan(kb, {"many": []})
    assert [(i.rule, i.kind) for i in reasons(kb, state, "n")] == [
        ("red-or-total", "referral"), ("p-n-mid", "note"), ("h1-from-n", "hypothesis")]
    assert reasons(kb, state, "age") == []
    assert [i.rule for i in reasons(kb, plan(kb, {}), "a")] == ["h1-from-a", "h1-from-a"]
    assert [i.kind for i in reasons(kb, plan(kb, {}), "a")] == ["referral", "hypothesis"]


def test_a_claim_is_made_only_once_the_engine_confirms_it(kb):
    state = plan(kb, {"many": []})
    assert verify(kb, state, "n") == [
        Claim("n", 76, "referral", "emergency", "self_care", "emergency", False,
              "red-or-total", 40.0),
        Claim("n", 50, "hypothesis", "h2", "low", "likely", True, "aa-h2-chain", 2.2)]
    assert verify(kb, state, "b") == []  # fact-chain also needs a: b alone changes nothing
    assert verify(kb, state, "n", budget=Budget(0)) == []
    small = Budget(1)
    assert [c.answer for c in verify(kb, state, "n", budget=small)] == [50]
    assert small.left < 0  # one re-run was allowed, and counted
    from expert.consult.consultation import consult

    spent = Budget(10**6)
    verify(kb, state, "n", budget=spent)  # 50 is proposed twice (at least 50, 50 to 60)
    runs = [len(consult(kb, {"many": (), "n": n}).firings) for n in (50, 76)]
    assert 10**6 - spent.left == sum(runs)  # each answer tried once


def test_a_note_can_be_the_claim(kb):
    state = plan(kb, {"many": [], "pick": "y"})
    assert Claim("n", 50, "note", "caffeine", "low", "possible", True, "p-n-mid", 2.1) in \
        verify(kb, state, "n")


def test_the_rule_named_is_the_one_the_answer_fires(kb):
    state = plan(kb, {"many": [], "n": 60, "b": False})
    claims = verify(kb, state, "a")
    assert [(c.kind, c.target, c.rule) for c in claims] == [
        ("referral", "routine", "fact-chain"), ("hypothesis", "h1", "h1-from-a")]
    assert claims[1].weight == LEADING_WEIGHT + BAND_WEIGHT["likely"]


def test_a_first_conclusion_above_low_is_a_new_leading_one(kb):
    state = plan(kb, {"many": [], "n": 60, "b": True, "a": False})
    assert state.result.hypotheses[0].band == "possible"  # h1 0.5 - 0.3 = 0.286
    quiet = plan(kb, {"many": [], "b": False, "n": 10})
    assert verify(kb, quiet, "a") == [
        Claim("a", True, "referral", "routine", "self_care", "routine", False, "fact-chain",
              10.0),
        Claim("a", True, "hypothesis", "h1", "low", "possible", True, "h1-from-a", 2.1)]


def test_value_of_information(kb):
    voi = value_of_information(kb, plan(kb, {"many": []}))
    assert [(v["question"], v["answer"]) for v in voi] == [
        ("n", 76), ("c", True), ("a", True), ("d", True)]  # n and c tie: file order
    busy = value_of_information(kb, plan(kb, {"many": [], "a": True}))
    assert "d" not in [v["question"] for v in busy]  # a conclusion leads: d only nudges
    assert voi[0]["why"] == ('answering "76" would raise the referral to "Emergency" '
                             "(rule red-or-total: Red, or a big total)")
    assert voi[0]["says"] == 'answering "76" would raise the referral to "Emergency" (Red, or ' \
        'a big total)'
    assert (voi[0]["question_text"], voi[0]["answer_text"]) == ("N?", "76")
    assert voi[0]["could_change"] == [
        {"kind": "referral", "target": "emergency", "from": "self_care", "to": "emergency",
         "leading": False, "rule": "red-or-total", "answer": 76},
        {"kind": "hypothesis", "target": "h2", "from": "low", "to": "likely",
         "leading": True, "rule": "aa-h2-chain", "answer": 50}]
    result = plan(kb, {"many": []}).result
    assert questions_that_matter(result) == voi


def test_plain_words_for_claims_and_impacts(kb):
    referral = Claim("n", 76, "referral", "emergency", "self_care", "emergency", False,
                     "red-or-total", 40.0)
    leads = Claim("a", True, "hypothesis", "h1", "low", "possible", True, "h1-from-a", 2.1)
    moves = Claim("many", ("green", "blue"), "note", "caffeine", "low", "likely", False, "gone",
                  1.0)
    assert claim_text(kb, leads) == ('answering "yes" would make H one the leading possible '
                                     "deficiency (possible) (A raises h1)")
    assert claim_text(kb, leads, show_rules=True) == (
        'answering "yes" would make H one the leading possible deficiency (possible) (rule '
        "h1-from-a: A raises h1)")
    assert claim_text(kb, moves) == 'answering "Green; Blue" would make Caffeine likely'
    assert claim_text(kb, referral).endswith('"Emergency" (Red, or a big total)')
    unknown = Claim("nowhere", 3, "note", "caffeine", "low", "likely", True, "gone", 1.0)
    assert claim_text(kb, unknown) == ('answering "3" would make Caffeine the leading lifestyle '
                                       "trigger (likely)")
    assert describe(kb, Impact("fact-chain", "referral", "routine", "self_care", "routine",
                               10.0)) == 'could raise the referral to "Routine" (A seen and not B)'
    assert describe(kb, Impact("fact-chain", "referral", "routine", "self_care", "routine",
                               10.0), show_rules=True) == (
        'could raise the referral to "Routine" (rule fact-chain: A seen and not B)')
    via = Impact("h1-from-a", "hypothesis", "h1", "low", "possible", 1.0, via="fact-chain")
    assert describe(kb, via) == "could move H one from low to possible (A raises h1)"
    assert describe(kb, via, show_rules=True) == (
        "could move H one from low to possible (rule h1-from-a: A raises h1, through "
        "fact-chain)")
    assert describe(kb, Impact("h1-from-a", "note", "caffeine", "low", "possible", 2.0,
                               leads=True)) == (
        "could make Caffeine the leading lifestyle trigger (low to possible) (A raises h1)")
    assert describe(kb, Impact("h1-from-a", "hypothesis", "h1", "likely", "likely", 2.0,
                               leads=True)) == (
        "could make H one the leading possible deficiency (A raises h1)")


def test_what_is_still_to_ask_and_in_what_order(kb):
    state = plan(kb, {"many": []})
    assert [q.id for q in still_to_ask(kb, {"many": []}, state)] == [
        "n", "pick", "c", "age", "a", "b", "d"]
    emergency = {"many": ["red"]}
    assert still_to_ask(kb, emergency, plan(kb, emergency)) == []


def test_once_the_referral_is_fixed_the_doctor_questions_come_first():
    from expert.kb.loader import load_knowledge

    shipped = load_knowledge()
    weak = {"symptoms": ["weakness"], "age": 60, "sex": "male"}
    state = plan(shipped, weak)
    assert state.result.level.id == "within_days"
    order = [q.id for q in still_to_ask(shipped, weak, state)]
    assert order[:4] == ["sudden_onset",  # could still make it an emergency
                         "twitch_locations", "twitch_duration_days", "twitch_spreading"]
    assert [q.id for q in shipped.askable if q.doctor] == order[1:4]
    known = {**weak, "symptoms": ["weakness", "slurred_speech"], "sudden_onset": False}
    state = plan(shipped, known)  # nothing here can change the report: asked all the same
    assert not {"twitch_locations", "twitch_duration_days", "twitch_spreading"} & set(
        state.needs)
    assert [q.id for q in still_to_ask(shipped, known, state)][:3] == [
        "twitch_locations", "twitch_duration_days", "twitch_spreading"]
    calm = {"symptoms": [], "age": 30, "sex": "female"}  # nothing fixed: the usual order
    assert [q.id for q in still_to_ask(shipped, calm, plan(shipped, calm))][:4] == [
        "twitch_locations", "twitch_duration_days", "twitch_spreading", "previously_assessed"]
