"""JSON Schemas of the knowledge files (validation.py judges files against them).

The schemas are built here rather than hand-kept as JSON so that ``twitchdx kb
schema`` can add the ids a knowledge base defines (question ids, choices,
hypotheses, sources) as enums: an editor then completes and checks them while
the author types.  The files in ``knowledge/schema/`` are that output; a test
keeps them current.  Loading validates against the structural schema only,
because the ids are what is being loaded: unknown ids get a "did you mean"
from the loader instead.
"""

from __future__ import annotations

from typing import Any

from ..language.conditions import BELIEF_OPERATORS, OPERATORS, RESERVED
from ..language.model import ANSWER_TYPES

DIALECT = "https://json-schema.org/draft/2020-12/schema"
KEBAB = "^[a-z0-9]+(-[a-z0-9]+)*$"
SNAKE = "^[a-z][a-z0-9_]*$"
KINDS = ("kb", "questions", "catalog", "reference", "rules", "case")


def _object(properties: dict[str, Any], required: tuple[str, ...] = (), **more: Any
            ) -> dict[str, Any]:
    """A closed JSON object: only these keys, the ``required`` ones present."""
    return {"type": "object", **({"required": list(required)} if required else {}),
            "additionalProperties": False, **more, "properties": properties}


def _enum_or(pattern: str, ids: list[str] | None) -> dict[str, Any]:
    return {"enum": ids} if ids else {"type": "string", "pattern": pattern}


def _level_ids(kb: Any) -> list[str] | None:
    return [level.id for level in kb.levels] if kb else None


def _red_flag(kb: Any) -> dict[str, Any]:
    return {"anyOf": [{"const": True}, _enum_or(SNAKE, _level_ids(kb))],
            "description": "A warning sign: it must lead to at least the catalog's warning level "
            "(true) or the level named, whatever else is answered."}


def schema(kind: str, kb: Any = None) -> dict[str, Any]:
    """The JSON Schema of one kind of knowledge file; with ``kb``, ids become enums."""
    builder = {
        "kb": _kb_schema,
        "questions": _questions_schema,
        "catalog": _catalog_schema,
        "reference": _reference_schema,
        "rules": _rules_schema,
        "case": _case_schema,
    }[kind]
    body = builder(kb)
    return {"$schema": DIALECT, "$id": f"twitchdx:{kind}.schema.json", **body}


def _kb_schema(kb: Any) -> dict[str, Any]:
    return _object(title="twitchdx knowledge manifest (kb.yaml)", required=("name", "version"),
                   properties={
            "name": {"type": "string", "pattern": KEBAB,
                     "description": "Name of this knowledge set."},
            "version": {"type": "string", "minLength": 1, "description": "Named in every report."},
            "title": {"type": "string"},
            "disclaimer": {"type": "string", "description": "Printed at the end of every report."},
            "language": {"type": "string", "pattern": "^[a-z]{2}$",
                         "description": "The language every printed text is written in "
                         "(en: the safety lexicon reads English)."},
        })


