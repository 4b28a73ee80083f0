"""Explanations: WHY-NOT with counterfactuals, rule status, what-if, trace, value of
information; all through the CLI as a user would run them, and on the structure."""

import json
import re

import pytest

from conftest import EXAMPLES, consult_raw
from expert.explain.whynot import explain_rule, why_not

EYELID = str(EXAMPLES / "eyelid-coffee.yaml")


def invoke(runner, cli, *args):
    result = runner.invoke(cli, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def eyelid_answers():
    import yaml

    with open(EYELID) as handle:
        return yaml.safe_load(handle)


def test_why_not_names_each_rule_and_its_failing_condition(kb):
    node = why_not(consult_raw(kb, eyelid_answers()), "magnesium")
    rules = {child["id"]: child for child in node["children"]}
    assert set(rules) == {r.id for r in kb.producers("hypothesis", "magnesium")}
    ppi = rules["mg-ppi-long-term"]
    assert not ppi["fired"]
    assert ppi["first_failing"] == "needs medications to include ppi_long_term; answered: []"
    assert ppi["children"][0]["would_hold_with"] == ["ppi_long_term"]
    older = rules["mg-older-age"]["children"][0]
    assert older["kind"] == "fact" and older["children"][0]["id"] == "risk-older-age"
    assert older["children"][0]["first_failing"] == "needs age to be at least 65; answered: 28"


def test_unknown_conditions_are_reported_as_unknown(kb):
    node = why_not(consult_raw(kb, {"strenuous_exercise_recent": True}), "dehydration",
                   counterfactual=False)
    water = next(c for c in node["children"] if c["id"] == "dehydration-water-only")
    (leaf,) = water["children"]
    assert (leaf["state"], leaf["question"]) == ("unknown", "water_only_during_exercise")
    assert leaf["text"] == "needs water_only_during_exercise to be yes; unanswered"


CASES = [("eyelid", "magnesium"), ("eyelid", "within_days"), ("eyelid", "older_age"),
         ("eyelid", "serum_potassium"), ("eyelid", "dehydration"), ("t05", "potassium"),
         ("t05", "same_day"), ("t05", "alcohol")]


@pytest.mark.parametrize("case,target", CASES)
def test_each_counterfactual_really_raises_the_conclusion_under_whatif(
        kb, runner, cli, tmp_path, case, target):
    path = EYELID if case == "eyelid" else str(EXAMPLES / "vitamin-d-chain.yaml")
    node = json.loads(invoke(runner, cli, "explain", "--answers", path, "--why-not", target,
                             "--format", "json"))
    change = node["counterfactual"]
    assert change is not None, node["state"]
    diff = json.loads(invoke(runner, cli, "whatif", "--answers", path, "--set", change["set"],
                             "--format", "json"))
    kind = node["target_kind"]
    if kind in ("hypothesis", "note"):
        moved = {m["id"]: m for m in diff["hypotheses"] + diff["notes"]}
        assert moved[target]["to"] > moved[target]["from"]
        assert f"{moved[target]['to']:.2f}" == change["after"]
    elif kind == "referral":
        assert diff["referral"]["to"] == change["after"]
        assert kb.level_rank[diff["referral"]["to"]] > kb.level_rank[diff["referral"]["from"]]
    elif kind == "test":
        assert target in diff["tests_added"]
    else:
        assert any(target in kb.rules_by_id[r].then.facts for r in diff["now_fire"])


def test_a_referral_counterfactual_reaches_the_level_without_overshooting(kb):
    node = why_not(consult_raw(kb, eyelid_answers()), "within_days")
    assert node["counterfactual"]["after"] == "within_days"


def test_rule_explanations(kb, runner, cli):
    result = consult_raw(kb, eyelid_answers())
    fired = explain_rule(result, "caffeine-over-400")
    assert fired["fired"] and len(fired["facts"]) == 1
    assert re.fullmatch(r"f-\d+ caffeine_mg_per_day = 555", fired["facts"][0])
    assert fired["asserted"][0] == "note caffeine +0.70 (0.00 -> 0.70)"
    missed = explain_rule(result, "routine-persistent")
    assert missed["first_failing"] == "needs twitch_duration_days to be above 14; answered: 4"
    text = invoke(runner, cli, "explain", "--answers", EYELID, "--rule", "routine-persistent")
    assert text.splitlines()[0] == ("rule routine-persistent did not fire: Twitching for more "
                                    "than 2 weeks")
    assert "needs twitch_duration_days to be above 14; answered: 4" in text


def test_how_through_the_cli_as_text_and_json(runner, cli):
    text = invoke(runner, cli, "explain", "--answers", EYELID, "--how", "caffeine")
    assert text.startswith("note caffeine: Caffeine = 0.74 (likely)\n")
    assert "estimate caffeine_mg_per_day = 555 mg" in text
    assert "answer coffee_cups_per_day = 5 (x 95)" in text
    data = json.loads(invoke(runner, cli, "explain", "--answers", EYELID, "--how", "caffeine",
                             "--format", "json"))
    assert [c["id"] for c in data["children"]] == ["caffeine-over-400",
                                                   "caffeine-with-short-sleep"]


@pytest.mark.parametrize("args,message", [
    (["--how", "x", "--rule", "y"], "exactly one of --how ID, --why-not ID or --rule"),
    (["--rule", "nope"], "no rule 'nope'"),
    (["--why-not", "magnezium"], "did you mean magnesium"),
])
def test_explain_refuses_bad_requests_clearly(runner, cli, args, message):
    result = runner.invoke(cli, ["explain", "--answers", EYELID, *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_explain_from_a_session_file(runner, cli, tmp_path):
    from expert.consult.session import Session

    session = Session(tmp_path / "s.json", "kb", {"symptoms": ["weakness"]})
    session.save()
    text = invoke(runner, cli, "explain", "--session", str(session.path), "--how", "referral")
    assert "rule within-days-weakness" in text


def test_whatif_shows_what_moved(runner, cli):
    text = invoke(runner, cli, "whatif", "--answers", EYELID, "--set", "symptoms=weakness",
                  "--set", "coffee_cups_per_day=1")
    assert text.splitlines()[:3] == [
        "What if:",
        "  - Do you have any of these now? Muscle weakness: dropping things, tripping, trouble "
        "with stairs or rising from a chair (instead of none of these)",
        "  - How many cups of coffee do you drink a day (8 oz / 240 ml cups)? 1 cup (instead "
        "of 5 cups)"]
    assert "Referral: Self-care and watchful waiting -> See a doctor within a few days" in text
    assert "  Caffeine: 0.74 -> 0.00" in text
    assert "Now also because of:\n" in text and "  - Muscle weakness\n" in text
    assert "No longer because of:\n  - More than 400 mg of caffeine a day\n" in text
    assert "within-days-weakness" not in text  # rule ids are for authors
    authors = invoke(runner, cli, "whatif", "--answers", EYELID, "--set", "symptoms=weakness",
                     "--show-rules")
    assert "  - Twitching with muscle weakness [within-days-weakness]" in authors
    data = json.loads(invoke(runner, cli, "whatif", "--answers", EYELID, "--set",
                             "symptoms=weakness", "--format", "json"))
    assert data["referral"] == {"from": "self_care", "to": "within_days",
                                "from_label": "Self-care and watchful waiting",
                                "to_label": "See a doctor within a few days"}
    assert "within-days-weakness" in data["now_fire"]


@pytest.mark.parametrize("setting,message", [
    ("age", "write QUESTION=VALUE"),
    ("agee=3", "unknown question 'agee'"),
    ("age=300", "--set age: 300 is out of range"),
    ("stress_level=huge", "not one of the choices"),
])
def test_whatif_refuses_bad_settings(runner, cli, setting, message):
    result = runner.invoke(cli, ["whatif", "--answers", EYELID, "--set", setting])
    assert result.exit_code == 2
    assert message in result.stderr


def test_trace_prints_facts_and_firings_as_they_happen(runner, cli):
    result = runner.invoke(cli, ["consult", "--answers", EYELID, "--trace", "--format", "json"])
    assert result.exit_code == 0
    json.loads(result.stdout)  # the report stays clean JSON
    lines = result.stderr.splitlines()
    (fact,) = [line[4:] for line in lines if re.fullmatch(r"==> f-\d+ caffeine_mg_per_day = 555",
                                                          line)]
    fire = next(i for i, line in enumerate(lines)
                if re.fullmatch(rf"FIRE +\d+ caffeine-over-400: {fact}", line))
    assert lines[fire + 1] == "      ==> note caffeine +0.70 (0.00 -> 0.70)"
    firings = [line for line in lines if line.startswith("FIRE")]
    report = json.loads(result.stdout)
    assert len(firings) == len(report["trace"])


def test_value_of_information_in_the_report(runner, cli, tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("age: 40\ntwitch_locations: [calves]\n")
    report = json.loads(invoke(runner, cli, "consult", "--answers", str(path), "--format",
                               "json"))
    ranked = report["value_of_information"]
    assert ranked[0]["question"] == "symptoms"
    assert ranked[0]["could_change"][0] == {"kind": "referral", "target": "emergency",
                                            "from": "self_care", "to": "emergency",
                                            "leading": False, "rule": "emergency-tetany",
                                            "answer": ["hand_spasm"]}
    assert ranked[0]["says"].startswith('answering "Hands or feet locked in a spasm that will '
                                        'not release" would raise the referral to "Emergency')
    assert ranked[0]["why"].endswith("(rule emergency-tetany: Hands or feet locked in spasm "
                                     "(tetany))")
    assert ranked[0]["question_text"] == "Do you have any of these now? Choose all that apply."
    assert ranked[0]["answer_text"] == "Hands or feet locked in a spasm that will not release"
    kinds = [item["could_change"][0]["kind"] for item in ranked]
    assert kinds == sorted(kinds, key=lambda k: k != "referral")
    full = json.loads(invoke(runner, cli, "consult", "--answers", EYELID, "--format", "json"))
    assert full["value_of_information"] == []
