"""The identifiers twitchdx's FHIR resources share: canonical URLs and code systems.

Nothing here names a real web host: the systems are URNs, so no reader mistakes them
for a published terminology.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from ..language.model import KnowledgeBase

BASE = "urn:twitchdx"
CHOICE_SYSTEM = f"{BASE}:choice:"  # + question id: a question's choices
NONE_OF_THESE = "none-of-these"  # the exclusive option of a multi-choice item; no choice
# id can be it (ids are snake_case), so "none of these" is told apart from "not answered"
HYPOTHESIS_SYSTEM = f"{BASE}:hypothesis"
NOTE_SYSTEM = f"{BASE}:trigger"
LEVEL_SYSTEM = f"{BASE}:referral-level"
TEST_SYSTEM = f"{BASE}:test"
RULE_SYSTEM = f"{BASE}:rule"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
EXT = "http://hl7.org/fhir/StructureDefinition/"


def questionnaire_url(kb: KnowledgeBase) -> str:
    """One canonical URL per set of knowledge folders; its version is the knowledge's."""
    return f"{BASE}:questionnaire:" + "+".join(m.name for m in kb.manifests)


def questionnaire_version(kb: KnowledgeBase) -> str:
    """The folders' versions, in the URL's order (a canonical reference has no spaces)."""
    return "+".join(m.version.replace(" ", "_") for m in kb.manifests)


def canonical(kb: KnowledgeBase) -> str:
    return f"{questionnaire_url(kb)}|{questionnaire_version(kb)}"


def choice_system(question_id: str) -> str:
    return CHOICE_SYSTEM + question_id


def stable_id(*parts: Any) -> str:
    """A UUID drawn from content, so the same consultation gives the same bundle."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE}:{text}"))
