"""Synthetic knowledge of the shipped knowledge's shape, any number of times its size.

Rules test the real questions with the operators authors use, conclude the real
hypotheses and notes, and chain: some derive facts that later rules read (a fact
is only read by rules generated after the rule that derives it, so there is no
cycle), and some read a hypothesis's certainty.  Certainty factors have six
decimals, and a rule that would give a hypothesis or note evidence under the same
conditions as a rule before it, shipped or drawn, is drawn again (the loader
refuses evidence written twice, and a chance copy of a shipped rule among 14,000
drawn ones made some seeds unloadable); no rule tests a warning sign, so the
safety proofs hold.

Six shapes (``SHAPES``): *flat*, the shipped rules' own (two or three tests, now
and then ``any`` of them); *nested*, one nobody tuned the engine on: three to six
tests of every operator the language has (``between``, ``includes_all``,
``includes_at_least``, ``count_at_least``, ``answered``, ``not`` over any answer,
certainties ``below`` a threshold), ``any`` inside ``all`` and ``all`` inside
``any``, rules reading up to two derived facts of short, deep chains; *worded*,
flat rules of which four in five give advice (safe for anyone, as the shipped rules
word it) and have a title and a reason of their own: no two texts alike, so a load
reads every one as a person would (kb/printed.py), as a base written by people
would make it; *wide*, rules of ``any`` of four to seven tests, so most of them
hold at once (an agenda of tens of thousands, and rules a checker compares by every
alternative); *chains*, rules reading up to four of the last twenty facts
derived: chains of derived facts more than a thousand rules deep, each fact read
several ways; and *beliefs*, rules of one or two tests of which four in five read a
certainty (at least, or below, a threshold): small rules, which CLIPS loads fastest,
thousands of them testing the same few things.  The flat and nested shapes draw the
same rules as before the others came.

Used by bench/scale.py (10x and 100x, timed against CLIPS) and by the
differential tests, which need knowledge nobody tuned the engine on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
RULES_PER_FILE = 400  # files stay well under the loader's size limit
HYPOTHESES = ["magnesium", "calcium", "vitamin_d", "potassium", "electrolytes"]
NOTES = ["caffeine", "stress", "sleep", "overexertion", "dehydration", "alcohol", "nicotine"]


ALL_QUESTIONS = yaml.safe_load((ROOT / "knowledge" / "questions.yaml").read_text(
    encoding="utf-8"))["questions"]
QUESTIONS = [q for q in ALL_QUESTIONS if not q.get("red_flag")]  # what synthetic rules test


def _safe_choices(question: dict) -> list[str]:
    return [c["id"] for c in question.get("choices", []) if not c.get("red_flag")]


def _number(rng: random.Random, question: dict) -> float:
    low, high = question.get("min", 0), question.get("max", 100)
    return rng.randint(int(low), int(high)) if question["type"] == "integer" else round(
        rng.uniform(low, high), 1)


def _leaf(rng: random.Random, question: dict) -> dict | None:
    """One test of a question, with an operator and value its type allows (flat shape)."""
    qid, kind = question["id"], question["type"]
    if kind == "boolean":
        return {qid: rng.choice([True, False])}
    if kind in ("integer", "number"):
        value = _number(rng, question)
        return {qid: {rng.choice(["at_least", "at_most", "above", "below"]): value}}
    choices = _safe_choices(question)
    if not choices:
        return None
    if kind == "choice":
        return {qid: rng.choice(choices)} if rng.random() < 0.7 else {
            qid: {"in": sorted(rng.sample(choices, min(2, len(choices))))}}
    op = rng.choice(["includes", "includes", "includes_any", "not"])
    if op == "includes_any":
        return {qid: {op: sorted(rng.sample(choices, min(2, len(choices))))}}
    if op == "not":
        return {"not": {qid: {"includes": rng.choice(choices)}}}
    return {qid: {op: rng.choice(choices)}}


def _nested_leaf(rng: random.Random, question: dict) -> dict | None:
    """One test of a question, any operator its type allows, negated now and then."""
    qid, kind = question["id"], question["type"]
    if rng.random() < 0.08:
        return {qid: {"answered": rng.random() < 0.7}}
    if kind == "boolean":
        test = {qid: rng.choice([True, False])}
        return test if rng.random() < 0.8 else {"not": test}
    if kind in ("integer", "number"):
        op = rng.choice(["at_least", "at_most", "above", "below", "between", "is", "not"])
        if op == "between":
            return {qid: {op: sorted([_number(rng, question), _number(rng, question)])}}
        if op == "not":
            return {"not": {qid: {"at_least": _number(rng, question)}}}
        if op == "is" and kind != "integer":
            op = "at_least"  # a measured number is never exactly a threshold
        return {qid: {op: _number(rng, question)}}
    choices = _safe_choices(question)
    if not choices:
        return None
    if kind == "choice":
        op = rng.choice(["is", "in", "not"])
        if op == "in":
            return {qid: {op: sorted(rng.sample(choices, min(2, len(choices))))}}
        return {"not": {qid: rng.choice(choices)}} if op == "not" else {
            qid: rng.choice(choices)}
    op = rng.choice(["includes", "includes_any", "includes_all", "includes_at_least",
                     "count_at_least", "not"])
    some = sorted(rng.sample(choices, min(len(choices), rng.randint(2, 3))))
    if op in ("includes_any", "includes_all"):
        return {qid: {op: some}}
    if op == "includes_at_least":
        return {qid: {op: {"count": rng.randint(1, len(some)), "of": some}}}
    if op == "count_at_least":
        return {qid: {op: rng.randint(1, 4)}}
    if op == "not":
        return {"not": {qid: {"includes_any": some}}}
    return {qid: {op: rng.choice(choices)}}


def _flat_when(rng: random.Random, leaves: list[dict]) -> Any:
    return leaves[0] if len(leaves) == 1 else (
        {"any": leaves} if rng.random() < 0.15 else {"all": leaves})


def _nested_when(rng: random.Random, leaves: list[dict]) -> Any:
    """``all`` with an ``any`` inside, ``any`` of two ``all``, or a plain ``all``."""
    rng.shuffle(leaves)
    if len(leaves) >= 4 and rng.random() < 0.5:
        return {"all": [leaves[0], {"any": leaves[1:3]}, *leaves[3:]]}
    if len(leaves) >= 3 and rng.random() < 0.2:
        return {"any": [{"all": leaves[:2]}, {"all": leaves[2:]}]}
    return leaves[0] if len(leaves) == 1 else {"all": leaves}


def _any_when(rng: random.Random, leaves: list[dict]) -> Any:
    """Any one of the tests (the wide shape)."""
    return {"any": leaves} if len(leaves) > 1 else leaves[0]


class Shape(NamedTuple):
    """How a shape's rules are drawn."""

    tests: tuple[int, int]  # questions tested: at least, at most
    leaf: Callable[[random.Random, dict], dict | None]
    when: Callable[[random.Random, list[dict]], Any]
    reads: float  # the chance that a rule reads derived facts
    reads_at_most: int  # facts it reads, at most
    window: int  # among the facts derived last: the smaller, the deeper the chains
    beliefs: float  # the chance that a rule reads a certainty (and concludes a note)
    belief_ops: tuple[str, ...]
    derives: float  # the chance that a rule derives a fact
    against: float  # the chance that a rule's evidence is against its hypothesis
    worded: float = 0.0  # the chance that a rule gives advice, and words all its own


