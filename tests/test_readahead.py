"""A large base read on two cores gives what one process reads, problems and all."""

import mmap
import os
import time

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
    """Read ahead whatever the size, and gather the files the child's reads stood for."""
    monkeypatch.setattr(readahead, "_worth_it", lambda size: True)
    used = []
    close = readahead.ReadAhead.close

    def gathering(self):
        used.extend(sorted(self.theirs))
        close(self)

    monkeypatch.setattr(readahead.ReadAhead, "close", gathering)
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
    assert {len(texts) - 1, len(texts) - 2} <= set(spied)  # the broken files: the child's,
    # which reads from the back
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
    texts = texts_of(extension)
    kb, problems = builder.build(texts)
    assert spied == [] and problems == []  # every file read by the parent instead
    monkeypatch.setattr(readahead, "_worth_it", lambda size: False)
    assert kb.rules == builder.build(texts)[0].rules


def test_a_build_that_stops_early_stops_its_child(extension, spied, monkeypatch):
    made = []
    start = readahead.ReadAhead.__init__

    def remembering(self, *args):
        start(self, *args)
        made.append((self, self.child.pid))

    def stop(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(readahead.ReadAhead, "__init__", remembering)
    monkeypatch.setattr(builder, "collect_rules", stop)  # the first rule file the parent reads
    with pytest.raises(KeyboardInterrupt):
        builder.build(texts_of(extension))
    (ahead, pid), = made
    assert pid > 0 and ahead.child.pid == -1 and ahead.child.pipe is None
    with pytest.raises(ChildProcessError):  # reaped: no zombie left behind
        os.waitpid(pid, os.WNOHANG)


def test_only_a_large_base_in_a_single_thread_is_read_so(monkeypatch):
    size = readahead.READ_AHEAD_FROM
    monkeypatch.setattr(forked.threading, "active_count", lambda: 1)
    assert readahead._worth_it(size) == forked.sys.platform.startswith("linux")
    assert not readahead._worth_it(size - 1)
    monkeypatch.setattr(forked.threading, "active_count", lambda: 2)
    assert not readahead._worth_it(size)


def slowed(monkeypatch, who):
    """Reading made slow in the parent or the child: the other should read the most."""
    parent = os.getpid()
    read_file = readahead.read_file

    def reading(kind, text, shown):
        if (os.getpid() == parent) == (who == "parent"):
            time.sleep(0.15)  # longer than a busy machine takes for a file (0.05 was not)
        return read_file(kind, text, shown)

    monkeypatch.setattr(readahead, "read_file", reading)


@pytest.mark.parametrize("slow", ["parent", "child"])
def test_each_reads_as_much_as_it_has_time_for(extension, spied, monkeypatch, slow):
    texts = texts_of(extension)
    slowed(monkeypatch, slow)
    kb, problems = builder.build(texts)
    assert problems == [] and len(kb.rules) > 1_200
    theirs = len(spied)
    if slow == "parent":
        assert theirs >= len(texts) - 4, f"the child read {theirs} of {len(texts)}"
    else:
        assert theirs <= 4, f"the child read {theirs} of {len(texts)}"


def test_the_files_come_in_order_whoever_read_them(extension, monkeypatch):
    texts = texts_of(extension)
    shown = [str(path) for _, path, _ in texts]
    slowed(monkeypatch, "child")  # so the parent reads some, and the child some
    monkeypatch.setattr(readahead, "_worth_it", lambda size: True)
    with readahead.read_ahead(texts, shown) as ahead:
        came = list(ahead.reads())
    assert 0 < len(ahead.theirs) < len(texts)
    assert came == [(index, readahead.read_file(kind, text, where))
                    for index, ((kind, _, text), where)
                    in enumerate(zip(texts, shown, strict=True))]


def test_the_parent_reads_them_all_when_it_is_not_worth_a_child(extension, monkeypatch):
    texts = texts_of(extension)
    shown = [str(path) for _, path, _ in texts]
    monkeypatch.setattr(readahead, "_worth_it", lambda size: False)
    with readahead.read_ahead(texts, shown, lambda *args: "prepared") as ahead:
        came = list(ahead.reads())
        assert ahead.child.pid == 0  # never forked
    assert [index for index, _ in came] == list(range(len(texts)))
    assert "prepared" not in [read for _, read in came] and ahead.theirs == set()


RULE = """\
rules:
  - id: {id}
    title: A rule read last
    when: {{age: {{at_least: 110}}}}
    then: {{note: {{id: stress, cf: 0.1}}}}
    because: A rule written for this test.
    sources: [S01]{extra}
"""


def test_the_child_builds_the_rules_of_a_file_without_problems(extension, spied, monkeypatch,
                                                              tmp_path):
    """It sends the rules it built; a file with anything to report (here an override,
    which needs the rules before it) goes to the builder as read.  Either way the base
    and its problems are a single process's."""
    later = tmp_path / "later"
    (later / "rules").mkdir(parents=True)
    (later / "kb.yaml").write_text("name: later\nversion: '1'\n")
    (later / "rules" / "a-override.yaml").write_text(
        RULE.format(id="synthetic-5-3", extra="\n    override: true"))
    (later / "rules" / "b-again.yaml").write_text(RULE.format(id="synthetic-5-4", extra=""))
    texts = texts_of(extension, later)
    slowed(monkeypatch, "parent")  # the child reads most files
    taken = []
    take = builder._Builder.take

    def telling(self, kind, shown, read, experimental=True):
        taken.append((shown.rpartition("/")[2], type(read).__name__))
        take(self, kind, shown, read, experimental)

    monkeypatch.setattr(builder._Builder, "take", telling)
    kb, problems = builder.build(texts)
    assert ("synthetic-0002.yaml", "Built") in taken and ("b-again.yaml", "Built") in taken
    assert ("a-override.yaml", "tuple") in taken  # as read
    assert kb.rules_by_id["synthetic-5-3"].title == "A rule read last"
    again, = problems
    assert again.path.endswith("b-again.yaml") and again.line == 2 and \
        again.message.startswith("rule id synthetic-5-4 is already used at ")
    monkeypatch.setattr(readahead, "_worth_it", lambda size: False)
    alone, alone_problems = builder.build(texts)
    assert kb.rules == alone.rules and problems == alone_problems


def test_a_child_sends_a_files_reads_without_waiting_for_the_parent_to_take_them():
    sent = mmap.mmap(-1, 1)
    part = b"x" * 600_000  # a rule file's reads: far more than a pipe holds unless widened

    def work(send):
        send(part)
        sent[0] = 1
        return "done"

    child = forked.Forked(work, parts=True)
    deadline = time.monotonic() + 10
    while not sent[0] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent[0], "the child waited for the parent to take its part"
    assert child.receive() == part and child.result() == "done"


@pytest.mark.parametrize("apart", [False, True])
def test_a_file_that_is_not_a_mapping_is_reported_at_its_line(extension, tmp_path,
                                                             monkeypatch, apart):
    listed = tmp_path / "listed"
    (listed / "rules").mkdir(parents=True)
    (listed / "kb.yaml").write_text("name: listed\nversion: '1'\n")
    (listed / "rules" / "zz-list.yaml").write_text("# rules, but as a list\n- id: x\n- id: y\n")
    monkeypatch.setattr(readahead, "_worth_it", lambda size: apart)
    _, problems = builder.build(texts_of(extension, listed))
    assert [(p.path.rpartition("/")[2], p.line, p.message) for p in problems] == [
        ("zz-list.yaml", 2, "a rules file must be a mapping")]
