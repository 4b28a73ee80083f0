"""The indexed matcher against experta's own ReteMatcher: the same firings, in the same
order, matching the same facts, over random consultations of the shipped knowledge and
of synthetic knowledge nobody tuned the matcher on."""

import random

import pytest
from synthetic import random_answers, write_extension

from conftest import seeded
from expert.consult.answers import check_answers
from expert.engine.compat import Fact, InitialFact, ReteMatcher
from expert.engine.compiler import leaf_test
from expert.engine.engine import engine_class, engine_for
from expert.engine.facts import Answer, Certainty, Derived, Fired
from expert.engine.matcher import IndexedMatcher, fact_key, leaf_key
from expert.engine.matcher import Tests as Index
from expert.language.conditions import Ask, Belief, FactIs


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
    for answers in consultations(kb, 1000, seed=seeded(13)):
        assert firings(ours, kb, answers) == firings(stock, kb, answers), answers
        compared += 1
    assert compared == 1000


@pytest.fixture(scope="module")
def synthetic_kb(tmp_path_factory):
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path_factory.mktemp("synthetic"), 400, seed=seeded(7))
    return load_knowledge((folder,), use_cache=False)


@pytest.mark.slow
def test_the_same_firings_as_experta_on_synthetic_knowledge(synthetic_kb):
    kb = synthetic_kb
    ours, stock = engine_for(kb), stock_engine(kb)
    fired = 0
    for answers in consultations(kb, 100, seed=seeded(29)):
        ours_fired = firings(ours, kb, answers)
        assert ours_fired == firings(stock, kb, answers), answers
        fired += len(ours_fired)
    assert fired > 100 * 20  # the synthetic rules take part, chains and all


@pytest.mark.slow
def test_the_same_firings_as_experta_on_nested_synthetic_knowledge(tmp_path):
    """The other shape (tests/synthetic.py): every operator, any inside all, rules
    reading two derived facts and certainties below a threshold."""
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path / "nested", 600, seed=seeded(83), shape="nested")
    kb = load_knowledge((folder,), use_cache=False)
    ours, stock = engine_for(kb), stock_engine(kb)
    fired = set()
    for answers in consultations(kb, 80, seed=seeded(89)):
        ours_fired = firings(ours, kb, answers)
        assert ours_fired == firings(stock, kb, answers), answers
        fired |= {rule for rule, _, _ in ours_fired if rule.startswith("nested-")}
    assert len(fired) > 600 / 4  # a good part of the nested rules took part


@pytest.mark.slow
def test_the_same_firings_as_experta_on_wide_synthetic_knowledge(tmp_path):
    """Rules of any of four to seven tests: hundreds of activations at once, sorted onto
    the agenda together, and a fired rule's other alternatives taken off it."""
    fired = fired_as_experta_fires(tmp_path, "wide", 200, seeds=(61, 67))
    assert fired > 12 * 200 / 4  # most of the wide rules fire in every consultation


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["chains", "beliefs"])
def test_the_same_firings_as_experta_on_the_other_shapes(tmp_path, shape):
    """Facts read several ways down long chains; small rules reading certainties."""
    fired = fired_as_experta_fires(tmp_path, shape, 250, seeds=(71, 73))
    assert fired > 12  # the shape's own rules fire, not only the shipped ones


def fired_as_experta_fires(tmp_path, shape: str, rules: int, seeds: tuple[int, int]) -> int:
    """How often a generated shape's own rules fired in 12 consultations, each one's
    firings asserted to be experta's Rete network's (``seeds``: the rules', the answers')."""
    from expert.kb.loader import load_knowledge

    folder = write_extension(tmp_path / shape, rules, seed=seeded(seeds[0]), shape=shape)
    kb = load_knowledge((folder,), use_cache=False)
    ours, stock = engine_for(kb), stock_engine(kb)
    fired = 0
    for answers in consultations(kb, 12, seed=seeded(seeds[1])):
        ours_fired = firings(ours, kb, answers)
        assert ours_fired == firings(stock, kb, answers), answers
        fired += sum(rule.startswith(f"{shape}-") for rule, _, _ in ours_fired)
    return fired


