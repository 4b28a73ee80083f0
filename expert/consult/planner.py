"""Which unanswered questions still matter, and why: the dialogue's next question,
``why`` at a prompt, and the report's value of information.

A question matters when a rule that is still undecided (language/status.py) needs it and
firing that rule would change something a person reads: raise the referral,
move a hypothesis or a note into another band (low / possible / likely), or
derive a fact that another such rule reads.  Answers that can only nudge a
certainty within its band are not worth a question.  Warning-sign questions
are asked before all others, then the core questions (age, sex).

That estimate chooses questions.  A claim made to the person ("answering this
could raise the referral") is only made once it is true: the engine is re-run
with the answer that would do it (``verify``), so rival rules, ceilings and
chains are all counted.
"""


from collections.abc import Mapping
from typing import Any, NamedTuple

from ..language.certainty import add, band, resolve, settled
from ..language.conditions import Ask, FactIs
from ..language.model import KnowledgeBase, Question, RuleDef
from ..language.status import RuleStatus
from ..language.witness import answers_for
from ..text import plain, show
from .consultation import Result, consult

# How changes rank, for choosing and listing questions: a referral raised by one rung
# outweighs any change of conclusion; a new leading conclusion outweighs a band moved.
REFERRAL_WEIGHT = 10.0  # per rung raised
LEADING_WEIGHT = 2.0  # a hypothesis or note would lead, or the leading one moves band
BAND_MOVE_WEIGHT = 1.0  # any other hypothesis or note would move band
BAND_WEIGHT = {"low": 0.0, "possible": 0.1, "likely": 0.2}  # a stronger change ranks first
VERIFY_FIRINGS = 5_000  # rule firings the re-runs behind one report may spend: a
# consultation of the shipped knowledge spends under 1,000; on a base a hundred times
# larger, a single re-run fires thousands, and the report must still come in seconds


class Budget:
    """Firings the verifying re-runs may still spend: their cost is bounded by work done,
    so the report is the same on every machine, however large the knowledge."""

    def __init__(self, firings: int = VERIFY_FIRINGS):
        self.left = firings


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
        return self.result.level == self.result.kb.top_level


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
    readers: dict[str, list[RuleDef]] = {}  # fact -> the undecided rules that need it
    for rule in undecided:
        for name in rule.reads_facts:
            if _reads_positively(rule, name):
                readers.setdefault(name, []).append(rule)
    evidence = _running(result)
    fired = set(result.fired)  # undecided only because what it reads may still appear:
    found: dict[str, list[Impact]] = {}  # its conclusions are counted already
    # readers sit in higher strata: walking from the top, a rule's readers are done first
    for rule in sorted(undecided, key=lambda r: -r.stratum):
        found[rule.id] = [] if rule.id in fired else _direct(kb, result, rule, evidence)
        for name in rule.then.facts:
            if name in result.derived_by:
                continue  # already established: deriving it again changes nothing
            for reader in readers.get(name, ()):
                if reader.id in found:
                    found[rule.id] += [i._replace(rule=rule.id, via=i.via or reader.id)
                                       for i in found[reader.id]]
        # one change reached by two paths is one change: else facts each read two ways
        if len(found[rule.id]) > 1:  # double the list at every link of a chain
            found[rule.id] = list(dict.fromkeys(found[rule.id]))
    return found


def _reads_positively(rule: RuleDef, name: str) -> bool:
    return any(isinstance(leaf, FactIs) and leaf.name == name and not leaf.negated
               for alt in rule.alternatives for leaf in alt)


def _running(result: Result) -> dict[tuple[str, str], tuple[float, float]]:
    """(kind, id) -> evidence for and against so far, for every hypothesis and note."""
    out = {}
    for kind, ranked in (("hypothesis", result.hypotheses), ("note", result.notes)):
        for item in ranked:
            for_, against = 0.0, 0.0
            for _, cf in item.contributions:
                for_, against = add(for_, against, cf)
            out[kind, item.id] = (for_, against)
    return out


def _direct(kb: KnowledgeBase, result: Result, rule: RuleDef,
            evidence: dict[tuple[str, str], tuple[float, float]]) -> list[Impact]:
    out = []
    target = rule.then.referral
    if target and kb.level_rank[target] > result.level.rank:
        out.append(Impact(rule.id, "referral", target, result.level.id, target,
                          REFERRAL_WEIGHT * (kb.level_rank[target] - result.level.rank)))
    for kind, pairs, ranked in (("hypothesis", rule.then.hypotheses, result.hypotheses),
                                ("note", rule.then.notes, result.notes)):
        top = ranked[0] if ranked and ranked[0].band != "low" else None  # a real conclusion
        for ident, cf in pairs:
            for_, against = evidence.get((kind, ident), (0.0, 0.0))
            now, then = resolve(for_, against), resolve(*add(for_, against, cf))
            before, after = _band(kind, now), _band(kind, then)
            overtakes = top is not None and ident != top.id and settled(then) > top.certainty
            if before != after or overtakes:
                weight = LEADING_WEIGHT if overtakes or (top and ident == top.id) \
                    else BAND_MOVE_WEIGHT
                out.append(Impact(rule.id, kind, ident, before, after, weight, leads=overtakes))
    return out


