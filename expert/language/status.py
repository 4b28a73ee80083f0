"""Which rules hold, fail or are still undecided for a partial set of answers.

Each rule's condition is evaluated in three-valued (Kleene) logic, stratum by
stratum, so a rule that reads a derived fact or a certainty sees what the rules
below it settled:

* ``fact: x`` holds if a rule that concludes x holds, fails if every such rule
  fails, and is undecided otherwise;
* ``hypothesis: {id: h, at_least: t}`` holds if h reaches t even counting only
  the evidence already established (and all the evidence against that might
  still come), fails if it cannot reach t even with every undecided rule for it.

Kleene logic is monotone: an undecided rule can become true or false as answers
arrive, but a decided one never changes, which is what question selection and
the safety checks rely on.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from typing import Any

from .certainty import settle
from .computed import with_computed
from .conditions import Ask, Belief, FactIs, Leaf, Truth
from .model import KnowledgeBase, RuleDef
from .truth import Evaluation, alternatives_truth, answers_oracle, evaluate_alternatives


@functools.lru_cache(maxsize=256)
def _in_firing_order(kb: KnowledgeBase, only: frozenset[str]) -> tuple[RuleDef, ...]:
    """These rules of ``kb`` in its firing order (a batch judges the same few sets)."""
    return tuple(kb.rules[i] for i in sorted(kb.position[r] for r in only if r in kb.position))


class RuleStatus:
    """Every rule's Evaluation for some answers, and the bounds that produced them."""

    def __init__(self, kb: KnowledgeBase, answers: Mapping[str, Any], settled: bool = False,
                 only: Collection[str] | None = None, explain: bool = True):
        """``settled``: an answer left unknown is final, so tests on it fail (as they do in
        the engine); otherwise it could still be found out, and they stay open.
        ``only``: judge just these rules (a ``kb.cone``, so everything they read is among
        them); the others stay undecided.  Without ``explain`` only truths are kept, not
        the leaves that decided them (``rules`` stays empty): a third of the work, for a
        batch that asks of every record which warning signs it left unchecked."""
        self.kb = kb
        self._bounds: dict[str, tuple[float, float]] = {}
        self.asked = set(answers)  # answered, or answered "unknown"
        self.answers = with_computed(kb, dict(answers))
        self.rules: dict[str, Evaluation] = {}
        self.truths: dict[str, Truth] = {}
        self.settled = settled
        plain = answers_oracle(self.answers, self._judge, settled=settled)  # unasked: open

        computed = kb.computed

        def oracle(leaf: Leaf) -> Truth:
            if isinstance(leaf, Ask) and leaf.question in computed:
                return self._judge_computed(leaf)
            return plain(leaf)

        memo: dict[Leaf, Truth] = {}  # a fact or certainty read by many rules is judged
        # once (whatever decides it is judged before a rule reads it: strata); a test of
        # an answer costs less to judge again than to look up

        def remembered(leaf: Leaf) -> Truth:
            if leaf.__class__ is Ask and leaf.question not in computed:
                return plain(leaf)
            if leaf not in memo:
                memo[leaf] = oracle(leaf)
            return memo[leaf]

        rules = kb.rules if only is None else _in_firing_order(kb, frozenset(only))
        for rule in rules:  # in stratum order: what a rule reads is settled first
            if explain:
                judged = self.rules[rule.id] = evaluate_alternatives(rule.alternatives,
                                                                     remembered)
                self.truths[rule.id] = judged.truth
            else:
                self.truths[rule.id] = alternatives_truth(rule.alternatives, remembered)

    def truth(self, rule_id: str) -> Truth:
        """True, False or None (undecided, or not judged: see ``only``) for a rule."""
        return self.truths.get(rule_id)

    def undecided(self) -> list[str]:
        """Rules these answers leave open: the ones more questions could decide."""
        return [rid for rid, truth in self.truths.items() if truth is None]

    def bounds(self, hypothesis: str) -> tuple[float, float]:
        """(lowest, highest) certainty ``hypothesis`` can still end with.  Asked first by a
        rule that reads it, which strata place after every rule that concludes it: so the
        bounds are final then, and kept."""
        if hypothesis not in self._bounds:
            self._bounds[hypothesis] = self._compute_bounds(hypothesis)
        return self._bounds[hypothesis]

    def _compute_bounds(self, hypothesis: str) -> tuple[float, float]:
        low, high, low_caps, high_caps = [], [], [], []
        for rule in self.kb.producers("hypothesis", hypothesis):
            truth = self.truths.get(rule.id)
            if truth is False:
                continue
            cf = dict(rule.then.hypotheses)[hypothesis]
            if truth is True:
                low.append(cf)
                high.append(cf)
            elif cf < 0:
                low.append(cf)
            else:
                high.append(cf)
        for rule in self.kb.producers("ceiling", hypothesis):
            truth = self.truths.get(rule.id)
            if truth is not False:  # a ceiling that may still hold may still lower it
                low_caps.append(dict(rule.then.ceilings)[hypothesis])
                if truth is True:
                    high_caps.append(low_caps[-1])
        return settle(low, low_caps), settle(high, high_caps)

    def _judge_computed(self, leaf: Ask) -> Truth:
        """A computed answer (the caffeine estimate) while some of its inputs are not yet
        asked: decided only if the test comes out the same whatever they will be."""
        question = self.kb.questions[leaf.question]
        known = self.answers.get(leaf.question)
        missing = [(self.kb.questions[q], w) for q, w in question.sum if q not in self.asked]
        if not missing:
            if known is None:
                return False if self.settled and self.asked >= {q for q, _ in question.sum} \
                    else None
            return leaf.test(known)
        low = known or 0.0
        high = low + sum(q.max * w for q, w in missing)  # numbers always have a max
        at_low, at_high = leaf.test(low), leaf.test(high)
        if leaf.op in ("at_least", "above", "at_most", "below") and at_low == at_high:
            return at_low
        return None

    def _judge(self, leaf: Leaf) -> Truth:
        if isinstance(leaf, FactIs):
            makers = [self.truths.get(r.id) for r in self.kb.producers("fact", leaf.name)]
            held = True if True in makers else None if None in makers else False
            return held if held is None or not leaf.negated else not held
        if isinstance(leaf, Belief):
            low, high = self.bounds(leaf.hypothesis)
            if leaf.test(low) and leaf.test(high):
                return True
            if not leaf.test(low) and not leaf.test(high):
                return False
            return None
        return None  # pragma: no cover - answers are judged by answers_oracle
