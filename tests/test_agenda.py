"""The agenda fixes of engine/agenda.py: no stale activations, one firing order everywhere."""

import random
import subprocess
import sys

import pytest

from expert.engine.agenda import StableStrategy
from expert.engine.compat import AS, NOT, DepthStrategy, Fact, KnowledgeEngine, Rule


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
