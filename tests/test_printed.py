"""A large base's printed texts screened on two cores give what one process finds."""

import os

import pytest
from synthetic import write_extension

from expert.kb import builder, forked, printed
from expert.kb.loader import all_files, knowledge_dirs, read_knowledge

RULE = """  - id: {id}
    title: {title}
    when: {{twitch_at_rest: true}}
    then:
      advice:
        kind: care
        does: {{habit: [sleep]}}
        text: {advice}
    because: {because}
    sources: [S01]
"""


@pytest.fixture(scope="module")
def texts(tmp_path_factory):
    """Worded rules between a file read first and one read last, each with a forbidden
    instruction and a reassurance (so each half of the screening finds some)."""
    folder = write_extension(tmp_path_factory.mktemp("printed"), 300, seed=4, shape="worded")
    for name, medicine in (("aa-first", "warfarin"), ("zz-last", "omeprazole")):
        (folder / "rules" / f"{name}.yaml").write_text("rules:\n" + RULE.format(
            id=name, title=f"Rule {name}", because=f"Stop your {medicine} now.",
            advice=f"Twitches like this are common and harmless. Sleep more ({name})."))
    return read_knowledge(all_files(knowledge_dirs((folder,))))


@pytest.fixture
def forks(monkeypatch):
    """Screen on two cores whatever the size; the children started."""
    monkeypatch.setattr(printed, "APART_FROM", 0)
    started = []
    start = forked.Forked.__init__

    def spying(self, work=None):
        start(self, work)
        if work is not None:
            started.append(self)

    monkeypatch.setattr(forked.Forked, "__init__", spying)
    return started


def built(texts):
    kb, problems = builder.build(texts)
    return kb, [p for p in problems if p.check == "safety"]


def test_two_cores_find_what_one_finds(texts, forks, monkeypatch):
    kb, problems = built(texts)
    assert len(forks) == 1 and forks[0].pid == -1  # the child ran, and was reaped
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    alone, alone_problems = built(texts)
    assert len(forks) == 1
    assert problems == alone_problems
    assert kb.calm == alone.calm and list(kb.calm) == list(alone.calm)
    stopped = {p.path.rsplit("/", 1)[-1]: p for p in problems if "stop" in p.message}
    assert set(stopped) == {"aa-first.yaml", "zz-last.yaml"}  # a half each, at file:line
    assert stopped["zz-last.yaml"].line == 10 and stopped["zz-last.yaml"].rule == "zz-last"
    for name in ("aa-first", "zz-last"):
        calmed = f"Twitches like this are common and harmless. Sleep more ({name})."
        assert kb.calm[calmed] == f"Sleep more ({name})."


def test_a_child_that_fails_leaves_its_half_to_the_parent(texts, forks, monkeypatch):
    parent = os.getpid()
    screened = printed._screened

    def failing_in_the_child(kb, every):
        if os.getpid() != parent:
            raise MemoryError("the child ran out")
        return screened(kb, every)

    monkeypatch.setattr(printed, "_screened", failing_in_the_child)
    kb, problems = built(texts)
    assert forks and forks[0].result() is None
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    alone, alone_problems = built(texts)
    assert problems == alone_problems and kb.calm == alone.calm
    assert any(p.path.endswith("zz-last.yaml") for p in problems)


def test_a_small_base_or_a_process_with_threads_is_screened_in_one(texts, forks,
                                                                    monkeypatch):
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    built(texts)
    monkeypatch.setattr(printed, "APART_FROM", 0)
    monkeypatch.setattr(forked.threading, "active_count", lambda: 2)
    built(texts)
    assert forks == []


def test_the_parts_split_the_text_not_the_fields():
    sizes = [10] * 9 + [90]  # nine titles, then an advice as long as they are
    assert forked.share_end(sizes, 0.5) == 9  # the nine titles are half the text
    assert forked.share_end(list(reversed(sizes)), 0.5) == 1  # and so is the advice
    assert forked.share_end(sizes, 0.3) == 6
    assert forked.share_end([], 0.5) == 0


def test_the_load_proves_the_base_while_the_child_screens(tmp_path, forks, monkeypatch):
    from expert.errors import KnowledgeError
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path / "unsafe", 300, seed=4, shape="worded")
    (folder / "rules" / "zz-bananas.yaml").write_text(
        "rules:\n  - id: zz-bananas\n    title: Bananas\n    when: {twitch_at_rest: true}\n"
        "    then:\n      advice:\n        kind: diet\n"
        "        does: {eat: [potassium, bananas]}\n"
        "        text: Eat potassium-rich foods such as bananas.\n"
        "    because: Bananas hold potassium.\n    sources: [S01]\n")
    from expert.kb import safety

    proved, check = [], safety.check

    def checking(kb):  # while the child screens: started, not yet reaped
        proved.append([child.pid > 0 for child in forks])
        return check(kb)

    monkeypatch.setattr(safety, "check", checking)
    with pytest.raises(KnowledgeError) as two_cores:
        load_knowledge((folder,), use_cache=False)
    assert len(forks) == 1 and proved == [[True]]
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    with pytest.raises(KnowledgeError) as one_core:
        load_knowledge((folder,), use_cache=False)
    assert two_cores.value.problems == one_core.value.problems
    harm, = two_cores.value.problems  # the proof's, made while the child screened
    assert harm.rule == "zz-bananas" and "potassium-foods-with-kidney-disease" in harm.message


def test_a_load_on_two_cores_keeps_what_one_keeps(tmp_path, forks, monkeypatch):
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path / "calm", 300, seed=6, shape="worded")
    for name in ("aa-first", "zz-last"):
        (folder / "rules" / f"{name}.yaml").write_text("rules:\n" + RULE.format(
            id=name, title=f"Rule {name}", because="Sleep matters.",
            advice=f"Twitches like this are common and harmless. Sleep more ({name})."))
    kb = load_knowledge((folder,), use_cache=False)
    assert len(forks) == 1
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    alone = load_knowledge((folder,), use_cache=False)
    assert list(kb.calm.items()) == list(alone.calm.items())  # the same, in the same order
    assert kb.rules == alone.rules and kb.fingerprint == alone.fingerprint
    assert kb.calm["Twitches like this are common and harmless. Sleep more (zz-last)."] \
        == "Sleep more (zz-last)."


@pytest.mark.parametrize("call", ["fork", "pipe"])
def test_no_process_to_be_had_means_one_process_does_it_all(texts, forks, monkeypatch,
                                                             call):
    def refused(*args):
        raise OSError(11, "Resource temporarily unavailable")

    kb, problems = built(texts)  # on two cores
    monkeypatch.setattr(forked.os, call, refused)
    alone, alone_problems = built(texts)
    assert [child.pid for child in forks] == [-1, 0]  # the second never started
    assert problems == alone_problems and kb.calm == alone.calm
