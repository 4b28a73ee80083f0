"""Synthetic knowledge of the shipped knowledge's shape, any number of times its size.

Rules test the real questions with the operators authors use, conclude the real
hypotheses and notes, and chain: some derive facts that later rules read (a fact
is only read by rules generated after the rule that derives it, so there is no
cycle), and some read a hypothesis's certainty.  Certainty factors have six
decimals, so no two rules restate each other's evidence (the loader refuses
that), and no rule tests a warning sign, so the safety proofs hold.

Used by bench/scale.py (10x and 100x, timed against CLIPS) and by the
differential tests, which need knowledge nobody tuned the engine on.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

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


def _leaf(rng: random.Random, question: dict) -> dict | None:
    """One test of a question, with an operator and value its type allows."""
    qid, kind = question["id"], question["type"]
    if kind == "boolean":
        return {qid: rng.choice([True, False])}
    if kind in ("integer", "number"):
        low, high = question.get("min", 0), question.get("max", 100)
        value = rng.randint(int(low), int(high)) if kind == "integer" else round(
            rng.uniform(low, high), 1)
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


def synthetic_rules(count: int, seed: int = 0) -> list[dict]:
    """``count`` rules as a rule file holds them."""
    rng = random.Random(seed)
    rules: list[dict] = []
    facts: list[str] = []  # derived so far: what later rules may read
    gives: dict[str, str] = {}  # fact -> the hypothesis its rule gave certainty to
    seen: set[str] = set()
    while len(rules) < count:
        index = len(rules)
        leaves = [leaf for leaf in (_leaf(rng, question) for question in
                                    rng.sample(QUESTIONS, rng.randint(2, 3))) if leaf]
        reads_belief = rng.random() < 0.05
        read = None
        if facts and rng.random() < 0.3:
            read = rng.choice(facts[-200:])  # recent ones: chains several deep
            leaves.append({"not": {"fact": read}} if rng.random() < 0.2 else {"fact": read})
        if reads_belief:
            leaves.append({"hypothesis": {"id": rng.choice(HYPOTHESES),
                                          "at_least": round(rng.uniform(0.1, 0.6), 2)}})
        if not leaves:
            continue
        signature = repr(sorted(map(repr, leaves)))
        if signature in seen:
            continue
        seen.add(signature)
        when: Any = leaves[0] if len(leaves) == 1 else (
            {"any": leaves} if rng.random() < 0.15 else {"all": leaves})
        then: dict[str, Any] = {}
        if reads_belief:  # a chain on certainty concludes notes only: no cycle through it
            then["note"] = {"id": rng.choice(NOTES), "cf": _cf(rng)}
        else:
            roll = rng.random()
            if roll < 0.55:  # never the hypothesis its fact's rule gave: that counts twice
                choices = [h for h in HYPOTHESES if h != gives.get(read)]
                then["hypothesis"] = {"id": rng.choice(choices), "cf": _cf(rng, 0.2)}
            elif roll < 0.85:
                then["note"] = {"id": rng.choice(NOTES), "cf": _cf(rng)}
            if rng.random() < 0.35 or not then:
                fact = f"synthetic_{seed}_{index}"
                then["facts"] = [fact]
                facts.append(fact)
                if "hypothesis" in then:
                    gives[fact] = then["hypothesis"]["id"]
            if rng.random() < 0.05:
                then["referral"] = "routine"
        rules.append({"id": f"synthetic-{seed}-{index}", "title": f"Synthetic rule {index}",
                      "when": when, "then": then,
                      "because": "Generated to measure the engine at scale.",
                      "sources": ["S01"]})
    return rules


def _cf(rng: random.Random, against: float = 0.0) -> float:
    """Evidence for (or, with probability ``against``, against), 0.01 to 0.3."""
    value = round(rng.uniform(0.01, 0.3), 6)
    return -value if rng.random() < against else value


def write_extension(folder: Path, count: int, seed: int = 0) -> Path:
    """A knowledge folder adding ``count`` synthetic rules to the shipped knowledge."""
    (folder / "rules").mkdir(parents=True, exist_ok=True)
    (folder / "kb.yaml").write_text(f"name: synthetic-{seed}\nversion: '{count}'\n")
    rules = synthetic_rules(count, seed)
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