def _band(kind: str, certainty: float) -> str:
    certainty = settled(max(0.0, certainty))
    if kind == "note" and certainty == 0:
        return "absent"
    return band(certainty)


def priority(question: Question) -> int:
    """Warning signs first, then the core questions, then the order of questions.yaml."""
    return 0 if question.red_flags else 1 if question.core else 2


def next_question(kb: KnowledgeBase, answers: Mapping[str, Any],
                  current: Plan | None = None) -> tuple[Question | None, Plan]:
    """The next question worth asking, or None when nothing left can change the report
    (or an emergency is already established)."""
    state = current or plan(kb, answers)
    ahead = still_to_ask(kb, answers, state)
    return (ahead[0] if ahead else None), state


def still_to_ask(kb: KnowledgeBase, answers: Mapping[str, Any], state: Plan) -> list[Question]:
    """Every question the dialogue would still ask as things stand, in the order it asks
    them: warning signs; then a question that could make the referral an emergency (did
    the weakness come on suddenly?); the core questions; once warning signs have fixed the
    referral, what a doctor will want to know (``doctor``: where, since when, spreading);
    then whatever could still raise the referral or move a conclusion's band.  Nothing once
    an emergency is established."""
    if state.emergency:
        return []
    top = kb.top_level.id
    urgent = {q for q, rules in state.needs.items()
              if any(i.kind == "referral" and i.after == top
                     for rule in rules for i in state.impacts[rule])}
    warning = kb.level_rank.get(kb.warning_level or "", len(kb.levels) + 1)
    fixed = state.result.level.rank >= warning  # the doctor's assessment comes first now

    def rank(question: Question) -> int:
        if question.red_flags:
            return 0
        if question.id in urgent:
            return 1
        return 2 if question.core else 3 if fixed and question.doctor else 4

    return [question for question in sorted(kb.askable, key=rank)
            if question.id not in answers and (rank(question) < 4 or question.id in state.needs)]


def reasons(kb: KnowledgeBase, state: Plan, question_id: str) -> list[Impact]:
    """What answering ``question_id`` could change, most important first."""
    found = [impact for rule_id in state.needs.get(question_id, ())
             for impact in state.impacts[rule_id]]
    return sorted(found, key=lambda i: (-i.weight, i.kind, i.target, i.rule))


class Claim(NamedTuple):
    """What one answer to a question really changes, found by re-running the engine."""

    question: str
    answer: Any
    kind: str  # referral | hypothesis | note
    target: str
    before: str
    after: str
    leads: bool
    rule: str  # the rule that makes the change
    weight: float


def verify(kb: KnowledgeBase, state: Plan, question_id: str,
           budget: Budget | None = None) -> list[Claim]:
    """The changes an answer to ``question_id`` would really make, strongest first.

    Candidate answers come from the undecided rules that need the question; each is
    tried in a fresh consultation.  Counted: a higher referral, a new leading
    hypothesis or note (a first one above low is a new leading one).
    """
    result = state.result
    budget = budget or Budget()
    answers = {q: v for q, v in result.answers.items() if not kb.questions[q].computed}
    tried: list[Any] = []
    claims: list[Claim] = []
    for rule_id in state.needs.get(question_id, ()):
        for leaf in state.status.rules[rule_id].unknown:
            if not isinstance(leaf, Ask):
                continue
            for question, value in answers_for(kb, answers, leaf):
                if question != question_id or value in tried or budget.left <= 0:
                    continue
                tried.append(value)
                after = consult(kb, {**answers, question: value})
                budget.left -= len(after.firings)
                claims += _changes(result, question, value, after)
    claims.sort(key=lambda c: (-c.weight, c.kind, c.target))
    best: dict[tuple[str, str], Claim] = {}
    for claim in claims:  # strongest first: keep the strongest claim about each target
        best.setdefault((claim.kind, claim.target), claim)
    return list(best.values())


