"""Strata and the knots of rules that read each other's conclusions (kb/strata.py)."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from conftest import knowledge_folder
from expert.kb.strata import strata


def rule(name: str, reads: tuple[str, ...] = (), gives: tuple[str, ...] = (), order: int = 0):
    """What strata reads of a rule: its id, the facts it reads and those it derives, and
    where it was read."""
    return SimpleNamespace(id=name, reads_facts=reads, reads_hypotheses=(), order=order,
                           then=SimpleNamespace(facts=gives, hypotheses=(), ceilings=()))


def reaching(rules) -> dict[str, set[str]]:
    """Rule id -> every rule it reads from, directly or not (brute force)."""
    makers = {r.id: {m.id for m in rules if set(m.then.facts) & set(r.reads_facts)}
              for r in rules}
    reach = {name: set(direct) for name, direct in makers.items()}
    changed = True
    while changed:
        changed = False
        for name in reach:
            more = set().union(*(reach[m] for m in reach[name])) - reach[name]
            if more:
                reach[name] |= more
                changed = True
    return reach


def shortest(rules, first: str) -> int:
    """Rules on the shortest cycle through ``first`` (brute force, breadth first)."""
    reads = {r.id: set(r.reads_facts) for r in rules}
    gives = {r.id: set(r.then.facts) for r in rules}
    frontier, seen, steps = {first}, {first}, 0
    while frontier:
        steps += 1
        nxt = {m for r in frontier for m in gives if gives[m] & reads[r]}
        if first in nxt:
            return steps
        frontier = nxt - seen
        seen |= nxt
    raise AssertionError("no cycle")


GRAPHS = st.lists(st.tuples(st.sets(st.integers(0, 5), max_size=3),
                            st.sets(st.integers(0, 5), max_size=2)), min_size=1, max_size=9)


@given(GRAPHS)
def test_each_knot_is_told_once_with_a_shortest_cycle(graph):
    rules = [rule(f"r{i}", tuple(f"f{x}" for x in sorted(reads)),
                  tuple(f"f{x}" for x in sorted(gives)), order=i)
             for i, (reads, gives) in enumerate(graph)]
    order = {r.id: r.order for r in rules}
    reach = reaching(rules)
    _, tangles = strata(rules)
    told = [set(t.cycle) | set(t.others) for t in tangles]
    on_cycles = {name for name, reached in reach.items() if name in reached}
    assert set().union(*told) == on_cycles
    assert sum(map(len, told)) == len(on_cycles)  # no rule in two knots
    for tangle, knot in zip(tangles, told, strict=True):
        assert all(b in reach[a] and a in reach[b] for a in knot for b in knot)
        assert tangle.cycle[0] == tangle.cycle[-1] == max(knot, key=order.get)  # read last
        by_id = {r.id: r for r in rules}
        for reader, maker in zip(tangle.cycle, tangle.cycle[1:], strict=False):
            assert set(by_id[maker].then.facts) & set(by_id[reader].reads_facts)
        assert len(tangle.cycle) - 1 == shortest(rules, tangle.cycle[0])
    assert [t.cycle[0] for t in tangles] == sorted((t.cycle[0] for t in tangles), key=order.get)
    assert all(t.others == sorted(t.others) for t in tangles)


def test_a_rule_reading_its_own_conclusion_is_a_cycle_of_one():
    _, (tangle,) = strata([rule("self", ("f",), ("f",)), rule("after", ("f",))])
    assert tangle.cycle == ["self", "self"] and tangle.others == []
    assert tangle.says() == "rules read each other's conclusions in a cycle: self -> self"


def test_a_knot_of_thousands_of_rules_is_one_problem_naming_a_few(runner, cli, tmp_path):
    """Rules reading and giving a few hypotheses at random knot together in cycles by the
    million: the author hears of each knot once, at a rule of their own (the package's
    are in the knot too), with its shortest cycle and the first of the others."""
    import random

    rng = random.Random(5)
    hypotheses = ["magnesium", "calcium", "vitamin_d"]
    files = {f"rules__knot-{part}.yaml": "rules:\n" + "".join(
        f"  - id: knot-{n:04d}\n    title: A knotted rule\n"
        f"    when: {{hypothesis: {{id: {rng.choice(hypotheses)}, at_least: {n / 3000:.4f}}}}}\n"
        f"    then: {{hypothesis: {{id: {rng.choice(hypotheses)}, cf: 0.1}}}}\n"
        "    because: A rule written for this test.\n    sources: [S01]\n"
        for n in range(part * 600, part * 600 + 600)) for part in range(5)}
    local = knowledge_folder(tmp_path / "knot", **files)
    done = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert done.exit_code == 1
    knots = [line for line in done.stdout.splitlines() if "in a cycle" in line]
    assert len(knots) == 1, knots[:3]
    assert knots[0].startswith(str(local / "rules" / "knot-4.yaml"))
    assert " more rules are caught in cycles with them: " in knots[0]
    assert knots[0].count("knot-") < 20 and knots[0].endswith(" more")


DAGS = st.lists(st.tuples(st.sets(st.integers(0, 11), max_size=3), st.booleans()),
                min_size=1, max_size=12)


@given(DAGS)
def test_a_rule_stands_one_above_the_highest_rule_it_reads_from(dag):
    """Rule i derives fact f{i} (or nothing) and reads facts of rules before it: its
    stratum is one above the highest of the rules that derive what it reads, 0 if none."""
    rules = [rule(f"r{i:02d}", tuple(f"f{x}" for x in sorted(reads) if x < i),
                  (f"f{i}",) if derives else (), order=i)
             for i, (reads, derives) in enumerate(dag)]
    level, tangles = strata(rules)
    assert tangles == []
    expected: dict[str, int] = {}
    for r in rules:  # in order: whatever it reads is worked out already
        makers = [m.id for m in rules if set(m.then.facts) & set(r.reads_facts)]
        expected[r.id] = max((expected[m] + 1 for m in makers), default=0)
    assert level == expected


def test_a_knot_names_its_other_rules_as_far_as_a_reader_takes_them_in():
    ring = [rule(f"r{i:02d}", (f"f{(i + 1) % 11}",), (f"f{i}",), order=i) for i in range(11)]
    _, (tangle,) = strata(ring)
    assert tangle.cycle == ["r10", *[f"r{i:02d}" for i in range(11)]]  # from the last read
    assert tangle.others == []
    pair = [rule("a", ("fb",), ("fa",), 0), rule("b", ("fa",), ("fb",), 1),
            rule("c", ("fa",), ("fc", "fb"), 2)]
    _, (tangle,) = strata(pair)
    assert tangle.says() == ("rules read each other's conclusions in a cycle: c -> a -> c; "
                             "1 more rule is caught in cycles with them: b")
    hub = [rule("hub", ("fh",), ("fx",), 20)] + [rule(f"s{i:02d}", ("fx",), ("fh",), i)
                                                  for i in range(10)]
    _, (tangle,) = strata(hub)
    assert tangle.cycle == ["hub", "s00", "hub"]
    assert tangle.says().endswith("9 more rules are caught in cycles with them: s01, s02, "
                                  "s03, s04, s05, s06, s07, s08 and 1 more")
    _, (tangle,) = strata(hub[:-1])
    assert tangle.says().endswith("s03, s04, s05, s06, s07, s08")  # all of them: no "more"


def test_knots_are_told_in_the_order_their_last_rules_were_read():
    knots = [rule("z-late", ("fy",), ("fz",), 0), rule("y-late", ("fz",), ("fy",), 3),
             rule("a-early", ("fb",), ("fa",), 1), rule("b-early", ("fa",), ("fb",), 2)]
    _, tangles = strata(knots)
    assert [t.cycle for t in tangles] == [["b-early", "a-early", "b-early"],
                                          ["y-late", "z-late", "y-late"]]
