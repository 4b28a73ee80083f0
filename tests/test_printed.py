"""A large base's printed texts screened on two cores give what one process finds."""

import os
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from synthetic import write_extension

from expert.kb import builder, forked, printed
from expert.kb.loader import all_files, knowledge_dirs, read_knowledge
from expert.policy import asks

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

    def spying(self, work=None, parts=False):
        start(self, work, parts)
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
    assert set(stopped) == {"aa-first.yaml", "zz-last.yaml"}  # at their file:line
    assert stopped["zz-last.yaml"].line == 10 and stopped["zz-last.yaml"].rule == "zz-last"
    for name in ("aa-first", "zz-last"):
        calmed = f"Twitches like this are common and harmless. Sleep more ({name})."
        assert kb.calm[calmed] == f"Sleep more ({name})."


@pytest.mark.parametrize("after", [0, 40, 10**6])
def test_a_child_that_fails_leaves_its_fields_to_the_parent(texts, forks, monkeypatch, after):
    """Failing at once, after some fields (what advice asks not sent), or after it all."""
    parent, judged = os.getpid(), []
    judge = printed.judge

    def failing_in_the_child(key, policy):
        if os.getpid() != parent:
            judged.append(key)
            if len(judged) > after:
                os._exit(3)  # as if killed: no exception handler runs
        return judge(key, policy)

    monkeypatch.setattr(printed, "judge", failing_in_the_child)
    monkeypatch.setattr(forked, "_child", lambda work, parts, r, w: (  # after it all: the
        _failing_at_the_end(work, parts, r, w) if after > 10**5 else CHILD(work, parts, r, w)))
    kb, problems = built(texts)
    assert forks and forks[0].result() is None
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    alone, alone_problems = built(texts)
    assert problems == alone_problems and kb.calm == alone.calm
    assert any(p.path.endswith("zz-last.yaml") for p in problems)


CHILD = forked._child


def _failing_at_the_end(work, parts, read_end, write_end):
    """A child that does all the work and sends what advice asks, then dies."""
    return CHILD(lambda send: (work(send), os._exit(4)), parts, read_end, write_end)


def test_a_small_base_or_a_process_with_threads_is_screened_in_one(texts, forks,
                                                                    monkeypatch):
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    built(texts)
    monkeypatch.setattr(printed, "APART_FROM", 0)
    monkeypatch.setattr(forked.threading, "active_count", lambda: 2)
    built(texts)
    assert forks == []


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
        proved.append([child.pid > 0 for child in forks[before:]])
        return check(kb)

    monkeypatch.setattr(safety, "check", checking)
    before = len(forks)  # write_extension read the shipped base: built then if not cached
    with pytest.raises(KnowledgeError) as two_cores:
        load_knowledge((folder,), use_cache=False)
    assert len(forks) == before + 1 and proved == [[True]]
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
    before = len(forks)  # write_extension read the shipped base: built then if not cached
    kb = load_knowledge((folder,), use_cache=False)
    assert len(forks) == before + 1
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    alone = load_knowledge((folder,), use_cache=False)
    assert list(kb.calm.items()) == list(alone.calm.items())  # the same, in the same order
    assert kb.rules == alone.rules and kb.fingerprint == alone.fingerprint
    assert kb.calm["Twitches like this are common and harmless. Sleep more (zz-last)."] \
        == "Sleep more (zz-last)."


@pytest.mark.parametrize("call", ["fork", "pipe", "mmap"])
def test_no_process_to_be_had_means_one_process_does_it_all(texts, forks, monkeypatch,
                                                             call):
    def refused(*args):
        raise OSError(11, "Resource temporarily unavailable")

    kb, problems = built(texts)  # on two cores
    monkeypatch.setattr(forked.mmap if call == "mmap" else forked.os, call, refused)
    alone, alone_problems = built(texts)
    assert [child.pid for child in forks] == ([-1] if call == "mmap" else [-1, 0])
    assert problems == alone_problems and kb.calm == alone.calm


def test_every_field_is_judged_once_whatever_how_often_it_is_written(texts, monkeypatch):
    monkeypatch.setattr(printed, "APART_FROM", 10**9)
    judged, judge = [], printed.judge
    monkeypatch.setattr(printed, "judge", lambda key, policy: judged.append(key) or
                        judge(key, policy))
    kb, _ = built(texts)
    written = [field[3:] for field in printed.fields(kb, {})]
    assert len(set(written)) < len(written)  # the same choice texts, labels...
    assert sorted(judged) == sorted(set(written))


