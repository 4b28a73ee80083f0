"""The interactive consultation in a real terminal (pexpect), as a user meets it."""

import json
import os
import re
import signal
import sys
from pathlib import Path

import pexpect
import pytest

from conftest import ROOT

EYELID = {"symptoms": "none", "twitch_locations": "eyelid", "twitch_duration_days": "4",
          "twitch_spreading": "no", "medications": "none", "conditions": "none",
          "coffee_cups_per_day": "5", "sleep_hours": "5.5", "stress_level": "moderate",
          "strenuous_exercise_recent": "no", "alcohol_drinks_per_week": "2", "smoker": "no",
          "sun_exposure": "3", "age": "28"}


def at_a_terminal() -> dict[str, str]:
    """The environment, less what a test runner sets that a terminal would not (pytest's
    workers set COLUMNS, which would win over the terminal's own width)."""
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}


def as_at_a_terminal() -> None:
    """Ctrl-C and Ctrl-\\ reach the child as they would from a terminal, even when the
    tests themselves run in the background (where a shell starts them ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


REVIEW = "(the review of every answer)"


class Terminal:
    """`twitchdx consult` in a pseudo-terminal; the report goes to a file, the dialogue
    to the terminal (``on_screen``: the text report too, after it)."""

    def __init__(self, kb, tmp_path, *args, on_screen=False):
        from expert.consult.dialogue import render_question

        self.texts = {render_question(q)[0].split("\n")[0].split(" [")[0]: q.id
                      for q in kb.askable}
        self.report = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
        where = [] if on_screen else ["--format", "json", ">", str(self.report)]
        command = " ".join([sys.executable, str(ROOT / "cli.py"), "consult", *args, *where])
        self.child = pexpect.spawn("bash", ["-c", command], cwd=str(ROOT), encoding="utf-8",
                                   timeout=30, env={**at_a_terminal(), "TERM": "dumb"},
                                   preexec_fn=as_at_a_terminal)
        self.child.delaybeforesend = None  # a typed line waits in the terminal until read
        self.transcript = ""

    def next_question(self) -> str | None:
        """Wait for a prompt; return the id of the question it asks (None at the end)."""
        if self.child.expect([r"\n> ", pexpect.EOF]) == 1:
            self.transcript += self.child.before
            return None
        self.transcript += self.child.before + "\n> "
        if "press Enter to see your report" in self.child.before[-120:]:
            return REVIEW
        shown = [(self.child.before.rfind(text), qid) for text, qid in self.texts.items()
                 if text in self.child.before]
        return max(shown)[1] if shown else self.last

    def answer(self, answers, script=None, until=None):
        """Answer every question from ``answers`` (and ``script`` first); stop before ``until``."""
        script = {k: list(v) for k, v in (script or {}).items()}
        while True:
            qid = self.next_question()
            if qid is None:
                return
            self.last = qid
            if qid == until:
                return
            reply = script[qid].pop(0) if script.get(qid) else answers.get(
                qid, "" if qid == REVIEW else "unknown")
            self.child.sendline(reply)

    def finish(self) -> dict:
        self.child.expect(pexpect.EOF)
        self.child.close()
        assert self.child.exitstatus == 0, self.transcript
        return json.loads(self.report.read_text())


@pytest.fixture
def session(tmp_path):
    return str(tmp_path / "session.json")


def non_interactive(tmp_path, answers_file) -> dict:
    from click.testing import CliRunner

    from cli import twitchdx

    done = CliRunner().invoke(twitchdx, ["consult", "--answers", str(answers_file), "--format",
                                         "json"])
    assert done.exit_code == 0, done.stderr
    return json.loads(done.stdout)


def test_a_full_consultation_gives_the_same_report_as_an_answers_file(kb, tmp_path, session):
    saved = tmp_path / "answers.yaml"
    term = Terminal(kb, tmp_path, "--session", session, "--save", str(saved))
    term.answer(EYELID)
    report = term.finish()
    assert "Session saved to " + session in " ".join(term.transcript.split())
    assert report == non_interactive(tmp_path, saved)
    assert report["referral"]["level"] == "self_care"
    asked = term.transcript.count("\n> ")
    assert asked <= 20 < len(kb.askable)


def test_why_gives_a_reason_tied_to_rules(kb, tmp_path, session):
    term = Terminal(kb, tmp_path, "--session", session)
    term.answer(EYELID, {"coffee_cups_per_day": ["why", "5"]})
    term.finish()
    said = " ".join(term.transcript.split())
    assert "This question matters because" in said
    assert 'answering "4.5 cups" would make Caffeine the leading lifestyle trigger (likely) ' \
        "(More than 400 mg of caffeine a day)" in said


def test_back_unknown_and_an_invalid_value(kb, tmp_path, session):
    term = Terminal(kb, tmp_path, "--session", session)
    term.answer(EYELID, {"sleep_hours": ["plenty", "5.5", "unknown"],
                         "stress_level": ["back", "7", "moderate"]})
    report = term.finish()
    assert "Not accepted: 'plenty' is not allowed; expected a number from 0 to 24." \
        in term.transcript
    assert "Not accepted: 7 is not a number from 1 to 3." in term.transcript
    assert "Undone: How many hours do you usually sleep a night? Asking it again." in \
        " ".join(term.transcript.split())
    assert "sleep_hours" in report["unknown"]
    assert json.loads(Path(session).read_text())["answers"]["sleep_hours"] is None


def test_an_emergency_stops_asking_at_once(kb, tmp_path, session):
    term = Terminal(kb, tmp_path, "--session", session)
    term.answer({"symptoms": "seizure, cramps"})
    report = term.finish()
    assert term.transcript.count("\n> ") == 1
    assert "!!! EMERGENCY" in term.transcript
    assert report["referral"]["level"] == "emergency"


def test_ctrl_c_then_resume_gives_the_uninterrupted_report(kb, tmp_path, session):
    term = Terminal(kb, tmp_path, "--session", session)
    term.answer(EYELID, until="coffee_cups_per_day")
    term.child.sendintr()
    term.child.expect(pexpect.EOF)
    term.child.close()
    assert term.child.exitstatus == 130
    assert "Stopped. 12 answers saved in " + session in " ".join(term.child.before.split())
    kept = json.loads(Path(session).read_text())
    assert kept["answers"]["conditions"] == [] and not kept["complete"]

    resumed = Terminal(kb, tmp_path, "--resume", session)
    resumed.answer(EYELID)
    assert "Warning signs:" not in resumed.transcript  # the symptoms are not asked again
    report = resumed.finish()
    straight = Terminal(kb, tmp_path, "--session", str(tmp_path / "straight.json"))
    straight.answer(EYELID)
    assert report == straight.finish()


def test_ask_missing_starts_from_an_answers_file(kb, tmp_path, session):
    partial = tmp_path / "partial.yaml"
    partial.write_text("symptoms: []\ntwitch_locations: [eyelid]\ntwitch_duration_days: 4\n")
    term = Terminal(kb, tmp_path, "--answers", str(partial), "--ask-missing", "--session",
                    session)
    term.answer(EYELID)
    report = term.finish()
    assert "Warning signs:" not in term.transcript  # the symptoms are not asked again
    assert report["referral"]["level"] == "self_care"


def report_in_a_terminal(*args, env=None, columns=100):
    """`twitchdx consult` with its report on a terminal (not redirected)."""
    child = pexpect.spawn(sys.executable, [str(ROOT / "cli.py"), "consult", *args], cwd=str(ROOT),
                          encoding="utf-8", timeout=30, dimensions=(40, columns),
                          env={**at_a_terminal(), "TERM": "xterm", **(env or {})})
    child.expect(pexpect.EOF)
    child.close()
    return child.before


def test_the_report_is_coloured_on_a_terminal_unless_no_color(tmp_path):
    example = str(ROOT / "examples" / "ppi-diuretic.yaml")
    coloured = report_in_a_terminal("--answers", example)
    assert "\x1b[31m\x1b[1mREFERRAL: GET SEEN TODAY" in coloured
    assert "\x1b[31mlikely   \x1b[0m" in coloured
    plain = report_in_a_terminal("--answers", example, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "REFERRAL: GET SEEN TODAY" in plain


def test_the_report_wraps_to_the_terminal_width(tmp_path):
    example = str(ROOT / "examples" / "vitamin-d-chain.yaml")
    wide = report_in_a_terminal("--answers", example, env={"NO_COLOR": "1"}, columns=100)
    narrow = report_in_a_terminal("--answers", example, env={"NO_COLOR": "1"}, columns=60)
    assert max(len(line) for line in wide.splitlines()) > 78
    assert max(len(line) for line in narrow.splitlines()) <= 60


def resumed_after_four_answers(kb, tmp_path, session) -> Terminal:
    """A dialogue quit after four answers, then resumed in a new terminal."""
    term = Terminal(kb, tmp_path, "--session", session)
    term.answer(EYELID, until="twitch_duration_days")
    term.child.sendline("quit")
    term.child.expect(pexpect.EOF)
    return Terminal(kb, tmp_path, "--resume", session)


def test_resuming_says_how_many_answers_were_restored(kb, tmp_path, session):
    resumed = resumed_after_four_answers(kb, tmp_path, session)
    resumed.child.expect("Resumed ")
    resumed.child.expect(r"\n")
    assert resumed.child.before.endswith(": 4 answers restored.\r")
    resumed.answer(EYELID)
    assert resumed.finish()["referral"]["level"] == "self_care"


def test_the_dialogue_says_which_warning_signs_were_left_unknown(kb, tmp_path, session):
    terminal = Terminal(kb, tmp_path, "--session", session)
    terminal.answer({**EYELID, "symptoms": "weakness"}, script={"sudden_onset": ["unknown"]})
    report = terminal.finish()
    assert "WARNING SIGNS NOT CHECKED" in terminal.transcript
    told = " ".join(terminal.transcript.split())
    assert "holds only if none of them is present" in told
    assert "Did the weakness, numbness, slurred speech or swallowing trouble come on" in told
    assert report["referral"]["warning_signs_checked"] is False


def test_a_report_on_the_same_screen_says_the_unknown_warning_signs_once(kb, tmp_path,
                                                                        session):
    """The text report lists them grouped by what each would lead to; the dialogue does
    not list them again just before it."""
    terminal = Terminal(kb, tmp_path, "--session", session, on_screen=True)
    terminal.answer({**EYELID, "symptoms": "weakness"}, script={"sudden_onset": ["unknown"]})
    terminal.child.expect(pexpect.EOF)
    shown = terminal.transcript + terminal.child.before
    assert shown.count("WARNING SIGNS NOT CHECKED") == 1
    told = " ".join(shown.split())
    assert "Did the weakness, numbness, slurred speech or swallowing trouble come on" in told
    assert told.index("WARNING SIGNS NOT CHECKED") < told.index("REFERRAL:")


def test_progress_review_and_an_answer_changed_by_number(kb, tmp_path, session):
    term = Terminal(kb, tmp_path, "--session", session)
    term.answer(EYELID, {REVIEW: ["1", ""], "symptoms": ["none", "weakness"],
                         "sudden_onset": ["no"]})
    report = term.finish()
    said = term.transcript.replace("\r", "")
    prompts = said.count("\n> ")
    progress = re.findall(r"\nQuestion (\d+) of about (\d+)\n", said)
    reviews = said.count("Type a number to change that answer, or press Enter")
    assert reviews == 2 and said.count("\nChanging an answer\n") == 1
    assert len(progress) == prompts - reviews - 1  # every question but the changed one
    assert [int(n) for n, _ in progress] == list(range(1, len(progress) + 1))
    assert "   1. Do you have any of these now? — none of these" in said
    second = said.split("Your answers:")[2]  # a number stays with its answer
    assert second.lstrip("\n").startswith("   1. Do you have any of these now? — Muscle weakness")
    assert report["referral"]["level"] == "within_days"
    assert "Do you have any of these now? — Muscle weakness: dropping things, tripping" in \
        " ".join(said.split("Your answers:")[2].split())
    # plain words: no rule or question id anywhere a person reads
    assert not [r.id for r in kb.rules if "-" in r.id and r.id in said]
    assert not [q.id for q in kb.askable if "_" in q.id and q.id in said]


def test_resuming_shows_the_answers_restored(kb, tmp_path, session):
    resumed = resumed_after_four_answers(kb, tmp_path, session)
    resumed.child.expect(r"How many hours|For how many days")
    shown = resumed.child.before.replace("\r", "")
    assert "Restored answers:" in shown
    assert "  1. Do you have any of these now? — none of these" in shown
    assert "  2. Where are the twitches? — Eyelid" in shown


def test_a_twenty_column_terminal_wraps_the_dialogue_and_the_report(tmp_path):
    """Every line a person sees fits 20 columns: questions, choices, the review, the
    report."""
    env = {**os.environ, "TWITCHDX_SESSIONS": str(tmp_path), "NO_COLOR": "1"}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    answers = tmp_path / "a.yaml"
    answers.write_text("age: 30\nsex: female\ntwitch_locations: [eyelid]\n")
    child = pexpect.spawn(sys.executable, [str(ROOT / "cli.py"), "consult", "--answers",
                                           str(answers), "--ask-missing"],
                          env=env, dimensions=(40, 20), encoding="utf-8", timeout=60,
                          preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    seen = []
    for _ in range(60):
        found = child.expect([r"> ", pexpect.EOF])
        seen.append(child.before)
        if found == 1:
            break
        child.sendline("" if "press Enter" in " ".join(child.before.split()) else "unknown")
    child.close()
    assert child.exitstatus == 0
    lines = "".join(seen).replace("\r", "").splitlines()
    assert any("REFERRAL" in line for line in lines)  # the report came
    assert any(line.startswith("Question ") for line in lines)
    too_wide = [line for line in lines if len(line) > 20 and " " in line.strip()]
    assert not too_wide, too_wide[:5]
