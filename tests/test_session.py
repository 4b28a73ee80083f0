"""Session files: saved atomically after every answer, resumable, exportable."""

import json
import os

import pytest

from expert.consult.session import (
    Session,
    answers_from,
    claim,
    new_session_path,
    resume_session,
    session_path,
    sessions_dir,
    start_session,
)
from expert.errors import InputError
from expert.fileio import write_atomic


def test_every_answer_is_on_disk_at_once(tmp_path):
    path = tmp_path / "s.json"
    session = Session(path, "kb 1")
    session.answer("age", 30)
    assert json.loads(path.read_text())["answers"] == {"age": 30}
    session.answer("symptoms", ("cramps",))
    again = Session.load(path)
    assert again.answers == {"age": 30, "symptoms": ["cramps"]}
    assert again.order == ["age", "symptoms"]
    assert not again.complete


def test_back_forgets_the_last_answer(tmp_path):
    session = Session(tmp_path / "s.json", "kb 1")
    session.answer("age", 30)
    session.answer("smoker", False)
    assert session.undo() == "smoker"
    assert Session.load(session.path).answers == {"age": 30}
    assert session.undo() == "age"
    assert session.undo() is None


def test_unknown_is_kept_as_null(tmp_path):
    session = Session(tmp_path / "s.json", "kb 1")
    session.answer("age", None)
    assert Session.load(session.path).answers == {"age": None}