SHAPES = {
    "flat": Shape((2, 3), _leaf, _flat_when, 0.3, 1, 200, 0.05, ("at_least",), 0.35, 0.2),
    "nested": Shape((3, 6), _nested_leaf, _nested_when, 0.5, 2, 40, 0.15,
                    ("at_least", "below"), 0.45, 0.3),
    "worded": Shape((2, 3), _leaf, _flat_when, 0.3, 1, 200, 0.05, ("at_least",), 0.35, 0.2,
                    worded=0.8),
    "wide": Shape((4, 7), _leaf, _any_when, 0.3, 1, 200, 0.05, ("at_least",), 0.35, 0.2),
    "chains": Shape((1, 3), _nested_leaf, _nested_when, 0.9, 4, 20, 0.1,
                    ("at_least", "below"), 0.6, 0.3),
    "beliefs": Shape((1, 2), _leaf, _flat_when, 0.1, 1, 200, 0.8, ("at_least", "below"),
                     0.2, 0.3),
}


class Givers:
    """What gives each hypothesis and note evidence, and under which conditions, for the
    loader's check of evidence written twice (kb/verify.py): two rules are alike there
    only if the least sets of things their alternatives test are the same, so those
    sets index the rules to compare."""

    def __init__(self) -> None:
        self.given: dict[tuple[str, str, frozenset], list[Any]] = {}

    def add(self, targets: list[tuple[str, str]], alternatives: Any) -> None:
        for kind, target in targets:
            self.given.setdefault((kind, target, _least(alternatives)), []).append(
                alternatives)

    def restates(self, targets: list[tuple[str, str]], alternatives: Any) -> bool:
        """Whether a rule with these conclusions and alternatives gives some target
        evidence under the same conditions as a rule added before."""
        from expert.language.implication import equivalent

        key = _least(alternatives)
        return any(equivalent(alternatives, other) for kind, target in targets
                   for other in self.given.get((kind, target, key), ()))

    @classmethod
    def shipped(cls) -> Givers:
        from expert.kb.loader import load_knowledge

        givers = cls()
        for rule in load_knowledge().rules:
            givers.add([("hypotheses", h) for h, _ in rule.then.hypotheses] +
                       [("notes", n) for n, _ in rule.then.notes], rule.alternatives)
        return givers


