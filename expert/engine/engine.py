"""The experta engine: built once per process and knowledge base, reset per consultation.

Three changes to experta's stock engine, each for a measured reason:

* ``StableStrategy`` (agenda.py) fixes stale activations and random tie order;
* ``IndexedMatcher`` (matcher.py) finds the same activations as experta's Rete
  network at a cost that does not grow with the number of rules;
* rules are listed, not discovered by ``inspect.getmembers`` on every reset, and
  reset, run and the fact list skip work experta does for engines twitchdx never
  builds (deffacts with parameters, facts holding patterns, a log line per firing):
  together a quarter of a consultation (bench/batch.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..language.model import KnowledgeBase, RuleDef
from .actions import RuleActions
from .agenda import StableStrategy
from .compat import Agenda, FactList, InitialFact, KnowledgeEngine, Rule
from .compiler import compile_rule
from .facts import Answer, Certainty
from .matcher import IndexedMatcher
from .trace import Watcher, fact_ref


class Facts(FactList):
    """experta's fact list, for facts twitchdx builds itself: no fields to validate, an
    identity made once to tell duplicates apart, and no log line formatted for each."""

    @staticmethod
    def _get_fact_id(fact: Any) -> Any:
        identity = getattr(fact, "identity", None)  # facts.py gives twitchdx's facts one
        return identity if identity is not None else frozenset(
            [fact.__class__, *((k, v) for k, v in fact.items() if k != "__factid__")])

    def declare(self, fact: Any) -> Any:
        """The fact, numbered and added; None if an equal one is already there."""
        key = self._get_fact_id(fact)
        if key in self.reference_counter:
            return None
        fact.__factid__ = number = self.last_index
        self[number] = fact
        self.last_index += 1
        self.added.append(fact)
        self.reference_counter[key] += 1
        return fact


class TwitchEngine(KnowledgeEngine):
    """Base of the generated engine classes; subclasses carry ``compiled_rules``."""

    __strategy__ = StableStrategy
    __matcher__ = IndexedMatcher
    compiled_rules: tuple[Rule, ...] = ()
    actions: RuleActions | None = None

    def get_rules(self) -> list[Rule]:
        return list(self.compiled_rules)

    def reset(self) -> None:
        """experta's reset, for the one fact twitchdx starts from: without inspecting the
        signature of a deffacts on every consultation."""
        self.agenda = Agenda()
        self.facts = Facts()
        self.matcher.reset()
        self.declare(InitialFact())
        self.running = False

    def declare(self, *facts: Any) -> Any:
        """experta's declare, without its checks for condition elements and ``__`` keys
        in a fact: twitchdx declares only facts it built itself, and the checks cost a
        tenth of a firing."""
        last = None
        for fact in facts:
            last = self.facts.declare(fact)
        if not self.running:
            added, removed = self.get_activations()
            self.strategy.update_agenda(self.agenda, added, removed)
        return last

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop, less its log line, which formats every matched fact of every
        firing even when nobody listens (``--trace`` and trace.py's watchers say what
        fired instead), and calling each rule's action (compiler.RuleAction) with the
        facts it matched, without experta's three layers of keyword arguments."""
        self.running = True
        agenda, update, changes = self.agenda, self.strategy.update_agenda, self.get_activations
        while steps > 0 and self.running:
            added, removed = changes()
            update(agenda, added, removed)
            activation = agenda.get_next()
            if activation is None:
                break
            steps -= 1
            action = activation.rule._wrapped
            self.on_fire(action.rule, activation.context, action.once)
        self.running = False

    def on_fire(self, rule: RuleDef, bindings: dict[str, Any], once: bool) -> None:
        assert self.actions is not None, "run a consultation through engine.infer()"
        self.actions.fire(rule, bindings, once)

    def infer(self, kb: KnowledgeBase, answers: Mapping[str, Any],
                watch: Watcher | None = None,
                overrides: Mapping[str, RuleDef] | None = None) -> RuleActions:
        """Reset, declare the answers (in question order) and run to quiescence.

        ``overrides`` replaces what some rules conclude (their conditions stay
        compiled): how mutation analysis weakens one rule without a new network.
        """
        self.reset()
        actions = RuleActions(self, watch=watch, overrides=overrides)
        self.actions = actions
        self.running = True  # declare every fact first, and match them together in run()
        for hypothesis in kb.hypotheses:
            actions.certainty_facts[hypothesis] = self.declare(
                Certainty(hypothesis=hypothesis, cf=0.0))
        for question in kb.questions:
            value = answers.get(question)
            if value is not None:
                fact = self.declare(Answer(question=question, value=value))
                if watch:
                    watch.fact(fact_ref(fact))
        try:
            self.run()
        finally:
            self.actions = None
            self.running = False
        return actions


_ENGINES: dict[str, TwitchEngine] = {}


def engine_class(kb: KnowledgeBase, patterns: bool = False) -> type[TwitchEngine]:
    """A KnowledgeEngine subclass carrying this knowledge base's compiled rules (with
    experta patterns only for experta's own matcher: see compile_rule)."""
    rules = tuple(compile_rule(rule, patterns) for rule in kb.rules)
    for rank, rule in enumerate(sorted(rules, key=lambda r: r.__name__)):
        rule.rank = rank  # the agenda's tie order, as a number it compares fast
    return type("TwitchdxEngine", (TwitchEngine,), {"compiled_rules": rules,
                                                    "__module__": __name__})


def engine_for(kb: KnowledgeBase) -> TwitchEngine:
    """The process's engine for ``kb``: compiled and its Rete network built only once."""
    engine = _ENGINES.get(kb.fingerprint)
    if engine is None:
        engine = _ENGINES[kb.fingerprint] = engine_class(kb)()
    return engine
