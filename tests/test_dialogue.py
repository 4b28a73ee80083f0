"""The dialogue and its question selection, driven without a terminal.

(tests/test_terminal.py drives the same through a real terminal with pexpect.)
"""

import pytest

from conftest import consult_raw
from expert.consult.answers import parse_typed
from expert.consult.dialogue import REVIEW, Dialogue, Quit, render_question
from expert.consult.planner import next_question, plan, value_of_information
from expert.consult.session import Session

EYELID = {"symptoms": [], "twitch_locations": ["eyelid"], "twitch_duration_days": 4,
          "twitch_spreading": False, "medications": [], "conditions": [],
          "coffee_cups_per_day": 5, "sleep_hours": 5.5, "stress_level": "moderate",
          "strenuous_exercise_recent": False, "alcohol_drinks_per_week": 2, "smoker": False,
          "sun_exposure": "high", "age": 28}


class ScriptedIO:
    """Answers questions from a function of the question shown; records the dialogue."""

    def __init__(self, answer):
        self.answer = answer
        self.lines: list[str] = []
        self.shown: list[str] = []

    def say(self, text=""):
        self.lines.append(text)

    def ask(self, prompt):
        reply = self.answer(self)
        if reply is None:
            raise EOFError
        self.shown.append(reply)
        return reply


def by_question(kb, answers, script=None):
    """Reply with answers[question], or the next scripted reply for that question."""
    texts = {render_question(q)[0].split(" [")[0]: q.id for q in kb.askable}
    script = {k: list(v) for k, v in (script or {}).items()}

    def reply(io):
        asked = [i for i, line in enumerate(io.lines) if line.split(" [")[0] in texts]
        reviews = [i for i, line in enumerate(io.lines) if line == REVIEW]
        if reviews and (not asked or reviews[-1] > asked[-1]):  # every answer, before the
            return script["review"].pop(0) if script.get("review") else ""  # report
        shown = [io.lines[i] for i in asked]
        qid = texts[shown[-1].split(" [")[0]]
        if script.get(qid):
            return script[qid].pop(0)
        value = answers.get(qid)
        if value is None:
            return "unknown"
        if isinstance(value, list):
            return ", ".join(value) or "none"
        if isinstance(value, bool):
            return "yes" if value else "no"
        return str(value)

    return reply


def run_dialogue(kb, tmp_path, answers, script=None):
    io = ScriptedIO(by_question(kb, answers, script))
    session = Session(tmp_path / "s.json", kb.version)
    result = Dialogue(kb, session, io).run()
    return result, session, io


def transcript(kb, tmp_path, script) -> str:
    """What the dialogue said for the eyelid case, with ``script`` typed first."""
    _, _, io = run_dialogue(kb, tmp_path, EYELID, script)
    return "\n".join(io.lines)


def test_a_simple_case_asks_few_questions_and_reports_the_same(kb, tmp_path):
    result, session, _ = run_dialogue(kb, tmp_path, EYELID)
    assert len(session.order) <= 20 < len(kb.askable)
    assert session.order[:3] == ["symptoms", "age", "sex"]  # warning signs, then core
    assert {"tea_cups_per_day", "pregnant", "sudden_onset", "tingling_worsening"}.isdisjoint(
        session.order)
    same = consult_raw(kb, session.answers)
    assert (result.level, result.hypotheses, result.notes) == (same.level, same.hypotheses,
                                                               same.notes)
    assert result.level.id == "self_care"
    assert [n.id for n in result.notes] == ["caffeine", "sleep", "stress"]
    assert session.complete


def test_an_emergency_stops_the_questions(kb, tmp_path):
    result, session, io = run_dialogue(kb, tmp_path, {"symptoms": ["seizure"]})
    assert session.order == ["symptoms"]
    assert result.level.id == "emergency"
    assert any(line.startswith("!!! EMERGENCY") for line in io.lines)


def test_every_question_asked_could_change_the_report(kb):
    answers = {}
    for _ in range(40):
        question, state = next_question(kb, answers)
        if question is None:
            break
        assert question.red_flags or question.core or state.needs[question.id]
        answers[question.id] = EYELID.get(question.id)


def test_why_names_the_rules_and_their_reasons(kb, tmp_path):
    text = " ".join(transcript(kb, tmp_path, {"coffee_cups_per_day": ["why", "5"]}).split())
    assert "This question matters because" in text
    assert "caffeine-over-400" not in text  # a person reads what the rule is about
    assert 'answering "4.5 cups" would make Caffeine the leading lifestyle trigger (likely) ' \
           "(More than 400 mg of caffeine a day)" in text
    assert "Why: Too much caffeine causes twitching" in text


