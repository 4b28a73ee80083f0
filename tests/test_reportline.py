"""A batch's report line is ``json.dumps`` of the report dict, byte for byte, however the
consultation went: the line is joined from pieces each knowledge base says once, and
the trace is written straight from what the engine kept."""

import json
import random

import pytest
from synthetic import random_answers

from conftest import seeded
from expert.authoring.cases import load_cases
from expert.consult.answers import check_answers
from expert.consult.consultation import consult
from expert.consult.contract import build_report
from expert.consult.planner import questions_that_matter
from expert.consult.reportline import pieces_for, report_line
from expert.engine.trace import EchoWatcher
from expert.errors import AnswerError
from expert.kb.loader import package_knowledge


def dumped(result, head, value_of_information=None):
    return json.dumps({**head, **build_report(result, value_of_information)},
                      ensure_ascii=False, separators=(",", ":"))


def random_consultations(kb, seed, count):
    """Answers of every kind: some left unknown, numbers whole and not, none at all."""
    rng = random.Random(seeded(seed))
    made = 0
    while made < count:
        raw = random_answers(rng, fill=rng.random())
        for question in rng.sample(sorted(raw), min(len(raw), rng.randint(0, 3))):
            raw[question] = None if rng.random() < 0.5 else "unknown"
        try:
            answers = check_answers(kb, raw)
        except AnswerError:
            continue
        made += 1
        yield made, answers


@pytest.mark.parametrize("seed", range(3))
def test_the_line_is_the_dumped_report_for_random_consultations(kb, seed):
    levels, warned = set(), set()
    for number, answers in random_consultations(kb, seed, 120):
        head = {"line": number, "id": f"r{number}"} if number % 2 else {"line": number}
        result = consult(kb, answers)
        levels.add(result.level.id)
        warned.add(result.quiet)
        assert report_line(consult(kb, answers), head) == dumped(result, head)
    assert len(levels) >= 4 and warned == {True, False}  # the voices a report can take


def test_a_trace_already_read_or_watched_is_written_the_same(kb):
    for _, answers in random_consultations(kb, 7, 20):
        expected = dumped(consult(kb, answers), {"line": 1})
        read = consult(kb, answers)
        list(read.firings)[::2]  # some Firings written out before the line is
        assert report_line(read, {"line": 1}) == expected
        watched = consult(kb, answers, watch=EchoWatcher(lambda _: None))
        assert report_line(watched, {"line": 1}) == expected


def test_the_questions_that_matter_are_written_as_dumped(kb):
    for _, answers in random_consultations(kb, 11, 5):
        result = consult(kb, answers)
        matter = questions_that_matter(result)
        assert report_line(consult(kb, answers), {"line": 2}, matter) == \
            dumped(result, {"line": 2}, matter)


def test_a_remembered_answer_is_never_one_that_only_compares_equal(kb):
    """1, 1.0 and True are one key to a dict, but three answers in JSON: each line's
    answers are written as that consultation has them, whichever came first."""
    pieces = pieces_for(kb)
    question = kb.questions["reliever_uses_per_day"]
    written = [json.loads(pieces.answer(question, value))["answer"]
               for value in (1, 1.0, True, 1, 1.0, True)]
    assert [(type(v), v) for v in written] == [(int, 1), (float, 1.0), (bool, True)] * 2


def test_every_knowledge_case_is_written_as_dumped(kb):
    cases = load_cases(kb, [package_knowledge()])
    assert len(cases) > 20
    for case in cases:
        try:
            answers = check_answers(kb, case.answers)
        except AnswerError:
            continue
        result = consult(kb, answers)
        assert report_line(consult(kb, answers), {"line": 1}) == dumped(result, {"line": 1})
