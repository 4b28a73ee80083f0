"""The sealed safety policy: a knowledge folder may add to it, never loosen it; every
printed text is read as a person reads it; unchecked warning signs change the voice."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES

EMERGENCY = str(EXAMPLES / "emergency-tetany.json")


def folder(path, files: dict[str, str]):
    """A knowledge folder of these files (kb.yaml added)."""
    (path / "rules").mkdir(parents=True, exist_ok=True)
    files = {"kb.yaml": "name: hostile\nversion: '1'\n", **files}
    for relative, text in files.items():
        target = path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def rule(advice: str = "", when: str = "{age: {at_least: 30}}", then: str = "",
         extra: str = "", rid: str = "hostile-rule") -> str:
    """A rule file with one rule; ``advice`` is one advice item's text (care, inform)."""
    item = f"{{kind: care, does: {{inform: true}}, text: {json.dumps(advice)}}}"
    body = then or (f"{{advice: {item}}}" if advice else "{note: {id: stress, cf: 0.1}}")
    return f"""\
rules:
  - id: {rid}
    title: A rule under test
    when: {when}
    then: {body}
    because: Written to test the safety policy.
    sources: [S01]{extra}
"""


SEIZURE_OVERRIDE = """\
rules:
  - id: emergency-seizure
    title: A seizure
    when: {symptoms: {includes: seizure}}
    then: {referral: self_care}
    because: Written to test the safety policy.
    sources: [S01]
    override: true
"""

HOSTILE = {
    # catalog keys that would loosen the policy, without any override:
    "lower-warning-level": {"catalog.yaml": "warning_signs: {level: routine}\n"},
    "negation-everything": {"catalog.yaml": "forbidden_advice: {negation: '^'}\n",
                            "rules/r.yaml": rule("Stop taking your PPI and start potassium "
                                                 "supplements.")},
    "replace-intents": {"catalog.yaml": "forbidden_advice:\n  intents:\n"
                        "    - {id: nothing, says: nothing, pattern: 'zzz'}\n"},
    "empty-contraindication": {"catalog.yaml": textwrap.dedent("""\
        contraindications:
          - id: potassium-foods-with-kidney-disease
            when: {conditions: {includes: diabetes}}
            forbids: {eat: [tofu]}
            because: replaces the policy's own
        """)},
    "old-style-contraindication": {"catalog.yaml": textwrap.dedent("""\
        contraindications:
          - id: my-own
            when: {conditions: {includes: diabetes}}
            forbids: {kinds: [diet], about: [potassium]}
            because: the old form, which forgets untagged advice
        """)},
    "safety-kind-not-kept": {"catalog.yaml": "advice_kinds:\n  - {id: safety, label: Safety}\n"},
    "new-rung": {"catalog.yaml": "levels:\n  - {id: whenever, rank: 6, label: Whenever, "
                                 "action: Any time.}\n"},
    "voice-fact": {"catalog.yaml": "warning_signs: {fact: never_derived}\n"},
    "seizure-to-rest": {"rules/r.yaml": SEIZURE_OVERRIDE},
    "palpitations-self-care": {
        "catalog.yaml": "warning_signs: {level: self_care}\n",
        "rules/r.yaml": rule(when="{symptoms: {includes: palpitations}}",
                             then="{referral: self_care}")},
    "redefine-symptoms": {"questions.yaml": textwrap.dedent("""\
        questions:
          - id: symptoms
            text: Anything?
            type: multi
            choices: [{id: seizure, text: A seizure}]
        """)},
    "impossible-branch": {"rules/r.yaml": rule(
        when="{any: [{symptoms: {includes: palpitations}}, {age: {at_least: 200}}]}",
        then="{referral: self_care}")},
    "contradictory-branch": {"rules/r.yaml": rule(
        when="{any: [{symptoms: {includes: palpitations}}, {all: [{age: {at_least: 70}}, "
             "{age: {below: 30}}]}]}", then="{referral: self_care}")},
    "another-language-declared": {"kb.yaml": "name: hostile\nversion: '1'\nlanguage: fr\n"},
    # typed advice: what it asks is read from the text too
    "untagged-bananas": {"rules/r.yaml": rule(
        when="{symptoms: {includes: cramps}}",
        then="{advice: {kind: diet, does: {inform: true}, text: 'Eat bananas and potatoes "
             "for potassium.'}}")},
    "tagged-bananas-kidney": {"rules/r.yaml": rule(
        when="{symptoms: {includes: cramps}}",
        then="{advice: {kind: diet, does: {eat: [bananas, potatoes, potassium]}, text: 'Eat "
             "bananas and potatoes for potassium.'}}")},
    "diet-as-care": {"rules/r.yaml": rule(
        then="{advice: {kind: care, does: {eat: [nuts]}, text: 'Eat more nuts.'}}")},
    "magnesium-supplement-kidney": {"rules/r.yaml": rule(
        when="{conditions: {includes: kidney_disease}}",
        then="{advice: {kind: supplement, does: {supplement: [magnesium]}, text: 'Take a "
             "magnesium supplement of 200 mg.'}}")},
    "salt-substitute-kidney": {"rules/r.yaml": rule(
        when="{conditions: {includes: kidney_disease}}",
        then="{advice: {kind: care, does: {inform: true}, text: 'Use LoSalt instead of salt.'}}")},
}