def _questions_schema(kb: Any) -> dict[str, Any]:
    question_ids = sorted(kb.questions) if kb else None
    choice = _object(required=("id", "text"), properties={
            "id": {"type": "string", "pattern": SNAKE},
            "text": {"type": "string", "minLength": 1},
            "red_flag": _red_flag(kb),
        })
    extension = _object(required=("id", "extend", "choices"), properties={
            "id": {"type": "string", "pattern": SNAKE},
            "extend": {"const": True, "description": "Add these choices to an earlier "
                       "question with this id (never removes, renames or changes one)."},
            "choices": {"type": "array", "minItems": 1, "items": choice},
        })
    question = {**_object(required=("id", "text", "type"), properties={
            "id": {"type": "string", "pattern": SNAKE, "not": {"enum": sorted(RESERVED)}},
            "text": {"type": "string", "minLength": 1, "description": "The question as asked."},
            "type": {"enum": list(ANSWER_TYPES)},
            "choices": {"type": "array", "minItems": 1, "items": choice},
            "min": {"type": "number"},
            "max": {"type": "number"},
            "unit": {"type": "string"},
            "help": {"type": "string", "description": "Shown when the user types help."},
            "section": {"type": "string"},
            "red_flag": _red_flag(kb),
            "core": {"type": "boolean",
                     "description": "Always asked, right after the warning signs."},
            "warning": {"type": "boolean",
                        "description": "A question about a warning sign (it raises the "
                        "referral together with other answers): unanswered, the report says "
                        "it was not checked."},
            "doctor": {"type": "boolean",
                       "description": "What a doctor will want to know (where, since when, "
                       "spreading): still asked once warning signs have fixed the referral."},
            "override": {"type": "boolean",
                         "description": "Replace an earlier question with the same id (--kb)."},
        }),
        "allOf": [
            {"if": {"properties": {"type": {"enum": ["choice", "multi"]}}},
             "then": {"required": ["choices"], "not": {"anyOf": [{"required": ["min"]},
                                                                {"required": ["max"]}]}}},
            {"if": {"properties": {"type": {"enum": ["integer", "number"]}}},
             "then": {"required": ["min", "max"], "not": {"required": ["choices"]}}},
            {"if": {"properties": {"type": {"const": "boolean"}}},
             "then": {"not": {"anyOf": [{"required": ["choices"]}, {"required": ["min"]},
                                        {"required": ["max"]}]}}},
        ]}
    computed = _object(required=("id", "text", "sum"), properties={
            "id": {"type": "string", "pattern": SNAKE},
            "text": {"type": "string"},
            "unit": {"type": "string"},
            "help": {"type": "string"},
            "sum": {
                "type": "object",
                "description": "question id -> weight; the value is the weighted sum of the "
                "answered ones (unanswered ones are left out and listed as unknown).",
                "minProperties": 1,
                "additionalProperties": {"type": "number"},
                **({"propertyNames": {"enum": question_ids}} if question_ids else {}),
            },
        })
    constraint = _object(required=("id", "when", "message"), properties={
            "id": {"type": "string", "pattern": KEBAB},
            "when": {"$ref": "#/$defs/condition",
                     "description": "Answers that cannot all be true (tests on answers only)."},
            "message": {"type": "string", "minLength": 5,
                        "description": "Said when they are given together."},
        })
    return {**_object(title="twitchdx questions file", properties={
            "questions": {"type": "array", "items": {
                "if": {"type": "object", "required": ["extend"]},
                "then": extension, "else": question}},
            "computed": {"type": "array", "items": computed},
            "constraints": {"type": "array", "items": constraint},
            "sections": {"type": "array", "description": "Headings the dialogue asks under.",
                         "items": {"type": "object", "required": ["id", "title"],
                                   "additionalProperties": False,
                                   "properties": {"id": {"type": "string", "pattern": SNAKE},
                                                  "title": {"type": "string", "minLength": 1}}}},
        }),
        "$defs": _condition_defs(kb)}


def _catalog_schema(kb: Any) -> dict[str, Any]:
    entry = _object(required=("id", "label"), properties={
            "id": {"type": "string", "pattern": SNAKE},
            "label": {"type": "string", "minLength": 1},
            "text": {"type": "string"},
        })
    level = _object(required=("id", "rank", "label", "action"), properties={
            "id": {"type": "string", "pattern": SNAKE},
            "rank": {"type": "integer", "minimum": 1},
            "label": {"type": "string"},
            "action": {"type": "string"},
            "tests": {"type": "boolean", "description": "List suggested tests at this level "
                      "(default true); self-care suggests none now."},
            "advice": {"type": "array", "items": {"type": "string", "pattern": SNAKE},
                       "description": "The advice kinds a report at this level keeps "
                       "(default: all)."},
        })
    sealed = {"description": "Belongs to the package's safety policy: refused here."}
    voice = _object(description="Warning signs, as the safety policy sets them; a folder may "
                    "raise the level and drop more advice kinds.", properties={
            "level": _enum_or(SNAKE, _level_ids(kb)) | {
                "description": "The lowest referral a warning sign (red_flag: true) leads to: "
                "at least the policy's (within_days)."},
            "drops_advice": {"type": "array", "items": {"type": "string", "pattern": SNAKE},
                             "description": "More advice kinds to drop once a warning sign "
                             "is present."},
            "fact": sealed, "notes_caveat": sealed,
        })
    forbids = _object(minProperties=1, properties={
            "eat_rich_in": {"type": "array", "minItems": 1, "items": {"type": "string"},
                            "description": "Advice to eat foods rich in these nutrients."},
            "eat": {"type": "array", "minItems": 1, "items": {"type": "string"},
                    "description": "Advice to eat these foods (lexicon ids)."},
            "supplement": {"type": "array", "minItems": 1, "items": {"type": "string"},
                           "description": "Advice to take supplements of these nutrients."},
            "kinds": sealed, "about": sealed,
        })
    return _object(title="twitchdx catalog of conclusions", properties={
            "levels": {"type": "array", "items": level},
            "advice_kinds": sealed,
            "warning_signs": voice,
            "forbidden_advice": _object(properties={
                "phrases": {"type": "array", "items": {"type": "string", "minLength": 1},
                            "description": "Words no printed text may say, on top of the "
                            "safety policy's (matched as a reader sees them)."},
                "negation": sealed, "intents": sealed},
                description="What no text may say: the policy's, and these phrases."),
            "contraindications": {"type": "array", "items": _object(
                required=("id", "when", "forbids", "because"), properties={
                    "id": {"type": "string", "pattern": KEBAB},
                    "when": {"$ref": "#/$defs/condition"},
                    "forbids": forbids,
                    "because": {"type": "string", "minLength": 5}}),
                "description": "More advice that must never reach someone it could harm, "
                "on top of the safety policy's (read from what advice asks)."},
            "hypotheses": {"type": "array", "items": entry},
            "notes": {"type": "array", "items": entry},
            "tests": {"type": "array", "items": entry},
        }, **{"$defs": _condition_defs(kb)})


