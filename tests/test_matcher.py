"""The indexed matcher against experta's own ReteMatcher: the same firings, in the same
order, matching the same facts, over random consultations of the shipped knowledge and
of synthetic knowledge nobody tuned the matcher on."""

import random

import pytest
from synthetic import random_answers, write_extension

from expert.consult.answers import check_answers
from expert.engine.compat import ReteMatcher
from expert.engine.engine import engine_class, engine_for
from expert.engine.matcher import IndexedMatcher


def stock_engine(kb):
    """The same compiled rules and agenda, matched by experta's Rete network."""
    return type("StockEngine", (engine_class(kb, patterns=True),),
                {"__matcher__": ReteMatcher})()


def firings(engine, kb, answers):
    return [(f.rule, tuple(ref.id for ref in f.facts), f.asserted) for f in
            engine.infer(kb, answers).firings]


def consultations(kb, count, seed):
    rng = random.Random(seed)
    for _ in range(count):
        yield check_answers(kb, random_answers(rng, fill=rng.choice([0.2, 0.5, 0.8, 1.0])))


def test_the_engine_uses_the_indexed_matcher(kb):
    assert isinstance(engine_for(kb).matcher, IndexedMatcher)


@pytest.mark.slow
def test_the_same_firings_as_experta_on_the_shipped_knowledge(kb):
    ours, stock = engine_for(kb), stock_engine(kb)
    compared = 0
    for answers in consultations(kb, 1000, seed=13):
        assert firings(ours, kb, answers) == firings(stock, kb, answers), answers
        compared += 1
    assert compared == 1000


@pytest.fixture(scope="module")
def synthetic_kb(tmp_path_factory):
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path_factory.mktemp("synthetic"), 400, seed=7)
    return load_knowledge((folder,), use_cache=False)


@pytest.mark.slow
def test_the_same_firings_as_experta_on_synthetic_knowledge(synthetic_kb):
    kb = synthetic_kb
    ours, stock = engine_for(kb), stock_engine(kb)
    fired = 0
    for answers in consultations(kb, 100, seed=29):
        ours_fired = firings(ours, kb, answers)
        assert ours_fired == firings(stock, kb, answers), answers
        fired += len(ours_fired)
    assert fired > 100 * 20  # the synthetic rules take part, chains and all


def test_a_reset_forgets_the_last_consultation(kb):
    engine = engine_for(kb)
    answers = list(consultations(kb, 3, seed=3))
    first = firings(engine, kb, answers[0])
    firings(engine, kb, answers[1])
    assert firings(engine, kb, answers[0]) == first
