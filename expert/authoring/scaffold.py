"""``kb new``: commented skeletons of a rule, hypothesis, note or question, with a case
beside them, that ``kb check`` accepts with only "fill this in" warnings.

Every text to write says FILL IN (lint warns until it is replaced); every condition and
certainty is a working placeholder, so the skeleton loads, its case passes, and the
author edits something that already runs.  Files that exist are extended round trip
(comments kept); nothing is overwritten.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..fileio import read_text, write_atomic
from ..kb import schema
from .fmt import round_trip_yaml
from .lint import FILL_IN

KINDS = ("rule", "hypothesis", "note", "question")
KEBAB = re.compile(schema.KEBAB)  # the ids the schemas accept
SNAKE = re.compile(schema.SNAKE)

HEADER = """\
# yaml-language-server: $schema={schema}
# {what}. Replace every FILL IN, then run:
#   twitchdx kb check --kb {folder}    (every problem at its line)
#   twitchdx kb test --kb {folder}     (the cases beside the rules)
"""

RULE = """\
  - id: {id}
    title: FILL IN a short title, as a person reads it
    status: experimental      # stable once its cases pass and it has been reviewed
    when:                     # the answers (and facts) it needs: see knowledge/README.md
      all:
        - twitch_at_rest: true
        - age: {{at_least: 118}}
    then:                     # or hypothesis:, referral:, advice:, tests:, facts:
      note: {{id: {note}, cf: 0.05}}
    because: FILL IN why, in plain words, as every explanation will say it.
    sources: [S01]            # the reference's source ids (reference.yaml)
"""

HYPOTHESIS_RULES = """\
  # Evidence: a risk factor and a symptom each derive a fact and give some certainty.
  - id: {kebab}-risk-factor
    title: FILL IN the risk factor
    when: {{conditions: {{includes: malabsorption}}}}
    then:
      hypothesis: {{id: {id}, cf: 0.3}}   # moderate: one recognised risk factor
      facts: [{id}_risk]
    because: FILL IN how this raises the chance of it, with the source's words.
    sources: [S01]
  - id: {kebab}-symptom
    title: FILL IN the compatible symptom
    when: {{symptoms: {{includes: fatigue}}}}
    then:
      hypothesis: {{id: {id}, cf: 0.2}}
      facts: [{id}_symptoms]
    because: FILL IN why this symptom fits it.
    sources: [S01]
  - id: {kebab}-risk-with-symptoms
    title: FILL IN a risk factor together with its symptoms
    when: {{all: [{{fact: {id}_risk}}, {{fact: {id}_symptoms}}]}}
    then:
      hypothesis: {{id: {id}, cf: 0.3}}   # strong only together, as the reference says
    because: FILL IN why the two together make it likely.
    sources: [S01]
  # Ceilings: what "likely" needs, as every shipped hypothesis has them.
  - id: {kebab}-likely-needs-a-risk-factor
    title: Without a risk factor, it is at most possible
    when: {{not: {{fact: {id}_risk}}}}
    then:
      hypothesis: {{id: {id}, at_most: 0.45}}
    because: FILL IN why symptoms alone make it possible, never likely.
    sources: [S01]
  - id: {kebab}-likely-needs-symptoms
    title: Without symptoms of it, it is at most possible
    when: {{not: {{fact: {id}_symptoms}}}}
    then:
      hypothesis: {{id: {id}, at_most: 0.45}}
    because: FILL IN why a risk factor alone makes it possible, never likely.
    sources: [S01]
  - id: {kebab}-weak-items-stay-low
    title: Without a risk factor or symptom, it stays low
    when: {{all: [{{not: {{fact: {id}_risk}}}}, {{not: {{fact: {id}_symptoms}}}}]}}
    then:
      hypothesis: {{id: {id}, at_most: 0.15}}
    because: FILL IN why weak items alone never make it possible.
    sources: [S01]
