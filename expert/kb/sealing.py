"""Every knowledge folder held to the package's safety policy (expert/policy).

The ladder, the warning signs and their floors, the warning voice, the advice
kinds, the contraindications and what no text may say belong to the package.
A folder may add to them: a new warning sign, a higher floor, another
contraindication or forbidden phrase.  Whatever key, merge or override tries
to remove, lower or loosen one is refused at its ``file:line``, with what to
write instead; the proofs then run against the policy merged with the
additions, never against a catalog alone.
"""

from __future__ import annotations

from typing import Any

from ..errors import Problem
from ..language.conditions import ConditionSyntaxError
from ..language.conditions import parse as parse_condition
from ..language.forms import leaves
from ..language.model import Advice, Contraindication, KnowledgeBase, Voice
from ..policy.sealed import food_ids, lexicon, nutrient_ids, policy, substance_ids
from ..text import did_you_mean

POLICY_PATH = "expert/policy/policy.yaml"
ACTIONS = ("eat", "drink", "avoid", "limit", "habit", "test", "see", "keep_taking",
           "supplement", "avoid_supplement", "inform")
SEE = ("doctor", "pharmacist", "kidney_team", "emergency", "same_day", "within_days",
       "routine")
HABITS = ("rest", "sleep", "relax", "stretch", "massage", "hydrate", "exercise_gradually",
          "watch_and_wait", "note_symptoms", "daylight")
LANGUAGES = ("en",)  # the lexicon reads English only


def policy_voice() -> Voice:
    """The warning voice as the policy sets it, before any folder raises it."""
    sealed = policy()
    return Voice(sealed.voice.fact, sealed.voice.level, sealed.voice.drops_advice,
                 sealed.voice.notes_caveat, sealed.voice.drops_actions,
                 sealed.unchecked_heading, sealed.unchecked_text)


def policy_contraindications() -> list[Contraindication]:
    out = []
    for cid, when, forbids, because in policy().contraindications:
        out.append(Contraindication(cid, parse_condition(when), forbids.eat_rich_in, forbids.eat,
                                    forbids.supplement, because, POLICY_PATH, 0))
    return out


# ---------------------------------------------------------------- catalog keys


def seal_catalog(b: Any, data: Any, path: str) -> None:
    """The catalog's safety keys: each may only add to the policy."""
    if "advice_kinds" in data:
        b.problem(path, data.line_of("advice_kinds"), "advice_kinds",
                  "advice kinds belong to the package's safety policy (" + ", ".join(
                      k.id for k in policy().kinds) + "); remove advice_kinds from the catalog")
    _seal_voice(b, data.get("warning_signs"), path)
    _seal_forbidden(b, data.get("forbidden_advice"), path)
    b.raw_contraindications += [(path, raw) for raw in data.get("contraindications") or ()
                                if isinstance(raw, dict)]


def seal_contraindications(b: Any) -> None:
    """The policy's contraindications that apply to these questions, then a folder's own
    (read once every question is known)."""
    b.contraindications = [c for c in policy_contraindications() if _applies(b, c.when)]
    for path, raw in b.raw_contraindications:
        _add_contraindication(b, raw, path)