def _least(alternatives: Any) -> frozenset:
    """The least of the sets of things each alternative tests."""
    from expert.kb.verify import subjects

    sets = {subjects(alternative) for alternative in alternatives or ((),)}
    return frozenset(s for s in sets if not any(other < s for other in sets))


def _alternatives(when: Any) -> Any:
    from expert.language.conditions import parse
    from expert.language.forms import alternatives

    return alternatives(parse(when))


def _targets(then: dict[str, Any]) -> list[tuple[str, str]]:
    return [(kind, then[item]["id"]) for kind, item in (("hypotheses", "hypothesis"),
                                                       ("notes", "note")) if item in then]


def synthetic_rules(count: int, seed: int = 0, shape: str = "flat") -> list[dict]:
    """``count`` rules of ``shape`` as a rule file holds them."""
    drawn = SHAPES[shape]
    rng = random.Random(seed)
    prefix = "synthetic" if shape == "flat" else shape
    givers = Givers.shipped()
    rules: list[dict] = []
    facts: list[str] = []  # derived so far: what later rules may read
    gives: dict[str, str] = {}  # fact -> the hypothesis its rule gave certainty to
    seen: set[str] = set()
    while len(rules) < count:
        index = len(rules)
        leaves = [leaf for leaf in (drawn.leaf(rng, question) for question in
                                    rng.sample(QUESTIONS, rng.randint(*drawn.tests))) if leaf]
        reads_belief = rng.random() < drawn.beliefs
        read: list[str] = []
        if facts and rng.random() < drawn.reads:
            for _ in range(rng.randint(1, drawn.reads_at_most) if drawn.reads_at_most > 1
                           else 1):
                read.append(rng.choice(facts[-drawn.window:]))  # recent: chains go deep
                leaves.append({"not": {"fact": read[-1]}} if rng.random() < 0.2 else
                              {"fact": read[-1]})
        if reads_belief:
            op = drawn.belief_ops[0] if len(drawn.belief_ops) == 1 else rng.choice(
                drawn.belief_ops)
            leaves.append({"hypothesis": {"id": rng.choice(HYPOTHESES),
                                          op: round(rng.uniform(0.1, 0.6), 2)}})
        if not leaves:
            continue
        signature = repr(sorted(map(repr, leaves)))
        if signature in seen:
            continue
        seen.add(signature)
        when = drawn.when(rng, leaves)
        then: dict[str, Any] = {}
        if reads_belief:  # a chain on certainty concludes notes only: no cycle through it
            then["note"] = {"id": rng.choice(NOTES), "cf": _cf(rng)}
        else:
            roll = rng.random()
            if roll < 0.55:  # never a hypothesis its facts' rules gave: that counts twice
                choices = [h for h in HYPOTHESES if h not in {gives.get(f) for f in read}]
                then["hypothesis"] = {"id": rng.choice(choices),
                                      "cf": _cf(rng, drawn.against)}
            elif roll < 0.85:
                then["note"] = {"id": rng.choice(NOTES), "cf": _cf(rng)}
            if rng.random() < drawn.derives or not then:
                fact = f"{prefix}_{seed}_{index}"
                then["facts"] = [fact]
                facts.append(fact)
                if "hypothesis" in then:
                    gives[fact] = then["hypothesis"]["id"]
            if rng.random() < 0.05:
                then["referral"] = "routine"
        targets, alternatives = _targets(then), _alternatives(when)
        if givers.restates(targets, alternatives):
            if "facts" in then:
                gives.pop(facts.pop(), None)
            continue  # evidence written twice: the loader would refuse the base
        givers.add(targets, alternatives)
        rule = {"id": f"{prefix}-{seed}-{index}", "title": f"Synthetic rule {index}",
                "when": when, "then": then,
                "because": "Generated to measure the engine at scale.", "sources": ["S01"]}
        if drawn.worded and rng.random() < drawn.worded:  # flat and nested draw as before
            _word(rng, rule, index)
        rules.append(rule)
    return rules