def test_a_reset_forgets_the_last_consultation(kb):
    engine = engine_for(kb)
    answers = list(consultations(kb, 3, seed=3))
    first = firings(engine, kb, answers[0])
    firings(engine, kb, answers[1])
    assert firings(engine, kb, answers[0]) == first


# ---------------------------------------------------------------- unit tests

def passing(leaves, value):
    """The entries (alternative number, slot) of these tests that ``value`` passes."""
    tests = Index()
    for number, leaf in enumerate(leaves):
        tests.add(leaf, (number, -1 if leaf is not None and leaf_key(leaf)[1] else 0),
                  leaf_test(leaf) if isinstance(leaf, Ask | Belief) else (lambda v: True))
    tests.freeze()
    return sorted(alt for alt, _ in tests.passing(value))


def test_a_test_of_presence_a_fact_or_no_test_passes_everything():
    leaves = [None, Ask("q", "answered", True), Ask("q", "answered", False), FactIs("f")]
    assert passing(leaves, 3) == [0, 1, 2, 3] and passing(leaves, None) == [0, 1, 2, 3]


@pytest.mark.parametrize("leaves,value,expected", [
    ([Ask("q", "is", True), Ask("q", "is", 1), Ask("q", "is", "x")], True, [0]),
    ([Ask("q", "is", True), Ask("q", "is", 1), Ask("q", "is", "x")], 1, [1]),
    ([Ask("q", "is", True), Ask("q", "is", 1), Ask("q", "is", "x")], "x", [2]),
    ([Ask("q", "is", 1)], 1.0, [0]),
    ([Ask("q", "is", "x", negated=True)], "y", [0]),
    ([Ask("q", "is", "x", negated=True)], "x", []),
    ([Ask("q", "in", ("x", "y")), Ask("q", "in", ("y", "z"))], "y", [0, 1]),
    ([Ask("q", "in", ("x", "y")), Ask("q", "in", ("y", "z"))], "z", [1]),
    ([Ask("q", "includes", "a"), Ask("q", "includes_any", ("a", "b"))], ("a", "b"), [0, 1]),
    ([Ask("q", "includes", "a"), Ask("q", "includes_any", ("a", "b"))], ("b",), [1]),
    ([Ask("q", "includes", "a"), Ask("q", "includes_any", ("a", "b"))], (), []),
    ([Ask("q", "includes", "a"), Ask("q", "includes_any", ("a", "b"))], "a", [0, 1]),
    ([Ask("q", "includes_all", ("a", "b"))], ("b", "a"), [0]),
    ([Ask("q", "includes_all", ("a", "b"))], ("b",), []),
    ([Ask("q", "at_least", 3), Ask("q", "above", 3), Ask("q", "above", 1)], 3, [0, 2]),
    ([Ask("q", "at_least", 3), Ask("q", "above", 3), Ask("q", "above", 1)], 3.5, [0, 1, 2]),
    ([Ask("q", "at_least", 3), Ask("q", "above", 3), Ask("q", "above", 1)], 2, [2]),
    ([Ask("q", "at_least", 3), Ask("q", "above", 3), Ask("q", "above", 1)], True, []),
    ([Ask("q", "at_most", 3), Ask("q", "below", 3), Ask("q", "below", 9)], 3, [0, 2]),
    ([Ask("q", "at_most", 3), Ask("q", "below", 3), Ask("q", "below", 9)], 2.5, [0, 1, 2]),
    ([Ask("q", "at_most", 3), Ask("q", "below", 3), Ask("q", "below", 9)], 5, [2]),
    ([Ask("q", "at_most", 3), Ask("q", "below", 3), Ask("q", "below", 9)], "2", []),
    ([Ask("q", "at_least", 3, negated=True)], 2, [0]),  # negated: a test, not a threshold
    ([Ask("q", "at_least", "3")], 5, []),
    ([Belief("h", "at_least", 0.5), Belief("h", "below", 0.5)], 0.5, [0]),
    ([Belief("h", "at_least", 0.5), Belief("h", "below", 0.5)], 0.499, [1]),
    ([Ask("q", "between", (1, 3)), Ask("q", "count_at_least", 2)], 2, [0]),
    ([Ask("q", "between", (1, 3)), Ask("q", "count_at_least", 2)], ("a", "b"), [1]),
])
def test_each_index_passes_what_the_test_passes(leaves, value, expected):
    assert passing(leaves, value) == expected
    assert expected == [n for n, leaf in enumerate(leaves) if leaf_test(leaf)(value)]