REPHRASINGS = [
    "Discontinue your omeprazole.",
    "Before bed, stop your diuretic.",
    "Arrêtez de prendre votre oméprazole.",
    "St\u043ep taking your PPI.",  # a Cyrillic o
    "Stop tak\u200bing your lansoprazole.",  # a zero-width space
    "Do not worry, stop your PPI.",
    "Potassium chloride tablets help: buy some.",
    "Take Slow-K twice a day.",
    "Come off your bendroflumethiazide.",
    "Take 500 mg of magnesium a day.",
    "Take two 200 mg magnesium tablets.",
    "Your PPI should be stopped.",
    "Quit the pills for a week.",
    "Halve your dose of Nexium.",
    "Why not skip your Lasix?",
    "Stop taking, for now, your omeprazole.",
]
for index, text in enumerate(REPHRASINGS):
    HOSTILE[f"rephrased-{index}"] = {"rules/r.yaml": rule(text)}
HOSTILE["split-over-two-items"] = {"rules/r.yaml": rule(then=(
    "{advice: [{kind: care, does: {inform: true}, text: 'Stop taking your'}, "
    "{kind: care, does: {inform: true}, text: 'omeprazole now.'}]}"))}
HOSTILE["pronoun-in-the-next-item"] = {"rules/r.yaml": rule(then=(
    "{advice: [{kind: care, does: {inform: true}, text: 'You may take omeprazole.'}, "
    "{kind: care, does: {inform: true}, text: 'Stop it now.'}]}"))}
HOSTILE["in-a-conflict"] = {"rules/r.yaml": rule(then="{conflict: 'Answers disagree; stop "
                                                      "your furosemide until they agree.'}")}
HOSTILE["in-a-title"] = {"rules/r.yaml": rule().replace("A rule under test",
                                                        "Stop your steroid tablets")}
HOSTILE["in-a-because"] = {"rules/r.yaml": rule().replace("Written to test the safety policy.",
                                                          "Quit your Ventolin inhaler.")}
HOSTILE["in-a-question"] = {"questions.yaml": textwrap.dedent("""\
    questions:
      - id: my_question
        text: Do you twitch at night?
        help: If so, stop your bisphosphonate.
        type: boolean
    """)}
HOSTILE["in-a-test-label"] = {"catalog.yaml": "tests:\n  - {id: my_test, label: "
                                              "\"Start potassium tablets, then test\"}\n"}
HOSTILE["in-a-disclaimer"] = {"kb.yaml": "name: hostile\nversion: '1'\ndisclaimer: Stop any "
                                         "medicine that you think causes twitching.\n"}
HOSTILE["in-a-reference-fact"] = {"reference.yaml": "facts:\n  - {id: HOST-01, statement: "
                                                    "\"Stop your digoxin at once.\"}\n"}
HOSTILE["in-a-forbidden-phrase-of-its-own"] = {
    "catalog.yaml": "forbidden_advice: {phrases: [cold turkey]}\n",
    "rules/r.yaml": rule("Quitting coffee cold turkey is best.")}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_hostile_folder_is_refused(runner, cli, tmp_path, name):
    local = str(folder(tmp_path, HOSTILE[name]))
    checked = runner.invoke(cli, ["kb", "check", "--kb", local])
    assert checked.exit_code != 0, checked.stdout
    consulted = runner.invoke(cli, ["consult", "--answers", EMERGENCY, "--kb", local])
    assert consulted.exit_code == 2, consulted.stderr
    assert consulted.stdout == ""
    line = consulted.stderr.strip().splitlines()[0]
    assert str(tmp_path) in line or "hostile" in line or ".yaml:" in line, line


