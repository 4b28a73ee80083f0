"""``twitchdx kb export --format clips``: the knowledge as a CLIPS 6.4 program.

The program reaches the same conclusions as the engine: the same rules fire, the
referral is the highest rung reached, and hypotheses and notes get the same
certainties, to the last bit after settling.  So it is a second oracle (the
differential test runs both on random consultations) and a way to run the
knowledge where only CLIPS is available.

How each part is mirrored:

* a rule becomes one ``defrule`` per alternative of its condition (a rule with
  several also checks and asserts ``(fired (rule ID))``, so it fires once), with
  salience minus its stratum, so what a rule reads is settled before it fires;
* an answer is ``(answer (question Q) (value V...))``; each test is a predicate on
  it; derived facts are ``(derived (name X))``;
* evidence is combined as it arrives, for and against apart (deffunctions that do
  the engine's arithmetic), capped by the lowest ceiling and
  settled to thousandths in integers, rounding as the engine does
  (language/certainty.py): a certainty fact changes only when its settled value
  does, as in the engine;
* computed answers (the caffeine estimate) are summed by a rule of their own,
  unless the answer is asserted already.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..language.conditions import Ask, Belief, FactIs, Leaf
from ..language.model import KnowledgeBase, Question, RuleDef

PROGRAM = """\
(deftemplate answer (slot question) (multislot value))
(deftemplate derived (slot name))
(deftemplate fired (slot rule))
(deftemplate level (slot id) (slot rank))
(deftemplate certainty (slot hypothesis) (slot cf (default 0.0)))
(deftemplate note-certainty (slot note) (slot cf (default 0.0)))
(deftemplate running (slot kind) (slot target) (slot for (default 0.0))
   (slot against (default 0.0)) (slot cap (default none)))
(deftemplate evidence (slot kind) (slot target) (slot rule) (slot cf))
(deftemplate referral (slot level) (slot rule))
(deftemplate advice (slot rule) (slot kind) (slot text))
(deftemplate suggested-test (slot id) (slot rule))

(deffunction twitchdx-add-for (?for ?cf) (+ ?for (* ?cf (- 1 ?for))))
(deffunction twitchdx-add-against (?against ?cf) (+ ?against (* ?cf (+ 1 ?against))))

(deffunction twitchdx-resolve (?for ?against)
   (if (or (= ?for 0) (= ?against 0)) then (return (+ ?for ?against)))
   (bind ?d (- 1 (min ?for (- 0 ?against))))
   (if (= ?d 0) then 0.0 else (/ (+ ?for ?against) ?d)))

(deffunction twitchdx-settled (?value ?cap)
   (if (and (numberp ?cap) (> ?value ?cap)) then (bind ?value ?cap))
   (bind ?n (round (* (abs ?value) 1000000000)))
   (bind ?q (div ?n 1000000))
   (bind ?r (- ?n (* ?q 1000000)))
   (if (or (> ?r 500000) (and (= ?r 500000) (= (mod ?q 2) 1))) then (bind ?q (+ ?q 1)))
   (if (< ?value 0) then (bind ?q (- 0 ?q)))
   (+ (/ ?q 1000.0) 0.0))

(deffunction twitchdx-publish (?kind ?target ?cf)
   (if (eq ?kind hypothesis)
    then (do-for-fact ((?c certainty)) (and (eq ?c:hypothesis ?target) (<> ?c:cf ?cf))
            (modify ?c (cf ?cf)))
    else (do-for-fact ((?c note-certainty)) (and (eq ?c:note ?target) (<> ?c:cf ?cf))
            (modify ?c (cf ?cf)))))

(deffunction twitchdx-evidence (?kind ?target ?rule ?cf)
   ; a rule fires once in a consultation (what it reads is settled before it fires), so
   ; its evidence is new: combined into the running totals, in the order it arrives
   (assert (evidence (kind ?kind) (target ?target) (rule ?rule) (cf ?cf)))
   (do-for-fact ((?s running)) (and (eq ?s:kind ?kind) (eq ?s:target ?target))
      (bind ?for ?s:for) (bind ?against ?s:against) (bind ?cap ?s:cap)
      (if (>= ?cf 0) then (bind ?for (twitchdx-add-for ?for ?cf))
                     else (bind ?against (twitchdx-add-against ?against ?cf)))
      (modify ?s (for ?for) (against ?against))
      (twitchdx-publish ?kind ?target
         (twitchdx-settled (twitchdx-resolve ?for ?against) ?cap))))

