"""Which unanswered questions still matter, and why: the dialogue's next question,
``why`` at a prompt, and the report's value of information.

A question matters when a rule that is still undecided (truth.py) needs it and
firing that rule would change something a person reads: raise the referral,
move a hypothesis or a note into another band (low / possible / likely), or
derive a fact that another such rule reads.  Answers that can only nudge a
certainty within its band are not worth a question.  Warning-sign questions
are asked before all others.
"""


from collections.abc import Mapping
from typing import Any, NamedTuple

from .certainty import band, combine
from .conditions import Ask, FactIs
from .consultation import Result, consult
from .model import KnowledgeBase, Question, RuleDef
from .truth import RuleStatus


class Impact(NamedTuple):
    """What firing an undecided rule would change."""

    rule: str  # the undecided rule
    kind: str  # referral | hypothesis | note
    target: str  # level, hypothesis or note id
    before: str  # the level or band now
    after: str  # the level or band if the rule fired
    weight: float  # for ranking: referral changes weigh most
    via: str = ""  # the rule that reads this rule's fact, when the change is indirect
    leads: bool = False  # the hypothesis or note would become the leading one


class Plan(NamedTuple):
    """The state of a consultation in progress."""

    result: Result  # the report for the answers so far
    status: RuleStatus
    impacts: dict[str, list[Impact]]  # undecided rule -> what it could change
    needs: dict[str, list[str]]  # question -> undecided rules with impact that need it

    @property
    def emergency(self) -> bool:
        return self.result.level.rank == self.result.kb.levels[-1].rank


def plan(kb: KnowledgeBase, answers: Mapping[str, Any], result: Result | None = None) -> Plan:
    """Where a consultation stands; ``result`` saves a run when the caller has one."""
    result = result or consult(kb, dict(answers))
    status = RuleStatus(kb, answers)
    impacts = _impacts(kb, result, status)
    needs: dict[str, list[str]] = {}
    for rule_id, found in impacts.items():
        if not found:
            continue
        for question in _unknown_questions(kb, status, rule_id):
            if answers.get(question) is None:  # unanswered, or answered "unknown"
                needs.setdefault(question, []).append(rule_id)
    return Plan(result, status, impacts, needs)


def _unknown_questions(kb: KnowledgeBase, status: RuleStatus, rule_id: str) -> list[str]:
    """Askable questions behind the undecided leaves of a rule (computed ones expanded)."""
    out: list[str] = []
    for leaf in status.rules[rule_id].unknown:
        if not isinstance(leaf, Ask):
            continue
        question = kb.questions[leaf.question]
        sources = [q for q, _ in question.sum] if question.computed else [question.id]
        out += [q for q in sources if q not in out]
    return out


def _impacts(kb: KnowledgeBase, result: Result, status: RuleStatus) -> dict[str, list[Impact]]:
    undecided = [kb.rules_by_id[r] for r in status.undecided()]
    found: dict[str, list[Impact]] = {}
    # readers sit in higher strata: walking from the top, a rule's readers are done first
    for rule in sorted(undecided, key=lambda r: -r.stratum):
        found[rule.id] = _direct(kb, result, rule)
        for name in rule.then.facts:
            if name in result.derived_by:
                continue  # already established: deriving it again changes nothing
            for reader in kb.rules:
                if name in reader.reads_facts and reader.id in found and _reads_positively(
                        reader, name):
                    found[rule.id] += [i._replace(rule=rule.id, via=i.via or reader.id)
                                       for i in found[reader.id]]
    return found


def _reads_positively(rule: RuleDef, name: str) -> bool:
    return any(isinstance(leaf, FactIs) and leaf.name == name and not leaf.negated
               for alt in rule.alternatives for leaf in alt)


def _direct(kb: KnowledgeBase, result: Result, rule: RuleDef) -> list[Impact]:
    out = []
    target = rule.then.referral
    if target and kb.level_rank[target] > result.level.rank:
        out.append(Impact(rule.id, "referral", target, result.level.id, target,
                          10.0 * (kb.level_rank[target] - result.level.rank)))
    for kind, pairs, ranked in (("hypothesis", rule.then.hypotheses, result.hypotheses),
                                ("note", rule.then.notes, result.notes)):
        current = {r.id: r for r in ranked}
        top = ranked[0] if ranked and ranked[0].band != "low" else None  # a real conclusion
        for ident, cf in pairs:
            pieces = [c for _, c in current[ident].contributions] if ident in current else []
            now, then = combine(pieces), combine([*pieces, cf])
            before, after = _band(kind, now), _band(kind, then)
            overtakes = top is not None and ident != top.id and round(then, 3) > top.certainty
            if before != after or overtakes:
                weight = 2.0 if overtakes or (top and ident == top.id) else 1.0
                out.append(Impact(rule.id, kind, ident, before, after, weight, leads=overtakes))
    return out


def _band(kind: str, certainty: float) -> str:
    certainty = round(max(0.0, certainty), 3)
    if kind == "note" and certainty == 0:
        return "absent"
    return band(certainty)


def priority(question: Question) -> int:
    """Warning signs first, then the order of questions.yaml."""
    return 0 if question.red_flags else 1


def next_question(kb: KnowledgeBase, answers: Mapping[str, Any],
                  current: Plan | None = None) -> tuple[Question | None, Plan]:
    """The next question worth asking, or None when nothing left can change the report
    (or an emergency is already established)."""
    state = current or plan(kb, answers)
    if state.emergency:
        return None, state
    order = sorted(kb.askable, key=priority)
    for question in order:
        if question.id in answers:
            continue
        if question.red_flags or question.id in state.needs:
            return question, state
    return None, state


def reasons(kb: KnowledgeBase, state: Plan, question_id: str) -> list[Impact]:
    """What answering ``question_id`` could change, most important first."""
    found = [impact for rule_id in state.needs.get(question_id, ())
             for impact in state.impacts[rule_id]]
    return sorted(found, key=lambda i: (-i.weight, i.kind, i.target, i.rule))


def value_of_information(kb: KnowledgeBase, state: Plan) -> list[dict[str, Any]]:
    """Unanswered questions that could change the referral or the top conclusion, ranked:
    referral changes first, then changes of which hypothesis or note leads."""
    ranked = []
    for position, question in enumerate(sorted(kb.askable, key=priority)):
        found = [i for i in reasons(kb, state, question.id) if i.weight >= 2]
        if not found:
            continue
        best = found[0]
        ranked.append((-best.weight, position, {
            "question": question.id,
            "why": describe(kb, best),
            "could_change": [{"kind": i.kind, "target": i.target, "from": i.before,
                              "to": i.after, "leading": i.leads, "rule": i.rule}
                             for i in found[:5]],
        }))
    return [item for *_, item in sorted(ranked, key=lambda r: (r[0], r[1]))]


def describe(kb: KnowledgeBase, impact: Impact) -> str:
    """An impact in plain words, naming the rule."""
    rule = kb.rules_by_id[impact.rule]
    if impact.kind == "referral":
        what = f"raise the referral to \"{kb.level(impact.after).label}\""
    else:
        label = (kb.hypotheses if impact.kind == "hypothesis" else kb.notes)[impact.target].label
        what = f"move {label} from {impact.before} to {impact.after}"
        if impact.leads:
            what = f"make {label} the leading {impact.kind}" + (
                f" ({impact.before} to {impact.after})" if impact.before != impact.after else "")
    via = f", through {impact.via}" if impact.via else ""
    return f"could {what} (rule {rule.id}: {rule.title}{via})"