def test_what_a_value_passes_is_remembered_apart_from_equal_values_of_other_types():
    """1, 1.0 and True are one key to a dict; remembered, each still passes its own tests."""
    tests = Index()
    leaves = [Ask("q", "is", True), Ask("q", "is", 1), Ask("q", "at_least", 1),
              Ask("q", "above", 0.5)]
    for number, leaf in enumerate(leaves):
        tests.add(leaf, (number, number), leaf_test(leaf))
    tests.freeze()
    expected = [(True, [0]), (1, [1, 2, 3]), (1.0, [1, 2, 3]), (False, [])]  # not a dict
    for _ in range(2):  # the second time, from what was remembered
        for value, passed in expected:
            assert sorted(alt for alt, _ in tests.passing(value)) == passed, value


def test_what_values_pass_is_remembered_for_a_bounded_number_of_them():
    from expert.engine.matcher import SEEN

    tests = Index()
    tests.add(Ask("q", "at_least", 10), (0, 0), leaf_test(Ask("q", "at_least", 10)))
    tests.freeze()
    for value in range(3 * SEEN):
        assert bool(tests.passing(value)) == (value >= 10)
        assert len(tests.seen) <= SEEN


def test_thresholds_are_kept_sorted_whatever_order_they_come_in():
    leaves = [Ask("q", "at_least", t) for t in (9, 1, 5, 3, 7)]
    assert passing(leaves, 5) == [1, 2, 3]
    leaves = [Ask("q", "at_most", t) for t in (9, 1, 5, 3, 7)]
    assert passing(leaves, 5) == [0, 2, 4]


def test_what_a_fact_is_about():
    assert fact_key(Answer(question="age", value=30)) == (("a", "age"), 30)
    assert fact_key(Certainty(hypothesis="h", cf=0.5)) == (("c", "h"), 0.5)
    assert fact_key(Derived(name="f")) == (("d", "f"), None)
    assert fact_key(Fired(rule="r")) == (("f", "r"), None)
    assert fact_key(InitialFact()) == (("i",), None)
    assert fact_key(Fact(x=1)) == (("?", "Fact"), None)


def test_what_a_test_looks_at_and_whether_the_fact_must_be_absent():
    assert leaf_key(Ask("age", "at_least", 3)) == (("a", "age"), False)
    assert leaf_key(Ask("age", "at_least", 3, negated=True)) == (("a", "age"), False)
    assert leaf_key(Ask("age", "answered", True)) == (("a", "age"), False)
    assert leaf_key(Ask("age", "answered", False)) == (("a", "age"), True)
    assert leaf_key(Belief("h", "below", 0.2)) == (("c", "h"), False)
    assert leaf_key(FactIs("f")) == (("d", "f"), False)
    assert leaf_key(FactIs("f", negated=True)) == (("d", "f"), True)


