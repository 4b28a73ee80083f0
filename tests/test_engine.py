"""Engine semantics on a small knowledge base (tests/kbs/mini)."""

import pytest

from conftest import consult_raw, made_without_cycles


def test_evidence_from_several_rules_combines(mini):
    result = consult_raw(mini, {"a": True, "n": 60})
    assert result.certainty_of("h1") == pytest.approx(0.4 + 0.5 - 0.2, abs=1e-3)
    assert result.hypothesis("h1").rules == ("h1-from-a", "h1-from-n")


def test_negative_evidence_lowers_a_hypothesis(mini):
    result = consult_raw(mini, {"a": True, "n": 60, "b": True})
    assert result.certainty_of("h1") == pytest.approx((0.7 - 0.3) / (1 - 0.3), abs=1e-3)
    assert "h1-against-b" in result.hypothesis("h1").rules


def test_a_rule_reading_a_certainty_waits_for_all_evidence(mini):
    # aa-h2-chain sorts before the h1 rules; only its stratum makes it wait for them
    assert "aa-h2-chain" in consult_raw(mini, {"a": True, "n": 60}).fired
    assert consult_raw(mini, {"a": True, "n": 60}).certainty_of("h2") == pytest.approx(0.6)
    lowered = consult_raw(mini, {"a": True, "n": 60, "b": True})  # h1 = 0.57: still likely
    assert lowered.certainty_of("h2") == pytest.approx(0.6)
    too_low = consult_raw(mini, {"a": True, "b": True})  # h1 = 0.14
    assert "aa-h2-chain" not in too_low.fired
    assert too_low.hypothesis("h2") is None


def test_chaining_through_a_derived_fact(mini):
    result = consult_raw(mini, {"a": True, "b": False})
    assert result.level.id == "routine"
    assert result.reasons == ("fact-chain",)
    chain = next(f for f in result.firings if f.rule == "fact-chain")
    assert [ref.kind for ref in chain.facts] == ["answer", "fact"]  # in fact-id order
    assert result.derived_by["a_seen"] == (next(f.step for f in result.firings
                                                 if f.rule == "h1-from-a"),)


def test_an_unknown_answer_is_not_a_no(mini):
    # fact-chain needs "not b": with b unknown it must not fire
    assert "fact-chain" not in consult_raw(mini, {"a": True}).fired
    assert "fact-chain" in consult_raw(mini, {"a": True, "b": False}).fired


def test_negated_derived_facts_are_closed_world(mini):
    assert "no-a-fact" in consult_raw(mini, {}).fired
    assert "no-a-fact" in consult_raw(mini, {"a": False}).fired
    assert "no-a-fact" not in consult_raw(mini, {"a": True}).fired


def test_the_highest_referral_wins_and_emergency_drops_lower_advice(mini):
    result = consult_raw(mini, {"a": True, "b": False, "many": ["red"]})
    assert result.level.id == "emergency"
    texts = [a.text for _, a in result.advice]
    assert texts == ["Go now."]


def test_advice_of_an_overridden_referral_is_dropped(mini):
    result = consult_raw(mini, {"a": True, "b": False})
    assert [a.text for _, a in result.advice] == ["Book a check."]
    assert [a.text for _, a in consult_raw(mini, {}).advice] == ["Rest is fine."]


def test_a_rule_with_several_alternatives_fires_once(mini):
    result = consult_raw(mini, {"many": ["red"], "n": 100})
    assert result.fired.count("red-or-total") == 1


def test_computed_values_feed_rules(mini):
    assert consult_raw(mini, {"n": 80}).answers["total"] == 160
    assert "red-or-total" in consult_raw(mini, {"n": 80}).fired
    assert "red-or-total" not in consult_raw(mini, {"n": 70}).fired
    assert consult_raw(mini, {}).answers["total"] is None