def test_the_fields_judged_apart_are_those_the_base_prints(texts, monkeypatch):
    """What the child judges from the rules as built, before they are checked further,
    is what the finished base prints: no field of it is left for the parent to judge
    again."""
    shared, start = [], printed.sharing
    monkeypatch.setattr(builder, "sharing", lambda keys, policy, first=None: shared.append(
        (keys, policy)) or start(keys, policy, first))
    kb, _ = built(texts)
    (keys, policy), = shared
    assert set(keys) == {field[3:] for field in printed.fields(kb, {})}
    assert policy == (kb.language, kb.forbidden_phrases)


def test_what_advice_asks_comes_before_the_rest(texts, monkeypatch):
    """The child sends what the advice asks as soon as it has read it all, so that the
    proofs need not read it again; then its verdicts."""
    kb, _ = built(texts)
    keys = [field[3:] for field in printed.fields(kb, {})]
    advice = {text for what, written in keys if what == "advice" for text in written}
    asks._READ.clear()
    shared = printed.Sharing(keys, (kb.language, kb.forbidden_phrases))
    try:
        readings = shared.child.receive()  # the parent takes nothing: the child does all
        (asked, taken), verdicts = shared.child.result()
    finally:
        shared.close()
    assert set(readings) == advice and not asks._READ  # read there, not here
    assert readings == {text: asks.actions(text) for text in advice}
    assert asked == shared.advice and taken == len(shared.keys) == len(set(keys))
    assert shared.keys[:shared.advice] == [key for key in shared.keys if key[0] == "advice"]
    assert verdicts and printed.CLEAR not in verdicts.values()  # only what was found
    assert all(verdicts[index] == printed.judge(key, shared.policy)
               for index, key in enumerate(shared.keys) if index in verdicts)


def test_what_advice_asks_is_sent_before_the_other_fields_are_judged(texts, monkeypatch):
    import struct

    kb, _ = built(texts)
    keys = [field[3:] for field in printed.fields(kb, {})]
    judge = printed.judge
    monkeypatch.setattr(printed, "judge", lambda key, policy: (
        time.sleep(0.005) if key[0] != "advice" else None) or judge(key, policy))
    shared = printed.Sharing(keys, (kb.language, kb.forbidden_phrases))
    try:
        readings = shared.child.receive()
        advice, rest = (struct.unpack_from("qq", ends._places) for ends in shared.ends)
    finally:
        shared.close()
    assert readings and advice == (shared.advice, shared.advice)  # all of it read
    assert shared.advice <= rest[0] < shared.advice + 5 * forked.TwoEnds.BLOCK


def test_both_read_the_advice_first_and_meet_in_it(texts, monkeypatch):
    """A child slow to read the advice sends what its part asks once the parent, reading
    it from the back, has met it there; the parent keeps what its own part asks, and
    the verdicts are every field's, whoever judged it."""
    kb, _ = built(texts)
    keys = [field[3:] for field in printed.fields(kb, {})]
    parent, judge = os.getpid(), printed.judge
    monkeypatch.setattr(printed, "judge", lambda key, policy: (
        time.sleep(0.002) if os.getpid() != parent and key[0] == "advice" else None)
        or judge(key, policy))
    asks._READ.clear()
    shared = printed.Sharing(keys, (kb.language, kb.forbidden_phrases))
    try:
        shared.asks()
        verdicts = shared.verdicts()
    finally:
        shared.close()
    theirs = [shared.keys[i][1] for i in range(shared.advice) if i not in shared.mine]
    mine = [shared.keys[i][1] for i in range(shared.advice) if i in shared.mine]
    assert theirs and mine  # each read part of the advice: the child's part was sent
    assert all(text in asks._READ for written in theirs + mine for text in written if text)
    assert verdicts == {key: judge(key, shared.policy) for key in shared.keys}


def test_the_proofs_read_no_advice_again(texts, forks, monkeypatch):
    """What the child read of the advice is kept here before check_advice and the proofs
    run; and each field is judged by one of the two (the parent judges only what it
    took)."""
    parent, read, judged, made = os.getpid(), [], [], []
    reading, judge = asks._reading, printed.judge

    class Recorded(printed.Sharing):
        def __init__(self, *args):
            super().__init__(*args)
            made.append(self)

    monkeypatch.setattr(printed, "Sharing", Recorded)
    monkeypatch.setattr(asks, "_reading", lambda text: (
        read.append(text) if os.getpid() == parent else None) or reading(text))
    monkeypatch.setattr(printed, "judge", lambda key, policy: (
        judged.append(key) if os.getpid() == parent else None) or judge(key, policy))
    asks._READ.clear()
    builder.build(texts, proofs=builder.Proofs(lambda kb: [], lambda kb: []))
    own = {text for what, written in judged if what == "advice" for text in written}
    assert set(read) <= own  # check_advice and the proofs read no advice again
    (shared,) = made
    assert len(judged) == len(shared.mine)  # none judged again when put together