MATCHER_RULES = """
rules:
  - id: m-is
    title: Is x
    when: {pick: x}
    then: {facts: [picked_x]}
    because: A test of equality.
    sources: [S01]
  - id: m-in-chain
    title: In, and a fact
    when: {all: [{pick: [x, y]}, {fact: picked_x}]}
    then: {hypothesis: {id: h2, cf: 0.3}}
    because: A test of membership and a derived fact.
    sources: [S01]
  - id: m-not-fact
    title: No fact
    when: {all: [{not: {fact: picked_x}}, {a: false}]}
    then: {note: {id: caffeine, cf: 0.2}}
    because: A derived fact that is absent.
    sources: [S01]
  - id: m-includes
    title: Includes
    when: {any: [{many: {includes: green}}, {many: {includes_all: [blue, red]}}]}
    then: {facts: [coloured]}
    because: Alternatives that fire the rule once.
    sources: [S01]
  - id: m-any-count
    title: Any, count
    when: {all: [{many: {includes_any: [green, blue]}}, {many: {count_at_least: 2}}]}
    then: {hypothesis: {id: h2, cf: 0.2}}
    because: A choice among several and a count.
    sources: [S01]
  - id: m-least
    title: Between and at most
    when: {any: [{n: {between: [10, 20]}}, {n: {at_most: 2}}]}
    then: {facts: [n_edges]}
    because: Numbers at the edges.
    sources: [S01]
  - id: m-unanswered
    title: Left unanswered
    when: {all: [{b: {answered: false}}, {n: {below: 50}}]}
    then: {hypothesis: {id: h2, cf: 0.1}}
    because: A question left unanswered.
    sources: [S01]
  - id: m-answered
    title: Answered, negated
    when: {all: [{pick: {answered: true}}, {not: {n: {above: 70}}}]}
    then: {facts: [calm_n]}
    because: A question answered, and a negated threshold.
    sources: [S01]
  - id: m-belief
    title: A belief below
    when: {all: [{hypothesis: {id: h2, below: 0.35}}, {fact: coloured}]}
    then: {note: {id: caffeine, cf: 0.1}}
    because: A certainty below a threshold.
    sources: [S01]
  - id: m-twice
    title: A fact read twice
    when:
      all:
        - fact: picked_x
        - any:
            - fact: picked_x
            - a: false
        - n: {above: 2}
    then: {note: {id: caffeine, cf: 0.1}}
    because: One test written twice, and an alternative that holds beside it.
    sources: [S01]
  - id: m-belief-high
    title: A belief at least
    when: {hypothesis: {id: h2, at_least: 0.35}}
    then: {tests: [t1]}
    because: A certainty at a threshold.
    sources: [S01]
"""


@pytest.fixture(scope="module")
def small_kb(tmp_path_factory):
    from conftest import MINI
    from expert.kb.loader import load_knowledge

    folder = tmp_path_factory.mktemp("matcher")
    (folder / "rules").mkdir()
    (folder / "kb.yaml").write_text("name: matcher\nversion: '1'\n")
    (folder / "rules" / "matcher.yaml").write_text(MATCHER_RULES)
    return load_knowledge((MINI, folder), package=False, use_cache=False)


def small_answers(kb, rng):
    answers = {}
    for question in kb.askable:
        if rng.random() < 0.25:
            continue
        if question.type == "boolean":
            answers[question.id] = rng.random() < 0.5
        elif question.type == "choice":
            answers[question.id] = rng.choice(question.choice_ids)
        elif question.type == "multi":
            answers[question.id] = [c for c in question.choice_ids if rng.random() < 0.4]
        else:
            answers[question.id] = rng.choice([0, 2, 3, 10, 20, 21, 49, 50, 60, 70, 71, 100])
    return check_answers(kb, answers)


def test_the_same_firings_as_experta_on_a_small_base_of_every_kind_of_test(small_kb):
    ours, stock = engine_for(small_kb), stock_engine(small_kb)
    fired = set()
    rng = random.Random(5)
    for _ in range(150):
        answers = small_answers(small_kb, rng)
        got = firings(ours, small_kb, answers)
        assert got == firings(stock, small_kb, answers), answers
        fired |= {rule for rule, _, _ in got}
    assert fired >= {r.id for r in small_kb.rules}  # every rule took part


def test_a_fact_read_twice_by_a_rule_is_matched_once(small_kb):
    """``all: [A, any: [A, B]]``: A is one test; the firing lists its fact once, and the
    alternative that fires is experta's (a fact counted twice weighed as more recent)."""
    answers = check_answers(small_kb, {"pick": "x", "a": False, "n": 3})
    ours = firings(engine_for(small_kb), small_kb, answers)
    (facts,) = [facts for rule, facts, _ in ours if rule == "m-twice"]
    assert len(set(facts)) == len(facts)
    assert ours == firings(stock_engine(small_kb), small_kb, answers)