def test_an_interrupted_write_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    write_atomic(path, "old\n")

    def crash(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary left behind


@pytest.mark.parametrize("text,message", [
    ("{", "not a twitchdx session (not valid JSON"),
    ('{"answers": {}}', "not a twitchdx session file"),
    ("[]", "not a twitchdx session file"),
])
def test_a_broken_session_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(InputError, match="not a twitchdx session") as caught:
        Session.load(path)
    assert message in str(caught.value)


def test_export_writes_an_answers_file(tmp_path, kb):
    from expert.consult.answers import check_answers, read_answers_file

    session = Session(tmp_path / "s.json", "kb 1", {"age": 30, "symptoms": ("cramps",),
                                                    "smoker": None})
    for name in ("answers.yaml", "answers.json"):
        session.export(tmp_path / name)
        assert check_answers(kb, read_answers_file(tmp_path / name)) == {
            "age": 30, "symptoms": ("cramps",), "smoker": None}


def test_sessions_live_in_the_folder_the_environment_names(tmp_path, monkeypatch):
    monkeypatch.setenv("TWITCHDX_SESSIONS", str(tmp_path / "mine"))
    assert sessions_dir() == tmp_path / "mine"
    monkeypatch.delenv("TWITCHDX_SESSIONS")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert sessions_dir() == tmp_path / "data" / "twitchdx" / "sessions"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sessions_dir() == tmp_path / "home" / ".local" / "share" / "twitchdx" / "sessions"


def test_a_new_session_is_named_for_when_it_started(tmp_path, monkeypatch):
    import re

    monkeypatch.setenv("TWITCHDX_SESSIONS", str(tmp_path))
    assert re.fullmatch(r"session-20\d{6}-\d{6}\.json", new_session_path().name)


def test_new_sessions_get_their_own_files_even_in_the_same_second(tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("TWITCHDX_SESSIONS", str(tmp_path / "new" / "sessions"))
    monkeypatch.setattr(time, "strftime", lambda *a: "20260101-000000")
    made = [new_session_path() for _ in range(3)]
    assert [p.name for p in made] == ["session-20260101-000000.json",
                                      "session-20260101-000000-2.json",
                                      "session-20260101-000000-3.json"]
    assert all(p.read_text() == "" for p in made)
    assert oct(made[0].stat().st_mode & 0o777) == "0o600"  # answers are private


def test_a_sessions_folder_that_cannot_be_made_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("TWITCHDX_SESSIONS", str(tmp_path / "file" / "sessions"))
    with pytest.raises(InputError, match="cannot keep sessions here"):
        new_session_path()


def test_claim_takes_a_name_only_once(tmp_path):
    assert claim(tmp_path / "a.json") is True
    assert claim(tmp_path / "a.json") is False
    with pytest.raises(InputError, match="cannot create the session"):
        claim(tmp_path / "missing" / "a.json")


def test_answering_again_moves_the_question_to_the_end(tmp_path):
    session = Session(tmp_path / "s.json", "kb 1")
    session.answer("age", 30)
    session.answer("smoker", False)
    session.answer("age", 31)
    assert session.order == ["smoker", "age"]
    assert session.undo() == "age" and session.answers == {"smoker": False}
    saved = json.loads(session.path.read_text())
    assert saved["order"] == ["smoker"] and saved["answers"] == {"smoker": False}


def test_finishing_is_saved_and_any_change_reopens(tmp_path):
    session = Session(tmp_path / "s.json", "kb 1", {"age": 30}, ["age"])
    session.finish()
    saved = json.loads(session.path.read_text())
    assert saved["complete"] is True and Session.load(session.path).complete is True
    session.answer("smoker", True)
    assert session.complete is False and Session.load(session.path).complete is False
    session.finish()
    session.undo()
    assert Session.load(session.path).complete is False


def test_undo_with_nothing_to_undo_writes_nothing(tmp_path):
    session = Session(tmp_path / "s.json", "kb 1")
    assert session.undo() is None
    assert not session.path.exists()


def test_what_a_saved_session_holds(tmp_path):
    session = Session(tmp_path / "s.json", "twitchdx-core 1.0.0", {"symptoms": ("cramps",)},
                      ["symptoms"])
    session.save()
    text = session.path.read_text()
    saved = json.loads(text)
    assert set(saved) == {"twitchdx_session", "knowledge", "saved", "complete", "order",
                          "answers"}
    assert saved["twitchdx_session"] == 1 and saved["knowledge"] == "twitchdx-core 1.0.0"
    assert saved["answers"] == {"symptoms": ["cramps"]} and saved["complete"] is False
    assert text.startswith('{\n  "twitchdx_session": 1,\n') and text.endswith("}\n")
    import re
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", saved["saved"])


def test_text_is_kept_as_written(tmp_path):
    session = Session(tmp_path / "s.json", "kb ü")
    session.answer("note", "café")
    assert '"kb ü"' in session.path.read_text(encoding="utf-8")


def test_a_session_that_cannot_be_saved_is_a_clear_error(tmp_path):
    session = Session(tmp_path / "missing" / "s.json", "kb 1")
    with pytest.raises(InputError, match=r"s\.json: cannot save the session: No such file or "
                                         r"directory; check the path"):
        session.answer("age", 30)
    with pytest.raises(InputError, match=r"a\.json: cannot write the answers: "):
        session.export(tmp_path / "missing" / "a.json")


@pytest.mark.parametrize("field,value,said", [
    ("complete", "false", "complete: must be true or false, not 'false'"),
    ("order", ["age", 3], "order: must be a list of question ids, not [\"age\", 3]"),
    ("order", "age", "order: must be a list of question ids, not 'age'"),
    ("answers", [], "answers: must be a mapping of question ids to answers, not []"),
    ("knowledge", 1, "knowledge: must be text, not 1"),
    ("saved", None, "saved: must be text, not null"),
    ("twitchdx_session", 2, "twitchdx_session: must be the format number 1, not 2"),
    ("twitchdx_session", True, "twitchdx_session: must be the format number 1, not true"),
    ("twitchdx_session", 1.0, "twitchdx_session: must be the format number 1, not 1.0"),
    ("extra", 1, "extra: unknown field; a session has twitchdx_session, knowledge, saved, "
                 "complete, order, answers"),
])
def test_each_field_of_the_wrong_kind_is_named(tmp_path, field, value, said):
    data = {"twitchdx_session": 1, "knowledge": "k", "saved": "s", "complete": False,
            "order": [], "answers": {}, field: value}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as caught:
        Session.load(path)
    assert str(caught.value) == f"{path}: not a twitchdx session file as saved: {said}"


def test_a_session_without_answers_is_refused(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"twitchdx_session": 1}')
    with pytest.raises(InputError) as caught:
        Session.load(path)
    assert str(caught.value) == f"{path}: not a twitchdx session file as saved: answers: missing"
    path.write_text('{"twitchdx_session": 1, "answers": {}, "complete": 1, "x": 2}')
    with pytest.raises(InputError) as caught:
        Session.load(path)
    assert str(caught.value).endswith(": x: unknown field; a session has twitchdx_session, "
                                      "knowledge, saved, complete, order, answers; "
                                      "complete: must be true or false, not 1")


def test_a_broken_line_is_named(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"twitchdx_session": 1,\n  "answers": {,}}')
    with pytest.raises(InputError, match=rf"^{path}:2: not a twitchdx session \("):
        Session.load(path)


def test_the_order_is_repaired_from_the_answers(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"twitchdx_session": 1, "answers": {"a": 1, "b": 2, "c": 3},
                                "order": ["c", "x", "c", "a"]}))
    session = Session.load(path)
    assert session.order == ["c", "a", "b"]  # unknown and repeated ids gone, the rest after
    assert session.knowledge == "" and session.complete is False