def _seal_voice(b: Any, raw: Any, path: str) -> None:
    if not isinstance(raw, dict):
        return
    rank, voice = policy().rank, b.voice[0]
    level = raw.get("level")
    if level is not None:
        if level not in rank:
            b.problem(path, raw.line_of("level"), "warning_signs", f"unknown referral level "
                      f"{level}" + did_you_mean(str(level), rank))
        elif rank[level] < rank[voice.level]:
            b.problem(path, raw.line_of("level"), "warning_signs",
                      f"level {level} would lower what a warning sign leads to below "
                      f"{voice.level}, which the safety policy sets; a folder may only raise "
                      f"it: write level: {voice.level} or higher, or leave it out")
        else:
            voice = voice._replace(level=level)
    for key, words in (("fact", "the fact a warning sign derives"),
                       ("notes_caveat", "what the report says of lifestyle triggers")):
        if key in raw and " ".join(str(raw[key]).split()) != getattr(voice, key):
            b.problem(path, raw.line_of(key), "warning_signs", f"{key} ({words}) belongs to "
                      "the package's safety policy; remove it from the catalog")
    drops = raw.get("drops_advice")
    if isinstance(drops, list):
        kinds = {k.id for k in policy().kinds}
        for kind in drops:
            if kind not in kinds:
                b.problem(path, raw.line_of("drops_advice"), "warning_signs",
                          f"unknown advice kind {kind}" + did_you_mean(str(kind), kinds))
        voice = voice._replace(drops_advice=tuple(dict.fromkeys(
            [*voice.drops_advice, *(k for k in drops if k in kinds)])))
    b.voice = (voice, path, raw.line)


def _seal_forbidden(b: Any, raw: Any, path: str) -> None:
    if not isinstance(raw, dict):
        return
    for key in ("negation", "intents"):
        if key in raw:
            b.problem(path, raw.line_of(key), "forbidden_advice",
                      f"{key} belongs to the package's safety policy: a knowledge folder "
                      "cannot change how forbidden advice is read; to forbid more, list "
                      "words under phrases:")
    for index, phrase in enumerate(raw.get("phrases") or ()):
        if isinstance(phrase, str) and phrase.split():
            b.forbidden.append(phrase)
        else:
            b.problem(path, raw["phrases"].line_of(index), "forbidden_advice",
                      "a forbidden phrase needs words")


def _applies(b: Any, when: Any) -> bool:
    """Whether the questions and choices a policy condition names are in this knowledge."""
    for leaf in leaves(when):
        question = b.questions.get(getattr(leaf, "question", None))
        if question is None:
            return False
        if question.choices and isinstance(leaf.value, str) and \
                leaf.value not in question.choice_ids:
            return False
    return True


def _add_contraindication(b: Any, raw: Any, path: str) -> None:
    cid = raw.get("id", "")
    if any(c.id == cid for c in b.contraindications):
        b.problem(path, raw.line, cid, f"contraindication {cid} is already defined (the "
                  "safety policy's cannot be replaced); add one of your own with a new id")
        return
    try:
        when = parse_condition(raw["when"], raw.line_of("when"))
    except ConditionSyntaxError as exc:
        b.problem(path, exc.line or raw.line, cid, str(exc))
        return
    forbids = raw["forbids"]
    before = len(b.problems)
    b.check_answers_only(when, path, raw, cid)
    for key in ("kinds", "about"):
        if key in forbids:
            b.problem(path, forbids.line_of(key), cid, f"forbids: {key} is read from what "
                      "advice asks now: write eat_rich_in: [nutrient], eat: [food] or "
                      "supplement: [nutrient]")
    known = {"eat_rich_in": nutrient_ids(), "supplement": nutrient_ids(), "eat": food_ids()}
    for key, allowed in known.items():
        for item in forbids.get(key, ()):
            if item not in allowed:
                b.problem(path, forbids.line_of(key), cid, f"{key}: {item} is not in the "
                          "lexicon" + did_you_mean(str(item), allowed))
    if len(b.problems) == before:
        b.contraindications.append(Contraindication(
            cid, when, tuple(forbids.get("eat_rich_in", ())), tuple(forbids.get("eat", ())),
            tuple(forbids.get("supplement", ())), " ".join(raw["because"].split()), path,
            raw.line))


