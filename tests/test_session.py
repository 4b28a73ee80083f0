"""Session files: saved atomically after every answer, resumable, exportable."""

import json
import os

import pytest

from expert.consult.session import Session
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