def _reference_schema(kb: Any) -> dict[str, Any]:
    override = {"type": "boolean", "description": "Replace an id an earlier folder defined."}
    return _object(title="twitchdx reference: sources and the facts rules cite", properties={
            "sources": {"type": "array", "items": _object(required=("id", "title"), properties={
                "id": {"type": "string", "pattern": "^S[0-9]{2}[a-z]?$"},
                "title": {"type": "string"}, "url": {"type": "string"},
                "override": override})},
            "facts": {"type": "array", "items": _object(required=("id", "statement"), properties={
                "id": {"type": "string", "pattern": "^[A-Z]+-[0-9]+[a-z]?$"},
                "statement": {"type": "string"}, "override": override})},
        })


def _condition_defs(kb: Any) -> dict[str, Any]:
    question_ids = sorted(kb.questions) if kb else None
    hypothesis_ids = sorted(kb.hypotheses) if kb else None
    scalar = {"type": ["string", "number", "boolean"]}
    operator_test = {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "properties": {
            **{op: {"description": f"applies to {', '.join(types)} questions"}
               for op, types in OPERATORS.items()},
            "in": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "includes": {"type": "string"},
            "includes_any": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "includes_all": {"type": "array", "items": {"type": "string"}, "minItems": 1},
            "includes_at_least": {
                "type": "object", "required": ["count", "of"], "additionalProperties": False,
                "properties": {"count": {"type": "integer", "minimum": 1},
                               "of": {"type": "array", "items": {"type": "string"},
                                      "minItems": 1}}},
            "count_at_least": {"type": "integer", "minimum": 1},
            "at_least": {"type": "number"},
            "at_most": {"type": "number"},
            "above": {"type": "number"},
            "below": {"type": "number"},
            "between": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            "answered": {"type": "boolean",
                         "description": "true: the question was answered; false: it was left "
                         "unknown (a proxy may then stand in for it)"},
            "is": scalar,
        },
    }
    answer_test = {
        "description": "A test on a question's answer: {op: value}, a bare value (is) or a "
        "list (in).",
        "oneOf": [scalar, operator_test, {"type": "array", "items": scalar, "minItems": 1}],
    }
    belief = {
        "type": "object",
        "required": ["id"],
        "minProperties": 2,
        "maxProperties": 2,
        "additionalProperties": False,
        "properties": {
            "id": _enum_or(SNAKE, hypothesis_ids),
            **{op: {"type": "number", "minimum": 0, "maximum": 1} for op in BELIEF_OPERATORS},
        },
    }
    return {
        "condition": {
            "description": "all / any / not, fact: NAME, hypothesis: {id, at_least|below}, or "
            "QUESTION: test.",
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "properties": {
                "all": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                "any": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}},
                "not": {"$ref": "#/$defs/condition"},
                "fact": {"type": "string", "pattern": SNAKE},
                "hypothesis": belief,
            },
            **({"propertyNames": {"enum": [*sorted(RESERVED), *question_ids]}}
               if question_ids else {}),
            "additionalProperties": answer_test,
        },
    }


