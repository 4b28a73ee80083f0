"""``consult --format fhir``: a consultation as an R4 Bundle of type collection.

- **Patient**: only the sex given (FHIR gender); no name, no identifier.
- **QuestionnaireResponse**: the answers (fhir/response.py), against the
  Questionnaire of ``twitchdx questions --format fhir``.
- **RiskAssessment**: each possible deficiency a prediction, its certainty the
  probability and its band the qualitative risk; the answers and the rules that
  gave the evidence are its basis.
- **GuidanceResponse**, with its output **Parameters**: the referral.  FHIR's
  resource for the result of running a decision-support module on a person's
  data; the referral is advice to the person, not an order, so not a
  ServiceRequest.  Its reasons are the referral's reasons; its notes the action,
  the advice and the disclaimer; its output the referral level, the tests to ask
  for and the trigger notes, coded.

Every id is drawn from the content, so the same answers give the same bundle.
"""

from __future__ import annotations

import json
from typing import Any

from ..clock import Moment
from ..language.model import KnowledgeBase
from .codes import (
    BASE,
    HYPOTHESIS_SYSTEM,
    LEVEL_SYSTEM,
    NOTE_SYSTEM,
    RISK_PROBABILITY,
    RULE_SYSTEM,
    TEST_SYSTEM,
    stable_id,
)
from .response import questionnaire_response

QUALITATIVE = {"low": "low", "possible": "moderate", "likely": "high"}  # band -> risk code
GENDER = {"female": "female", "male": "male", "other": "other"}


def bundle_json(result: Any, report: dict[str, Any], when: Moment | None = None) -> str:
    """The Bundle as JSON text: indented, one newline at the end."""
    return json.dumps(bundle(result, report, when), indent=2, ensure_ascii=False) + "\n"


def bundle(result: Any, report: dict[str, Any], when: Moment | None = None
           ) -> dict[str, Any]:
    kb: KnowledgeBase = result.kb
    stamp = when.iso() if when else None
    seed = (kb.fingerprint, sorted((k, repr(v)) for k, v in result.answers.items()), stamp)
    url = {kind: f"urn:uuid:{stable_id(kind, seed)}" for kind in
           ("Bundle", "Patient", "QuestionnaireResponse", "RiskAssessment",
            "GuidanceResponse", "Parameters")}
    patient = {"resourceType": "Patient",
               "gender": GENDER.get(str(result.answers.get("sex")), "unknown")}
    response = questionnaire_response(kb, result.given, stamp)
    response["subject"] = {"reference": url["Patient"]}
    resources = [patient, response, _risk(kb, report, url, stamp),
                 _guidance(kb, report, url, stamp), _parameters(report)]
    resources = [{"resourceType": r["resourceType"],
                  "id": url[r["resourceType"]].removeprefix("urn:uuid:"), **r}
                 for r in resources]
    out: dict[str, Any] = {"resourceType": "Bundle", "id": url["Bundle"][9:],
                           "type": "collection"}
    if stamp:
        out["timestamp"] = stamp
    out["entry"] = [{"fullUrl": url[r["resourceType"]], "resource": r} for r in resources]
    return out


def _risk(kb: KnowledgeBase, report: dict[str, Any], url: dict[str, str],
          stamp: str | None) -> dict[str, Any]:
    rules = kb.rules_by_id
    basis = [{"reference": url["QuestionnaireResponse"]}] + [
        {"identifier": {"system": RULE_SYSTEM, "value": rule}, "display": rules[rule].title}
        for rule in dict.fromkeys(r for h in report["hypotheses"] for r in h["rules"])]
    risk: dict[str, Any] = {
        "resourceType": "RiskAssessment", "status": "final",
        "code": {"text": "Possible deficiencies behind muscle twitching"},
        "subject": {"reference": url["Patient"]},
        **({"occurrenceDateTime": stamp} if stamp else {}),
        "method": {"text": f"twitchdx rules, {kb.version}"},
        "basis": basis,
    }
    if report["hypotheses"]:
        risk["prediction"] = [{
            "outcome": {"coding": [{"system": HYPOTHESIS_SYSTEM, "code": h["id"],
                                    "display": h["label"]}], "text": h["label"]},
            "probabilityDecimal": h["certainty"],
            "qualitativeRisk": {"coding": [{"system": RISK_PROBABILITY,
                                            "code": QUALITATIVE[h["band"]]}],
                                "text": h["band"]},
            "rationale": "; ".join(dict.fromkeys(h["evidence"])),
        } for h in report["hypotheses"]]
    risk["note"] = [{"text": "Possible, not diagnosed: confirm with a blood test before "
                             "acting on any of these."}]
    return risk


def _guidance(kb: KnowledgeBase, report: dict[str, Any], url: dict[str, str],
              stamp: str | None) -> dict[str, Any]:
    referral = report["referral"]
    notes = [referral["action"], referral.get("doctor_first", "")]
    notice = referral.get("unchecked_notice")
    if notice:
        notes.insert(0, f"{notice['heading']}: {notice['text']}")
    notes += [a["text"] for a in report["advice"]] + [report["disclaimer"]]
    guidance: dict[str, Any] = {
        "resourceType": "GuidanceResponse",
        "moduleUri": f"{BASE}:knowledge:" + "+".join(m.name for m in kb.manifests),
        "status": "success",
        "subject": {"reference": url["Patient"]},
        **({"occurrenceDateTime": stamp} if stamp else {}),
    }
    if referral["reasons"]:
        guidance["reasonCode"] = [{"coding": [{"system": RULE_SYSTEM, "code": r["rule"],
                                               "display": r["title"]}], "text": r["text"]}
                                  for r in referral["reasons"]]
    guidance["note"] = [{"text": text} for text in notes if text]
    guidance["outputParameters"] = {"reference": url["Parameters"]}
    return guidance


def _parameters(report: dict[str, Any]) -> dict[str, Any]:
    referral = report["referral"]
    parameters = [{"name": "referral", "valueCoding": {
        "system": LEVEL_SYSTEM, "code": referral["level"], "display": referral["label"]}},
        {"name": "warning-signs-checked", "valueBoolean": referral["warning_signs_checked"]}]
    parameters += [{"name": "unchecked-warning-sign", "valueString": u["text"]}
                   for u in referral["unchecked_warning_signs"]]
    parameters += [{"name": "test", "valueCoding": {"system": TEST_SYSTEM, "code": t["id"],
                                                    "display": t["label"]}}
                   for t in report["tests_detail"]]
    parameters += [{"name": "trigger", "part": [
        {"name": "code", "valueCoding": {"system": NOTE_SYSTEM, "code": n["id"],
                                         "display": n["label"]}},
        {"name": "certainty", "valueDecimal": n["certainty"]},
        {"name": "band", "valueString": n["band"]}]} for n in report["notes"]]
    return {"resourceType": "Parameters", "parameter": parameters}