@pytest.mark.parametrize("name,said", [
    ("lower-warning-level", "would lower what a warning sign leads to below within_days"),
    ("negation-everything", "negation belongs to the package's safety policy"),
    ("empty-contraindication", "the safety policy's cannot be replaced"),
    ("safety-kind-not-kept", "advice kinds belong to the package's safety policy"),
    ("new-rung", "the referral ladder belongs to the package's safety policy"),
    ("redefine-symptoms", "question symptoms is already defined"),
    ("impossible-branch", "concludes self_care, but it can only fire with a warning sign"),
    ("contradictory-branch", "concludes self_care, but it can only fire with a warning sign"),
    ("untagged-bananas", "the text tells people to eat bananas (rich in potassium), "
                         "potassium-rich foods, potatoes (rich in potassium), but does: does "
                         "not say so; add eat: [bananas, potassium, potatoes]"),
    ("tagged-bananas-kidney", "potassium-foods-with-kidney-disease"),
    ("diet-as-care", "care advice cannot ask to eat"),
    ("magnesium-supplement-kidney", "magnesium-supplements-with-kidney-disease"),
    ("salt-substitute-kidney", "start-potassium-supplements"),
    ("rephrased-2", "not in the knowledge's language (en, kb.yaml)"),
    ("rephrased-3", "mixes letters of two alphabets"),
    ("rephrased-4", "hides U+200B ZERO WIDTH SPACE"),
    ("rephrased-9", "supplement-above-the-upper-limit"),
    ("in-a-conflict", "conflict tells people to stop, reduce or change a prescribed medicine"),
    ("in-a-reference-fact", "HOST-01: fact text tells people to stop"),
    ("in-a-forbidden-phrase-of-its-own", "phrase:cold turkey"),
])
def test_refusals_say_where_and_what_to_write(runner, cli, tmp_path, name, said):
    local = str(folder(tmp_path, HOSTILE[name]))
    result = runner.invoke(cli, ["kb", "check", "--kb", local])
    assert said in result.stdout, result.stdout


def test_a_folder_may_add_to_the_policy(runner, cli, tmp_path):
    local = str(folder(tmp_path, {
        "catalog.yaml": textwrap.dedent("""\
            warning_signs: {drops_advice: [care]}
            forbidden_advice: {phrases: [cold turkey]}
            contraindications:
              - id: no-chocolate-with-diabetes
                when: {conditions: {includes: diabetes}}
                forbids: {eat: [dark_chocolate]}
                because: an example of a contraindication of one's own
            """),
        "rules/r.yaml": rule(then="{advice: {kind: diet, does: {eat: [nuts]}, text: 'Eat "
                                  "more nuts.'}}")}))
    assert runner.invoke(cli, ["kb", "check", "--kb", local]).exit_code == 0
    assert runner.invoke(cli, ["consult", "--answers", EMERGENCY, "--kb", local]).exit_code == 0
    chocolate = rule(when="{conditions: {includes: diabetes}}", then=(
        "{advice: {kind: diet, does: {eat: [dark_chocolate]}, text: 'Eat dark chocolate.'}}"))
    (tmp_path / "rules" / "r.yaml").write_text(chocolate)
    refused = runner.invoke(cli, ["kb", "check", "--kb", local])
    assert "no-chocolate-with-diabetes" in refused.stdout  # its own addition is enforced


def test_the_shipped_knowledge_prints_nothing_forbidden(kb):
    from expert.kb.printed import fields
    from expert.policy.screen import forbidden

    assert not [(owner, what) for _, _, owner, what, texts in fields(kb, {})
                if forbidden([t for t in texts if t])]


def test_a_warning_sign_of_the_policy_cannot_lose_its_flag(tmp_path):
    from expert.errors import KnowledgeError
    from expert.kb.loader import load_knowledge, package_knowledge

    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(package_knowledge(), copy, ignore=shutil.ignore_patterns("__pycache__"))
    questions = copy / "questions.yaml"
    text = questions.read_text().replace(
        '"Irregular, racing or skipped heartbeats", red_flag: true',
        '"Irregular, racing or skipped heartbeats", red_flag: routine')
    questions.write_text(text)
    with pytest.raises(KnowledgeError) as refused:
        load_knowledge((copy,), package=False, use_cache=False)
    assert "palpitations is a warning sign the safety policy sets to at least within_days; " \
           "red_flag: routine would lower it" in str(refused.value)


