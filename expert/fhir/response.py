"""Answers as a QuestionnaireResponse, and a QuestionnaireResponse read back as answers.

The two directions are exact inverses, so a response gives the very report its
answers give: an item with no answer is a question asked and left unknown (as
``null`` in an answers file), "none of these" is the exclusive option of a
multi-choice item, and leaving an item out is not answering it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ..errors import AnswerError, AnswerProblem, InputError
from ..language.model import KnowledgeBase, Question
from ..text import did_you_mean
from .codes import NONE_OF_THESE, canonical, choice_system, questionnaire_url
from .questionnaire import answer_value

VALUE_KEYS = {"boolean": ("valueBoolean",), "choice": ("valueCoding",),
              "multi": ("valueCoding",), "integer": ("valueInteger",),
              "number": ("valueDecimal", "valueInteger")}  # what each question type accepts

JSON_TYPES = {"valueBoolean": bool, "valueInteger": int, "valueDecimal": int | float}
JSON_WORDS = {"valueBoolean": "true or false", "valueInteger": "a whole number",
              "valueDecimal": "a number"}


def response_items(kb: KnowledgeBase, answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An item per answered question (or asked and left unknown), in question order."""
    items = []
    for question in kb.askable:
        if question.id not in answers:
            continue
        item: dict[str, Any] = {"linkId": question.id, "text": question.text}
        value = answers[question.id]
        if value is not None:
            values = (value or (NONE_OF_THESE,)) if question.type == "multi" else (value,)
            item["answer"] = [{"value" + k: v for k, v in answer_value(question, v).items()}
                              for v in values]
        items.append(item)
    return items


def questionnaire_response(kb: KnowledgeBase, answers: Mapping[str, Any],
                           authored: str | None = None) -> dict[str, Any]:
    """The QuestionnaireResponse of a consultation's answers."""
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse",
                                "questionnaire": canonical(kb), "status": "completed"}
    if authored:
        resource["authored"] = authored
    resource["item"] = response_items(kb, answers)
    return resource


def answers_from_fhir(kb: KnowledgeBase, data: Mapping[str, Any], source: str
                      ) -> dict[str, Any]:
    """The raw answers (still to be checked as any answers file's) of a
    QuestionnaireResponse, or of the one in a Bundle such as ``--format fhir`` writes."""
    response = _the_response(data, source)
    wanted = questionnaire_url(kb)
    named = response.get("questionnaire")
    if not isinstance(named, str) or named.split("|")[0] != wanted:
        raise InputError(f"{source}: this QuestionnaireResponse answers "
                         f"{named if isinstance(named, str) else 'no questionnaire'}, not "
                         f"twitchdx's {wanted}; see `twitchdx questions --format fhir`")
    if response.get("status") == "entered-in-error":
        raise InputError(f"{source}: this QuestionnaireResponse is marked entered-in-error")
    raw: dict[str, Any] = {}
    problems: list[AnswerProblem] = []
    for where, item in _items(response.get("item", []), "item"):
        try:
            link, value = _read_item(kb, item, where)
            if link in raw:
                raise AnswerProblem(f"{where} ({link})", "answers a question answered above")
            raw[link] = value
        except AnswerProblem as problem:
            problems.append(problem.kept())
    if problems:
        raise AnswerError(problems, source)
    return raw


def _the_response(data: Mapping[str, Any], source: str) -> Mapping[str, Any]:
    kind = data.get("resourceType")
    if kind == "QuestionnaireResponse":
        return data
    if kind == "Bundle":
        entries = data.get("entry")
        entries = entries if isinstance(entries, list) else []
        found = [e.get("resource") for e in entries if isinstance(e, dict)
                 and isinstance(e.get("resource"), dict)
                 and e["resource"].get("resourceType") == "QuestionnaireResponse"]
        if len(found) == 1:
            return found[0]
        raise InputError(f"{source}: a Bundle given as answers must hold exactly one "
                         f"QuestionnaireResponse; this one holds {len(found)}")
    raise InputError(f"{source}: a FHIR {kind} is not answers; give a QuestionnaireResponse "
                     "(or a Bundle holding one)")


def _items(items: Any, where: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Every item that answers a question, groups opened, with its place for messages."""
    if not isinstance(items, list):
        raise AnswerError([AnswerProblem(where, "must be a list of items")])
    found = []
    for index, item in enumerate(items):
        here = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise AnswerError([AnswerProblem(here, "must be an object with a linkId")])
        if "item" in item and "answer" not in item:  # a group
            found += _items(item["item"], here + ".item")
        else:
            found.append((here, item))
    return found


def _read_item(kb: KnowledgeBase, item: Mapping[str, Any], where: str) -> tuple[str, Any]:
    link = item.get("linkId")
    if not isinstance(link, str):
        raise AnswerProblem(where, "has no linkId")
    question = kb.questions.get(link)
    if question is None or question.computed:
        hint = did_you_mean(link, [q.id for q in kb.askable], "", quoted=True)
        raise AnswerProblem(f"{where} ({link})", "no question of this questionnaire has this "
                                                 f"linkId{hint}")
    named = f"{where} ({link})"
    answers = item.get("answer")
    if answers is None or answers == []:
        return link, None  # asked, not answered: unknown
    if not isinstance(answers, list):
        raise AnswerProblem(named, "answer must be a list")
    values = [_value(question, a, named) for a in answers]
    if question.type != "multi":
        if len(values) > 1:
            raise AnswerProblem(named, f"has {len(values)} answers; this question takes one")
        return link, values[0]
    if NONE_OF_THESE in values:
        if len(values) > 1:
            raise AnswerProblem(named, "answers 'none of these' and a choice")
        return link, []
    return link, values


def _value(question: Question, answer: Any, named: str) -> Any:
    keys = [k for k in answer if k.startswith("value")] if isinstance(answer, dict) else []
    allowed = VALUE_KEYS[question.type]
    if len(keys) != 1 or keys[0] not in allowed:
        given = ", ".join(keys) or "no value"
        raise AnswerProblem(named, f"answer has {given}; expected {' or '.join(allowed)} "
                                   f"({question.allowed()})")
    value = answer[keys[0]]
    if keys[0] != "valueCoding":
        if not isinstance(value, JSON_TYPES[keys[0]]) or (isinstance(value, bool)
                                                          and keys[0] != "valueBoolean"):
            raise AnswerProblem(named, f"{keys[0]} is {json.dumps(value)}, not "
                                       f"{JSON_WORDS[keys[0]]}")
        return value
    if not isinstance(value, dict) or not isinstance(value.get("code"), str):
        raise AnswerProblem(named, "valueCoding needs a code")
    system = value.get("system")
    if system is not None and system != choice_system(question.id):
        raise AnswerProblem(named, f"code system {system} is not this question's "
                                   f"({choice_system(question.id)})")
    code = value["code"]
    exclusive = code == NONE_OF_THESE and question.type == "multi"
    if not exclusive and code not in question.choice_ids:
        hint = did_you_mean(code, list(question.choice_ids), "", quoted=True)
        raise AnswerProblem(named, f"code {code!r} is not one of "
                                   f"{', '.join(question.choice_ids)}{hint}")
    return code
