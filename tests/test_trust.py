"""Knowledge you can trust: safety enforced wherever knowledge loads, the verifier,
precise diagnostics, and no internal error on any knowledge file."""

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, knowledge_folder

EMERGENCY = str(EXAMPLES / "emergency-tetany.json")


folder = knowledge_folder  # kb.yaml, rules/local.yaml and any other files given


def a_rule(id="local-rule", when="{age: {at_least: 110}}", then="{note: {id: stress, cf: 0.1}}",
           extra=""):
    return f"""\
rules:
  - id: {id}
    title: A rule under test
    when: {when}
    then: {then}
    because: A rule written for this test.
    sources: [S01]{extra}
"""


SEIZURE_TO_REST = a_rule("emergency-seizure", "{symptoms: {includes: seizure}}",
                         "{referral: self_care}", "\n    override: true")


@pytest.mark.parametrize("command", [
    ["consult", "--answers", EMERGENCY],
    ["consult", "--answers", EMERGENCY, "--format", "json"],
    ["explain", "--answers", EMERGENCY, "--how", "referral"],
    ["whatif", "--answers", EMERGENCY, "--set", "age=70"],
    ["questions"],
])
def test_unsafe_knowledge_is_refused_by_every_command(runner, cli, tmp_path, command):
    local = folder(tmp_path, SEIZURE_TO_REST)
    result = runner.invoke(cli, [*command, "--kb", str(local)])
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    # named where the cause is: the extension's override, not the package's question
    assert ("local.yaml:5: emergency-seizure: warning sign symptoms=seizure "
            "(knowledge/questions.yaml:31; this override replaced "
            "knowledge/rules/triage-emergency.yaml:23, which ensured it) must lead to at least "
            "emergency whatever else is answered") in result.stderr
    assert "counterexample: symptoms=[seizure] (everything else unknown): it reaches " \
           "self_care" in result.stderr


def test_the_dialogue_refuses_unsafe_knowledge_before_any_question(runner, cli, tmp_path):
    local = folder(tmp_path, SEIZURE_TO_REST)
    result = runner.invoke(cli, ["consult", "--kb", str(local), "--session",
                                 str(tmp_path / "s.json")], input="none\n")
    assert result.exit_code == 2
    assert "Do you have any of these now?" not in result.stderr
    assert not (tmp_path / "s.json").exists()