# ---------------------------------------------------------------- the voice


def test_only_age_and_location_answered_is_not_reassured(runner, cli, tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("age: 40\ntwitch_locations: [eyelid]\n")
    text = runner.invoke(cli, ["consult", "--answers", str(answers)]).stdout
    first = text.splitlines()[:3]
    assert first[0] == "WARNING SIGNS NOT CHECKED"
    assert "holds only if none of them is present" in " ".join(" ".join(first).split())
    assert "A seizure or convulsion" in text
    assert text.index("A seizure") < text.index("REFERRAL:")
    assert "(ONLY IF NONE OF THE ABOVE)" in text
    for banned in ("Nothing here needs a doctor", "7 in 10", "common", "harmless"):
        assert banned not in text
    report = json.loads(runner.invoke(cli, ["consult", "--answers", str(answers),
                                            "--format", "json"]).stdout)
    referral = report["referral"]
    assert referral["warning_signs_checked"] is False
    assert {"question": "symptoms", "choice": "seizure", "level": "emergency"}.items() <= \
        next(u for u in referral["unchecked_warning_signs"] if u["choice"] == "seizure").items()
    markdown = runner.invoke(cli, ["consult", "--answers", str(answers), "--format",
                                   "markdown"]).stdout
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Warning signs not checked"  # first, after who and when
    assert "7 in 10" not in markdown


def test_a_consultation_that_checked_every_warning_sign_reassures(runner, cli):
    text = runner.invoke(cli, ["consult", "--answers", str(EXAMPLES / "eyelid-coffee.yaml")])
    assert text.stdout.startswith("REFERRAL: SELF-CARE")
    assert "7 in 10 healthy people" in text.stdout
    report = json.loads(runner.invoke(cli, ["consult", "--answers",
                                            str(EXAMPLES / "eyelid-coffee.yaml"), "--format",
                                            "json"]).stdout)
    assert report["referral"]["warning_signs_checked"] is True
    assert report["referral"]["unchecked_warning_signs"] == []


def test_a_question_about_a_warning_sign_counts_only_while_it_matters(kb):
    from expert.consult.answers import check_answers
    from expert.consult.consultation import consult

    weak = consult(kb, check_answers(kb, {"symptoms": ["weakness"], "age": 50}))
    assert "sudden_onset" in [u.question for u in weak.unchecked]
    calm = consult(kb, check_answers(kb, {"symptoms": [], "age": 50}))
    assert "sudden_onset" not in [u.question for u in calm.unchecked]
    settled = consult(kb, check_answers(kb, {"symptoms": ["weakness"], "sudden_onset": False}))
    assert "sudden_onset" not in [u.question for u in settled.unchecked]


WARNING_QUESTIONS = ["symptoms", "sudden_onset", "swallowing_choking", "tingling_worsening"]


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), left=st.sets(st.sampled_from(WARNING_QUESTIONS), min_size=1))
def test_no_reassurance_while_a_warning_sign_is_unknown(kb, seed, left):
    import random

    from synthetic import random_answers

    from expert.consult.answers import check_answers
    from expert.consult.consultation import consult
    from expert.consult.contract import build_report
    from expert.policy.reading import sentences
    from expert.policy.voice import reassuring
    from expert.report.render import render_markdown, render_text

    answers = random_answers(random.Random(seed))
    answers.update({q: None for q in left})
    answers.pop("pregnant", None)
    result = consult(kb, check_answers(kb, answers))
    if not result.quiet:  # nothing it could still change: the report may reassure
        return
    report = build_report(result)
    printed = [render_text(report), render_markdown(report)]
    printed += [a["text"] for a in report["advice"]] + [report["referral"]["action"]]
    for text in printed:
        assert not [s for s in sentences(text) if reassuring(s)], text


# ---------------------------------------------------------------- screening, as a property

STOPS = ["stop", "discontinue", "quit", "cease", "come off", "halt", "skip", "reduce",
         "cut down", "give up", "halve", "drop", "switch", "taper off", "wean off"]
MEDICINES = ["your PPI", "the omeprazole", "your bendroflumethiazide", "your furosemide",
             "your tablets", "the prednisolone", "your Ventolin", "your digoxin",
             "your water pills", "the medicine", "your dose", "your alendronate"]