def test_export_as_yaml_or_json(tmp_path):
    session = Session(tmp_path / "s.json", "kb 1", {"name": "Zoë", "age": 30,
                                                    "symptoms": ("cramps", "fatigue")})
    for name in ("a.YML", "a.yaml"):
        session.export(tmp_path / name)
        assert (tmp_path / name).read_text(encoding="utf-8") == (
            "# twitchdx answers (null means unknown)\nname: Zoë\nage: 30\n"
            "symptoms: [cramps, fatigue]\n")  # in the order given, one answer a line
    session.export(tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == (
        '{\n  "name": "Zoë",\n  "age": 30,\n  "symptoms": [\n    "cramps",\n    "fatigue"\n'
        '  ]\n}\n')


def test_a_new_session_is_saved_at_once_with_its_starting_answers(tmp_path, kb):
    session = start_session(kb, {"age": 30, "smoker": False}, tmp_path / "s.json")
    again = Session.load(tmp_path / "s.json")
    assert again.answers == {"age": 30, "smoker": False} and again.order == ["age", "smoker"]
    assert again.knowledge == kb.version == session.knowledge


def test_a_session_path_is_never_an_existing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TWITCHDX_SESSIONS", str(tmp_path / "auto"))
    assert session_path(None).parent == tmp_path / "auto"
    chosen = tmp_path / "mine.json"
    assert session_path(chosen) == chosen and chosen.exists()
    with pytest.raises(InputError, match=rf"already exists; continue it with --resume {chosen}"):
        session_path(chosen)
    with pytest.raises(InputError, match="no such folder for the session"):
        session_path(tmp_path / "missing" / "s.json")


def test_resuming_checks_the_answers_against_the_knowledge(tmp_path, kb):
    from expert.errors import AnswerError

    path = tmp_path / "s.json"
    Session(path, "kb", {"age": "30", "symptoms": ["cramps"]}).save()
    assert resume_session(kb, path).answers == {"age": 30, "symptoms": ("cramps",)}
    Session(path, "kb", {"age": 300}).save()
    with pytest.raises(AnswerError):
        resume_session(kb, path)


def test_answers_come_from_exactly_one_file(tmp_path, kb):
    answers = tmp_path / "a.yaml"
    answers.write_text("age: 30\n")
    session = tmp_path / "s.json"
    Session(session, "kb", {"age": 40}).save()
    assert answers_from(kb, answers, None) == {"age": 30}
    assert answers_from(kb, None, session) == {"age": 40}
    for both in ((answers, session), (None, None)):
        with pytest.raises(InputError) as caught:
            answers_from(kb, *both)
        assert str(caught.value) == ("give the answers with exactly one of --answers FILE or "
                                     "--session FILE")