def test_back_undoes_and_asks_again(kb, tmp_path):
    # 30 days makes spreading and earlier checks moot, so strength comes next: go back there
    script = {"twitch_duration_days": ["30", "4"], "rise_from_chair_without_arms": ["back", "yes"]}
    result, session, io = run_dialogue(kb, tmp_path, EYELID, script)
    assert "  Undone: For how many days has the twitching been going on? Asking it again." \
        in io.lines
    assert session.answers["twitch_duration_days"] == 4
    assert result.level.id == "self_care"


def test_unknown_is_recorded_and_never_asked_again(kb, tmp_path):
    _, session, io = run_dialogue(kb, tmp_path, {**EYELID, "sleep_hours": None})
    assert session.answers["sleep_hours"] is None
    asked = [line for line in io.lines if line.startswith("How many hours do you usually sleep")]
    assert len(asked) == 1


def test_invalid_input_is_refused_with_the_reason(kb, tmp_path):
    _, session, io = run_dialogue(kb, tmp_path, EYELID, {"coffee_cups_per_day": ["lots", "99",
                                                                                "5"]})
    refusals = [" ".join(line.split()) for line in io.lines if line.startswith("  Not accepted")]
    assert refusals == [
        "Not accepted: 'lots' is not allowed; expected a number from 0 to 40. "
        "(Type help for help.)",
        "Not accepted: 99 is out of range; expected a number from 0 to 40. "
        "(Type help for help.)"]
    assert all(len(row) <= 78 for line in io.lines for row in line.splitlines())
    assert session.answers["coffee_cups_per_day"] == 5


def test_quit_and_end_of_input_keep_the_answers(kb, tmp_path):
    with pytest.raises(Quit):
        run_dialogue(kb, tmp_path, EYELID, {"medications": ["quit"]})
    kept = Session.load(tmp_path / "s.json")
    assert kept.answers["symptoms"] == [] and "medications" not in kept.answers
    io = ScriptedIO(lambda io: None)
    with pytest.raises(EOFError):
        Dialogue(kb, Session(tmp_path / "t.json", kb.version), io).run()


def test_a_resumed_session_continues_where_it_stopped(kb, tmp_path):
    with pytest.raises(Quit):
        run_dialogue(kb, tmp_path, EYELID, {"coffee_cups_per_day": ["quit"]})
    session = Session.load(tmp_path / "s.json")
    io = ScriptedIO(by_question(kb, EYELID))
    resumed = Dialogue(kb, session, io).run()
    asked = [line for line in io.lines if line.startswith("How many cups of coffee")]
    assert asked and "twitch_locations" not in io.shown
    (tmp_path / "other").mkdir()
    straight, _, _ = run_dialogue(kb, tmp_path / "other", EYELID)
    assert resumed.firings == straight.firings


@pytest.mark.parametrize("qid,text,expected", [
    ("symptoms", "none", ()),
    ("symptoms", "19, 20", ("cramps", "fatigue")),
    ("symptoms", "cramps fat", ("cramps", "fatigue")),
    ("stress_level", "3", "high"),
    ("stress_level", "mod", "moderate"),
    ("smoker", "Y", True),
    ("age", " 42 ", 42),
])
def test_typed_answers(kb, qid, text, expected):
    assert parse_typed(kb.questions[qid], text) == expected


@pytest.mark.parametrize("qid,text,message", [
    ("stress_level", "1 2", "choose exactly one"),
    ("stress_level", "4", "4 is not a number from 1 to 3"),
    ("symptoms", "", "type a number or a name, or none"),
    ("symptoms", "t", "did you mean"),
    ("smoker", "", "expected yes or no"),
])
def test_typed_answers_refused(kb, qid, text, message):
    with pytest.raises(ValueError, match=message):
        parse_typed(kb.questions[qid], text)


def test_value_of_information_ranks_what_could_change_the_referral(kb):
    state = plan(kb, {"symptoms": ["palpitations"]})
    ranked = value_of_information(kb, state)
    # weakness with palpitations is an emergency, so the strength questions lead
    assert ranked[0]["question"] == "rise_from_chair_without_arms"
    assert ranked[0]["could_change"][0] == {
        "kind": "referral", "target": "emergency", "from": "within_days", "to": "emergency",
        "leading": False, "rule": "emergency-palpitations-with-collapse", "answer": False}
    assert 'answering "no" would raise the referral' in ranked[0]["says"]
    assert "(rule " in ranked[0]["why"] and "(rule " not in ranked[0]["says"]
    same_day = {item["question"] for item in ranked
                if item["could_change"][0]["to"] == "same_day"}
    assert {"medications", "conditions", "alcohol_drinks_per_week"} <= same_day


def test_help_shows_the_question_help_and_the_commands(kb, tmp_path):
    text = transcript(kb, tmp_path, {"symptoms": ["help", "none"]})
    assert "The first group are warning signs" in text
    assert "Expected: the numbers or names of any of the choices above, or none." in text
    assert "Commands: why (why this question), back (undo the last answer)" in text