OPENERS = ["", "Before bed, ", "Tonight, ", "If the twitching is bad ", "Do not worry, ",
           "Relax, then "]


def _disguise(text: str, how: int) -> str:
    if how == 1:  # a Cyrillic look-alike letter
        return text.replace("o", "\u043e", 1)
    if how == 2:  # a zero-width space inside a word
        return text[:3] + "\u200b" + text[3:]
    if how == 3:
        return text.upper()
    if how == 4:  # a soft hyphen
        return text[:2] + "\u00ad" + text[2:]
    return text


@settings(max_examples=300, deadline=None)
@given(verb=st.sampled_from(STOPS), medicine=st.sampled_from(MEDICINES),
       opener=st.sampled_from(OPENERS), how=st.integers(0, 4))
def test_a_disguised_instruction_to_stop_a_medicine_is_always_read(verb, medicine, opener, how):
    from expert.kb.printed import screen_printed  # noqa: F401 - the loader's screen
    from expert.policy.reading import disguised_words, hidden_characters
    from expert.policy.screen import forbidden

    text = _disguise(f"{opener}{verb} {medicine}.", how)
    caught = forbidden([text]) or hidden_characters(text) or disguised_words(text)
    assert caught, text


@settings(max_examples=150, deadline=None)
@given(verb=st.sampled_from(["take", "start", "try", "buy", "use", "add"]),
       what=st.sampled_from(["potassium supplements", "Slow-K", "potassium chloride",
                             "a salt substitute", "K+ tablets", "potassium tablets",
                             "LoSalt", "a potassium supplement"]),
       opener=st.sampled_from(OPENERS))
def test_an_instruction_to_start_potassium_is_always_read(verb, what, opener):
    from expert.policy.screen import forbidden

    assert forbidden([f"{opener}{verb} {what}."])


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(verb=st.sampled_from(STOPS), medicine=st.sampled_from(MEDICINES),
       opener=st.sampled_from(OPENERS), how=st.integers(0, 4),
       where=st.sampled_from(["advice", "because", "conflict"]))
def test_no_random_hostile_folder_prints_a_forbidden_instruction(tmp_path_factory, verb,
                                                                  medicine, opener, how, where):
    from expert.errors import KnowledgeError
    from expert.kb.loader import load_knowledge

    text = _disguise(f"{opener}{verb} {medicine}.", how)
    body = rule(text) if where == "advice" else (
        rule().replace("Written to test the safety policy.", json.dumps(text))
        if where == "because" else rule(then="{conflict: " + json.dumps(text + " Really.") + "}"))
    local = folder(tmp_path_factory.mktemp("hostile"), {"rules/r.yaml": body})
    with pytest.raises(KnowledgeError):
        load_knowledge((local,), use_cache=False)


# ---------------------------------------------------------------- calibration


def test_evidence_counted_twice_through_a_derived_fact_is_refused(runner, cli, tmp_path):
    twice = """\
rules:
  - id: vd-low-calcium-signs
    title: Tingling with a vitamin D risk, counted for vitamin D and as its symptom
    when:
      all:
        - fact: vitamin_d_risk
        - symptoms: {includes_any: [tingling_mouth, tingling_limbs, hand_spasm]}
    then:
      hypothesis: {id: vitamin_d, cf: 0.2}
      facts: [vitamin_d_symptoms]
    because: Written to test the verifier.
    sources: [S10]
    override: true
"""
    local = str(folder(tmp_path, {"rules/r.yaml": twice}))
    result = runner.invoke(cli, ["kb", "check", "--kb", local])
    assert result.exit_code == 1
    assert ("vd-risk-with-symptoms: gives vitamin_d +0.25 from fact vitamin_d_symptoms, which "
            "rule vd-low-calcium-signs") in result.stdout
    assert "the same evidence would be counted twice" in result.stdout


def test_a_fact_read_with_evidence_of_its_own_counts_once(kb):
    from expert.kb.verify import double_counting

    assert double_counting(kb) == []  # k-risk-with-symptoms reads a cause and its symptoms


def test_safety_problems_are_listed_with_load_errors(runner, cli, tmp_path):
    local = str(folder(tmp_path, {"rules/r.yaml": rule(
        when="{symptoms: {includes: cramps}}",
        then="{advice: {kind: diet, does: {eat: [bananas]}, text: 'Eat bananas.'}}")
        + "  - id: broken\n    title: No conditions at all\n    then: {}\n"}))
    result = runner.invoke(cli, ["kb", "check", "--kb", local])
    assert "broken:" in result.stdout
    assert "potassium-foods-with-kidney-disease" in result.stdout


