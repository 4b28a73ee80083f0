"""The engine: experta's classes, with twitchdx's own matcher, agenda order and run loop.

What is experta's: ``KnowledgeEngine`` (declare, retract, reset, the working
memory as a ``FactList``), ``Fact``, ``Rule`` and its patterns, and the
``Agenda`` that holds activations.  Rules are experta rules, facts are experta
facts, and ``engine_class(kb, patterns=True)`` with experta's own
``ReteMatcher`` runs the same knowledge unchanged.

What is twitchdx's, under those classes, each for a measured reason:

* the matcher (matcher.py, ``IndexedMatcher``) replaces experta's Rete network:
  every test of our rules looks at one fact alone, so counting which tests hold
  finds the same activations at a cost that grows with the work a consultation
  does, not with the number of rules (59x slower than CLIPS with the Rete
  network at 1,430 generated rules, 2-5x with this one; bench/scale.py);
* the agenda order (agenda.py, ``StableStrategy``) replaces experta's
  DepthStrategy, which fires stale activations (experta#3) and orders ties by
  object id, so differently in every process;
* the run loop, reset and fact list below: rules are listed rather than
  discovered by ``inspect.getmembers`` on every reset, and no log line is
  formatted per firing (a quarter of a consultation; bench/batch.py).

How equality is proved: tests/test_matcher.py fires the same rules in the same
order with experta's stock ReteMatcher on random consultations of the shipped and
of generated knowledge, and tests/test_clips.py runs the knowledge exported as a
CLIPS program (clipspy) and compares referral, firings, certainties and notes.
The engine class is built once per process and knowledge base; each consultation
only resets it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..language.model import KnowledgeBase, RuleDef
from .actions import RuleActions
from .agenda import StableStrategy
from .compat import Agenda, FactList, InitialFact, KnowledgeEngine, Rule
from .compiler import compile_rule
from .facts import Answer, Certainty, Fired, made
from .matcher import IndexedMatcher, Match
from .trace import Watcher, fact_ref, matched_facts


class Facts(FactList):
    """experta's fact list, for facts twitchdx builds itself: no fields to validate, an
    identity made once to tell duplicates apart (a set of them, not experta's Counter,
    since one of each is all there is), and no log line formatted for each."""

    def __init__(self) -> None:
        super().__init__()
        self.identities: set[Any] = set()  # experta's reference_counter: one of each fact

    def resumed(self) -> Facts:
        """A new fact list holding these facts, to go on from: every consultation starts
        from the same few (see TwitchEngine._begin)."""
        facts = Facts()
        facts.update(self)
        facts.last_index = self.last_index
        facts.identities = set(self.identities)
        return facts

    @staticmethod
    def _get_fact_id(fact: Any) -> Any:
        identity = getattr(fact, "identity", None)  # facts.py gives twitchdx's facts one
        return identity if identity is not None else frozenset(
            [fact.__class__, *((k, v) for k, v in fact.items() if k != "__factid__")])

    def declare(self, fact: Any) -> Any:
        """The fact, numbered and added; None if an equal one is already there."""
        key = getattr(fact, "identity", None) or self._get_fact_id(fact)
        if key in self.identities:
            return None
        number = self.last_index
        dict.__setitem__(fact, "__factid__", number)  # what experta's __factid__ setter does
        self[number] = fact
        self.last_index += 1
        self.added.append(fact)
        self.identities.add(key)
        return fact

    def retract(self, idx_or_fact: Any) -> int:
        """The fact (or the fact of that id) taken out; IndexError if it is not there."""
        number = idx_or_fact if isinstance(idx_or_fact, int) else idx_or_fact["__factid__"]
        fact = self.pop(number, None)
        if fact is None:
            raise IndexError("Fact not found.")
        self.identities.discard(self._get_fact_id(fact))
        self.removed.append(fact)
        return number


class TwitchEngine(KnowledgeEngine):
    """Base of the generated engine classes; subclasses carry ``compiled_rules``."""

    __strategy__ = StableStrategy
    __matcher__ = IndexedMatcher
    compiled_rules: tuple[Rule, ...] = ()
    actions: RuleActions | None = None
    start: Start | None = None  # where every consultation starts from, once made

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

    def fired(self, rule: str) -> None:
        """Mark ``rule`` (of several alternatives) as fired, so it fires once: its Fired
        fact declared, or, for the indexed matcher, the fact's id taken (the trace numbers
        facts as experta would) and its alternatives blocked as the fact would block them."""
        fired = getattr(self.matcher, "fired", None)
        if fired is None:
            self.declare(made(Fired, (("rule", rule),)))
        else:
            self.facts.last_index += 1
            fired(rule)

    def run(self, steps: float = float("inf")) -> None:
        """experta's run loop, less its log line, which formats every matched fact of every
        firing even when nobody listens (``--trace`` and trace.py's watchers say what
        fired instead), and calling each rule's action (compiler.RuleAction) with the
        facts it matched, without experta's three layers of keyword arguments."""
        assert self.actions is not None, "run a consultation through engine.infer()"
        self.running = True
        agenda, facts, matcher = self.agenda, self.facts, self.matcher
        changes, waiting = matcher.changes, getattr(matcher, "pending", None)
        update = self.strategy._update_agenda  # without experta's check for log watchers
        actions, queue = self.actions, self.agenda.activations
        salience = 0  # of the last firing
        while steps > 0 and self.running:
            declared, retracted = facts.added, facts.removed  # experta's facts.changes
            if declared or retracted:
                facts.added, facts.removed = [], []
                added, removed = changes(declared, retracted)
            elif waiting is None or (waiting and (not queue or max(waiting) >=
                                                  queue[-1].rule.salience)):
                added, removed = changes()  # matches judged once the agenda came down to
                # them (IndexedMatcher._activations: the same test, saving the call)
            else:
                added = removed = ()
            if added or removed:
                update(agenda, added, removed)
            if actions.unsettled and (not queue or queue[-1].rule.salience < salience):
                actions.settle()  # certainties are final before their readers' stratum
                continue
            if not queue:
                break
            activation = queue.pop()  # experta's agenda.get_next()
            steps -= 1
            salience = activation.rule.salience
            action = activation.rule._wrapped
            if activation.__class__ is Match:
                activation.fired = True
                actions.fire(action.rule, activation.matched, action.once)
            else:
                actions.fire(action.rule, matched_facts(activation.context), action.once)
        self.running = False

    def on_fire(self, rule: RuleDef, bindings: dict[str, Any], once: bool) -> None:
        assert self.actions is not None, "run a consultation through engine.infer()"
        self.actions.fire(rule, matched_facts(bindings), once)

    def infer(self, kb: KnowledgeBase, answers: Mapping[str, Any],
                watch: Watcher | None = None,
                overrides: Mapping[str, RuleDef] | None = None) -> RuleActions:
        """Reset, declare the answers (in question order) and run to quiescence.

        ``overrides`` replaces what some rules conclude (their conditions stay
        compiled): how mutation analysis weakens one rule without a new network.
        """
        actions = RuleActions(self, watch=watch, overrides=overrides)
        self._begin(kb, actions)
        self.actions = actions
        self.running = True  # declare the answers first, and match them together in run()
        for question in kb.questions:
            value = answers.get(question)
            if value is not None:
                if isinstance(value, list):  # as Answer() takes one: facts are hashable
                    value = tuple(value)
                fact = self.declare(made(Answer, (("question", question), ("value", value))))
                if watch:
                    watch.fact(fact_ref(fact))
        try:
            self.run()
        finally:
            self.actions = None
            self.running = False
        return actions

    def _begin(self, kb: KnowledgeBase, actions: RuleActions) -> None:
        """Reset, with the facts every consultation starts from declared and matched: the
        initial fact, and each hypothesis's certainty at 0.  What that comes to (facts,
        agenda, the matcher's state) is the same every time, so it is worked out once
        and each consultation starts from a copy (a tenth of a batch's consultation).
        Matched apart from the answers, they make the same activations: the matcher
        judges what holds from the facts there are, whenever they came."""
        start = self.start
        if start is not None and start.kb is kb:
            self.facts = start.facts.resumed()
            self.agenda = Agenda()
            self.agenda.activations = list(start.activations)
            self.matcher.restore(start.matcher)
            actions.certainty_facts.update(start.certainties)
            return
        self.reset()
        self.running = True
        certainties = {h: self.declare(made(Certainty, (("hypothesis", h), ("cf", 0.0))))
                       for h in kb.hypotheses}
        facts = self.facts
        added, removed = self.matcher.changes(facts.added, facts.removed)
        facts.added, facts.removed = [], []
        self.strategy.update_agenda(self.agenda, added, removed)
        self.running = False
        actions.certainty_facts.update(certainties)
        save = getattr(self.matcher, "save", None)  # experta's own matcher keeps no state
        if save is not None:  # to go back to: it starts afresh every time
            self.start = Start(kb, facts.resumed(), list(self.agenda.activations),
                               certainties, save())


class Start(NamedTuple):
    """What every consultation of one knowledge base starts from (TwitchEngine._begin)."""

    kb: KnowledgeBase
    facts: Facts
    activations: list[Any]
    certainties: dict[str, Any]  # hypothesis -> its Certainty fact, at 0
    matcher: Any  # IndexedMatcher.save()


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
