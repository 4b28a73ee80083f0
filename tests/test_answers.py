"""Answers files: the vocabulary contract, and a clear error for every bad value."""

from pathlib import Path

import pytest
import yaml

from expert.consult.answers import check_answers, read_answers_file
from expert.errors import AnswerError, InputError
from expert.language.computed import with_computed

VOCABULARY = yaml.safe_load((Path(__file__).parent / "data" / "vocabulary.yaml").read_text())


@pytest.mark.parametrize("qid", sorted(VOCABULARY))
def test_every_vocabulary_question_is_defined_unchanged(kb, qid):
    spec = VOCABULARY[qid]
    question = kb.questions[qid]
    assert question.type == spec["type"]
    assert not question.computed
    if "choices" in spec:  # at least these ids; the order of asking may differ
        assert set(spec["choices"]) <= set(question.choice_ids)
    for bound in ("min", "max"):
        if bound in spec:
            assert getattr(question, bound) == spec[bound]


def sample_values(spec):
    if spec["type"] == "boolean":
        return [True, False]
    if spec["type"] in ("integer", "number"):
        return [spec["min"], spec["max"]]
    if spec["type"] == "choice":
        return spec["choices"]
    return [[], spec["choices"], [spec["choices"][0]]]


@pytest.mark.parametrize("qid", sorted(VOCABULARY))
def test_every_allowed_value_is_accepted(kb, qid):
    for value in sample_values(VOCABULARY[qid]):
        assert qid in check_answers(kb, {qid: value})


def test_a_full_answers_file_of_the_vocabulary_runs(kb):
    from conftest import consult_raw

    answers = {qid: spec["choices"] if spec["type"] == "multi" else sample_values(spec)[-1]
               for qid, spec in VOCABULARY.items()}
    result = consult_raw(kb, answers)
    assert result.level.id == "emergency"  # every symptom ticked includes the red flags
    assert not set(VOCABULARY) & set(result.unknown)


@pytest.mark.parametrize("answers,message", [
    ({"sympotms": []}, "unknown question 'sympotms' (did you mean 'symptoms'?)"),
    ({"age": 130}, "age: 130 is out of range; expected a whole number from 1 to 120"),
    ({"age": 30.5}, "age: 30.5 is not allowed; expected a whole number from 1 to 120"),
    ({"age": True}, "age: true is not allowed"),
    ({"smoker": 3}, "smoker: 3 is not allowed; expected yes or no"),
    ({"stress_level": "extreme"}, "stress_level: 'extreme' is not allowed; expected one of low, "
                                  "moderate, high"),
    ({"symptoms": ["cramps", "sezure"]},
     "symptoms: 'sezure' (did you mean 'seizure'?) is not allowed; expected a list"),
    ({"symptoms": {"cramps": True}}, "symptoms: {\"cramps\": true} is not allowed"),
    ({"caffeine_mg_per_day": 300}, "caffeine_mg_per_day: is computed from coffee_cups_per_day"),
    ({"sleep_hours": float("nan")}, "sleep_hours: NaN is not allowed"),
])
def test_bad_values_name_the_question_and_what_is_allowed(kb, answers, message):
    with pytest.raises(AnswerError) as caught:
        check_answers(kb, answers)
    assert message in str(caught.value)


def test_all_bad_answers_are_reported_together(kb):
    with pytest.raises(AnswerError) as caught:
        check_answers(kb, {"age": 0, "smoker": "maybe", "foo": 1})
    assert len(caught.value.problems) == 3


def test_unknown_is_accepted_and_kept_distinct_from_no(kb):
    answers = check_answers(kb, {"smoker": None, "age": "unknown", "twitch_spreading": False})
    assert answers == {"smoker": None, "age": None, "twitch_spreading": False}


def test_values_are_normalised(kb):
    answers = check_answers(kb, {"smoker": "yes", "symptoms": ["fatigue", "cramps", "cramps"],
                                 "twitch_locations": "eyelid", "sleep_hours": "7"})
    assert answers == {"smoker": True, "symptoms": ("cramps", "fatigue"),
                       "twitch_locations": ("eyelid",), "sleep_hours": 7.0}


def test_caffeine_is_estimated_from_the_drinks_answered(kb):
    full = with_computed(kb, {"coffee_cups_per_day": 5, "energy_drinks_per_day": 1})
    assert full["caffeine_mg_per_day"] == 5 * 95 + 80
    assert with_computed(kb, {})["caffeine_mg_per_day"] is None


def kb_for_words():
    from expert.kb.loader import load_knowledge

    return load_knowledge()


def test_answers_files_yaml_and_json(tmp_path):
    (tmp_path / "a.yaml").write_text("age: 030\nsmoker: no\nstart: 1:30\n")
    # YAML 1.2: 030 is thirty, yes/no are words (the answer check reads them), 1:30 is text
    assert read_answers_file(tmp_path / "a.yaml") == {"age": 30, "smoker": "no",
                                                      "start": "1:30"}
    assert check_answers(kb_for_words(), {"smoker": "no"}) == {"smoker": False}
    (tmp_path / "a.json").write_text('{"age": 30}')
    assert read_answers_file(tmp_path / "a.json") == {"age": 30}
    (tmp_path / "empty.yaml").write_text("")
    assert read_answers_file(tmp_path / "empty.yaml") == {}


@pytest.mark.parametrize("name,text,message", [
    ("bad.json", '{"age": 30,}', "bad.json:1: not valid JSON"),
    ("bad.yaml", "age: [30\n",
     r"bad.yaml:1: not valid YAML: parsing a flow sequence that is not closed"),
    ("list.yaml", "- age\n",
     r"must map question ids to answers \(question: answer\), not be a list"),
])
def test_malformed_answers_files(tmp_path, name, text, message):
    (tmp_path / name).write_text(text)
    with pytest.raises(InputError, match=message):
        read_answers_file(tmp_path / name)


def test_a_missing_answers_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_answers_file(tmp_path / "missing.yaml")