(deffunction twitchdx-ceiling (?target ?rule ?at-most)
   (assert (evidence (kind ceiling) (target ?target) (rule ?rule) (cf ?at-most)))
   (do-for-fact ((?s running)) (and (eq ?s:kind hypothesis) (eq ?s:target ?target))
      (bind ?cap ?s:cap)
      (if (or (not (numberp ?cap)) (< ?at-most ?cap)) then (bind ?cap ?at-most))
      (bind ?for ?s:for) (bind ?against ?s:against)
      (modify ?s (cap ?cap))
      (twitchdx-publish hypothesis ?target
         (twitchdx-settled (twitchdx-resolve ?for ?against) ?cap))))
"""


def export_clips(kb: KnowledgeBase) -> str:
    """The whole knowledge base as one CLIPS program (module docstring)."""
    parts = [f";;; {kb.version}, exported by twitchdx {__version__} "
             f"(knowledge {kb.fingerprint[:16]})",
             ";;; Assert one (answer (question Q) (value V ...)) per known answer (yes/no as",
             ";;; TRUE/FALSE, choices as symbols, a multi answer as its choices), (run), and",
             ";;; read (referral), (certainty), (note-certainty), (advice), (suggested-test).",
             "", PROGRAM, _start(kb)]
    parts += [_computed(kb, question) for question in kb.questions.values()
              if question.computed]
    for rule in kb.rules:
        alternatives = rule.alternatives or ((),)
        for number, alternative in enumerate(alternatives, 1):
            name = rule.id if len(alternatives) == 1 else f"{rule.id}--{number}"
            parts.append(_defrule(kb, rule, name, alternative, len(alternatives) > 1))
    return "\n".join(parts) + "\n"


def _start(kb: KnowledgeBase) -> str:
    facts = [f"   (level (id {lv.id}) (rank {lv.rank}))" for lv in kb.levels]
    facts += [f"   (certainty (hypothesis {h}))\n   (running (kind hypothesis) (target {h}))"
              for h in kb.hypotheses]
    facts += [f"   (note-certainty (note {n}))\n   (running (kind note) (target {n}))"
              for n in kb.notes]
    return "(deffacts twitchdx-start\n" + "\n".join(facts) + ")\n"


def _computed(kb: KnowledgeBase, question: Question) -> str:
    """A computed answer: the answered inputs summed, to thousandths as the engine rounds."""
    inputs = [kb.questions[q] for q, _ in question.sum]
    sums = "\n".join(
        f"   (do-for-fact ((?a answer)) (eq ?a:question {q.id})\n"
        f"      (bind ?known TRUE) (bind ?sum (+ ?sum (* (nth$ 1 ?a:value) {_literal(w)}))))"
        for q, (_, w) in zip(inputs, question.sum, strict=True))
    return (f"(defrule compute-{question.id}\n   (declare (salience 10000))\n"
            f"   (not (answer (question {question.id})))\n   =>\n"
            f"   (bind ?sum 0) (bind ?known FALSE)\n{sums}\n"
            f"   (if ?known then (assert (answer (question {question.id})\n"
            f"      (value (/ (round (* ?sum 1000)) 1000.0))))))\n")


def _defrule(kb: KnowledgeBase, rule: RuleDef, name: str, alternative: tuple[Leaf, ...],
             once: bool) -> str:
    patterns = [_pattern(kb, leaf, index) for index, leaf in enumerate(alternative)]
    if once:
        patterns.append(f"(not (fired (rule {rule.id})))")
    actions = _actions(rule, once)
    lines = [f"(defrule {name}", f"   (declare (salience {-rule.stratum}))"]
    lines += [f"   {p}" for p in patterns]
    lines += ["   =>"] + [f"   {a}" for a in actions]
    return "\n".join(lines) + ")\n"


def _actions(rule: RuleDef, once: bool) -> list[str]:
    then = rule.then
    out = [f"(twitchdx-evidence hypothesis {h} {rule.id} {_literal(cf)})"
           for h, cf in then.hypotheses]
    out += [f"(twitchdx-ceiling {h} {rule.id} {_literal(cap)})" for h, cap in then.ceilings]
    out += [f"(twitchdx-evidence note {n} {rule.id} {_literal(cf)})" for n, cf in then.notes]
    if then.referral:
        out.append(f"(assert (referral (level {then.referral}) (rule {rule.id})))")
    out += [f"(assert (suggested-test (id {t}) (rule {rule.id})))" for t in then.tests]
    out += [f"(assert (advice (rule {rule.id}) (kind {a.kind}) (text {_string(a.text)})))"
            for a in then.advice]
    out += [f"(assert (derived (name {f})))" for f in then.facts]
    if once:
        out.append(f"(assert (fired (rule {rule.id})))")
    return out or ["(return)"]


def _pattern(kb: KnowledgeBase, leaf: Leaf, index: int) -> str:
    if isinstance(leaf, FactIs):
        pattern = f"(derived (name {leaf.name}))"
        return f"(not {pattern})" if leaf.negated else pattern
    if isinstance(leaf, Belief):
        test = ">=" if leaf.op == "at_least" else "<"
        return (f"(certainty (hypothesis {leaf.hypothesis}) "
                f"(cf ?c{index}&:({test} ?c{index} {_literal(leaf.value)})))")
    assert isinstance(leaf, Ask)
    if leaf.on_presence:
        pattern = f"(answer (question {leaf.question}))"
        return pattern if leaf.value else f"(not {pattern})"
    multi = kb.questions[leaf.question].type == "multi"
    var = f"?v{index}"
    test = _test(leaf.op, leaf.value, var)
    if leaf.negated:
        test = f"(not {test})"
    slot = f"$?v{index}" if multi else var
    return f"(answer (question {leaf.question}) (value {slot}&:{test}))"


def _test(op: str, expected: Any, var: str) -> str:
    """A CLIPS predicate on ``var`` (the answer, or its choices) that holds as
    conditions.holds does."""
    if op == "is":
        return f"(eq {var} {_literal(expected)})" if isinstance(expected, bool | str) else \
            f"(and (numberp {var}) (= {var} {_literal(expected)}))"
    if op == "in":
        return f"(member$ {var} (create$ {' '.join(map(_literal, expected))}))"
    if op == "includes":
        return f"(member$ {_literal(expected)} {var})"
    if op in ("includes_any", "includes_all"):
        joined = " ".join(f"(member$ {_literal(c)} {var})" for c in expected)
        return f"({'or' if op == 'includes_any' else 'and'} {joined})"
    if op == "includes_at_least":
        count, choices = expected
        counted = " ".join(f"(if (member$ {_literal(c)} {var}) then 1 else 0)"
                           for c in choices)
        return f"(>= (+ 0 {counted}) {count})"
    if op == "count_at_least":
        return f"(>= (length$ {var}) {expected})"
    compare = {"at_least": ">=", "at_most": "<=", "above": ">", "below": "<"}
    if op in compare:
        return f"(and (numberp {var}) ({compare[op]} {var} {_literal(expected)}))"
    if op == "between":
        low, high = expected
        return (f"(and (numberp {var}) (>= {var} {_literal(low)}) "
                f"(<= {var} {_literal(high)}))")
    raise ValueError(f"no CLIPS form for operator {op!r}")  # pragma: no cover


def _literal(value: Any) -> str:
    """A value as CLIPS reads it: TRUE/FALSE, a number (repr round-trips a double), a
    symbol."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    return str(value)


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def answer_fact(question: Question, value: Any) -> str:
    """The fact that tells the exported program a known answer."""
    values = value if isinstance(value, tuple | list) else (value,)
    return f"(answer (question {question.id}) (value {' '.join(map(_literal, values))}))"