ADVICE = [  # (kind, does, text): advice safe for anyone, as the shipped rules word it
    ("care", {"limit": ["caffeine"]}, "Caffeine may be adding to the twitching; try cutting "
                                      "down gradually and see whether it settles."),
    ("care", {"limit": ["alcohol"]}, "Cut down on alcohol while the twitching lasts."),
    ("care", {"habit": ["sleep"]}, "Try to get more sleep; tiredness and exhaustion trigger "
                                   "twitches."),
    ("care", {"habit": ["relax"]}, "Find ways to relax (breathing exercises, a walk, time "
                                   "away from screens)."),
    ("care", {"drink": ["sports_drinks"]}, "In long or hard exercise, use drinks that contain "
                                           "electrolytes, not only water."),
    ("diet", {"eat": ["balanced_diet"]}, "A varied, balanced diet is good for nerves and "
                                         "muscles."),
    ("medical", {"test": ["vitamin_d_25oh", "serum_calcium"]},
     "Ask your doctor whether a blood test of vitamin D and calcium makes sense."),
]
NOTED = ["when the twitching starts", "how long each bout lasts", "which muscles twitch",
         "what you ate and drank that day", "how well you slept the night before",
         "how much coffee or tea you had", "whether exercise came before it"]
REASONS = ["Caffeine, stress and poor sleep are common triggers of twitching at rest.",
           "Low magnesium or calcium in the blood can make nerves and muscles more excitable.",
           "Hard exercise and heavy sweating can leave muscles twitching for days.",
           "Some medicines can lower the salts in the blood over months of use."]


def _word(rng: random.Random, rule: dict[str, Any], index: int) -> None:
    """Give a rule advice and a title and reason of its own, each text different from
    every other rule's (the worded shape: a base whose printed words a load must read)."""
    kind, does, text = rng.choice(ADVICE)
    rule["title"] = f"Drawn rule {index}: {rng.choice(NOTED)}"
    rule["because"] = f"{rng.choice(REASONS)} Drawn rule {index} says so."
    rule["then"]["advice"] = {"kind": kind, "does": {k: list(v) for k, v in does.items()},
                              "text": f"{text} Keep a note of {rng.choice(NOTED)} (entry "
                                      f"{index})."}  # its own does: shared, YAML aliases it


def _cf(rng: random.Random, against: float = 0.0) -> float:
    """Evidence for (or, with probability ``against``, against), 0.01 to 0.3."""
    value = round(rng.uniform(0.01, 0.3), 6)
    return -value if rng.random() < against else value


def write_extension(folder: Path, count: int, seed: int = 0, shape: str = "flat") -> Path:
    """A knowledge folder adding ``count`` synthetic rules of ``shape`` to the shipped
    knowledge."""
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "kb.yaml").write_text(f"name: synthetic-{seed}\nversion: '{count}'\n")
    rules = synthetic_rules(count, seed, shape)
    for start in range(0, len(rules), RULES_PER_FILE):
        chunk = rules[start:start + RULES_PER_FILE]
        (folder / "rules" / f"synthetic-{start // RULES_PER_FILE:04d}.yaml").write_text(
            yaml.safe_dump({"rules": chunk}, sort_keys=False, width=100))
    return folder


def random_answers(rng: random.Random, fill: float = 0.7) -> dict[str, Any]:
    """Answers to a random part of the shipped questions (warning signs included), each
    one its question allows: for differential tests and the scale benchmark."""
    answers: dict[str, Any] = {}
    for question in ALL_QUESTIONS:
        if rng.random() > fill:
            continue
        kind, qid = question["type"], question["id"]
        if kind == "boolean":
            answers[qid] = rng.random() < 0.3
        elif kind in ("integer", "number"):
            low, high = question.get("min", 0), question.get("max", 100)
            answers[qid] = rng.randint(int(low), int(high)) if kind == "integer" else round(
                rng.uniform(low, min(high, 3 * (low + 10))), 1)
        elif kind == "choice":
            answers[qid] = rng.choice([c["id"] for c in question["choices"]])
        else:
            ids = [c["id"] for c in question["choices"]]
            weights = [0.05 if c.get("red_flag") else 0.25 for c in question["choices"]]
            answers[qid] = sorted({c for c, w in zip(ids, weights, strict=True)
                                   if rng.random() < w})
    if answers.get("sex") == "male":
        answers.pop("pregnant", None)
    return answers
