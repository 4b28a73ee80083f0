"""Finished consultations kept, listed (`history`) and compared (`compare`), in a fresh
sessions folder."""

import json

import pytest

from conftest import EXAMPLES

EYELID = EXAMPLES / "eyelid-coffee.yaml"
PPI = EXAMPLES / "ppi-diuretic.yaml"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    sessions = tmp_path / "sessions"
    monkeypatch.setenv("TWITCHDX_SESSIONS", str(sessions))
    return sessions


def consult(runner, cli, answers, when, *extra):
    done = runner.invoke(cli, ["consult", "--answers", str(answers), *extra],
                         env={"SOURCE_DATE_EPOCH": str(when)})
    assert done.exit_code == 0, done.output
    return done


def two(runner, cli):
    consult(runner, cli, EYELID, 1764752400)  # 2025-12-03 09:00 UTC
    consult(runner, cli, PPI, 1765357200)  # 2025-12-10 09:00 UTC


def test_every_finished_consultation_is_kept_with_its_report(runner, cli, folder):
    done = consult(runner, cli, PPI, 1764752400, "--format", "json")
    kept = sorted(folder.glob("consultation-*.json"))
    assert [p.name for p in kept] == ["consultation-20251203-090000.json"]
    record = json.loads(kept[0].read_text())
    assert record["report"] == json.loads(done.stdout)  # the very report printed
    assert record["finished"] == "2025-12-03T09:00:00+00:00"
    assert record["answers"]["medications"] == ["ppi_long_term", "loop_diuretic"]
    assert "caffeine_mg_per_day" not in record["answers"]  # computed, not given
    consult(runner, cli, PPI, 1764752400)  # the same second: a second record, not lost
    assert len(list(folder.glob("consultation-*.json"))) == 2


@pytest.mark.parametrize("answers", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_a_record_is_written_alike_from_the_printed_report_or_anew(runner, cli, folder,
                                                                   answers):
    """A JSON report's text goes into its record as it is, one level deeper: the same
    bytes as writing the record anew, and the same as a text report's record."""
    from expert.consult.history import record_text

    done = consult(runner, cli, answers, 1764752400, "--format", "json")
    consult(runner, cli, answers, 1764752400, "--format", "text")
    json_kept = folder / "consultation-20251203-090000.json"
    text_kept = folder / "consultation-20251203-090000-2.json"  # the same second
    data = json.loads(json_kept.read_text())
    assert json_kept.read_text() == text_kept.read_text() == \
        json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    head = {k: v for k, v in data.items() if k != "report"}
    assert record_text(head, data["report"], done.stdout) == json_kept.read_text()


def test_no_history_keeps_nothing(runner, cli, folder):
    consult(runner, cli, PPI, 1764752400, "--no-history")
    assert not folder.exists() or not list(folder.glob("consultation-*"))


def test_an_interactive_consultation_is_kept_with_its_session(runner, cli, folder):
    done = runner.invoke(cli, ["consult", "--answers", str(PPI), "--ask-missing"],
                         input="unknown\n" * 20)
    assert done.exit_code == 0, done.output
    assert "Kept in your history as consultation-" in done.stderr
    record = json.loads(next(folder.glob("consultation-*.json")).read_text())
    assert record["session"] and record["session"].startswith(str(folder))
    assert record["report"]["referral"]["level"] == "same_day"


def test_history_lists_date_referral_and_top_conclusions(runner, cli, folder):
    two(runner, cli)
    done = runner.invoke(cli, ["history"])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if "03 Dec 2025 09:00" in line)
    second = next(i for i, line in enumerate(lines) if "10 Dec 2025 09:00" in line)
    assert first < second  # oldest first
    assert "Self-care" in lines[first] and "Get seen today" in lines[second]
    assert "Caffeine (likely)" in lines[first + 1]
    assert "Low magnesium (hypomagnesaemia) (likely)" in lines[second + 1]
    data = json.loads(runner.invoke(cli, ["history", "--format", "json"]).stdout)
    assert [c["referral"]["level"] for c in data["consultations"]] == ["self_care", "same_day"]
    assert data["consultations"][1]["hypotheses"][0] == {
        "id": "magnesium", "label": "Low magnesium (hypomagnesaemia)", "certainty": 0.788,
        "band": "likely"}
    assert all(c["band"] != "low" for c in data["consultations"][0]["hypotheses"])


def test_history_of_an_empty_folder_says_so(runner, cli, folder):
    done = runner.invoke(cli, ["history"])
    assert done.exit_code == 0 and "No consultations kept yet" in done.stdout
    assert json.loads(runner.invoke(cli, ["history", "--format", "json"]).stdout)[
        "consultations"] == []


def test_history_skips_files_that_are_not_records(runner, cli, folder):
    two(runner, cli)
    (folder / "consultation-broken.json").write_text("{")
    data = json.loads(runner.invoke(cli, ["history", "--format", "json"]).stdout)
    assert len(data["consultations"]) == 2


