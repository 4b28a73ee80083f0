"""A large base read on two cores gives what one process reads, problems and all."""

import os

import pytest
from synthetic import write_extension

from expert.errors import KnowledgeError
from expert.kb import builder, forked, readahead
from expert.kb.loader import all_files, knowledge_dirs, load_knowledge, read_knowledge


@pytest.fixture(scope="module")
def extension(tmp_path_factory):
    return write_extension(tmp_path_factory.mktemp("ahead"), 1_200, seed=5)  # 3 files


def texts_of(*folders):
    return read_knowledge(all_files(knowledge_dirs(folders)))


@pytest.fixture
def spied(monkeypatch):
    """Read ahead whatever the size, and count the files the child's reads stood for."""
    monkeypatch.setattr(readahead, "_worth_it", lambda size: True)
    used = []
    get = readahead.ReadAhead.get

    def counting(self, index):
        read = get(self, index)
        if read is not None:
            used.append(index)
        return read

    monkeypatch.setattr(readahead.ReadAhead, "get", counting)
    return used


def test_the_base_is_the_one_a_single_process_reads(extension, spied, monkeypatch):
    texts = texts_of(extension)
    kb, problems = builder.build(texts)
    assert spied, "no file came from the second process"
    monkeypatch.setattr(readahead, "_worth_it", lambda size: False)
    alone, alone_problems = builder.build(texts)
    assert problems == alone_problems == []
    assert kb.fingerprint == alone.fingerprint
    assert kb.rules == alone.rules and kb.questions == alone.questions


def test_problems_in_files_the_child_reads_name_their_file_and_line(extension, spied,
                                                                     tmp_path):
    broken = tmp_path / "broken"
    (broken / "rules").mkdir(parents=True)
    (broken / "kb.yaml").write_text("name: broken\nversion: '1'\n")
    (broken / "rules" / "zz-syntax.yaml").write_text("rules:\n  - id: [unclosed\n")
    (broken / "rules" / "zz-schema.yaml").write_text(
        "rules:\n  - id: zz-rule\n    title: T\n    when: {twitch_at_rest: true}\n"
        "    then: {note: {id: stress, cf: 0.2}}\n    because: B.\n    sources: [S01]\n"
        "    colour: blue\n")
    texts = texts_of(extension, broken)
    _, problems = builder.build(texts)
    assert {len(texts) - 1, len(texts) - 2} <= set(spied)  # the broken files: the child's
    assert any(p.path.endswith("zz-syntax.yaml") and p.line == 2 for p in problems), problems
    assert any(p.path.endswith("zz-schema.yaml") and p.line == 8 and "colour" in p.message
               for p in problems), problems
    with pytest.raises(KnowledgeError):
        load_knowledge((extension, broken), use_cache=False)


def test_a_child_that_fails_leaves_the_reading_to_the_parent(extension, spied, monkeypatch):
    parent = os.getpid()
    read_file = readahead.read_file

    def failing_in_the_child(kind, text, shown):
        if os.getpid() != parent:
            raise MemoryError("the child ran out")
        return read_file(kind, text, shown)

    monkeypatch.setattr(readahead, "read_file", failing_in_the_child)
    monkeypatch.setattr(builder, "read_file", failing_in_the_child)
    texts = texts_of(extension)
    kb, problems = builder.build(texts)
    assert spied == [] and problems == []  # every file read by the parent instead
    monkeypatch.setattr(readahead, "_worth_it", lambda size: False)
    assert kb.rules == builder.build(texts)[0].rules


def test_a_build_that_stops_early_stops_its_child(extension, spied, monkeypatch):
    started = []
    start = readahead._start

    def remembering(texts, shown):
        ahead = start(texts, shown)
        started.append((ahead, ahead.pid))
        return ahead

    def stop(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(readahead, "_start", remembering)
    monkeypatch.setattr(builder, "collect_rules", stop)
    with pytest.raises(KeyboardInterrupt):
        builder.build(texts_of(extension))
    (ahead, pid), = started
    assert pid > 0 and ahead.pid == -1 and ahead.pipe is None
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_only_a_large_base_in_a_single_thread_is_read_so(monkeypatch):
    size = readahead.READ_AHEAD_FROM
    monkeypatch.setattr(forked.threading, "active_count", lambda: 1)
    assert readahead._worth_it(size) == forked.sys.platform.startswith("linux")
    assert not readahead._worth_it(size - 1)
    monkeypatch.setattr(forked.threading, "active_count", lambda: 2)
    assert not readahead._worth_it(size)


def test_the_parent_keeps_a_share_of_the_text_not_of_the_files():
    sizes = [10] * 9 + [90]  # nine small files, then one as large as they are
    assert readahead.share_end(sizes, 0.5) == 9  # the nine are half the text
    assert readahead.share_end(list(reversed(sizes)), 0.5) == 1  # and so is the large one
    assert readahead.share_end(sizes, 0.3) == 6
    assert readahead.share_end([], 0.5) == 0
