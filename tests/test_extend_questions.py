"""A knowledge folder extends a shipped question with new choices (``extend: true``) or
replaces it (``override: true``); every part of twitchdx sees the result."""

import json

import pytest

from conftest import knowledge_folder
from expert.errors import KnowledgeError
from expert.kb.loader import load_knowledge

MEMORY = """\
questions:
  - id: medications
    extend: true
    choices:
      - id: cholinesterase_inhibitor
        text: A medicine for memory (donepezil, rivastigmine, galantamine)
"""
READS_IT = """\
rules:
  - id: medication-cholinesterase-inhibitor
    title: A cholinesterase inhibitor for memory
    when: {medications: {includes: cholinesterase_inhibitor}}
    then: {note: {id: medication, cf: 0.35}}
    because: Cholinesterase inhibitors act at the nerve-muscle junction and can cause twitching.
    sources: [S01]
"""


def folder(tmp_path, questions, rules=None):
    return knowledge_folder(tmp_path, rules, "memory-clinic", "0.1",
                            **{"questions.yaml": questions})


def problems(tmp_path, questions, rules=None):
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge((folder(tmp_path, questions, rules),), use_cache=False)
    return [str(p) for p in caught.value.problems]


def test_an_added_choice_is_seen_by_the_rules_and_every_command(runner, cli, tmp_path):
    ext = folder(tmp_path, MEMORY, READS_IT)
    kb = load_knowledge((ext,), use_cache=False)
    medications = kb.questions["medications"]
    assert medications.choice_ids[-1] == "cholinesterase_inhibitor"  # after the shipped ones
    assert medications.choice_ids[:-1] == load_knowledge().questions["medications"].choice_ids
    answers = tmp_path / "a.yaml"
    answers.write_text("medications: [cholinesterase_inhibitor]\nsymptoms: []\n")
    report = json.loads(runner.invoke(cli, ["consult", "--answers", str(answers), "--format",
                                            "json", "--no-history", "--kb", str(ext)]).stdout)
    note = next(n for n in report["notes"] if n["id"] == "medication")
    assert note["rules"] == ["medication-cholinesterase-inhibitor"] and note["certainty"] == 0.35
    listed = json.loads(runner.invoke(cli, ["questions", "--format", "json", "--kb",
                                            str(ext)]).stdout)
    assert "cholinesterase_inhibitor" in [c["id"] for q in listed["questions"]
                                          if q["id"] == "medications" for c in q["choices"]]
    fhir = json.loads(runner.invoke(cli, ["questions", "--format", "fhir", "--kb",
                                          str(ext)]).stdout)
    item = next(i for i in fhir["item"] if i["linkId"] == "medications")
    assert "cholinesterase_inhibitor" in [o["valueCoding"]["code"] for o in item["answerOption"]]
    schema = json.loads(runner.invoke(cli, ["kb", "schema", "--kind", "case", "--kb",
                                            str(ext)]).stdout)
    offered = schema["properties"]["answers"]["properties"]["medications"]["anyOf"][0]
    assert "cholinesterase_inhibitor" in offered["items"]["enum"]
    from expert.consult.dialogue import render_question

    assert any("A medicine for memory" in line for line in render_question(medications))


def test_without_the_extension_the_choice_is_unknown(runner, cli, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("medications: [cholinesterase_inhibitor]\n")
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--no-history"])
    assert done.exit_code == 2 and "cholinesterase_inhibitor" in done.stderr


DOUBLE_VISION = """\
questions:
  - id: symptoms
    extend: true
    choices:
      - id: double_vision
        text: Seeing double
        red_flag: same_day
"""


def test_an_added_warning_sign_choice_tightens(tmp_path):
    kb = load_knowledge((folder(tmp_path, DOUBLE_VISION, """\
        rules:
          - id: same-day-double-vision
            title: Double vision
            when: {symptoms: {includes: double_vision}}
            then: {referral: same_day, facts: [warning_sign]}
            because: Double vision with twitching needs to be seen the same day.
            sources: [S01]
        """),), use_cache=False)
    assert kb.questions["symptoms"].choices[-1].red_flag == "same_day"


def test_an_added_warning_sign_no_rule_honours_is_refused_at_the_extension(tmp_path):
    found = problems(tmp_path, DOUBLE_VISION)
    assert any(p.startswith(f"{tmp_path}/questions.yaml:5: symptoms: warning sign "
                            "symptoms=double_vision must lead to at least same_day")
               for p in found), found


@pytest.mark.parametrize("questions, message", [
    ("""\
     questions:
       - id: medications
         extend: true
         choices:
           - {id: ppi_long_term, text: Another text for an existing choice}
     """, "questions.yaml:5: medications: choice ppi_long_term is already a choice of "
          "medications (knowledge/questions.yaml:"),
    ("""\
     questions:
       - id: smoker
         extend: true
         choices:
           - {id: vaping, text: Vaping only}
     """, "questions.yaml:3: smoker: smoker is a boolean question: only choice and multi "
          "questions take new choices"),
    ("""\
     questions:
       - id: medication
         extend: true
         choices:
           - {id: vaping, text: Vaping only}
     """, "questions.yaml:3: medication: extend: true but no earlier question has this id "
          "(did you mean medications?)"),
    ("""\
     questions:
       - id: smoker
         text: Do you smoke?
         type: boolean
     """, "questions.yaml:2: smoker: question smoker is already defined in "
          "knowledge/questions.yaml:"),
    ("""\
     questions:
       - id: smoking
         override: true
         text: Do you smoke?
         type: boolean
     """, "questions.yaml:3: smoking: override: true but no earlier question has this id"),
    ("""\
     questions:
       - id: medications
         extend: true
         text: A new text
         choices:
           - {id: vaping, text: Vaping only}
     """, "questions.yaml:4: medications: unknown key 'text'; allowed: choices, extend, id"),
])
def test_what_extend_and_override_refuse(tmp_path, questions, message):
    found = problems(tmp_path, questions)
    assert any(message in p for p in found), found


def test_the_duplicate_message_says_how_to_extend_or_replace(tmp_path):
    found = problems(tmp_path, """\
        questions:
          - id: smoker
            text: Do you smoke?
            type: boolean
        """)
    assert any("to add choices to it say extend: true, to replace it override: true" in p
               for p in found)


def test_an_override_replaces_the_question(tmp_path):
    kb = load_knowledge((folder(tmp_path, """\
        questions:
          - id: stress_level
            override: true
            text: How stressed have you felt this month?
            type: choice
            section: lifestyle
            choices:
              - {id: low, text: Hardly}
              - {id: moderate, text: Somewhat}
              - {id: high, text: Very}
        """),), use_cache=False)
    assert kb.questions["stress_level"].text == "How stressed have you felt this month?"
    assert kb.questions["stress_level"].path.endswith("questions.yaml")
    assert str(tmp_path) in kb.questions["stress_level"].path


def test_an_override_may_not_drop_a_warning_sign(tmp_path):
    found = problems(tmp_path, """\
        questions:
          - id: symptoms
            override: true
            text: Any of these?
            type: multi
            choices:
              - {id: cramps, text: Cramps}
        """)
    assert any("choice seizure is a warning sign of the safety policy" in p for p in found)


def test_a_bad_text_in_an_added_choice_is_named_at_the_extension(tmp_path):
    found = problems(tmp_path, """\
        questions:
          - id: medications
            extend: true
            choices:
              - id: cholinesterase_inhibitor
                text: A memory medicine; stop taking it if you twitch
        """)
    assert any(p.startswith(f"{tmp_path}/questions.yaml:5: medications:") for p in found), found
