"""``twitchdx questions --format fhir``: the questions as an R4 Questionnaire.

An item per question (computed ones are not asked, so not listed), choices as
answerOptions coded with the choice ids, number ranges and units as the standard
extensions.  ``enableWhen`` says what the dialogue's planner does: a question whose
every use in the rules also needs an earlier question answered a certain way is
only worth asking once it is (see ``gates``).
"""

from __future__ import annotations

from typing import Any

from ..language.conditions import Ask
from ..language.model import KnowledgeBase, Question
from .codes import EXT, NONE_OF_THESE, choice_system, questionnaire_url, questionnaire_version

ITEM_TYPES = {"boolean": "boolean", "choice": "choice", "multi": "choice",
              "integer": "integer", "number": "decimal"}
# rule operators FHIR's enableWhen can say: (operator, operator when negated)
GATE_OPERATORS = {"is": ("=", "!="), "includes": ("=", "!="), "at_least": (">=", "<"),
                  "at_most": ("<=", ">"), "above": (">", "<="), "below": ("<", ">=")}


def coding(question: Question, choice_id: str) -> dict[str, str]:
    """A choice as a Coding: code the choice id, display its text."""
    if choice_id == NONE_OF_THESE:
        return {"system": choice_system(question.id), "code": NONE_OF_THESE,
                "display": "None of these"}
    text = next(c.text for c in question.choices if c.id == choice_id)
    return {"system": choice_system(question.id), "code": choice_id, "display": text}


def answer_value(question: Question, value: Any) -> dict[str, Any]:
    """One answer (or enableWhen answer) as FHIR's typed ``value[x]`` pair."""
    if question.type == "boolean":
        return {"Boolean": bool(value)}
    if question.type in ("choice", "multi"):
        return {"Coding": coding(question, value)}
    if question.type == "integer":
        return {"Integer": int(value)}
    return {"Decimal": float(value)}


def _item(kb: KnowledgeBase, question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": question.id, "text": question.text,
                            "type": ITEM_TYPES[question.type], "required": False}
    extensions = []
    if question.type in ("integer", "number"):
        kind = "Integer" if question.type == "integer" else "Decimal"
        cast = int if question.type == "integer" else float
        extensions += [{"url": EXT + "minValue", f"value{kind}": cast(question.min)},
                       {"url": EXT + "maxValue", f"value{kind}": cast(question.max)}]
        if question.unit:
            extensions.append({"url": EXT + "questionnaire-unit",
                               "valueCoding": {"display": question.unit}})
    if extensions:
        item["extension"] = extensions
    if question.type == "multi":
        item["repeats"] = True
    if question.choices:
        item["answerOption"] = [{"valueCoding": coding(question, c.id)}
                                for c in question.choices]
    if question.type == "multi":  # "none of these" is an answer; leaving it out is not
        item["answerOption"].append({
            "valueCoding": coding(question, NONE_OF_THESE),
            "extension": [{"url": EXT + "questionnaire-optionExclusive", "valueBoolean": True}]})
    needed, behaviour = gates(kb, question)
    if needed:
        item["enableWhen"] = [{"question": asked, "operator": operator,
                               **{"answer" + k: v for k, v in
                                  answer_value(kb.questions[asked], value).items()}}
                              for asked, operator, value in needed]
        if len(needed) > 1:
            item["enableBehavior"] = behaviour
    if question.help:
        item["item"] = [{"linkId": f"{question.id}.help", "text": question.help.strip(),
                         "type": "display",
                         "extension": [{"url": EXT + "questionnaire-itemControl",
                                        "valueCodeableConcept": {"coding": [{
                                            "system": "http://hl7.org/fhir/questionnaire-item-"
                                                      "control", "code": "help"}]}}]}]
    return item


Gate = tuple[str, str, Any]  # an earlier question, enableWhen's operator, the answer


def gates(kb: KnowledgeBase, question: Question) -> tuple[list[Gate], str]:
    """The earlier answers without which ``question`` can change nothing.

    Every alternative of every rule that reads the question is looked at: if each
    also tests an earlier question in a way enableWhen can say, the question is
    enabled by those tests (all of them when one test is common to every
    alternative, any of them otherwise).  Warning signs, the core questions, what a
    doctor will want to know and the parts of a computed answer are always enabled.
    Only earlier questions gate later ones, so no two questions wait for each other.
    """
    if question.red_flag or question.warning or question.core or question.doctor or any(
            question.id in dict(q.sum) for q in kb.questions.values()):
        return [], "all"
    order = {q.id: i for i, q in enumerate(kb.askable)}
    per_alternative: list[list[Gate]] = []
    for rule in kb.rules:
        if question.id not in rule.questions:
            continue
        for alternative in rule.alternatives:
            if not any(isinstance(leaf, Ask) and leaf.question == question.id
                       for leaf in alternative):
                continue
            found = [gate for leaf in alternative if (gate := _gate(kb, leaf, order,
                                                                     order[question.id]))]
            if not found:
                return [], "all"
            per_alternative.append(found)
    if not per_alternative:
        return [], "all"
    common = [g for g in per_alternative[0] if all(g in other for other in per_alternative)]
    if common:
        return list(dict.fromkeys(common)), "all"
    return list(dict.fromkeys(alt[0] for alt in per_alternative)), "any"


def _gate(kb: KnowledgeBase, leaf: Any, order: dict[str, int], before: int
          ) -> Gate | None:
    if not isinstance(leaf, Ask) or leaf.op not in GATE_OPERATORS:
        return None
    if order.get(leaf.question, before) >= before:  # computed, unknown or not earlier
        return None
    if isinstance(leaf.value, list | tuple | frozenset):
        return None
    return leaf.question, GATE_OPERATORS[leaf.op][leaf.negated], leaf.value


def questionnaire(kb: KnowledgeBase) -> dict[str, Any]:
    """The Questionnaire resource, as a JSON-ready dict."""
    return {
        "resourceType": "Questionnaire",
        "id": "twitchdx",
        "url": questionnaire_url(kb),
        "version": questionnaire_version(kb),
        "name": "TwitchdxQuestions",
        "title": "Muscle twitching at rest: consultation questions",
        "status": "active",
        "subjectType": ["Patient"],
        "description": kb.disclaimer or "Questions of a twitchdx consultation.",
        "item": [_item(kb, q) for q in kb.askable],
    }