def _ids(kb: Any, attr: str) -> list[str] | None:
    return sorted(getattr(kb, attr)) if kb else None


def _one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "minItems": 1, "items": item}]}


def _weighted(kb: Any, catalog: str) -> dict[str, Any]:
    return _object(required=("id", "cf"), properties={
            "id": _enum_or(SNAKE, _ids(kb, catalog)),
            "cf": {"type": "number", "minimum": -1, "maximum": 1,
                   "description": "certainty factor: > 0 evidence for, < 0 against"},
        })


def _ceiling(kb: Any) -> dict[str, Any]:
    return _object(required=("id", "at_most"), properties={
            "id": _enum_or(SNAKE, _ids(kb, "hypotheses")),
            "at_most": {"type": "number", "minimum": 0, "maximum": 1,
                        "description": "the most the hypothesis may be while this rule holds"},
        })


def _rules_schema(kb: Any) -> dict[str, Any]:
    kinds = [k.id for k in kb.advice_kinds] if kb else None
    listed = {"type": "array", "minItems": 1, "items": {"type": "string", "pattern": SNAKE}}
    does = _object(minProperties=1, description="What the advice asks the person to do: the "
                   "safety checks read it with the text.", properties={
            "eat": listed | {"description": "Foods (lexicon ids) or nutrients whose foods."},
            "drink": listed | {"description": "Drinks (lexicon ids)."},
            "avoid": listed | {"description": "Foods or substances to have less of."},
            "limit": listed | {"description": "Substances to cut down: caffeine, alcohol..."},
            "habit": listed | {"description": "rest, sleep, relax, stretch, massage, hydrate, "
                               "exercise_gradually, watch_and_wait, note_symptoms, daylight"},
            "test": listed | {"description": "Tests (catalog ids) to ask for."},
            "see": {"type": "string", "description": "Who to see: doctor, pharmacist, "
                    "kidney_team, or a referral level."},
            "keep_taking": listed | {"description": "Medicines (or prescribed) to keep taking."},
            "supplement": listed | {"description": "Nutrients to take as supplements."},
            "avoid_supplement": listed | {"description": "Nutrients not to take as "
                                          "supplements."},
            "inform": {"const": True, "description": "Information only: nothing to do."},
        })
    advice = _object(required=("text", "kind", "does"), properties={
            "text": {"type": "string", "minLength": 1},
            "kind": _enum_or(SNAKE, kinds),
            "does": does,
        })
    then = {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "hypothesis": _one_or_many({"oneOf": [_weighted(kb, "hypotheses"), _ceiling(kb)]}),
            "note": _one_or_many(_weighted(kb, "notes")),
            "referral": _enum_or(SNAKE, _level_ids(kb)),
            "advice": _one_or_many(advice),
            "tests": {"type": "array", "minItems": 1, "items": _enum_or(SNAKE, _ids(kb, "tests"))},
            "facts": {"type": "array", "minItems": 1,
                      "items": {"type": "string", "pattern": SNAKE}},
            "conflict": {"type": "string", "minLength": 10,
                         "description": "Answers that disagree, and the reading taken: told "
                         "to the person in the dialogue, in why and in the report."},
        },
    }
    rule = _object(required=("id", "title", "then", "because", "sources"), properties={
            "id": {"type": "string", "pattern": KEBAB, "description": "Stable kebab-case id."},
            "title": {"type": "string", "minLength": 3},
            "status": {"enum": ["experimental", "stable", "deprecated"],
                       "description": "stable (the default); experimental rules can be "
                       "switched off (--no-experimental); deprecated ones warn at load, "
                       "naming replaced_by."},
            "replaced_by": {"type": "string", "pattern": KEBAB,
                            "description": "The rule a deprecated rule gives way to."},
            "override": {"type": "boolean",
                         "description": "Replace an earlier rule with the same id (--kb)."},
            "refines": {"oneOf": [{"type": "string", "pattern": KEBAB},
                                  {"type": "array", "minItems": 1, "uniqueItems": True,
                                   "items": {"type": "string", "pattern": KEBAB}}],
                        "description": "The broader rule(s) this one adds extra evidence to: "
                        "it fires only when they do, and its certainty is meant on top of "
                        "theirs (a PPI with a diuretic on top of a diuretic)."},
            "when": {"$ref": "#/$defs/condition"},
            "then": then,
            "because": {"type": "string", "minLength": 10,
                        "description": "Why, in plain words: shown in every explanation."},
            "sources": {"type": "array", "minItems": 1, "uniqueItems": True,
                        "items": _enum_or("^S[0-9]{2}[a-z]?$", _ids(kb, "sources"))},
            "evidence": {"type": "array", "uniqueItems": True,
                         "items": {"type": "string", "pattern": "^[A-Z]+-[0-9]+[a-z]?$"},
                         "description": "Fact ids of the reference (MG-15, CHAIN-03...)."},
        })
    return {**_object(title="twitchdx rule file", required=("rules",),
                      properties={"rules": {"type": "array", "items": rule}}),
        "$defs": _condition_defs(kb)}