def test_a_rule_of_several_alternatives_fires_once(small_kb):
    answers = check_answers(small_kb, {"many": ["green", "blue", "red"]})
    assert [f[0] for f in firings(engine_for(small_kb), small_kb, answers)].count(
        "m-includes") == 1


def test_an_activation_that_fired_is_not_asked_off_the_agenda(small_kb, monkeypatch):
    """Once a rule of several alternatives fires, its alternatives stop holding: the one
    that fired is already off the agenda, so only the others are taken back."""
    engine = engine_for(small_kb)
    removals = []
    update = engine.strategy._update_agenda

    def spy(agenda, added, removed):
        removals.extend(removed)
        update(agenda, added, removed)

    monkeypatch.setattr(engine.strategy, "_update_agenda", spy)
    answers = check_answers(small_kb, {"many": ["green", "blue", "red"]})
    engine.infer(small_kb, answers)
    includes = [a for a in removals if a.rule._wrapped.rule.id == "m-includes"]
    assert len(includes) == 1 and not includes[0].fired  # the other alternative


def numbered(fact, number):
    fact.__factid__ = number
    return fact


def test_two_answers_to_one_question_are_refused(small_kb):
    matcher = engine_class(small_kb)().matcher  # a fresh one
    matcher.changes([numbered(Answer(question="pick", value="x"), 1)])
    with pytest.raises(AssertionError, match="two facts for one test"):
        matcher.changes([numbered(Answer(question="pick", value="x"), 2)])


def test_a_retracted_fact_gives_back_what_it_matched(small_kb):
    matcher = engine_class(small_kb)().matcher
    first = numbered(Answer(question="pick", value="x"), 1)
    added, removed = matcher.changes([first])
    assert [a.rule._wrapped.rule.id for a in added] == ["m-is"] and removed == []
    assert 1 in matcher.taken
    added, removed = matcher.changes([numbered(Answer(question="pick", value="y"), 2)], [first])
    assert 1 not in matcher.taken and 2 in matcher.taken
    assert [a.rule._wrapped.rule.id for a in removed] == ["m-is"]


@pytest.mark.parametrize("leaf,index", [
    (None, "always"), (FactIs("f"), "always"), (Ask("q", "answered", False), "always"),
    (Ask("q", "is", "x"), "equal"), (Ask("q", "in", ("x",)), "equal"),
    (Ask("q", "includes", "a"), "member"), (Ask("q", "includes_any", ("a",)), "any_of"),
    (Ask("q", "at_least", 3), "rising"), (Ask("q", "above", 3), "rising"),
    (Belief("h", "at_least", 0.5), "rising"), (Ask("q", "at_most", 3), "falling"),
    (Ask("q", "below", 3), "falling"), (Belief("h", "below", 0.5), "falling"),
    (Ask("q", "is", "x", negated=True), "other"), (Ask("q", "at_least", 3, True), "other"),
    (Ask("q", "between", (1, 2)), "other"), (Ask("q", "includes_all", ("a",)), "other"),
])
def test_each_kind_of_test_has_its_index(leaf, index):
    """What makes a fact cost only the tests it passes: a test tried one by one
    ("other") is the slow path, for the kinds no index serves."""
    tests = Index()
    tests.add(leaf, (0, 0), leaf_test(leaf) if isinstance(leaf, Ask | Belief) else None)
    filled = {name for name in ("always", "equal", "member", "any_of", "rising", "falling",
                                "other") if getattr(tests, name)}
    assert filled == {index}
    assert bool(tests.tested) == (index in ("member", "any_of"))


def test_a_value_that_is_not_a_number_passes_no_threshold():
    assert passing([Ask("q", "at_least", 1), Ask("q", "above", 1)], "2") == []


def ids(activations):
    return sorted(a.rule._wrapped.rule.id for a in activations)