def test_compare_the_last_two_in_words_and_as_a_table(runner, cli, folder):
    two(runner, cli)
    done = runner.invoke(cli, ["compare"])
    assert done.exit_code == 0, done.output
    text = done.stdout
    assert text.startswith("Before: 03 Dec 2025 09:00")
    assert "After:  10 Dec 2025 09:00" in text
    assert "Referral: more urgent, from Self-care and watchful waiting to Get seen today" \
        in " ".join(text.split())
    assert "Low magnesium (hypomagnesaemia): now likely (0.79), was low (0.00)" in text
    assert "Low potassium (hypokalaemia): new, likely (0.66)" in text
    assert "Caffeine: gone, was likely (0.74)" in text
    table = text[text.index("Before   "):]
    row = next(line for line in table.splitlines() if line.startswith("How old are you?"))
    assert row.split() == ["How", "old", "are", "you?", "28", "years", "67", "years"]
    data = json.loads(runner.invoke(cli, ["compare", "--format", "json"]).stdout)
    assert data["referral"] == {"before": {"level": "self_care",
                                           "label": "Self-care and watchful waiting"},
                                "after": {"level": "same_day",
                                          "label": "Get seen today (urgent, same day)"},
                                "change": "more urgent"}
    age = next(a for a in data["answers"] if a["question"] == "age")
    assert (age["before"], age["after"]) == ("28 years", "67 years")
    assert not any(a["question"] == "twitch_at_rest" for a in data["answers"])  # unchanged
    caffeine = next(n for n in data["notes"] if n["id"] == "caffeine")
    assert caffeine["before"] == {"certainty": 0.745, "band": "likely"}
    assert caffeine["after"] is None


def test_compare_by_number_id_and_file_and_the_other_way(runner, cli, folder):
    two(runner, cli)
    records = sorted(folder.glob("consultation-*.json"))
    by_number = runner.invoke(cli, ["compare", "2", "1", "--format", "json"])
    by_id = runner.invoke(cli, ["compare", records[1].stem, records[0].stem, "--format",
                                "json"])
    by_file = runner.invoke(cli, ["compare", str(records[1]), str(records[0]), "--format",
                                  "json"])
    assert by_number.exit_code == 0, by_number.output
    assert by_number.stdout == by_id.stdout == by_file.stdout
    assert json.loads(by_number.stdout)["referral"]["change"] == "less urgent"
    same = json.loads(runner.invoke(cli, ["compare", "2", "--format", "json"]).stdout)
    assert same["referral"]["change"] == "same" and same["answers"] == [] \
        and same["hypotheses"] == [] and same["notes"] == []
    words = runner.invoke(cli, ["compare", "2", "2"]).stdout
    assert "Referral: unchanged" in words and "Answers changed: none" in words


@pytest.mark.parametrize("args, message", [
    (["compare"], "compare needs two consultations; the history holds 0"),
    (["compare", "1", "2"], "no consultation number 1: the history holds 0"),
    (["compare", "consultation-19990101-000000", "1"], "no consultation "
                                                       "'consultation-19990101-000000'"),
    (["compare", "missing/file.json", "1"], "missing/file.json: no such file"),
    (["compare", "tests", "1"], "tests: is a folder, not a consultation record"),
])
def test_compare_refuses_what_is_not_there(runner, cli, folder, args, message):
    done = runner.invoke(cli, args)
    assert done.exit_code == 2, done.output
    assert message in done.stderr and "Traceback" not in done.output


@pytest.mark.parametrize("content, message", [
    ("age: 30\n", "not a twitchdx consultation (not valid JSON"),
    ('{"age": 30}', "not a twitchdx consultation record"),
    ('{"twitchdx_session": 1, "answers": {}}', "a session file is continued with"),
    ('{"twitchdx_consultation": 1, "finished": "x", "answers": {}, "report": {}}',
     "not a twitchdx consultation record"),
    ('{"twitchdx_consultation": 1, "finished": "x", "answers": {}, "report": {"referral": '
     '{"level": "routine"}, "hypotheses": [1, 2], "notes": [], "answers": []}}',
     "not a twitchdx consultation record"),
    ('{"twitchdx_consultation": 1, "finished": "x", "answers": {}, "report": {"referral": '
     '{"level": "routine"}, "hypotheses": [{"id": "magnesium", "certainty": "high", '
     '"band": "likely"}], "notes": [], "answers": []}}', "not a twitchdx consultation record"),
])
def test_compare_refuses_a_foreign_file(runner, cli, folder, tmp_path, content, message):
    two(runner, cli)
    foreign = tmp_path / "foreign.json"
    foreign.write_text(content)
    done = runner.invoke(cli, ["compare", str(foreign), "1"])
    assert done.exit_code == 2, done.output
    assert message in done.stderr and "Traceback" not in done.output
