"""experta's Rete matcher, made fast enough to build per process and run per keystroke.

The network is experta's own (same node classes, same matching semantics);
the costs measured on a 150-rule base are removed:

* ``build_alpha_part`` orders each pattern's tests the same way in every
  process (experta breaks ties by hash), literal tests before predicates;
* ``prepare_ruleset``: compiler.py already emits rules in the shape experta's
  DNF rewrite produces, so the rewrite (half of the build time) is skipped;
* ``build_beta_part``: experta builds a fresh ``singledispatch`` function per
  rule to wire joins; the few shapes the compiler emits are wired directly;
* the alpha network tests every ``question == ...`` literal in turn for each
  fact; a dispatch node jumps to the matching branch by dictionary lookup;
* alpha tests copy and re-validate the token at every node; AlphaTestNode
  builds a new token only where a test binds a variable;
* after every firing experta asks every rule's conflict-set node for changes;
  only the nodes a change reached are asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from experta.fieldconstraint import L
from experta.matchers.rete.check import FactCapture, FeatureCheck, SameContextCheck, TypeCheck
from experta.matchers.rete.mixins import ChildNode
from experta.matchers.rete.nodes import (
    ConflictSetNode,
    FeatureTesterNode,
    NotNode,
    OrdinaryMatchNode,
)
from experta.matchers.rete.token import Token
from experta.matchers.rete.utils import extract_facts, generate_checks

from .compat import NOT, OR, Fact, InitialFact, ReteMatcher, Rule

DISPATCH_MIN = 4  # fan-outs smaller than this are cheaper tested in turn
_token = tuple.__new__  # a Token from parts already known to be valid: skips its checks


class AlphaTestNode(FeatureTesterNode):
    """experta's FeatureTesterNode without a token copy per test.

    The stock node copies the token (re-validating it) before testing, although
    only a test that binds a variable changes it; this one builds a new token
    only then.  Matching is the same.
    """

    def activate(self, token: Any) -> None:
        (fact,) = token.data
        match = self.matcher(fact)
        if not match:
            return
        if isinstance(match, Mapping):
            context = token.context
            for key, value in match.items():
                if isinstance(key, tuple):  # a negated binding
                    if key[1] in context and context[key[1]] == value:
                        return
                elif context.get(key, value) != value or (
                        (False, key) in context and context[(False, key)] == value):
                    return
            token = _token(Token, (token.tag, token.data, {**context, **match}))
        for child in self.children:
            child.callback(token)


class LiteralDispatchNode:
    """Stands in for a fan-out of ``key == literal`` tests under one alpha node.

    Each original test node is kept and still runs its own check, so matching is
    unchanged; the dispatch only skips the branches that cannot match.
    """

    def __init__(self, key: str, branches: list[ChildNode]):
        self.key = key
        self.children = branches  # for traversal (reset, conflict-set discovery)
        self.table: dict[Any, list[ChildNode]] = {}
        for child in branches:
            self.table.setdefault(child.node.matcher.how.value, []).append(child)

    def activate(self, token: Any) -> None:
        (fact,) = token.data
        try:
            branches = self.table.get(fact[self.key], ())
        except (KeyError, TypeError):  # no such field, or an unhashable value
            return
        for child in branches:
            child.callback(token)

    def reset(self) -> None:
        for child in self.children:
            child.node.reset()


def _literal_key(child: ChildNode) -> str | None:
    node = child.node
    if not isinstance(node, FeatureTesterNode) or not isinstance(node.matcher, FeatureCheck):
        return None
    how = node.matcher.how
    if isinstance(how, L) and how.__bind__ is None and isinstance(node.matcher.what, str):
        return node.matcher.what
    return None


def index_literals(node: Any) -> None:
    """Replace large ``key == literal`` fan-outs below ``node`` with dispatch nodes."""
    for child in list(node.children):
        index_literals(child.node)
    groups: dict[str, list[ChildNode]] = {}
    for child in node.children:
        key = _literal_key(child)
        if key is not None:
            groups.setdefault(key, []).append(child)
    for key, branches in groups.items():
        if len(branches) >= DISPATCH_MIN:
            dispatch = LiteralDispatchNode(key, branches)
            node.children = [c for c in node.children if c not in branches]
            node.children.append(ChildNode(dispatch, dispatch.activate))


def _check_order(check: Any) -> tuple[int, str]:
    if isinstance(check, TypeCheck):
        return (0, "")
    if isinstance(check, FactCapture):
        return (3, str(check.bind))
    literal = isinstance(check, FeatureCheck) and isinstance(check.how, L)
    return (1 if literal else 2, str(check.what))


def _child_testing(node: Any, check: Any) -> Any:
    for child in node.children:
        if getattr(child.node, "matcher", None) is check:
            return child.node
    new = AlphaTestNode(check)
    node.add_child(new, new.activate)
    return new


def _wire(rule: Any, alpha: dict[Any, Any], elements: Iterable[Any]) -> None:
    """experta's ``wire_rule`` for a conjunction of patterns and NOT(pattern)."""
    elements = list(elements)

    def terminal(element: Any) -> Any:
        return alpha[element[0] if isinstance(element, NOT) else element]

    current = terminal(elements[0])
    for element in elements[1:]:
        join = (NotNode if isinstance(element, NOT) else OrdinaryMatchNode)(SameContextCheck())
        current.add_child(join, join.activate_left)
        terminal(element).add_child(join, join.activate_right)
        current = join
    conflict_set = ConflictSetNode(rule)
    current.add_child(conflict_set, conflict_set.activate)


