"""The agenda fixes of engine/agenda.py: no stale activations, one firing order everywhere."""

import random
import subprocess
import sys
from types import SimpleNamespace

import pytest

from expert.engine.agenda import StableStrategy, _Descending, activation_key
from expert.engine.compat import (
    AS,
    NOT,
    Agenda,
    DepthStrategy,
    Fact,
    KnowledgeEngine,
    Rule,
    W,
)


def stale_activation_engine(strategy, rules: int = 8, seed: int = 7):
    """experta#3: rules blocked one by one, in shuffled order, then their fact retracted.

    Each unblocking adds an activation with the same key; the retraction must remove
    all of them.  Returns the rules that fired on the retracted fact.
    """
    fired = []
    namespace = {"__strategy__": strategy}
    for i in range(rules):
        def act(self, i=i):
            fired.append(i)
        act.__name__ = f"r{i}"
        namespace[f"r{i}"] = Rule(Fact("x"), NOT(Fact(block=i)))(act)

    def kill(self, f):
        self.retract(f)
    namespace["killer"] = Rule(AS.f << Fact("x"), Fact("go"), salience=10)(kill)
    engine = type("E", (KnowledgeEngine,), namespace)()
    engine.reset()
    blocks = [engine.declare(Fact(block=i)) for i in range(rules)]
    engine.declare(Fact("x"))
    order = list(range(rules))
    random.Random(seed).shuffle(order)
    for i in order:
        engine.retract(blocks[i])
    engine.declare(Fact("go"))
    engine.run()
    return fired


@pytest.mark.parametrize("seed", range(5))
def test_no_rule_fires_on_a_retracted_fact(seed):
    assert stale_activation_engine(StableStrategy, seed=seed) == []


def test_the_stock_strategy_does_fire_stale_activations():
    # the regression above is a real one: experta's own strategy fails it
    stale = [stale_activation_engine(DepthStrategy, rules=12, seed=s) for s in range(5)]
    assert any(stale)


ORDER_SCRIPT = """
import expert.engine.compat as c
from expert.engine.agenda import StableStrategy
order = []
ns = {"__strategy__": StableStrategy}
for name in ["delta", "alpha", "echo", "charlie", "bravo", "foxtrot", "golf", "hotel"]:
    def act(self, name=name):
        order.append(name)
    act.__name__ = name
    ns[name] = c.Rule(c.Fact("go"))(act)
ns["first"] = c.Rule(c.Fact("go"), salience=5)(lambda self: order.append("first"))
ns["first"].__name__ = "first"
engine = type("E", (c.KnowledgeEngine,), ns)()
engine.reset()
engine.declare(c.Fact("go"))
engine.run()
print(" ".join(order))
"""


def test_ties_fire_in_rule_id_order_in_every_process():
    orders = {subprocess.run([sys.executable, "-c", ORDER_SCRIPT], capture_output=True,
                             text=True, check=True).stdout.strip() for _ in range(4)}
    assert orders == {"first alpha bravo charlie delta echo foxtrot golf hotel"}


def test_descending_names_compare_backwards():
    a, b = _Descending("alpha"), _Descending("bravo")
    assert (a < b, a > b, a <= b, a >= b) == (False, True, False, True)
    assert (a <= "alpha", a >= "alpha", a < "alpha", a > "alpha") == (True, True, False, False)


def activation(name, facts, salience=0, rank=None):
    rule = SimpleNamespace(salience=salience, __name__=name)
    if rank is not None:
        rule.rank = rank
    return SimpleNamespace(rule=rule, facts=[{"__factid__": f} for f in facts], key=None)


def test_the_key_is_salience_then_rule_then_newest_facts():
    assert activation_key(activation("r", [1, 5, 3], salience=2, rank=7)) == (2, -7, (5, 3, 1))
    key = activation_key(activation("r", [4]))
    assert key == (0, "r", (4,)) and isinstance(key[1], _Descending)


