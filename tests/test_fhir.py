"""FHIR R4: the Questionnaire, the consultation Bundle and a QuestionnaireResponse read
back as answers, every resource validated by fhir.resources (its R4B models)."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle  # the [test] extra: R4 through R4B models
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, made_without_cycles
from expert.consult.answers import check_answers, load_answers
from expert.consult.consultation import consult
from expert.fhir.codes import NONE_OF_THESE
from expert.fhir.questionnaire import questionnaire
from expert.fhir.response import answers_from_fhir, questionnaire_response

ANSWER_FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".json"))
FIXED = {"SOURCE_DATE_EPOCH": "1764756000"}  # 2025-12-03 10:00 UTC


def fhir_bundle(runner, cli, answers, *extra, env=FIXED):
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--format", "fhir",
                               "--no-history", *extra], env=env)
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


def resource(bundle, kind):
    found = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]
    assert len(found) == 1, kind
    return found[0]


# --- the Questionnaire ---------------------------------------------------------------

def test_the_questionnaire_is_valid_r4_with_an_item_per_question(runner, cli, kb):
    done = runner.invoke(cli, ["questions", "--format", "fhir"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    Questionnaire.model_validate(data)
    assert data == questionnaire(kb)
    assert [i["linkId"] for i in data["item"]] == [q.id for q in kb.askable]
    assert "caffeine_mg_per_day" not in {i["linkId"] for i in data["item"]}  # computed
    items = {i["linkId"]: i for i in data["item"]}
    for q in kb.askable:
        item = items[q.id]
        assert item["text"] == q.text
        codes = [o["valueCoding"]["code"] for o in item.get("answerOption", ())]
        if q.type == "multi":
            assert item["repeats"] is True
            assert codes == [*q.choice_ids, NONE_OF_THESE]
            assert item["answerOption"][-1]["extension"][0]["valueBoolean"] is True
        else:
            assert codes == list(q.choice_ids)
    assert items["age"]["type"] == "integer" and items["sleep_hours"]["type"] == "decimal"
    assert {e["url"].rsplit("/", 1)[1]: e.get("valueInteger") for e in
            items["age"]["extension"]}.items() >= {"minValue": 1, "maxValue": 120}.items()


def test_enable_when_says_what_only_matters_after_another_answer(kb):
    items = {i["linkId"]: i for i in questionnaire(kb)["item"]}
    reliever = items["reliever_uses_per_day"]["enableWhen"]
    assert reliever == [{"question": "medications", "operator": "=", "answerCoding": {
        "system": "urn:twitchdx:choice:medications", "code": "beta_agonist_inhaler",
        "display": kb.questions["medications"].choices[
            kb.questions["medications"].choice_ids.index("beta_agonist_inhaler")].text}}]
    assert items["water_only_during_exercise"]["enableWhen"][0] == {
        "question": "strenuous_exercise_recent", "operator": "=", "answerBoolean": True}
    for q in kb.askable:  # warning signs and the core questions are always asked
        if q.red_flag or q.warning or q.core or q.doctor:
            assert "enableWhen" not in items[q.id], q.id
    order = [i["linkId"] for i in questionnaire(kb)["item"]]
    for link, item in items.items():  # only earlier questions gate later ones: no cycles
        for when in item.get("enableWhen", ()):
            assert order.index(when["question"]) < order.index(link)


@pytest.mark.parametrize("link", ["reliever_uses_per_day", "water_only_during_exercise"])
def test_the_dialogue_never_asks_a_question_its_enable_when_turns_off(kb, link):
    from expert.consult.planner import plan, still_to_ask

    gate = questionnaire(kb)["item"][[q.id for q in kb.askable].index(link)]["enableWhen"][0]
    off = {"medications": []} if gate["question"] == "medications" else \
        {"strenuous_exercise_recent": False}
    on = {"medications": ["beta_agonist_inhaler"]} if gate["question"] == "medications" else \
        {"strenuous_exercise_recent": True}
    base = {"symptoms": [], "twitch_at_rest": True, "age": 30, "sex": "female"}
    asked = lambda extra: {q.id for q in still_to_ask(kb, {**base, **extra},  # noqa: E731
                                                     plan(kb, {**base, **extra}))}
    assert link not in asked(off)
    assert link in asked(on)


def test_gates_need_every_alternative_gated(kb, monkeypatch):
    """A question one rule reads without a gate is always enabled."""
    from expert.fhir import questionnaire as module
    from expert.language.conditions import Ask

    water = kb.questions["water_only_during_exercise"]
    needed, behaviour = module.gates(kb, water)
    assert needed == [("strenuous_exercise_recent", "=", True)] and behaviour == "all"
    ungated = next(r for r in kb.rules if "water_only_during_exercise" in r.questions)
    bare = (Ask("water_only_during_exercise", "is", True),)
    loose = ungated._replace(alternatives=(*ungated.alternatives, bare))
    monkeypatch.setattr(kb, "rules", tuple(loose if r is ungated else r for r in kb.rules))
    assert module.gates(kb, water) == ([], "all")


def test_gates_differing_per_alternative_enable_on_any(kb, monkeypatch):
    from expert.fhir import questionnaire as module
    from expert.language.conditions import Ask

    water = kb.questions["water_only_during_exercise"]
    rule = next(r for r in kb.rules if "water_only_during_exercise" in r.questions)
    other = rule._replace(alternatives=((Ask("water_only_during_exercise", "is", True),
                                         Ask("age", "at_least", 60)),))
    monkeypatch.setattr(kb, "rules", (*kb.rules, other))
    needed, behaviour = module.gates(kb, water)
    assert behaviour == "any"
    assert set(needed) == {("strenuous_exercise_recent", "=", True), ("age", ">=", 60)}


# --- the Bundle ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ANSWER_FILES, ids=lambda p: p.name)
def test_the_bundle_is_valid_r4_and_says_what_the_report_says(runner, cli, path):
    data = fhir_bundle(runner, cli, path)
    Bundle.model_validate(data)
    assert data["type"] == "collection" and data["timestamp"] == "2025-12-03T10:00:00+00:00"
    report = json.loads(runner.invoke(cli, ["consult", "--answers", str(path), "--format",
                                            "json", "--no-history"]).stdout)
    risk = resource(data, "RiskAssessment")
    predictions = risk.get("prediction", [])
    assert [(p["outcome"]["coding"][0]["code"], p["probabilityDecimal"]) for p in predictions] \
        == [(h["id"], h["certainty"]) for h in report["hypotheses"]]
    assert [p["qualitativeRisk"]["text"] for p in predictions] == \
        [h["band"] for h in report["hypotheses"]]
    rules = {b["identifier"]["value"] for b in risk["basis"] if "identifier" in b}
    assert rules == {r for h in report["hypotheses"] for r in h["rules"]}
    guidance = resource(data, "GuidanceResponse")
    parameters = resource(data, "Parameters")
    assert guidance["outputParameters"]["reference"].endswith(parameters["id"])
    referral = next(p for p in parameters["parameter"] if p["name"] == "referral")
    assert referral["valueCoding"]["code"] == report["referral"]["level"]
    assert [r["coding"][0]["code"] for r in guidance.get("reasonCode", ())] == \
        [r["rule"] for r in report["referral"]["reasons"]]
    assert guidance["note"][-1]["text"] == report["disclaimer"]
    tests = [p["valueCoding"]["code"] for p in parameters["parameter"] if p["name"] == "test"]
    assert tests == report["tests"]
    full_urls = {e["fullUrl"] for e in data["entry"]}
    for ref in (risk["subject"], guidance["subject"], risk["basis"][0]):
        assert ref["reference"] in full_urls  # every reference resolves inside the bundle


def test_the_bundle_is_the_same_for_the_same_answers_and_time(runner, cli):
    path = EXAMPLES / "ppi-diuretic.yaml"
    first = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "fhir",
                                "--no-history"], env=FIXED).stdout
    again = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "fhir",
                                "--no-history"], env=FIXED).stdout
    assert first == again
    later = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "fhir",
                                "--no-history"], env={"SOURCE_DATE_EPOCH": "1764759600"}).stdout
    assert json.loads(later)["timestamp"] == "2025-12-03T11:00:00+00:00"


# --- a QuestionnaireResponse read back -------------------------------------------------

@pytest.mark.parametrize("path", ANSWER_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("shape", ["response", "bundle"])
def test_a_response_gives_exactly_the_report_its_answers_give(runner, cli, kb, tmp_path, path,
                                                              shape):
    bundle = fhir_bundle(runner, cli, path)
    given = bundle if shape == "bundle" else resource(bundle, "QuestionnaireResponse")
    QuestionnaireResponse.model_validate(resource(bundle, "QuestionnaireResponse"))
    fhir_file = tmp_path / "response.json"
    fhir_file.write_text(json.dumps(given))
    plain = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "json",
                                "--no-history"])
    again = runner.invoke(cli, ["consult", "--answers", str(fhir_file), "--format", "json",
                                "--no-history"])
    assert again.exit_code == 0, again.output
    assert again.stdout == plain.stdout
    assert load_answers(kb, fhir_file) == load_answers(kb, path)


def test_none_of_these_and_dont_know_survive_the_round_trip(kb):
    answers = check_answers(kb, {"symptoms": [], "medications": None, "age": 41,
                                 "sleep_hours": 6.5, "smoker": False, "sex": "other"})
    response = questionnaire_response(kb, answers)
    QuestionnaireResponse.model_validate(response)
    items = {i["linkId"]: i for i in response["item"]}
    assert items["symptoms"]["answer"] == [{"valueCoding": {
        "system": "urn:twitchdx:choice:symptoms", "code": NONE_OF_THESE,
        "display": "None of these"}}]
    assert "answer" not in items["medications"]  # asked, not known
    assert check_answers(kb, answers_from_fhir(kb, response, "r")) == answers


def _valid_answers(kb):
    def one(q):
        if q.type == "boolean":
            return st.booleans()
        if q.type == "choice":
            return st.sampled_from(q.choice_ids)
        if q.type == "multi":
            return st.lists(st.sampled_from(q.choice_ids), unique=True, max_size=4)
        if q.type == "integer":
            return st.integers(int(q.min), int(q.max))
        return st.floats(q.min, q.max, allow_nan=False).map(lambda v: round(v, 2))

    return st.fixed_dictionaries({}, optional={q.id: st.one_of(st.none(), one(q))
                                              for q in kb.askable})


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_answers_survive_the_round_trip_with_the_same_conclusions(kb, data):
    raw = data.draw(_valid_answers(kb))
    try:
        answers = check_answers(kb, raw)
    except Exception:  # contradictions (pregnant and male) are refused either way
        return
    back = check_answers(kb, answers_from_fhir(kb, questionnaire_response(kb, answers), "r"))
    assert back == answers
    before, after = consult(kb, answers), consult(kb, back)
    assert (before.level, before.hypotheses, before.notes) == \
        (after.level, after.hypotheses, after.notes)


RESPONSE = {"resourceType": "QuestionnaireResponse", "status": "completed",
            "questionnaire": "urn:twitchdx:questionnaire:twitchdx-core|1.0.0"}


@pytest.mark.parametrize("change, message", [
    ({"questionnaire": "http://example.org/Questionnaire/phq-9"},
     "answers http://example.org/Questionnaire/phq-9, not twitchdx's "
     "urn:twitchdx:questionnaire:twitchdx-core"),
    ({"questionnaire": None}, "answers no questionnaire"),
    ({"item": [{"linkId": "agee", "answer": [{"valueInteger": 30}]}]},
     "item[0] (agee): no question of this questionnaire has this linkId (did you mean 'age'?)"),
    ({"item": [{"linkId": "smoker", "answer": [{"valueString": "yes"}]}]},
     "item[0] (smoker): answer has valueString; expected valueBoolean (yes or no)"),
    ({"item": [{"linkId": "age", "answer": [{"valueInteger": True}]}]},
     "item[0] (age): valueInteger is true, not a whole number"),
    ({"item": [{"linkId": "age", "answer": [{"valueDecimal": 30.5}]}]},
     "item[0] (age): answer has valueDecimal; expected valueInteger"),
    ({"item": [{"linkId": "age", "answer": [{"valueInteger": 300}]}]}, "age: 300"),
    ({"item": [{"linkId": "sex", "answer": [{"valueCoding": {"code": "mail"}}]}]},
     "item[0] (sex): code 'mail' is not one of female, male, other (did you mean 'male'?)"),
    ({"item": [{"linkId": "sex", "answer": [{"valueCoding": {"system": "http://loinc.org",
                                                             "code": "male"}}]}]},
     "code system http://loinc.org is not this question's (urn:twitchdx:choice:sex)"),
    ({"item": [{"linkId": "sex", "answer": [{"valueCoding": {"code": "male"}},
                                           {"valueCoding": {"code": "female"}}]}]},
     "item[0] (sex): has 2 answers; this question takes one"),
    ({"item": [{"linkId": "symptoms", "answer": [{"valueCoding": {"code": NONE_OF_THESE}},
                                                {"valueCoding": {"code": "cramps"}}]}]},
     "answers 'none of these' and a choice"),
    ({"item": [{"linkId": "age", "answer": [{"valueInteger": 30}]},
               {"linkId": "age", "answer": [{"valueInteger": 31}]}]},
     "item[1] (age): answers a question answered above"),
    ({"item": [{"linkId": "caffeine_mg_per_day", "answer": [{"valueDecimal": 300}]}]},
     "item[0] (caffeine_mg_per_day): no question of this questionnaire has this linkId"),
    ({"item": [{"text": "no link"}]}, "item[0]: has no linkId"),
    ({"item": "age"}, "item: must be a list of items"),
    ({"status": "entered-in-error"}, "marked entered-in-error"),
    ({"resourceType": "Patient"}, "a FHIR Patient is not answers"),
    ({"resourceType": "Bundle", "entry": []}, "must hold exactly one QuestionnaireResponse; "
                                              "this one holds 0"),
    ({"resourceType": "Bundle", "entry": 5}, "this one holds 0"),
    ({"item": [{"linkId": "sex", "answer": [7]}]}, "answer has no value; expected valueCoding"),
    ({"item": [{"linkId": "sex", "answer": {"valueCoding": {"code": "male"}}}]},
     "answer must be a list"),
    ({"item": [{"linkId": "sex", "answer": [{"valueCoding": {"code": 3}}]}]},
     "valueCoding needs a code"),
])
def test_a_bad_response_is_refused_naming_the_item(runner, cli, tmp_path, change, message):
    path = tmp_path / "response.json"
    path.write_text(json.dumps({**RESPONSE, **change}))
    done = runner.invoke(cli, ["consult", "--answers", str(path), "--no-history"])
    assert done.exit_code == 2, done.output
    assert message in done.stderr
    assert done.stdout == "" and "Traceback" not in done.output


def test_a_refused_response_leaves_no_reference_cycle(kb):
    """The items' problems are kept without the frames that caught them (as answers files'
    are: tests/test_engine.py), so a refusal is freed as soon as it is reported."""
    from expert.errors import AnswerError

    response = {**RESPONSE, "item": [{"linkId": "age", "answer": [{"valueInteger": 30}]},
                                     {"linkId": "age", "answer": [{"valueInteger": 31}]},
                                     {"text": "no link"}]}

    def refused() -> list[str]:
        try:
            answers_from_fhir(kb, response, "r")
        except AnswerError as exc:
            return [problem.reason for problem in exc.problems]
        return []

    refused()
    assert len(made_without_cycles(refused)) == 2


def test_items_inside_groups_are_read(kb):
    response = {**RESPONSE, "item": [{"linkId": "about-you", "item": [
        {"linkId": "age", "answer": [{"valueInteger": 52}]},
        {"linkId": "sex", "answer": [{"valueCoding": {"code": "female"}}]}]}]}
    assert answers_from_fhir(kb, response, "r") == {"age": 52, "sex": "female"}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 500) | st.floats(allow_nan=False)
    | st.sampled_from(["male", "cramps", "age", "symptoms", NONE_OF_THESE, "x"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["linkId", "answer", "item", "valueCoding", "code",
                                       "valueBoolean", "valueInteger", "system", "x"]),
                      children, max_size=4), max_leaves=20)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(items=st.lists(JSONISH, max_size=5), wrap=st.booleans())
def test_fuzzed_responses_are_answered_or_refused_never_a_crash(runner, cli, tmp_path, items,
                                                               wrap):
    response = {**RESPONSE, "item": items}
    data = {"resourceType": "Bundle", "entry": [{"resource": response}]} if wrap else response
    path = tmp_path / "fuzz.json"
    path.write_text(json.dumps(data))
    done = runner.invoke(cli, ["consult", "--answers", str(path), "--format", "json",
                               "--no-history"])
    assert done.exit_code in (0, 2), (done.exit_code, done.output[-500:])
    assert "internal error" not in done.output
