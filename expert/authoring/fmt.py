"""``kb fmt``: rule and case files in one canonical layout, comments kept.

The layout: keys in the order the schema lists them (a rule's id, title, status...
when, then, because, sources, evidence; a case's id, title... answers, expect),
two-space mappings with list items indented under their key, quotes and comments as
written, ``null`` spelt out, no line re-wrapped.  ruamel.yaml reads and writes the
files round trip, so only what is out of place moves.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..kb.schema import schema

WIDTH = 4096  # never re-wrap: an author's line breaks are part of the text


def round_trip_yaml() -> Any:
    """ruamel.yaml as kb fmt and kb new read and write: comments, quotes and line breaks
    kept, the project's indentation."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = WIDTH
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # [{fact: x}] stays so
    yaml.representer.add_representer(type(None), lambda rep, _value: rep.represent_scalar(
        "tag:yaml.org,2002:null", "null"))
    return yaml


def _orders() -> dict[str, list[str]]:
    rule = schema("rules")["properties"]["rules"]["items"]["properties"]
    case = schema("case")["properties"]
    return {"rule": list(rule), "then": list(rule["then"]["properties"]),
            "belief": ["id", "cf", "at_most"], "case": list(case),
            "expect": list(case["expect"]["properties"])}


def _reorder(mapping: Any, order: list[str]) -> None:
    """Keys of ``order`` first, in that order, the rest after as they were; a key keeps
    its comments as it moves."""
    if not hasattr(mapping, "move_to_end"):
        return
    rank = {key: i for i, key in enumerate(order)}
    wanted = sorted(mapping, key=lambda key: (rank.get(key, len(rank)), list(mapping).index(key)))
    if wanted != list(mapping):
        for key in wanted:
            mapping.move_to_end(key)


def _canonical(data: Any, kind: str) -> None:
    orders = _orders()
    if kind == "case":
        _reorder(data, orders["case"])
        _reorder(data.get("expect"), orders["expect"])
        return
    for rule in data.get("rules") or ():
        _reorder(rule, orders["rule"])
        then = rule.get("then") if hasattr(rule, "get") else None
        _reorder(then, orders["then"])
        for key in ("hypothesis", "note"):
            beliefs = then.get(key) if hasattr(then, "get") else None
            for belief in beliefs if isinstance(beliefs, list) else [beliefs]:
                _reorder(belief, orders["belief"])


def formatted(text: str, kind: str) -> str:
    """The canonical layout of one rule (``rules``) or case (``case``) file."""
    yaml = round_trip_yaml()
    data = yaml.load(text)
    if data is None or not hasattr(data, "move_to_end"):
        return text  # nothing a layout applies to (kb check says what is wrong)
    _canonical(data, kind)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def targets(folders: list[Path]) -> list[tuple[str, Path]]:
    """(kind, path) of every rule and case file of these knowledge folders or files."""
    from ..kb.loader import case_files, knowledge_files

    found: list[tuple[str, Path]] = []
    for path in folders:
        if path.is_file():
            found.append(("case" if path.parent.name.endswith(".cases") or
                          path.parent.name == "cases" else "rules", path))
            continue
        found += [(kind, p) for kind, p in knowledge_files(path) if kind == "rules"]
        found += [("case", p) for p in case_files(path)]
    return found