def seal_ladder(b: Any) -> None:
    """The levels a catalog defines must be the policy's, at the policy's ranks, keeping
    no more advice kinds than the policy lets them."""
    sealed = policy()
    rank = sealed.rank
    for level in b.levels.values():
        if level.id not in rank:
            b.problem(level.path, level.line, level.id, "the referral ladder belongs to the "
                      "package's safety policy; its levels are " + ", ".join(rank)
                      + did_you_mean(level.id, rank))
        elif level.rank != rank[level.id]:
            b.problem(level.path, level.line, level.id, f"rank {level.rank} would move "
                      f"{level.id} on the ladder; the safety policy ranks it {rank[level.id]}")
        keeps = sealed.keeps.get(level.id)
        if keeps is not None:
            wider = sorted(set(level.advice if level.advice is not None else keeps)
                           - set(keeps))
            if wider:
                b.problem(level.path, level.line, level.id, f"a report at {level.id} keeps "
                          f"only {', '.join(keeps)} advice (safety policy); "
                          f"{', '.join(wider)} would be added: leave advice: out")
            b.levels[level.id] = level._replace(advice=tuple(
                k for k in (keeps if level.advice is None else level.advice) if k in keeps))
    if b.levels:
        for missing in [lv for lv in rank if lv not in b.levels]:
            b.problem(b.catalog_path or POLICY_PATH, 0, missing, f"level {missing} of the "
                      "safety policy's ladder is not defined (levels: id, rank, label, action)")


def seal_warning_signs(b: Any) -> None:
    """Each warning sign at the highest of its own floor and the policy's; a question that
    drops or lowers one of the policy's is refused where it says so."""
    sealed = policy()
    rank = sealed.rank
    for (qid, choice), floor in sealed.warning_signs.items():
        question = b.questions.get(qid)
        if question is None:
            continue
        if choice is True:
            declared, where, path = question.red_flag, question.line, question.path
        else:
            found = next((c for c in question.choices if c.id == choice), None)
            if found is None:
                b.problem(question.path, question.line, qid, f"choice {choice} is a warning "
                          f"sign of the safety policy (at least {floor}); a knowledge folder "
                          f"may not remove it: keep it, with red_flag: {floor}")
                continue
            declared, where, path = found.red_flag, found.line, found.path or question.path
        shown = declared if declared in rank else "none"
        if declared is None or rank.get(declared, 0) < rank[floor]:
            b.problem(path, where, qid, f"{choice if choice is not True else qid} "
                      f"is a warning sign the safety policy sets to at least {floor}; "
                      f"red_flag: {shown} would lower it: write red_flag: {floor} or higher")
    for qid in sealed.warning_questions:
        if qid in b.questions:
            b.questions[qid] = b.questions[qid]._replace(warning=True)


def seal_language(b: Any) -> None:
    for manifest, line in b.manifest_lines:
        if manifest.language not in LANGUAGES:
            b.problem(manifest.path, line, "language", f"language {manifest.language}: the "
                      "safety lexicon reads English only, so text in another language "
                      "cannot be checked; write the knowledge in English (language: en)")


# ---------------------------------------------------------------- typed advice