def _walked(terms, words: list[str]) -> list[tuple[int, int, str]]:
    """Terms.find as first written: a match tried at every word."""
    out, at = [], 0
    while at < len(words):
        hit = terms.match(words, at)
        if hit:
            out.append((at, hit[0], hit[1]))
            at += hit[0]
        else:
            at += 1
    return out


VOCABULARY = ["stop", "stopping", "your", "dose", "potassium", "supplement", "take", "it",
              "magnesium", "the", "sto", "med", "medicine"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from([*VOCABULARY, "stop*", "med*"]), min_size=1,
                         max_size=3).map(" ".join), max_size=6),
       st.lists(st.sampled_from(VOCABULARY), max_size=12))
@example(["stop your", "your dose", "stop*"], ["stop", "your", "dose", "stopping", "it"])
def test_terms_are_found_where_a_walk_over_every_word_finds_them(entries, words):
    from expert.policy.sealed import Terms

    terms = Terms(entries)
    assert terms.find(words) == _walked(terms, words)


SPOKEN = ["stop", "stopping", "quit", "your", "it", "warfarin", "medicine", "ppi", "pills",
          "potassium", "magnesium", "slow-k", "tablets", "take", "500", "mg", "daily", "do",
          "not", "rule", "synthetic", "sleep", "well", "and", "discontinue", "stopped", "was",
          "prescribed", "prescription", "keep", "the", "on"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SPOKEN), min_size=1, max_size=10).map(" ".join),
       st.booleans())
def test_a_sentence_opening_no_cue_gives_the_screens_nothing_to_read(sentence, before):
    """screen._screened reads a sentence fully only when a word opens like one of the
    cues; one that opens none must be one the full reading finds nothing in."""
    from expert.policy import screen
    from expert.policy.sealed import lexicon
    from expert.policy.sentence import Sentence

    s = Sentence(sentence, lexicon())
    if screen._cued(s):
        return
    assert screen._stops(s, before) + screen._potassium(s) + screen._limits(s) == []
    assert not s.mentions_medicine()


def _lists_of_the_lexicon():
    from expert.policy import screen
    from expert.policy.sealed import lexicon

    lex = lexicon()
    return [screen._cue_terms(), (lex.reassurance,),
            (lex.foods, lex.nutrients, lex.supplement_brands, lex.substances, lex.medicines)]


WRITTEN = [*SPOKEN, "harmless", "common", "Nothing", "coffee", "Caffeine", "banana-rich",
           "magnesium-based", "Slow-K", "(entry", "12).", "so.", "\u2019s", "ST\u039fP",
           "caf\u00e9", "omeprazole", "don't", "usually", "iron-", "-free", "k+", "vitamin",
           "d3", ",", ";"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(WRITTEN), min_size=1, max_size=12).map(" ".join),
       st.sampled_from([0, 1, 2]))
@example("Drawn rule 12 says so.", 0)
@example("Keep a banana-rich diet.", 2)
def test_a_sentence_plainly_lacking_a_list_has_nothing_of_it_found(sentence, which):
    """plainly_lacks is told from the sentence's text, not its words: when it says no
    entry of the lists can be found, reading the sentence must find none."""
    from expert.policy.sentence import plainly_lacks, read

    lists = _lists_of_the_lexicon()[which]
    if plainly_lacks(sentence, lists):
        assert [terms for terms in lists if read(sentence).find(terms)] == []


def test_most_plain_sentences_are_never_read_into_words():
    from expert.policy.sentence import plainly_lacks

    cues, reassurance, named = _lists_of_the_lexicon()
    plain = "Drawn rule 12 says which muscles twitch (entry 40)."
    assert plainly_lacks(plain, cues) and plainly_lacks(plain, named)
    assert not plainly_lacks("Stop your warfarin.", cues)
    assert not plainly_lacks("Eat banana-rich meals.", named)  # a part of a compound
    assert not plainly_lacks("It is usually harmless.", reassurance)


def test_a_medicine_named_in_a_sentence_before_is_what_it_stops():
    from expert.policy import screen

    assert screen.forbidden(["Your warfarin matters. Stop it now."])
    assert not screen.forbidden(["Your sleep matters. Stop it now."])