@given(st.integers(0, 100), st.lists(st.booleans(), max_size=40))
def test_two_ends_take_every_task_once(count, turns):
    ends = forked.TwoEnds(count)
    taken = []
    for front in [*turns, *[True] * count]:
        taken += ends.front() if front else ends.back()
    assert ends.front() == ends.back() == range(0)
    assert sorted(taken) == list(range(count))


def test_two_ends_shared_with_a_child_leave_no_task_undone():
    count = 20_000
    ends = forked.TwoEnds(count)
    child = forked.Forked(lambda: [i for tasks in iter(ends.front, range(0)) for i in tasks])
    mine = [i for tasks in iter(ends.back, range(0)) for i in tasks]
    theirs = child.result()
    assert set(mine) | set(theirs) == set(range(count))
    assert len(set(mine) & set(theirs)) <= forked.TwoEnds.BLOCK  # only where they met


def test_a_child_sends_parts_before_its_result():
    child = forked.Forked(lambda send: (send(1), send({"a": (2,)}), "done")[-1], parts=True)
    assert child.receive() == 1 and child.receive() == {"a": (2,)}
    assert child.result() == "done" and child.pid == -1
    assert child.receive() is None and child.ready()  # no child: nothing to wait for


def test_a_part_is_not_the_result_of_a_child_that_failed():
    child = forked.Forked(lambda send: (send("part"), time.sleep(0.2), os._exit(5)),
                          parts=True)
    assert child.receive() == "part"
    assert not child.ready()  # sleeping: nothing more has come yet
    assert child.result() is None


def test_waiting_for_nothing_is_ready_at_once():
    child = forked.Forked(lambda send: os._exit(5), parts=True)
    deadline = time.monotonic() + 10
    while not child.ready() and time.monotonic() < deadline:
        pass
    assert child.ready() and child.receive() is None and child.result() is None


def _unreadable():
    raise ValueError("cannot be read back")


class Unreadable:
    """Pickles, but cannot be unpickled: as a part cut short or damaged would be."""

    def __reduce__(self):
        return (_unreadable, ())


def test_a_result_that_cannot_be_read_is_no_result_not_the_part_before_it():
    child = forked.Forked(lambda send: (send("part"), Unreadable())[-1], parts=True)
    assert child.result() is None  # not "part"
    child = forked.Forked(lambda send: (send(Unreadable()), "done")[-1], parts=True)
    assert child.receive() is None  # that part is lost; the next ones stand on their own
    assert child.result() == "done"


COPIES = "rules:\n" + "".join(f"""  - id: copy-{number}
    title: A rule and its copy
    when: {{age: {{at_least: 110}}}}
    then: {{note: {{id: stress, cf: 0.1}}}}
    because: The same evidence, written twice.
    sources: [S01]
""" for number in (1, 2))


@pytest.mark.parametrize("child_fails", [False, True])
def test_the_child_proves_what_reads_the_rules_alone(tmp_path, forks, monkeypatch,
                                                    child_fails):
    """Double counting reads the rules alone: the child that screens proves it once it
    has read the advice, on the rules as built, while the parent checks them further;
    the parent does it only if the child could not.  A copied rule is refused either
    way."""
    from expert.errors import KnowledgeError
    from expert.kb import verify
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path, 300, seed=4, shape="worded")
    (folder / "rules" / "zz-copies.yaml").write_text(COPIES)
    parent, in_parent = os.getpid(), []
    counted = verify.double_counting

    def counting(kb, warnings=True):
        if os.getpid() == parent:
            in_parent.append(len(kb.rules))
        elif child_fails:
            raise MemoryError("the child ran out")
        return counted(kb, warnings)

    monkeypatch.setattr(verify, "double_counting", counting)
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge((folder,), use_cache=False)
    assert "copy-2" in str(refused.value) and "one piece of evidence written twice" in str(
        refused.value)
    assert forks and in_parent == ([len(load_knowledge().rules) + 300 + 2]
                                   if child_fails else [])


@pytest.mark.parametrize("asks_first", [True, False])
def test_what_first_came_to_follows_what_the_advice_asks(texts, asks_first):
    """The child sends what the advice asks (the parent's safety proofs wait for it),
    then what its first work came to; the parent can ask for either first."""
    kb, _ = built(texts)
    keys = [field[3:] for field in printed.fields(kb, {})]
    advice = {text for what, written in keys if what == "advice" for text in written}
    shared = printed.Sharing(keys, (kb.language, kb.forbidden_phrases), lambda: "proved")
    try:
        if asks_first:
            shared.asks()
        came = shared.first_came_to()
        shared.asks()
        verdicts = shared.verdicts()
    finally:
        shared.close()
    assert came == "proved" and advice <= set(asks._READ)
    assert set(verdicts) == set(keys)