def _changes(before: Result, question: str, answer: Any, after: Result) -> list[Claim]:
    out = []
    if after.level.rank > before.level.rank:
        out.append(Claim(question, answer, "referral", after.level.id, before.level.id,
                         after.level.id, False, after.reasons[0] if after.reasons else "",
                         REFERRAL_WEIGHT * (after.level.rank - before.level.rank)))
    for kind, was, now in (("hypothesis", before.hypotheses, after.hypotheses),
                           ("note", before.notes, after.notes)):
        old_top = _leader(was)
        new_top = _leader(now)
        if new_top and new_top.id != (old_top.id if old_top else None):
            old = next((r for r in was if r.id == new_top.id), None)
            out.append(Claim(question, answer, kind, new_top.id, old.band if old else "low",
                             new_top.band, True, _newest(before, new_top),
                             LEADING_WEIGHT + BAND_WEIGHT[new_top.band]))
    return out


def _leader(ranked: tuple[Any, ...]) -> Any:
    """The leading conclusion, if it is above low (a real conclusion)."""
    return ranked[0] if ranked and ranked[0].band != "low" else None


def _newest(before: Result, ranked: Any) -> str:
    """The rule the new answer fired that gave evidence for a conclusion (the last such,
    if several; the last to give any, if none is new)."""
    fired = set(before.fired)
    positive = [rule for rule, cf in ranked.contributions if cf > 0]
    new = [rule for rule in positive if rule not in fired]
    return (new or positive or list(ranked.rules))[-1]


def value_of_information(kb: KnowledgeBase, state: Plan) -> list[dict[str, Any]]:
    """Unanswered questions whose answer would change the referral or the top conclusion
    (or, when nothing is above low, make a first conclusion possible), each claim
    checked by re-running the engine; referral changes first."""
    quiet = _leader(state.result.hypotheses) is None
    ranked = []
    budget = Budget()
    for position, question in enumerate(sorted(kb.askable, key=priority)):
        promising = [i for i in reasons(kb, state, question.id)
                     if i.weight >= LEADING_WEIGHT or (quiet and i.kind == "hypothesis")]
        if not promising:
            continue
        claims = verify(kb, state, question.id, budget=budget)
        if not claims:
            continue
        ranked.append((-claims[0].weight, position, {
            "question": question.id,
            "question_text": question.text,
            "answer": plain(claims[0].answer),
            "answer_text": question.answer_text(claims[0].answer),
            "why": claim_text(kb, claims[0], show_rules=True),
            "says": claim_text(kb, claims[0]),
            "could_change": [{"kind": c.kind, "target": c.target, "from": c.before,
                              "to": c.after, "leading": c.leads, "rule": c.rule,
                              "answer": plain(c.answer)}
                             for c in claims[:5]],
        }))
    return [item for *_, item in sorted(ranked, key=lambda r: (r[0], r[1]))]


def questions_that_matter(result: Result) -> list[dict[str, Any]]:
    """The report's value of information for a finished consultation."""
    return value_of_information(result.kb, plan(result.kb, result.answers, result))


KIND_WORDS = {"hypothesis": "possible deficiency", "note": "lifestyle trigger"}


def claim_text(kb: KnowledgeBase, claim: Claim, show_rules: bool = False) -> str:
    """A verified claim in plain words: the answer, what it changes, and why (the rule's
    title; its id too for an author)."""
    question = kb.questions.get(claim.question)
    shown = question.answer_text(claim.answer) if question else show(claim.answer)
    answer = f"answering \"{shown}\""
    if claim.kind == "referral":
        what = f"would raise the referral to \"{kb.level(claim.after).label}\""
    else:
        label = (kb.hypotheses if claim.kind == "hypothesis" else kb.notes)[claim.target].label
        if claim.leads:
            what = f"would make {label} the leading {KIND_WORDS[claim.kind]} ({claim.after})"
        else:
            what = f"would make {label} {claim.after}"
    return f"{answer} {what}" + _because(kb, claim.rule, show_rules)


def _because(kb: KnowledgeBase, rule_id: str, show_rules: bool, via: str = "") -> str:
    rule = kb.rules_by_id.get(rule_id)
    if rule is None:
        return ""
    if not show_rules:
        return f" ({rule.title})"
    return f" (rule {rule.id}: {rule.title}" + (f", through {via}" if via else "") + ")"


def describe(kb: KnowledgeBase, impact: Impact, show_rules: bool = False) -> str:
    """An impact in plain words, with the rule's title (and id, for an author)."""
    if impact.kind == "referral":
        what = f"raise the referral to \"{kb.level(impact.after).label}\""
    else:
        label = (kb.hypotheses if impact.kind == "hypothesis" else kb.notes)[impact.target].label
        what = f"move {label} from {impact.before} to {impact.after}"
        if impact.leads:
            what = f"make {label} the leading {KIND_WORDS[impact.kind]}" + (
                f" ({impact.before} to {impact.after})" if impact.before != impact.after else "")
    return f"could {what}" + _because(kb, impact.rule, show_rules, impact.via)
