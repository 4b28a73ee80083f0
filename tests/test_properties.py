"""Invariants over many random consultations (seeded, so every run tries the same ones)."""

import json
import random

import pytest

from expert.consult.consultation import consult
from expert.consult.contract import build_report, to_json
from expert.consult.planner import questions_that_matter
from expert.kb.safety import warning_signs

pytestmark = pytest.mark.slow  # hundreds of random consultations per property


def random_answers(kb, rng: random.Random, keep: float = 0.6) -> dict:
    answers = {}
    for question in kb.askable:
        if rng.random() > keep:
            continue  # left unknown
        if question.type == "boolean":
            answers[question.id] = rng.random() < 0.5
        elif question.type == "choice":
            answers[question.id] = rng.choice(question.choice_ids)
        elif question.type == "multi":
            calm = [c.id for c in question.choices if not c.red_flag]
            picked = set(rng.sample(calm, rng.randint(0, min(3, len(calm)))))
            answers[question.id] = tuple(c for c in question.choice_ids if c in picked)
        elif question.type == "integer":
            answers[question.id] = rng.randint(int(question.min), int(question.max))
        else:  # small values are the common ones: 2 coffees, not 37
            top = rng.choice([question.max, question.max / 10, question.max / 50])
            answers[question.id] = round(rng.uniform(question.min, top), 1)
    return answers


@pytest.fixture(scope="module")
def samples(kb):
    rng = random.Random(20261125)
    return [random_answers(kb, rng) for _ in range(120)]


def test_every_report_keeps_the_contract(kb, samples):
    levels = {lv.id for lv in kb.levels}
    for answers in samples:
        result = consult(kb, answers)
        report = build_report(result)
        assert report["referral"]["level"] in levels
        assert all(0 <= h["certainty"] <= 1 for h in report["hypotheses"] + report["notes"])
        certainties = [h["certainty"] for h in report["hypotheses"]]
        assert certainties == sorted(certainties, reverse=True)
        assert json.loads(to_json(report)) == report


def test_every_warning_sign_wins_whatever_else_is_answered(kb, samples):
    for question, answer, floor, _ in warning_signs(kb):
        for answers in samples[:40]:
            result = consult(kb, with_flag(question, answer, answers))
            assert result.level.rank >= kb.level_rank[floor], (question.id, answer, answers)


def test_no_emergency_report_gives_diet_or_self_care_advice(kb, samples):
    for answers in samples:
        answers = {**answers, "symptoms": ("seizure",)}
        result = consult(kb, answers)
        assert result.level.id == "emergency"
        assert {a.kind for _, a in result.advice} <= {"safety", "urgent"}


def test_never_advises_potassium_supplements_or_stopping_medicines(kb, samples):
    for answers in samples:
        for _, advice in consult(kb, answers).advice:
            text = advice.text.lower()
            assert "take potassium" not in text and "start potassium" not in text.replace(
                "do not start potassium", "")
            assert "stop taking" not in text and "stop your" not in text


def test_an_answer_never_lowers_a_decided_rule(kb, samples):
    """Kleene monotonicity: what the status calls decided stays decided as answers come."""
    from expert.language.status import RuleStatus

    rng = random.Random(7)
    for answers in samples[:30]:
        keys = list(answers)
        part = {k: answers[k] for k in keys if rng.random() < 0.5}
        before, after = RuleStatus(kb, part), RuleStatus(kb, answers)
        for rule_id, verdict in before.rules.items():
            if verdict.truth is not None:
                assert after.truth(rule_id) == verdict.truth, rule_id


def with_flag(question, answer, answers):
    answers = dict(answers)
    if question.type == "multi":
        chosen = set(answers.get(question.id) or ()) | {answer}
        answers[question.id] = tuple(c for c in question.choice_ids if c in chosen)
    else:
        answers[question.id] = answer
    return answers


def test_a_warning_sign_changes_the_voice(kb, samples):
    """No reassurance and no diet or supplement talk once a warning sign is present, and
    the lifestyle notes say they do not explain it."""
    flags = warning_signs(kb)
    for index, answers in enumerate(samples):
        question, answer, _, _ = flags[index % len(flags)]
        result = consult(kb, with_flag(question, answer, answers))
        assert result.warning, (question.id, answer)
        kinds = {a.kind for _, a in result.advice}
        assert kinds.isdisjoint({"reassurance", "diet", "supplement"}), (question.id, kinds)
        assert not any("7 in 10 healthy people" in a.text for _, a in result.advice)
        report = build_report(result)
        assert all("do not explain the warning signs" in n["caveat"] for n in report["notes"])


def test_without_a_warning_sign_the_report_may_reassure(kb, samples):
    calm = [a for a in samples if not consult(kb, a).warning]
    assert calm, "the samples include consultations without a warning sign"
    for answers in calm:
        report = build_report(consult(kb, answers))
        assert all("caveat" not in n for n in report["notes"])


def test_kidney_disease_never_gets_potassium_food_or_magnesium_supplement_advice(kb, samples):
    for answers in samples:
        conditions = tuple(sorted({*answers.get("conditions", ()), "kidney_disease"}))
        answers = {**answers, "conditions": conditions,
                   "medications": ("loop_diuretic", "ppi_long_term"),
                   "symptoms": ("cramps", "constipation", "fatigue", "tremor")}
        result = consult(kb, answers)
        assert result.certainty_of("potassium") >= 0.2 and result.certainty_of("magnesium") >= 0.2
        texts = " ".join(a.text for _, a in result.advice).lower()
        assert "bananas" not in texts and "350 mg" not in texts, texts
        assert "kidney" in texts


def test_every_value_of_information_claim_holds_when_replayed(kb, samples):
    from expert.consult.answers import check_answers

    for answers in samples[:25]:
        answers = {k: v for k, v in answers.items() if k not in ("age", "sex")}
        result = consult(kb, answers)
        report = build_report(result, questions_that_matter(result))
        for item in report["value_of_information"]:
            replayed = dict(answers)
            replayed.update(check_answers(kb, {item["question"]: item["answer"]}))
            after = consult(kb, replayed)
            claim = item["could_change"][0]
            if claim["kind"] == "referral":
                assert after.level.id == claim["to"], item
            else:
                ranked = after.hypotheses if claim["kind"] == "hypothesis" else after.notes
                target = next(r for r in ranked if r.id == claim["target"])
                assert target.band == claim["to"], item
                if claim["leading"]:
                    assert ranked[0].id == claim["target"], item