def engine_with(names, strategy=StableStrategy):
    """Rules that all fire on one fact, salience 0, in experta's own engine."""
    order = []
    namespace = {"__strategy__": strategy}
    for name in names:
        def act(self, name=name):
            order.append(name)
        act.__name__ = name
        namespace[name] = Rule(Fact("go"))(act)
    engine = type("E", (KnowledgeEngine,), namespace)()
    engine.reset()
    engine.declare(Fact("go"))
    engine.run()
    return order


def firing_order(activations):
    strategy, agenda = StableStrategy(), Agenda()
    strategy.update_agenda(agenda, activations, [])
    return [a.rule.__name__ for a in iter(agenda.get_next, None)]


def test_ties_fire_in_name_order_or_in_rank_order():
    names = ["delta", "alpha", "charlie", "bravo"]
    assert engine_with(names) == ["alpha", "bravo", "charlie", "delta"]
    assert firing_order([activation(n, [1]) for n in names]) == [
        "alpha", "bravo", "charlie", "delta"]
    ranks = {"delta": 0, "alpha": 3, "charlie": 1, "bravo": 2}  # the compiler's: it wins
    assert firing_order([activation(n, [1], rank=ranks[n]) for n in names]) == [
        "delta", "charlie", "bravo", "alpha"]
    assert firing_order([activation("low", [1], rank=0), activation("high", [1], 5, rank=9)]
                        ) == ["high", "low"]  # salience first


def test_within_a_rule_the_newest_facts_fire_first():
    fired = []

    class E(KnowledgeEngine):
        __strategy__ = StableStrategy

        @Rule(Fact(a=W("a")), Fact(b=W("b")))
        def pair(self, a, b):
            fired.append((a, b))

    engine = E()
    engine.reset()
    for fact in (Fact(a=1), Fact(a=2), Fact(b=1), Fact(b=2)):  # ids 1, 2, 3, 4
        engine.declare(fact)
    engine.run()
    # keys, newest fact first: (4, 2), (4, 1), (3, 2), (3, 1)
    assert fired == [(2, 2), (1, 2), (2, 1), (1, 1)]


def test_removing_an_activation_that_is_not_there_changes_nothing():
    strategy, agenda = StableStrategy(), Agenda()
    kept = [activation(name, [1], rank=rank) for name, rank in (("a", 0), ("b", 1))]
    strategy.update_agenda(agenda, kept, [])
    gone = activation("c", [9], rank=5)  # ranks below every other: would sort last
    strategy.update_agenda(agenda, [], [gone])
    assert [a.rule.__name__ for a in agenda.activations] == ["b", "a"]
    strategy.update_agenda(agenda, [], [activation("a", [1], rank=0)])  # a new object for a
    assert [a.rule.__name__ for a in agenda.activations] == ["b"]


@pytest.mark.parametrize("seed", range(4))
def test_activations_added_in_bulk_take_the_order_of_one_at_a_time(seed):
    """A large base's answers activate thousands of rules in one change: they are sorted
    in, not inserted one by one, and the agenda is the same."""
    rng = random.Random(seed)
    made = [activation(f"r{n}", rng.sample(range(1, 60), rng.randint(1, 3)),
                       salience=rng.choice([0, 0, 5]), rank=n) for n in range(600)]
    bulk, one_by_one = Agenda(), Agenda()
    start = 0
    for size in (3, 40, 2, 400, 1, 154):  # below and above what is sorted in
        gone = made[start - 1:start]  # the last one added before: removed first
        StableStrategy().update_agenda(bulk, made[start:start + size], gone)
        StableStrategy().update_agenda(one_by_one, [], gone)
        for act in made[start:start + size]:
            StableStrategy().update_agenda(one_by_one, [act], [])
        start += size
        assert [a.key for a in bulk.activations] == [a.key for a in one_by_one.activations]
    keys = [a.key for a in bulk.activations]
    assert keys == sorted(keys) and len(keys) == 600 - 5