def _unique_nodes(root: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(child.node for child in node.children)
    return [n for n in seen.values() if hasattr(n, "_reset")]


class FastReteMatcher(ReteMatcher):
    """experta's ReteMatcher with the costs above removed."""

    def __init__(self, engine: Any):
        self._dirty: dict[int, Any] = {}
        self._nodes: list[Any] = []
        super().__init__(engine)

    @staticmethod
    def prepare_ruleset(engine: Any) -> set:
        return set(engine.get_rules())

    @staticmethod
    def build_alpha_part(ruleset: Iterable[Any], root_node: Any) -> dict[Fact, Any]:
        """experta's alpha builder with a fixed test order: fact type, then literal
        tests (so they can be indexed), then predicates, then the capture.  experta
        orders by use counts with ties broken by hash, which differs per process."""
        terminals: dict[Fact, Any] = {}
        rules = sorted(ruleset, key=lambda r: r.__name__)
        for rule in [*rules, Rule(InitialFact())]:
            for fact in extract_facts(rule):
                node = root_node
                for check in sorted(generate_checks(fact), key=_check_order):
                    node = _child_testing(node, check)
                terminals[fact] = node
        return terminals

    @staticmethod
    def build_beta_part(ruleset: Iterable[Any], alpha_terminals: dict[Fact, Any]) -> None:
        for rule in sorted(ruleset, key=lambda r: r.__name__):
            branches = rule[0] if isinstance(rule[0], OR) else [rule]
            for branch in branches:
                _wire(rule, alpha_terminals, branch)

    def build_network(self) -> None:
        super().build_network()
        index_literals(self.root_node)
        self._nodes = _unique_nodes(self.root_node)
        for node in self._get_conflict_set_nodes():
            node._activate = self._tracked(node, node._activate)

    def _tracked(self, node: Any, activate: Callable[[Any], None]) -> Callable[[Any], None]:
        dirty = self._dirty

        def tracked(token: Any) -> None:
            dirty[id(node)] = node
            activate(token)

        return tracked

    def changes(self, adding: Any = None, deleting: Any = None) -> tuple[list, list]:
        for fact in deleting or ():
            self.root_node.remove(fact)
        for fact in adding or ():
            self.root_node.add(fact)
        added: list = []
        removed: list = []
        nodes = list(self._dirty.values())
        self._dirty.clear()
        for node in nodes:
            node_added, node_removed = node.get_activations()
            added.extend(node_added)
            removed.extend(node_removed)
        return added, removed

    def reset(self) -> None:
        # experta resets the network as a tree, so a join below two parents is reset
        # once per path to it; resetting each node once is the same and ~4x cheaper
        for node in self._nodes:
            node._reset()
        for node in self._dirty.values():
            node.get_activations()
        self._dirty.clear()