def parse_does(raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``does`` as a sorted tuple of (action, (what, ...)); ``inform: true`` is ("inform", ())."""
    if not isinstance(raw, dict):
        return ()
    out = []
    for action, value in raw.items():
        if value is True:
            items: tuple[str, ...] = ()
        elif isinstance(value, list):
            items = tuple(str(v) for v in value)
        else:
            items = (str(value),)
        out.append((str(action), items))
    return tuple(sorted(out))


def check_advice(kb: KnowledgeBase, test_ids: Any) -> list[Problem]:
    """Every advice item's ``does`` fits its kind, names what the lexicon knows, and agrees
    with its text: a food the text tells people to eat must be declared, so no
    contraindication can miss it; a declaration the text does not say is refused too."""
    from ..policy.asks import actions

    out = []
    kinds = {k.id: k for k in policy().kinds}
    foods, nutrients = set(food_ids()), set(nutrient_ids())
    vocabulary = {
        "eat": foods | nutrients, "drink": foods | nutrients, "avoid": foods | nutrients
        | set(substance_ids()), "limit": set(substance_ids()), "habit": set(HABITS),
        "test": set(test_ids), "see": set(SEE), "supplement": nutrients,
        "avoid_supplement": nutrients, "keep_taking": set(lexicon_medicines()) | {"prescribed"},
    }
    for rule in kb.rules:
        for advice in rule.then.advice:
            line = advice.line or rule.line_of("then")

            def report(message: str, line: int = line, rule: Any = rule,
                       out: list[Problem] = out) -> None:
                out.append(Problem(rule.path, line, rule.id, message, check="safety"))

            kind = kinds.get(advice.kind)
            for action, items in advice.does:
                if action not in ACTIONS:
                    report(f"does: unknown action {action}; actions: {', '.join(ACTIONS)}"
                           + did_you_mean(action, ACTIONS))
                    continue
                if kind and action not in kind.does:
                    report(f"{advice.kind} advice cannot ask to {action}; {advice.kind} "
                           f"advice may: {', '.join(kind.does)}" + _kind_for(action))
                for item in items:
                    allowed = vocabulary.get(action)
                    if allowed is not None and item not in allowed:
                        report(f"does: {action}: {item} is not known" + did_you_mean(
                            item, allowed) + ("" if action != "test" else
                                              " (tests come from the catalog)"))
            out += [Problem(rule.path, line, rule.id, message, check="safety")
                    for message in disagreements(advice, actions(advice.text))]
    return out


def lexicon_medicines() -> list[str]:
    return sorted({label for entries in lexicon().medicines.phrases.values()
                   for _, label in entries} - {"generic"})


def _kind_for(action: str) -> str:
    fitting = [k.id for k in policy().kinds if action in k.does]
    return f" (kind {' or '.join(fitting)} may)" if fitting else ""


def disagreements(advice: Advice, said: Any) -> list[str]:
    """Where an advice item's ``does`` and its text disagree, in words."""
    out = []
    substances = set(substance_ids())
    declared_eat = set(advice.asks("eat")) | set(advice.asks("drink"))
    hidden = sorted(f for f in said.eat if f not in declared_eat)
    if hidden:
        rich = lexicon().food_nutrients
        named = ", ".join(f"{f} (rich in {', '.join(rich[f])})" if f in rich else
                          f"{f}-rich foods" for f in hidden)
        out.append(f"the text tells people to eat {named}, but does: does not say so; add "
                   f"eat: [{', '.join(hidden)}] (kind diet) so the safety checks see it")
    taken = sorted(set(said.supplement) - set(advice.asks("supplement")))
    if taken:
        out.append(f"the text tells people to take {', '.join(taken)} supplements, but does: "
                   f"does not say so; add supplement: [{', '.join(taken)}] (kind supplement)")
    refused = sorted(set(said.avoid_supplement) - set(advice.asks("supplement"))
                     - set(advice.asks("avoid_supplement")))
    if refused:
        out.append(f"the text is about {', '.join(refused)} supplements; declare them "
                   f"(avoid_supplement: [{', '.join(refused)}])")
    named = set(said.eat) | set(said.avoid)
    unsaid = sorted((declared_eat | set(advice.asks("avoid")) - substances) - named)
    if unsaid:
        out.append(f"does: names {', '.join(unsaid)}, which the text does not mention; "
                   "say it in the text, or leave it out of does:")
    supplements = set(said.supplement) | set(said.avoid_supplement)
    unsaid = sorted((set(advice.asks("supplement")) | set(advice.asks("avoid_supplement")))
                    - supplements)
    if unsaid:
        out.append(f"does: names {', '.join(unsaid)} supplements, which the text does not "
                   "mention")
    unsaid = sorted((set(advice.asks("limit")) | (set(advice.asks("avoid")) & substances))
                    - set(said.substances))
    if unsaid:
        out.append(f"does: limits {', '.join(unsaid)}, which the text does not mention")
    return out


def answers_only(when: Any) -> bool:
    from ..language.conditions import Ask

    return all(isinstance(leaf, Ask) for leaf in leaves(when))