def test_a_fact_that_blocks_a_rule_and_goes_again(small_kb):
    matcher = engine_class(small_kb)().matcher
    added, _ = matcher.changes([numbered(Answer(question="n", value=10), 1)])
    assert "m-unanswered" in ids(added)  # b is not answered
    b = numbered(Answer(question="b", value=True), 2)
    added, removed = matcher.changes([b])
    assert ids(removed) == ["m-unanswered"]
    assert ids(added) == ["h1-against-b"]  # the same fact goes on to the tests it passes
    added, _ = matcher.changes([], [b])
    assert ids(added) == ["m-unanswered"]


def test_lower_salience_waits_while_this_batch_adds_above_it(small_kb):
    matcher = engine_class(small_kb)().matcher
    added, _ = matcher.changes([numbered(Answer(question="pick", value="x"), 1),
                                numbered(Answer(question="a", value=False), 2)])
    assert ids(added) == ["m-is"]  # m-not-fact reads what m-is will derive: it waits
    waiting = {alt for alts in matcher.pending.values() for alt in alts}
    assert "m-not-fact" in {matcher.alternatives[alt].rule._wrapped.rule.id
                            for alt in waiting}


def test_lower_salience_waits_while_the_agenda_holds_something_above_it(small_kb):
    engine = engine_class(small_kb)()
    engine.reset()
    engine.declare(Answer(question="pick", value="x"))  # m-is waits on the agenda
    engine.declare(Answer(question="a", value=False))
    on_agenda = ids(engine.agenda.activations)
    assert "m-is" in on_agenda and "m-not-fact" not in on_agenda
    waiting = {alt for alts in engine.matcher.pending.values() for alt in alts}
    assert "m-not-fact" in {engine.matcher.alternatives[alt].rule._wrapped.rule.id
                            for alt in waiting}


def test_every_consultation_starts_from_the_same_state_unchanged(kb):
    """The engine works out once what every consultation starts from (the initial fact,
    each certainty at 0, their matches) and starts each from a copy: a consultation
    that retracts those facts or fires what they matched leaves it as it was, and
    fires what a freshly built engine fires."""
    engine = engine_for(kb)
    runs = list(consultations(kb, 40, seed=seeded(41)))
    engine.infer(kb, runs[0])
    start = engine.start
    kept = (dict(start.facts), set(start.facts.identities), start.facts.last_index,
            list(start.activations), dict(start.certainties), _copied(start.matcher))
    moved = 0
    for answers in runs:
        fresh = engine_class(kb)()
        assert firings(engine, kb, answers) == firings(fresh, kb, answers), answers
        moved += any(engine.facts.get(f["__factid__"]) is not f
                     for f in start.certainties.values())
    assert engine.start is start and moved > 10  # certainty facts were replaced
    assert (dict(start.facts), set(start.facts.identities), start.facts.last_index,
            list(start.activations), dict(start.certainties)) == kept[:5]
    assert start.matcher == kept[5]


def _copied(saved):
    """IndexedMatcher.save()'s state, each container copied (what it holds is shared)."""
    slots, filled, blocked, pending, taken, memory = saved
    return (list(slots), list(filled), list(blocked), {k: set(v) for k, v in pending.items()},
            {k: list(v) for k, v in taken.items()}, dict(memory))


def test_an_activation_hands_its_rule_the_facts_it_matched_oldest_first(small_kb):
    from expert.engine.matcher import Match

    engine = engine_for(small_kb)
    engine.reset()
    derived = engine.declare(Derived(name="picked_x"))
    answer = engine.declare(Answer(question="pick", value="x"))
    number, alternative = next((n, a) for n, a in enumerate(engine.matcher.alternatives)
                               if a.rule.__name__ == "m-in-chain")
    match = Match(alternative, (answer, derived), number)  # slots: pick, then the fact
    assert match.matched == [derived, answer]  # oldest first, as the trace lists them
    assert match.key == (*alternative.order, (answer["__factid__"], derived["__factid__"]))
    assert match.context == {"p0": answer, "p1": derived}  # experta's, made when asked
    alone = Match(alternative, (answer,), number)
    assert alone.matched == [answer] and alone.key[-1] == (answer["__factid__"],)