def _answer(question: Any) -> dict[str, Any]:
    """A choice question's answer in a case: its choice ids (an extension's added ones
    too), so editors offer them; "unknown" or null for unknown."""
    ids = list(question.choice_ids)
    one = {"enum": ids}
    given = {"type": "array", "items": one} if question.type == "multi" else one
    return {"anyOf": [given, {"enum": ["unknown", None]}],
            "description": " / ".join(f"{c.id}: {c.text}" for c in question.choices)[:2000]}


def _case_schema(kb: Any) -> dict[str, Any]:
    def ids(attr: str) -> list[str] | None:
        return _ids(kb, attr)

    return _object(title="twitchdx knowledge test case", required=("id", "answers", "expect"),
                   properties={
            "id": {"type": "string", "pattern": KEBAB},
            "title": {"type": "string"},
            "override": {"type": "boolean", "description": "Replace an earlier folder's case "
                         "with this id (an extension that changes what it expects)."},
            "sources": {"type": "array", "items": {"type": "string"}},
            "answers": {"type": "object",
                        **({"propertyNames": {"enum": [q.id for q in kb.askable]},
                            "properties": {q.id: _answer(q) for q in kb.askable
                                           if q.choices}} if kb else {})},
            "expect": _object(minProperties=1, properties={
                    "referral": _enum_or(SNAKE, _level_ids(kb)),
                    "leading": {"type": "array", "items": _enum_or(SNAKE, ids("hypotheses")),
                                "description": "Hypotheses at the top, in this order."},
                    "at_least": {"type": "object",
                                 "additionalProperties": {"type": "number"},
                                 "description": "hypothesis or note id -> minimum certainty"},
                    "below": {"type": "object",
                              "additionalProperties": {"type": "number"},
                              "description": "hypothesis or note id -> certainty it must "
                              "stay below"},
                    "low": {"type": "array", "items": _enum_or(SNAKE, ids("hypotheses")),
                            "description": "Hypotheses that must stay below 0.2."},
                    "notes": {"type": "array", "items": _enum_or(SNAKE, ids("notes")),
                              "description": "Exactly these notes, strongest first."},
                    "notes_include": {"type": "array", "items": _enum_or(SNAKE, ids("notes"))},
                    "notes_exclude": {"type": "array", "items": _enum_or(SNAKE, ids("notes"))},
                    "tests_include": {"type": "array", "items": _enum_or(SNAKE, ids("tests"))},
                    "tests_exclude": {"type": "array", "items": _enum_or(SNAKE, ids("tests"))},
                    "fires": {"type": "array", "items": {"type": "string", "pattern": KEBAB}},
                    "not_fires": {"type": "array", "items": {"type": "string", "pattern": KEBAB}},
                    "advice_mentions": {"type": "array", "items": {"type": "string"}},
                    "advice_excludes": {"type": "array", "items": {"type": "string"},
                                        "description": "Words no advice may contain."},
                    "advice_first": {"type": "string",
                                     "description": "Words the first advice must contain."},
                    "advice_kinds_exclude": {"type": "array",
                                             "items": {"type": "string", "pattern": SNAKE},
                                             "description": "Kinds of advice no advice may "
                                             "be."},
                    "conflicts_mention": {"type": "array", "items": {"type": "string"},
                                          "description": "Words a conflict notice must "
                                          "contain."},
                    "no_conflicts": {"type": "boolean"},
                    "warning": {"type": "boolean",
                                "description": "Whether the report speaks with a warning "
                                "sign's voice."},
                }),
        })