def test_the_environment_cannot_sneak_unsafe_knowledge_in(runner, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TWITCHDX_KB", str(folder(tmp_path, SEIZURE_TO_REST)))
    result = runner.invoke(cli, ["consult", "--answers", EMERGENCY])
    assert result.exit_code == 2 and "counterexample" in result.stderr


def test_any_operator_counts_in_the_proof(runner, cli, tmp_path):
    """includes_any is proved like includes: a rule that can only fire with chest pain
    may not conclude self-care."""
    local = folder(tmp_path, a_rule("chest-rest", "{symptoms: {includes_any: [chest_pain]}}",
                                    "{referral: self_care}"))
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 1
    assert ("local.yaml:5: chest-rest: concludes self_care, but it can only fire with a warning "
            "sign that must lead to at least emergency; counterexample: symptoms=[chest_pain]"
            ) in result.stdout


def test_a_floor_broken_through_a_derived_fact_is_caught(runner, cli, tmp_path):
    """A rule that needs another answer besides the warning sign is not a proof."""
    local = folder(tmp_path, a_rule("emergency-seizure", "{all: [{symptoms: {includes: "
                                    "seizure}}, {age: {at_least: 18}}]}",
                                    "{referral: emergency}", "\n    override: true"))
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 1
    assert "warning sign symptoms=seizure must lead to at least emergency" in result.stdout
    assert "counterexample: symptoms=[seizure] (everything else unknown)" in result.stdout


@pytest.mark.parametrize("text,forbidden", [
    ("Stop taking your PPI and start potassium supplements", ["stop-a-prescribed-medicine",
                                                              "start-potassium-supplements"]),
    ("Cut down your water pills for a week.", ["stop-a-prescribed-medicine"]),
    ("Take 600 mg of magnesium a day.", ["supplement-above-the-upper-limit"]),
    ("Magnesium citrate, 500 mg twice a day, helps.", ["supplement-above-the-upper-limit"]),
    ("Do not stop or change a prescribed medicine yourself.", []),
    ("Do not start potassium supplements without talking to a doctor.", []),
    ("The upper limit from supplements is 350 mg a day.", []),
    ("Cut down caffeine gradually.", []),
    ("Your doctor may review the medicine (do not stop it yourself).", []),
])
def test_forbidden_advice_is_recognised_in_plain_words(text, forbidden):
    from expert.policy.screen import forbidden as screen

    assert [f.rule for f in screen([text])] == forbidden


def test_no_shipped_advice_is_forbidden(kb):
    from expert.policy.screen import forbidden as screen

    for rule in kb.rules:
        assert not screen([a.text for a in rule.then.advice]), rule.id


def test_forbidden_advice_refuses_the_knowledge(runner, cli, tmp_path):
    local = folder(tmp_path, a_rule(then="{advice: {kind: care, does: {inform: true}, text: "
                                         "'Stop taking your PPI and start potassium "
                                         "supplements'}}"))
    result = runner.invoke(cli, ["consult", "--answers", EMERGENCY, "--kb", str(local)])
    assert result.exit_code == 2
    assert "local-rule: advice tells people to stop, reduce or change a prescribed medicine" \
        in result.stderr
    assert "write instead:" in result.stderr


def test_a_contraindication_is_proved_for_every_rule(runner, cli, tmp_path):
    local = folder(tmp_path, a_rule(
        "more-bananas", "{symptoms: {includes: cramps}}",
        "{advice: {kind: diet, does: {eat: [bananas]}, text: 'Eat two bananas a day.'}}"))
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 1
    assert ("more-bananas: advice to have foods rich in potassium can reach someone it harms "
            "(potassium-foods-with-kidney-disease: people with kidney disease are often told to "
            "limit potassium); add a condition that leaves them out; counterexample: "
            "symptoms=[cramps], conditions=[kidney_disease]") in result.stdout
    guarded = folder(tmp_path / "guarded", a_rule(
        "more-bananas", "{all: [{symptoms: {includes: cramps}}, {conditions: {answered: true}},"
        " {not: {conditions: {includes: kidney_disease}}}]}",
        "{advice: {kind: diet, does: {eat: [bananas]}, text: 'Eat two bananas a day.'}}"))
    assert runner.invoke(cli, ["kb", "check", "--kb", str(guarded)]).exit_code == 0


def test_rules_in_subfolders_and_yml_files_are_read(runner, cli, tmp_path):
    local = folder(tmp_path, **{"rules__more__deep.yml": a_rule("deep-rule")})
    listed = runner.invoke(cli, ["kb", "list", "--kb", str(local)]).stdout
    assert "deep-rule" in listed and "rules/more/deep.yml:2" in listed


def test_a_rules_folder_that_loops_or_cannot_be_read_is_an_error(runner, cli, tmp_path):
    looping = folder(tmp_path / "loop", a_rule())
    (looping / "rules" / "again").symlink_to(looping / "rules")
    result = runner.invoke(cli, ["consult", "--answers", EMERGENCY, "--kb", str(looping)])
    assert result.exit_code == 2
    assert "links back to one already read (a loop)" in result.stderr
    if os.geteuid() != 0:  # root reads anything
        locked = folder(tmp_path / "locked", a_rule())
        (locked / "rules" / "sub").mkdir()
        (locked / "rules" / "sub").chmod(0)
        result = runner.invoke(cli, ["kb", "check", "--kb", str(locked)])
        assert result.exit_code == 1 and "cannot be read" in result.stdout


def test_the_templates_example_rule_is_refused(runner, cli, tmp_path):
    from expert.kb.loader import package_knowledge

    local = folder(tmp_path, (package_knowledge() / "_template.yaml").read_text())
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 1
    assert "my-new-rule: this is the template's example rule" in result.stdout


def test_a_source_is_redefined_only_with_override(runner, cli, tmp_path):
    local = folder(tmp_path, reference_yaml="sources:\n  - {id: S03, title: Something else}\n")
    (local / "reference_yaml").rename(local / "reference.yaml")
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 1
    assert "reference.yaml:2: S03: source S03 is already defined at" in result.stdout
    (local / "reference.yaml").write_text(
        "sources:\n  - {id: S03, title: Something else, override: true}\n")
    assert runner.invoke(cli, ["kb", "check", "--kb", str(local)]).exit_code == 0


def test_a_copied_rule_is_refused_because_it_double_counts(runner, cli, tmp_path):
    local = folder(tmp_path, a_rule("mg-ppi-again", "{medications: {includes: ppi_long_term}}",
                                    "{hypothesis: {id: magnesium, cf: 0.3}}"))
    result = runner.invoke(cli, ["consult", "--answers", EMERGENCY, "--kb", str(local)])
    assert result.exit_code == 2
    assert ("mg-ppi-again: gives magnesium evidence under the same conditions as rule "
            "mg-ppi-long-term (knowledge/rules/magnesium.yaml:9): one piece of evidence "
            "written twice") in result.stderr
    other_cf = folder(tmp_path / "other", a_rule(  # a copy is a copy, whatever its certainty
        "mg-ppi-again", "{medications: {includes: ppi_long_term}}",
        "{hypothesis: {id: magnesium, cf: 0.05}}"))
    assert runner.invoke(cli, ["kb", "check", "--kb", str(other_cf)]).exit_code == 1


def narrower_rule(tmp_path, cf, refines=""):
    return folder(tmp_path / f"narrower-{cf}-{bool(refines)}", a_rule(
        "mg-ppi-older", "{all: [{medications: {includes: ppi_long_term}}, {age: {at_least: 80}}]}",
        f"{{hypothesis: {{id: magnesium, cf: {cf}}}}}",
        f"\n    refines: {refines}" if refines else ""))


@pytest.mark.parametrize("cf", [0.3, 0.1, 0.6])
def test_a_narrower_rule_is_a_warning_until_it_says_it_refines(runner, cli, tmp_path, cf):
    """Whatever its certainty: the same as the broader rule's, or its own."""
    plain = runner.invoke(cli, ["kb", "check", "--kb", str(narrower_rule(tmp_path, cf))])
    assert plain.exit_code == 0, plain.stdout
    assert ("mg-ppi-older: warning: fires only when rule mg-ppi-long-term "
            "(knowledge/rules/magnesium.yaml:9) fires and, like it, gives evidence for "
            "magnesium") in plain.stdout
    assert "`refines: mg-ppi-long-term`" in plain.stdout
    declared = runner.invoke(cli, ["kb", "check", "--strict", "--kb",
                                   str(narrower_rule(tmp_path, cf, "mg-ppi-long-term"))])
    assert declared.exit_code == 0, declared.stdout


def test_a_narrower_rule_of_many_tests_is_found_without_walking_their_subsets(
        runner, cli, tmp_path):
    """A rule may test every question: the broader rules it could narrow are found by
    what each of its alternatives tests, never through all 2**n subsets of its tests
    (26 tests: 67 million of them, more memory than the machine has)."""
    from expert.kb.loader import load_knowledge

    kb = load_knowledge()
    asked = sorted(q.id for q in kb.askable if not q.about_warning_signs)[:25]
    assert len(asked) == 25
    tests = ", ".join(f"{{{q}: {{answered: true}}}}" for q in asked)
    broad = a_rule("many-tests", f"{{all: [{tests}]}}", "{hypothesis: {id: calcium, cf: 0.1}}")
    narrow = a_rule("many-tests-and-age", f"{{any: [{{all: [{tests}, {{age: {{at_least: 90}}}}]}},"
                    f" {{all: [{tests}, {{age: {{below: 5}}}}]}}]}}",
                    "{hypothesis: {id: calcium, cf: 0.2}}").removeprefix("rules:\n")
    done = runner.invoke(cli, ["kb", "check", "--kb", str(folder(tmp_path, broad + narrow))])
    assert done.exit_code == 0, done.stdout
    assert ("many-tests-and-age: warning: fires only when rule many-tests (local.yaml:2) "
            "fires") in done.stdout.replace(str(tmp_path / "rules") + "/", "")


def test_a_chain_of_thousands_of_derived_facts_is_checked_and_consulted(runner, cli,
                                                                        tmp_path):
    """Each rule reads the fact the one before derives, 3,000 deep, and the last refers:
    the strata, the safety proofs and the consultation follow the chain without
    Python's recursion (which stops near a thousand calls deep)."""
    links = [a_rule(f"link-{i}", "{age: {at_least: 30}}" if i == 0 else
                    f"{{all: [{{age: {{at_least: 30}}}}, {{fact: link_{i - 1}}}]}}",
                    f"{{facts: [link_{i}]}}" if i < 2999 else
                    "{referral: routine, note: {id: stress, cf: 0.1}}").removeprefix("rules:\n")
             for i in range(3000)]
    local = folder(tmp_path, **{f"rules__chain{k // 500}.yaml": "rules:\n" + "".join(
        links[k:k + 500]) for k in range(0, 3000, 500)})
    checked = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert checked.exit_code == 0, checked.output
    answers = tmp_path / "answers.yaml"
    answers.write_text("age: 40\nsymptoms: []\n")
    done = runner.invoke(cli, ["consult", "--kb", str(local), "--answers", str(answers),
                               "--format", "json", "--no-history"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["referral"]["level"] == "routine"
    assert [r["rule"] for r in report["referral"]["reasons"]] == ["link-2999"]
    how = ["explain", "--kb", str(local), "--answers", str(answers), "--how"]
    tree = runner.invoke(cli, [*how, "referral", "--format", "json"])  # 40 rules of it, and
    assert tree.exit_code == 0, tree.output  # where to go on
    node, rules = json.loads(tree.stdout), []
    while node["children"]:
        node = next(child for child in node["children"] if child["kind"] != "answer")
        rules += [node["id"]] if node["kind"] == "rule" else []
    assert rules == [f"link-{i}" for i in range(2999, 2959, -1)]
    assert node["continued"] and "`twitchdx explain --how link_2959`" in node["text"]
    more = runner.invoke(cli, [*how, "link_2959"])
    assert more.exit_code == 0 and more.stdout.startswith("fact link_2959\n└─ rule link-2959")


def test_a_ladder_of_facts_each_read_two_ways_is_weighed_in_moments(runner, cli, tmp_path):
    """Two rules on each of 40 rungs, each reading either fact of the rung below, all
    waiting on an unanswered question: 2**40 ways up the ladder, and what answering it
    could change is one change however many ways lead to it."""
    rungs = []
    for i in range(40):
        below = "{sleep_hours: {below: 5}}" if i == 0 else (
            f"{{all: [{{sleep_hours: {{below: 5}}}}, {{any: [{{fact: rung_{i - 1}_a}}, "
            f"{{fact: rung_{i - 1}_b}}]}}]}}")
        for side in "ab":
            then = f"{{facts: [rung_{i}_{side}]}}" if (i, side) != (39, "a") else \
                "{note: {id: sleep, cf: 0.3}}"
            rungs.append(a_rule(f"rung-{i}-{side}", below, then).removeprefix("rules:\n"))
    local = folder(tmp_path, "rules:\n" + "".join(rungs))
    answers = tmp_path / "answers.yaml"
    answers.write_text("age: 40\nsymptoms: []\n")
    done = runner.invoke(cli, ["consult", "--kb", str(local), "--answers", str(answers),
                               "--format", "json", "--no-history"])
    assert done.exit_code == 0, done.output
    from expert.consult.answers import check_answers
    from expert.consult.planner import plan
    from expert.kb.loader import load_knowledge

    kb = load_knowledge((local,), use_cache=False)
    impacts = plan(kb, check_answers(kb, {"age": 40, "symptoms": []})).impacts
    assert [(i.kind, i.target, i.via) for i in impacts["rung-0-b"]] == [
        ("note", "sleep", "rung-39-a")]


SUBJECTS = st.frozensets(st.integers(0, 11), max_size=12)  # what an alternative tests


@given(st.lists(st.lists(SUBJECTS, min_size=1, max_size=4), max_size=12),
       st.lists(SUBJECTS, min_size=1, max_size=4))
def test_the_rules_a_rule_could_narrow_are_exactly_those_it_covers(rules, mine):
    """The index finds every earlier rule of which each of this rule's alternatives tests
    all that one alternative tests, and no other, looked up by subsets or through the
    entries filed under what it tests (each under the rarest thing it tests)."""
    from collections import Counter

    from expert.kb.verify import _covers, _Index

    index = _Index(Counter(subject for alternatives in rules for tested in alternatives
                           for subject in tested))
    for number, alternatives in enumerate(rules):
        for tested in alternatives:
            index.add(tested, number)
    expected = {number for number, theirs in enumerate(rules) if _covers(mine, theirs)}
    assert index.within(mine) == expected


def _leaves():
    """Tests of a few things, with values that meet: numbers (3 and 3.0, intervals that
    touch, a point as ``is`` or ``between``), choices, yes/no, certainties, facts."""
    from expert.language.conditions import Ask, Belief, FactIs

    number = st.sampled_from([1, 2, 3, 3.0, 4])
    seldom = st.sampled_from([False, False, False, True])  # negated now and then
    spans = st.builds(Ask, st.sampled_from(["age", "sleep_hours"]),
                      st.sampled_from(["at_least", "above", "at_most", "below", "is"]),
                      number, seldom)
    return st.one_of(
        spans, spans, spans,
        st.builds(lambda q, low, high: Ask(q, "between", (min(low, high), max(low, high))),
                  st.sampled_from(["age", "sleep_hours"]), number, number),
        st.builds(Ask, st.just("stress_level"), st.just("is"), st.sampled_from("ab")),
        st.builds(lambda q, values: Ask(q, "in", tuple(sorted(values))),
                  st.just("stress_level"), st.sets(st.sampled_from("abc"), min_size=1)),
        st.builds(Ask, st.just("sudden_onset"), st.just("is"), st.booleans(), seldom),
        st.builds(Ask, st.sampled_from(["age", "stress_level"]), st.just("answered"),
                  st.booleans()),
        st.builds(Ask, st.just("symptoms"), st.just("includes"),
                  st.sampled_from(["cramps", "fatigue"])),
        st.builds(Ask, st.just("symptoms"), st.sampled_from(["includes_any", "includes_all"]),
                  st.sampled_from([("cramps",), ("cramps", "fatigue")])),
        st.builds(Belief, st.sampled_from(["magnesium", "calcium"]),
                  st.sampled_from(["at_least", "below"]), st.sampled_from([0.2, 0.4])),
        st.builds(FactIs, st.sampled_from(["x", "y"]), st.booleans()))


def _weaker(leaf, rng):
    """A test ``leaf`` implies: itself written another way, or one that lets more
    through."""
    from expert.language.conditions import Ask, Belief

    step = rng.choice([0, 0.5, 1])
    if isinstance(leaf, Belief):
        return leaf._replace(value=leaf.value - step if leaf.op == "at_least"
                             else leaf.value + step)
    if not isinstance(leaf, Ask):
        return leaf
    if leaf.negated or leaf.on_presence:
        return leaf if rng.random() < 0.5 else Ask(leaf.question, "answered", True)
    if leaf.op == "in":
        return leaf._replace(value=tuple(sorted({*leaf.value, "c"})))
    if leaf.op == "includes":
        return leaf._replace(op="includes_any", value=(leaf.value, "weakness"))
    if leaf.op == "includes_any":
        return leaf._replace(value=(*leaf.value, "weakness"))
    if leaf.op == "is" and isinstance(leaf.value, str):
        return leaf._replace(op="in", value=(leaf.value,) if step == 0 else (leaf.value, "c"))
    if isinstance(leaf.value, bool) or not leaf.op.startswith(("at_", "above", "below",
                                                              "between", "is")):
        return leaf
    low, high = (leaf.value, leaf.value) if leaf.op in ("is", "at_least", "at_most",
                                                         "above", "below") else leaf.value
    return rng.choice([
        Ask(leaf.question, "between", (low - step, high + step)),
        Ask(leaf.question, "at_least", low - step) if leaf.op not in ("at_most", "below")
        else Ask(leaf.question, "at_most", high + step),
        Ask(leaf.question, leaf.op, float(leaf.value) if leaf.op != "between" else leaf.value),
    ])


@settings(max_examples=400)
@given(st.lists(_leaves(), min_size=1, max_size=4), st.randoms())
def test_alternatives_that_imply_each_other_share_a_signature(mine, rng):
    """The load compares a rule only with rules that share the signature of one of its
    alternatives (what it tests, and what its tests allow read together): two that imply
    each other must share it, however they are written."""
    from expert.kb.verify import _signature, subjects
    from expert.language.implication import alternative_implies

    written = [_weaker(leaf, rng) for leaf in mine]  # each maybe another way, or weaker
    theirs = [*written, *(leaf for leaf in mine if rng.random() < 0.5)]
    rng.shuffle(theirs)
    if alternative_implies(theirs, mine) and alternative_implies(mine, theirs):
        assert _signature(mine, subjects(mine)) == _signature(theirs, subjects(theirs))


@pytest.mark.parametrize("mine, theirs", [
    ([("below", 3)], [("at_most", 3), ("below", 3)]),
    ([("below", 3)], [("below", 3), ("at_most", 3.0)]),
    ([("above", 3)], [("at_least", 3), ("above", 3)]),
    ([("above", 3)], [("above", 3.0), ("at_least", 2)]),
    ([("is", 3)], [("between", (3, 3))]),
    ([("is", 3), ("at_least", 3)], [("between", (3, 4)), ("is", 3.0)]),
])
def test_tests_of_a_number_read_together_allow_the_tightest_of_their_bounds(mine, theirs):
    from expert.kb.verify import _signature, subjects
    from expert.language.conditions import Ask
    from expert.language.implication import alternative_implies

    mine, theirs = ([Ask("age", op, value) for op, value in tests] for tests in (mine, theirs))
    assert alternative_implies(mine, theirs) and alternative_implies(theirs, mine)
    assert _signature(mine, subjects(mine)) == _signature(theirs, subjects(theirs))
    other = [leaf._replace(value=leaf.value + 1 if leaf.op != "between" else (3, 5))
             for leaf in mine]  # another threshold: another signature
    assert _signature(other, subjects(other)) != _signature(mine, subjects(mine))


def test_rules_that_allow_other_numbers_are_not_compared(tmp_path, monkeypatch):
    """Hundreds of rules of one test of the same question, each with its own threshold,
    giving the same note: the load compares none of them with another (the work grew
    with the square of their number)."""
    from expert.kb import verify

    compared = []
    implies = verify.implies
    monkeypatch.setattr(verify, "implies", lambda a, b: (compared.append(1), implies(a, b))[-1])
    for count in (1, 300):
        rules = "rules:\n" + "".join(a_rule(f"age-{number}", "{age: {at_least: "
                                             f"{16 + number / 4}}}}}").removeprefix("rules:\n")
                                      for number in range(count))
        kb, _ = built(folder(tmp_path / str(count), rules))
        compared.clear()
        assert verify.double_counting(kb, warnings=False) == []
        if count == 1:
            alone = len(compared)  # the shipped rules'
    assert len(compared) - alone < 10


@pytest.mark.parametrize("refines, message", [
    ("mg-ppi-long-trm", "refines mg-ppi-long-trm, but no rule has that id (did you mean "
                        "mg-ppi-long-term?)"),
    ("mg-cramps", "refines mg-cramps, but can fire when mg-cramps"),
    ("caffeine-over-400", "refines caffeine-over-400, but gives none of the hypotheses or "
                          "notes caffeine-over-400 gives"),
])
def test_refines_must_name_a_broader_rule_with_a_conclusion_in_common(runner, cli, tmp_path,
                                                                     refines, message):
    done = runner.invoke(cli, ["kb", "check", "--kb", str(narrower_rule(tmp_path, 0.2,
                                                                        refines))])
    assert done.exit_code == 1 and message in done.stdout


@pytest.mark.parametrize("cf", ["0.1", "0.15", "0.05", "0.6"])
def test_a_certainty_edit_in_the_shipped_knowledge_still_loads(tmp_path, cf):
    """Editing mg-ppi-long-term's certainty turns no other rule into an error."""
    import shutil

    from expert.kb.loader import load_knowledge

    copy = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", copy, ignore=shutil.ignore_patterns("__pycache__"))
    rules = copy / "rules" / "magnesium.yaml"
    text = rules.read_text()
    start = text.index("- id: mg-ppi-long-term")
    at = text.index("cf: 0.3", start)
    rules.write_text(text[:at] + f"cf: {cf}" + text[at + len("cf: 0.3"):])
    kb = load_knowledge((copy,), use_cache=False, package=False)
    assert dict(kb.rules_by_id["mg-ppi-long-term"].then.hypotheses)["magnesium"] == float(cf)


def test_dead_rules_branches_and_dropping_overrides_are_warnings(runner, cli, tmp_path):
    local = folder(tmp_path, """\
        rules:
          - id: dead-one
            title: Contradiction
            when: {all: [{age: {at_least: 70}}, {age: {below: 40}}]}
            then: {facts: [dead_fact]}
            because: A rule that can never fire at all.
            sources: [S01]
          - id: dead-two
            title: Reads the dead fact
            when: {fact: dead_fact}
            then: {note: {id: stress, cf: 0.1}}
            because: Only a dead rule derives this fact.
            sources: [S01]
          - id: half-dead
            title: One dead branch
            when:
              any:
                - fact: dead_fact
                - smoker: true
            then: {note: {id: nicotine, cf: 0.1}}
            because: One branch of this any can never hold.
            sources: [S01]
          - id: mg-cramps
            override: true
            title: Cramps without the hypothesis
            when: {symptoms: {includes: cramps}}
            then: {note: {id: stress, cf: 0.05}}
            because: An override that drops the hypothesis.
            sources: [S01]
        """)
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert any(line.endswith("local.yaml:4: dead-one: warning: this rule can never fire: its "
                             "conditions contradict each other") for line in lines)
    assert any("dead-two: warning: this rule can never fire: it reads fact dead_fact, which "
               "only rules that can never fire derive (dead-one)" in line for line in lines)
    assert any(line.split("local.yaml:")[1].startswith("18: half-dead: warning: this branch of "
                                                       "any: can never hold") for line in lines
               if "half-dead" in line)
    assert any("mg-cramps: warning: override of" in line and "drops hypothesis magnesium" in line
               for line in lines)
    assert any(line.split("local.yaml:")[1].startswith(  # the later rule is named, not the
        "20: half-dead: warning: fires whenever rule nicotine (")  # package's
        for line in lines if "half-dead: warning: fires" in line)
    assert lines[-1].startswith("kb check: ok (") and lines[-1].endswith("with 5 warnings")
    assert runner.invoke(cli, ["kb", "check", "--strict", "--kb", str(local)]).exit_code == 1


def test_kb_check_as_json_and_sarif(runner, cli, tmp_path):
    local = folder(tmp_path, a_rule(when="{age: {at_least: 130}}"))
    data = json.loads(runner.invoke(cli, ["kb", "check", "--format", "json", "--kb",
                                          str(local)]).stdout)
    assert data["errors"] == 0 and data["warnings"] == 2
    assert {p["check"] for p in data["problems"]} == {"out-of-range", "dead-rule"}
    report = json.loads(runner.invoke(cli, ["kb", "check", "--format", "sarif", "--kb",
                                            str(local)]).stdout)
    assert report["version"] == "2.1.0"
    (run,) = report["runs"]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"out-of-range", "dead-rule"}
    result = next(r for r in run["results"] if r["ruleId"] == "out-of-range")
    assert result["level"] == "warning"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("rules/local.yaml")
    assert location["region"]["startLine"] == 4


@pytest.mark.parametrize("when,expected", [
    ("{age: {at_least: sixty-five}}", "local.yaml:4: local-rule: when.age: at_least needs a "
                                      "number; got 'sixty-five'"),
    ("{age: {at_lest: 65}}", "local.yaml:4: local-rule: when.age: unknown key 'at_lest'"),
    ("{symptoms: {includes: 3}}", "local.yaml:4: local-rule: when.symptoms: includes needs "
                                  "text; got 3"),
])
def test_schema_problems_are_said_plainly(runner, cli, tmp_path, when, expected):
    local = folder(tmp_path, a_rule(when=when))
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert result.exit_code == 1
    assert any(line.endswith(expected) or expected in line
               for line in result.stdout.splitlines()), result.stdout
    assert "is not of type" not in result.stdout and "is not valid under any" not in \
        result.stdout


def test_an_unknown_test_id_points_at_its_list_item(runner, cli, tmp_path):
    local = folder(tmp_path, """\
        rules:
          - id: local-rule
            title: A rule under test
            when: {age: {at_least: 110}}
            then:
              tests:
                - serum_magnesium
                - serum_zinc
            because: A rule written for this test.
            sources: [S01]
        """)
    result = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert "local.yaml:8: local-rule: unknown test serum_zinc" in result.stdout


def test_semantic_problems_behind_a_schema_error_are_reported_too(runner, cli, tmp_path):
    local = folder(tmp_path, """\
        rules:
          - id: first
            title: Broken by the schema
            when: {age: {at_least: 110}}
            then: {note: {id: stress, cf: lots}}
            because: A rule written for this test.
            sources: [S01]
          - id: second
            title: Broken by a reference
            when: {symtoms: {includes: cramps}}
            then: {note: {id: stress, cf: 0.1}}
            because: A rule written for this test.
            sources: [S01]
        """)
    out = runner.invoke(cli, ["kb", "check", "--kb", str(local)]).stdout
    assert "first: then.note: cf needs a number; got 'lots'" in out
    assert "second: unknown question symtoms (did you mean symptoms?)" in out


def test_a_rule_broken_by_the_schema_is_still_checked_where_it_is_whole(runner, cli,
                                                                         tmp_path):
    local = folder(tmp_path, """\
        rules:
          - id: described-badly
            title: Its because is too short, and a key is misspelt
            becuase: short
            when: {age: {at_least: 110}}
            then: {note: {id: stres, cf: 0.1}, tests: [serum_magnesim]}
            because: short
            sources: [S01, S999]
          - id: condition-broken
            title: Its condition is broken, its conclusions too
            when: {age: {atleast: 110}}
            then: {note: {id: stess, cf: 0.1}}
            because: A rule written for this test.
            sources: [S01]
        """)
    out = runner.invoke(cli, ["kb", "check", "--kb", str(local)]).stdout
    for expected in ("local.yaml:4: described-badly: unknown key 'becuase'",
                     "local.yaml:6: described-badly: unknown note stres (did you mean stress?)",
                     "local.yaml:6: described-badly: unknown test serum_magnesim (did you mean "
                     "serum_magnesium?)",
                     "local.yaml:7: described-badly: because needs at least 10 characters",
                     "local.yaml:8: described-badly: sources[1] 'S999' is not a source id",
                     "local.yaml:11: condition-broken: when.age: unknown key 'atleast'",
                     "local.yaml:12: condition-broken: unknown note stess"):
        assert expected in out, (expected, out)
    assert out.count("S999") == 1  # said once, by the schema


@pytest.mark.parametrize("state, expected", [
    ("questions-folder", "questions.yaml: is a directory, not a file"),
    ("catalog-dangling", "catalog.yaml: no such file"),
    ("reference-loop", "reference.yaml: cannot be read (Too many levels of symbolic links)"),
    ("rules-file", "rules: is not a folder; rule and case files go in a folder of this name"),
    ("both-extensions", "questions.yml: questions.yaml is here too; keep one of them"),
    ("not-utf8", "local.yaml:3: not UTF-8 text (byte 0xff); save the file as UTF-8"),
])
def test_every_state_of_a_knowledge_folder_is_read_or_refused_plainly(runner, cli, tmp_path,
                                                                       state, expected):
    local = folder(tmp_path, a_rule())
    if state == "questions-folder":
        (local / "questions.yaml").mkdir()
    elif state == "catalog-dangling":
        (local / "catalog.yaml").symlink_to("nowhere.yaml")
    elif state == "reference-loop":
        (local / "reference.yaml").symlink_to("reference.yaml")
    elif state == "rules-file":
        (local / "rules" / "local.yaml").unlink()
        (local / "rules").rmdir()
        (local / "rules").write_text("rules: []\n")
    elif state == "both-extensions":
        (local / "questions.yaml").write_text("questions: []\n")
        (local / "questions.yml").write_text("questions: []\n")
    else:
        (local / "rules" / "local.yaml").write_bytes(a_rule().encode().replace(
            b"A rule under", b"A \xffrule under"))
    check = runner.invoke(cli, ["kb", "check", "--kb", str(local)])
    assert check.exit_code == 1 and expected in check.stdout, check.stdout + check.stderr
    consult = runner.invoke(cli, ["consult", "--answers", EMERGENCY, "--kb", str(local)])
    assert consult.exit_code == 2 and expected in consult.stderr, consult.stderr


def test_top_level_files_may_be_yml(runner, cli, tmp_path):
    local = folder(tmp_path, a_rule(when="{night_owl: true}"), **{
        "questions.yml": "questions:\n  - {id: night_owl, text: Up late?, type: boolean}\n"})
    assert runner.invoke(cli, ["kb", "check", "--kb", str(local)]).exit_code == 0


@pytest.mark.parametrize("text", [
    "rules:\n  a: 1\n",
    "rules: 5\n",
    "- just\n- a list\n",
    "rules:\n  - 7\n  - [1, 2]\n",
    "rules:\n  - id: x\n    title: Huge\n    when: {age: {at_least: " + "9" * 400 + "}}\n"
    "    then: {note: {id: stress, cf: 0.1}}\n    because: A huge threshold here.\n"
    "    sources: [S01]\n",
    "rules:\n  - id: x\n    title: NaN\n    when: {age: {at_least: .inf}}\n"
    "    then: {note: {id: stress, cf: .nan}}\n    because: Not numbers at all.\n"
    "    sources: [S01]\n",
    "rules:\n  - id: x\n    title: A date\n    when: {age: {at_least: 2024-02-30}}\n"
    "    then: {note: {id: stress, cf: 0.1}}\n    because: A date, not a number.\n"
    "    sources: [S01]\n",
    "rules:\n  - id: x\n    title: Tags\n    when: {age: !!binary aGVsbG8=}\n"
    "    then: !!set {a, b}\n    because: Tags of every kind.\n    sources: [S01]\n",
    "rules:\n  - id: !!python/object:os.system x\n",
    "rules:\n  - {1: 2, 3: [4]}\n",
    "rules: " + "[" * 900 + "]" * 900 + "\n",
    "rules:\n  - id: x\n    when: " + "{all: [" * 60 + "{age: 1}" + "]}" * 60 + "\n",
    "\ufeffrules: []\n",
    "",
])
def test_no_knowledge_file_causes_an_internal_error(runner, cli, tmp_path, text):
    local = folder(tmp_path)
    (local / "rules" / "local.yaml").write_text(text)
    for command in (["kb", "check", "--kb", str(local)],
                    ["consult", "--answers", EMERGENCY, "--kb", str(local)]):
        result = runner.invoke(cli, command)
        assert result.exit_code in (0, 1, 2), result.stderr
        assert "internal error" not in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_loading_finds_every_copied_rule_that_kb_check_finds(tmp_path):
    """The load looks for errors alone, comparing fewer rules (verify.double_counting with
    warnings=False); it must refuse the same copies: written in another order, with an
    `any` split over rules of one alternative, or the other way round, or with a
    narrower alternative added to the rule's own (which changes nothing)."""
    import random

    import yaml
    from synthetic import synthetic_rules

    from expert.kb.builder import build
    from expert.kb.loader import all_files, knowledge_dirs, read_knowledge
    from expert.kb.verify import double_counting

    rng = random.Random(61)
    rules = synthetic_rules(300, seed=61)
    copies = []
    for number, rule in enumerate(rng.sample(rules, 40)):
        when = rule["when"]
        leaves = when.get("all") or when.get("any") or [when]
        shuffled = rng.sample(leaves, len(leaves))
        if "any" in when and number % 2:  # an alternative of its own, beside the others
            copy = {"any": [shuffled[0], {"any": shuffled[1:]}]} if len(shuffled) > 1 else \
                shuffled[0]
        elif number % 3 == 2:  # the rule, or the rule and something more
            more = rng.choice([r for r in rules if "hypothesis" not in str(r["when"])])["when"]
            copy = {"any": [{"all": [more, when]}, when]}
        else:
            copy = {next(iter(when)): shuffled} if len(leaves) > 1 else when
        copies.append({**rule, "id": f"copy-{number}", "when": copy})
    folder = tmp_path / "copies"
    (folder / "rules").mkdir(parents=True)
    (folder / "kb.yaml").write_text("name: copies\nversion: '1'\n")
    (folder / "rules" / "all.yaml").write_text(yaml.safe_dump({"rules": rules + copies}))
    kb, problems = build(read_knowledge(all_files(knowledge_dirs((folder,)))))
    assert kb is not None and not [p for p in problems if p.severity == "error"]
    everything = double_counting(kb)
    errors = [p for p in everything if p.severity == "error"]
    assert len({p.rule for p in errors}) >= 30  # most copies restate their rule's evidence
    assert sorted(double_counting(kb, warnings=False)) == sorted(errors)  # found in
    # another order: with warnings, a narrower rule's warning can come first


def test_loading_finds_a_copy_that_bounds_a_certainty_the_same_way_in_other_words(tmp_path):
    """The load compares a rule only with rules of its signature (what it tests, and each
    certainty's tightest bounds): a copy that adds a weaker threshold on the same
    certainty restates its rule and is refused; one with another threshold is not a
    copy."""
    import yaml
    from synthetic import synthetic_rules

    from expert.kb.builder import build
    from expert.kb.loader import all_files, knowledge_dirs, read_knowledge
    from expert.kb.verify import double_counting

    rules = synthetic_rules(300, seed=62, shape="beliefs")
    copies, moved = [], []
    for rule in rules:
        when = rule["when"]
        leaves = when.get("all") or [when]
        beliefs = [leaf for leaf in leaves if "hypothesis" in leaf]
        if "any" in when or len(beliefs) != 1 or len(copies) >= 12:
            continue
        (op, value), = ((k, v) for k, v in beliefs[0]["hypothesis"].items() if k != "id")
        looser = {"hypothesis": {"id": beliefs[0]["hypothesis"]["id"],
                                 op: round(value / 2 if op == "at_least" else (value + 1) / 2, 6)}}
        number = len(copies)
        copies.append({**rule, "id": f"copy-{number}", "when": {"all": [*leaves, looser]}})
        other = {**looser, "hypothesis": {**beliefs[0]["hypothesis"],
                                          op: round(value + 0.011, 6)}}
        moved.append({**rule, "id": f"moved-{number}",
                      "when": {"all": [other if leaf is beliefs[0] else leaf
                                       for leaf in leaves]}})
    assert len(copies) == 12
    folder = tmp_path / "bounds"
    (folder / "rules").mkdir(parents=True)
    (folder / "kb.yaml").write_text("name: bounds\nversion: '1'\n")
    (folder / "rules" / "all.yaml").write_text(yaml.safe_dump({"rules": rules + copies + moved}))
    kb, problems = build(read_knowledge(all_files(knowledge_dirs((folder,)))))
    assert kb is not None and not [p for p in problems if p.severity == "error"]
    refused = {p.rule for p in double_counting(kb, warnings=False)}
    assert {copy["id"] for copy in copies} <= refused
    assert not {rule["id"] for rule in moved} & refused
    assert refused == {p.rule for p in double_counting(kb) if p.severity == "error"}


def built(path):
    """The base of a knowledge folder and the double-counting problems kb check finds."""
    from expert.kb.builder import build
    from expert.kb.loader import all_files, knowledge_dirs, read_knowledge
    from expert.kb.verify import double_counting

    kb, problems = build(read_knowledge(all_files(knowledge_dirs((path,)))))
    assert kb is not None and not [p for p in problems if p.severity == "error"], problems
    return kb, double_counting(kb)


TWO_BROADER = (a_rule("broad-age", "{age: {at_least: 97}}", "{hypothesis: {id: magnesium, cf: "
                      "-0.1}}")
               + a_rule("broad-sleep", "{sleep_hours: {below: 2}}",
                        "{hypothesis: {id: magnesium, cf: -0.1}}").removeprefix("rules:\n"))


@pytest.mark.parametrize("refines, named", [("", "broad-age"), ("broad-age", "broad-sleep")])
def test_a_rule_narrower_than_two_is_warned_of_one_at_a_time(tmp_path, refines, named):
    """A rule that narrows two broader ones hears of the first; once it says it refines
    that one, of the next.  Against a hypothesis as for it, at the line of its evidence."""
    narrow = a_rule("narrow-both", "{all: [{age: {at_least: 98}}, {sleep_hours: {below: 1}}]}",
                    "\n      hypothesis: {id: magnesium, cf: -0.2}",
                    f"\n    refines: {refines}" if refines else "")
    kb, problems = built(folder(tmp_path, TWO_BROADER + narrow.removeprefix("rules:\n")))
    mine = [p for p in problems if p.rule == "narrow-both"]
    assert len(mine) == 1, mine
    assert mine[0].severity == "warning" and mine[0].check == "double-counting"
    assert f"fires only when rule {named} (" in mine[0].message
    assert "gives evidence against magnesium" in mine[0].message
    assert mine[0].line == kb.rules_by_id["narrow-both"].line + 4  # then: / hypothesis:


def test_evidence_written_twice_is_an_error_at_the_later_rule(tmp_path):
    copy = a_rule("broad-age-again", "{age: {at_least: 97}}",
                  "{hypothesis: {id: magnesium, cf: -0.3}}")
    _, problems = built(folder(tmp_path, TWO_BROADER + copy.removeprefix("rules:\n")))
    mine = [p for p in problems if "broad-age" in p.rule]
    assert [(p.rule, p.severity, p.check) for p in mine] == [
        ("broad-age-again", "error", "double-counting")]
    assert "under the same conditions as rule broad-age (" in mine[0].message


def test_a_fact_read_as_one_way_of_several_still_counts_its_maker_twice(tmp_path):
    """A reader that fires whenever the fact's maker fires (here through one of its
    alternatives) counts the maker's evidence again, whatever its other alternatives."""
    rules = (a_rule("maker", "{age: {at_least: 97}}",
                    "{hypothesis: {id: magnesium, cf: 0.1}, facts: [very_old]}")
             + a_rule("reader", "{any: [{fact: very_old}, {sleep_hours: {below: 2}}]}",
                      "{hypothesis: {id: magnesium, cf: 0.2}}").removeprefix("rules:\n"))
    kb, problems = built(folder(tmp_path, rules))
    mine = [p for p in problems if p.rule in ("maker", "reader")]
    assert [(p.rule, p.severity, p.check) for p in mine] == [
        ("reader", "error", "double-counting")]
    assert mine[0].line == kb.rules_by_id["reader"].line + 3  # its hypothesis, in then:


@pytest.mark.parametrize("refines, says", [
    ("broad-agee", "refines broad-agee, but no rule has that id (did you mean broad-age?)"),
    ("a-note", "refines a-note, but gives none of the hypotheses or notes a-note gives"),
    ("broad-sleep", "refines broad-sleep, but can fire when broad-sleep ("),
])
def test_refines_is_checked_at_its_own_line(tmp_path, refines, says):
    narrow = a_rule("narrow-age", "{age: {at_least: 98}}",
                    "{hypothesis: {id: magnesium, cf: -0.2}}", f"\n    refines: {refines}")
    note = a_rule("a-note", "{age: {at_least: 99}}")
    kb, problems = built(folder(tmp_path, TWO_BROADER + narrow.removeprefix("rules:\n")
                                + note.removeprefix("rules:\n")))
    mine = [p for p in problems if p.rule == "narrow-age" and p.message.startswith("refines")]
    assert [(p.line, p.check) for p in mine] == [
        (kb.rules_by_id["narrow-age"].line + 6, "double-counting")]  # its refines: line
    assert says in mine[0].message


def test_a_fact_with_several_makers_counts_the_first_that_gave_the_same_evidence(tmp_path):
    """Only evidence the reader gives for, and a maker gave too, is counted twice; the
    reader is named once, with the first such maker."""
    rules = "rules:\n" + "".join(a_rule(*made).removeprefix("rules:\n") for made in (
        ("maker-a-calcium", "{age: {at_least: 97}}",  # the first maker
         "{hypothesis: {id: calcium, cf: 0.1}, facts: [very_old]}"),
        ("maker-age", "{age: {at_least: 97}}",
         "{hypothesis: {id: magnesium, cf: 0.1}, facts: [very_old]}"),
        ("maker-sleep", "{sleep_hours: {below: 2}}",
         "{hypothesis: {id: magnesium, cf: 0.1}, facts: [very_old]}"),
        ("reader", "{fact: very_old}",
         "{hypothesis: [{id: calcium, cf: -0.1}, {id: magnesium, cf: 0.2}]}")))
    _, problems = built(folder(tmp_path, rules))
    mine = [p for p in problems if p.rule == "reader"]
    assert len(mine) == 1 and "gives magnesium +0.2 from fact very_old, which rule " \
        "maker-age (" in mine[0].message