def test_every_firing_is_recorded_with_its_facts(mini):
    result = consult_raw(mini, {"a": True, "n": 60})
    assert [f.step for f in result.firings] == list(range(1, len(result.firings) + 1))
    first = result.firings[0]
    assert first.rule == "base"
    by_rule = {f.rule: f for f in result.firings}
    (matched,) = by_rule["h1-from-n"].facts
    assert (matched.kind, matched.name, matched.value) == ("answer", "n", 60)
    assert matched.text.endswith(" n = 60")
    assert by_rule["aa-h2-chain"].facts[0].kind == "hypothesis"
    assert "hypothesis h1 +0.50" in by_rule["h1-from-n"].asserted[0]


def test_the_same_answers_give_the_same_firings(mini):
    answers = {"a": True, "n": 60, "b": False, "many": ["green", "red"]}
    first = consult_raw(mini, answers)
    second = consult_raw(mini, answers)
    assert first.firings == second.firings
    assert first.hypotheses == second.hypotheses


def test_the_engine_is_built_once_per_process(mini):
    from expert.engine.engine import engine_for

    assert engine_for(mini) is engine_for(mini)


def test_a_consultation_and_its_report_leave_no_reference_cycle(kb):
    """Refcounting frees each record's consultation as soon as its report is written, so a
    batch can run with the collector seldom on (consult.batch.collect_rarely) and stay
    flat in memory."""
    import random

    from synthetic import random_answers

    from expert.consult.batch import Record, answer

    rng = random.Random(67)
    records = [Record(line, f"r{line}", random_answers(rng, fill=rng.random()))
               for line in range(1, 31)]
    answer(kb, records[0], follow_up=True)  # whatever is made once per process
    outputs = made_without_cycles(
        lambda: [answer(kb, record, follow_up=True) for record in records])
    assert all(b'"trace":[{"step":1' in output.data for output in outputs)


def test_an_error_line_leaves_no_reference_cycle(kb):
    """A record with answers not allowed is refused by exceptions caught on the way; none
    of them may hold the frames that caught it, or each bad record keeps its worker's
    chunk of reports alive until the collector runs (in a long batch, seldom)."""
    from expert.consult.batch import Record, answer

    records = [Record(1, "r1", {"twitch_duration_days": -4}),
               Record(2, "r2", {"twitch_duration_days": "long", "age": "old",
                                "medications": ["nectar"]}),
               Record(3, "r3", {"twitch_duraton_days": 3}),
               Record(4, problems=(("", "not JSON"),))]
    answer(kb, records[0])
    outputs = made_without_cycles(lambda: [answer(kb, record) for record in records])
    assert [output.ok for output in outputs] == [False] * 4
    assert b"age" in outputs[1].data and b"twitch_duration_days" in outputs[1].data


def test_working_memory_holds_one_of_each_fact_until_it_is_retracted(mini):
    from expert.engine.engine import engine_for
    from expert.engine.facts import Answer, Derived

    engine = engine_for(mini)
    engine.reset()
    first = engine.declare(Derived(name="x"))
    assert first is not None and engine.declare(Derived(name="x")) is None  # a duplicate
    assert engine.declare(Answer(question="many", value=["blue"]))["value"] == ("blue",)
    engine.retract(first)
    with pytest.raises(IndexError):
        engine.facts.retract(first)  # already gone
    again = engine.declare(Derived(name="x"))
    assert again is not None and again["__factid__"] > first["__factid__"]


def test_facts_made_for_the_engine_are_the_facts_their_classes_make():
    """facts.made skips the classes' keyword arguments (the engine makes a hundred facts
    a consultation); what it makes must be what they make, identity included."""
    from expert.engine.facts import Answer, Certainty, Derived, Fired, made

    for kind, fields in ((Answer, (("question", "many"), ("value", ("blue", "red")))),
                         (Answer, (("question", "n"), ("value", 60))),
                         (Derived, (("name", "x"),)), (Fired, (("rule", "r1"),)),
                         (Certainty, (("hypothesis", "h1"), ("cf", 0.25)))):
        fact, expected = made(kind, fields), kind(**dict(fields))
        assert type(fact) is kind and fact == expected and fact.identity == expected.identity
        assert fact.__factid__ is None  # not declared yet, as experta reads it