def test_contradicting_answers_are_refused_and_asked_again(kb, tmp_path):
    answers = {**EYELID, "sex": "male", "pregnant": True}
    io = ScriptedIO(by_question(kb, answers, {"sex": ["male", "female"]}))
    session = Session(tmp_path / "s.json", kb.version, {"pregnant": True}, ["pregnant"])
    Dialogue(kb, session, io).run()
    refused = [line for line in io.lines if line.startswith("  Not accepted: pregnant, sex:")]
    assert len(refused) == 1 and "pregnant is yes but sex is male" in refused[0]
    assert session.answers["sex"] == "female"


def test_a_conflict_is_told_once_with_the_reading_taken(kb, tmp_path):
    answers = {**EYELID, "rise_from_chair_without_arms": False}
    _, _, io = run_dialogue(kb, tmp_path, answers)
    notes = [line for line in io.lines if line.startswith("  Note: You did not choose muscle")]
    assert len(notes) == 1
    said = " ".join(" ".join(io.lines).split())
    assert "twitchdx takes the more serious reading: muscle weakness." in said


def test_why_points_out_a_conflict_and_the_reading_taken(kb, tmp_path):
    answers = {**EYELID, "rise_from_chair_without_arms": False}
    text = " ".join(transcript_of(kb, tmp_path, answers, {"medications": ["why", "none"]}
                                  ).split())
    assert "Your answers so far disagree: You did not choose muscle weakness" in text


def transcript_of(kb, tmp_path, answers, script):
    _, _, io = run_dialogue(kb, tmp_path, answers, script)
    return "\n".join(io.lines)


def test_sudden_onset_is_asked_when_weakness_is_chosen(kb, tmp_path):
    answers = {**EYELID, "symptoms": ["weakness"], "sudden_onset": True}
    result, session, _ = run_dialogue(kb, tmp_path, answers)
    assert session.order == ["symptoms", "sudden_onset"]
    assert result.level.id == "emergency"


def test_every_question_says_where_the_person_is(kb, tmp_path):
    _, session, io = run_dialogue(kb, tmp_path, EYELID)
    progress = [line for line in io.lines if line.startswith("Question ")]
    assert len(progress) == len(session.order)  # one before every question asked
    numbers = [int(line.split()[1]) for line in progress]
    estimates = [int(line.split()[-1]) for line in progress]
    assert numbers == list(range(1, len(session.order) + 1))
    assert all(n <= m for n, m in zip(numbers, estimates, strict=True))
    assert estimates[-1] == len(session.order)  # honest at the end: this is the last one
    assert progress[0] == f"Question 1 of about {estimates[0]}"


def test_every_answer_is_shown_before_the_report_and_can_be_changed_by_number(kb, tmp_path):
    result, session, io = run_dialogue(kb, tmp_path, EYELID, {"review": ["99", "1", ""],
                                                              "symptoms": ["none", "weakness"]})
    first = io.lines.index("Your answers:")
    listed = io.lines[first + 1:io.lines.index(REVIEW, first)]
    assert listed[0] == "   1. Do you have any of these now? — none of these"
    assert listed[1] == "   2. Where are the twitches? — Eyelid"  # the questions' order
    assert len(listed) >= 14
    assert any("Not accepted: type a number from 1 to" in line for line in io.lines)
    assert "Changing an answer" in io.lines
    # weakness raises the referral, and makes what a doctor will want to know, and whether
    # it came on suddenly, matter: asked after the change, then every answer shown again
    assert io.lines.count("Your answers:") == 2
    again = io.lines.index("Your answers:", first + 1)
    assert io.lines[again + 1].startswith("   1. Do you have any of these now? — Muscle")
    assert "sudden_onset" in session.order
    assert result.level.id == "within_days"
    assert session.answers["symptoms"] == ("weakness",)


def test_an_answer_file_with_nothing_more_to_ask_still_shows_the_review(kb, tmp_path):
    io = ScriptedIO(lambda io: "")
    session = Session(tmp_path / "s.json", kb.version, {"symptoms": ["seizure"]}, ["symptoms"])
    Dialogue(kb, session, io).run()
    assert "Your answers:" not in io.lines  # an emergency: the report at once


@pytest.mark.parametrize("question,typed,hint", [
    ("symptoms", "crmaps", "(did you mean cramps?)"),
    ("symptoms", "bakc", "(did you mean back?)"),
    ("twitch_spreading", "yse", "(did you mean yes?)"),
    ("twitch_spreading", "hlep", "(did you mean help?)"),
])
def test_a_typo_gets_a_did_you_mean(kb, tmp_path, question, typed, hint):
    text = " ".join(transcript(kb, tmp_path, {question: [typed]}).split())
    said = text[text.index("Not accepted:"):][:200]
    assert hint in said.split("(Type help")[0], said