"""

CASE = """\
# yaml-language-server: $schema=../../schema/case.schema.json
id: {id}
title: FILL IN what this case shows
answers:
{answers}expect:
{expect}"""


def scaffold(kind: str, ident: str, folder: Path) -> list[Path]:
    """Write the skeleton of ``kind`` named ``ident`` into the knowledge ``folder`` (made,
    with a kb.yaml, if it does not exist); returns the files written."""
    if kind not in KINDS:
        raise InputError(f"kb new makes one of {', '.join(KINDS)}, not {kind!r}")
    pattern, shape = (KEBAB, "kebab-case (low-magnesium-diet)") if kind == "rule" else \
        (SNAKE, "snake_case (vitamin_b12)")
    if not pattern.match(ident):
        fixed = re.sub(r"[^a-z0-9]+", "-" if kind == "rule" else "_", ident.lower()).strip("-_")
        raise InputError(f"{ident!r}: a {kind} id is {shape}; try {fixed!r}")
    kebab = ident.replace("_", "-")
    rules = folder / "rules" / f"{kebab}.yaml"
    case = folder / "rules" / f"{kebab}.cases" / f"{kebab}.yaml"
    for path in (rules, case):
        if path.exists():
            raise InputError(f"{path}: already exists; kb new never overwrites a file")
    written = _manifest(folder)
    header = HEADER.format(schema="../schema/rules.schema.json", folder=folder,
                           what=f"A new {kind}, {ident}")
    if kind == "hypothesis":
        written.append(_add_entry(folder / "catalog.yaml", "hypotheses", {
            "id": ident, "label": f"{FILL_IN} the name a person reads",
            "text": f"{FILL_IN}: possible, confirm with a blood test (which one)."}))
        body = HYPOTHESIS_RULES.format(id=ident, kebab=kebab)
        answers = "  conditions: [malabsorption]\n  symptoms: [fatigue]\n"
        expect = f"  at_least: {{{ident}: 0.5}}\n  fires: [{kebab}-risk-with-symptoms]\n"
    elif kind == "note":
        written.append(_add_entry(folder / "catalog.yaml", "notes", {
            "id": ident, "label": f"{FILL_IN} the trigger as a person reads it"}))
        body = RULE.format(id=f"{kebab}-trigger", note=ident)
        answers = "  twitch_at_rest: true\n  age: 118\n"
        expect = f"  notes_include: [{ident}]\n  fires: [{kebab}-trigger]\n"
    elif kind == "question":
        written.append(_add_entry(folder / "questions.yaml", "questions", {
            "id": ident, "text": f"{FILL_IN} the question as asked?", "type": "boolean",
            "section": "lifestyle", "help": f"{FILL_IN} what helps a person answer it."}))
        body = RULE.format(id=f"{kebab}-reads-it", note="stress").replace(
            "        - twitch_at_rest: true\n", f"        - {ident}: true\n")
        answers = f"  {ident}: true\n  age: 118\n"
        expect = f"  fires: [{kebab}-reads-it]\n"
    else:
        body = RULE.format(id=ident, note="stress")
        answers = "  twitch_at_rest: true\n  age: 118\n"
        expect = f"  fires: [{ident}]\n"
    rules.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(rules, header + "rules:\n" + body)
    case.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(case, CASE.format(id=kebab, answers=answers, expect=expect))
    return [*written, rules, case]


def _manifest(folder: Path) -> list[Path]:
    """A new knowledge folder gets its kb.yaml."""
    if (folder / "kb.yaml").exists() or (folder / "kb.yml").exists():
        return []
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-") or "local"
    path = folder / "kb.yaml"
    write_atomic(path, "# yaml-language-server: $schema=schema/kb.schema.json\n"
                       f"name: {name}\nversion: 0.1.0\n")
    return [path]


def _add_entry(path: Path, section: str, entry: dict[str, Any]) -> Path:
    """Append ``entry`` to the list ``section`` of a YAML file, round trip (comments kept);
    the file is made if it does not exist.  An id already there is refused."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    yaml = round_trip_yaml()
    kind = {"questions.yaml": "questions", "catalog.yaml": "catalog"}[path.name]
    data = yaml.load(read_text(path)) if path.exists() else None
    if data is None:
        data = CommentedMap()
        data.yaml_set_start_comment(f"yaml-language-server: $schema=schema/{kind}.schema.json")
    items = data.get(section)
    if items is None:
        items = data[section] = CommentedSeq()
    if any(isinstance(item, dict) and item.get("id") == entry["id"] for item in items):
        raise InputError(f"{path}: {section} already has {entry['id']}")
    items.append(CommentedMap(entry))
    out = io.StringIO()
    yaml.dump(data, out)
    write_atomic(path, out.getvalue())
    return path
