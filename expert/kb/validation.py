"""Knowledge files judged against their JSON Schemas, each problem in plain words at the
line of the thing it is about.

fastjsonschema says quickly whether a file is valid (nearly every file is);
only for one that is not does jsonschema, slower to import and to run, list
every error with its path, which is turned into ``path:line: id: message``.
Values no schema can judge (dates, NaN, huge numbers, deep nesting) are
reported by a scan before either sees the file.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from ..errors import Problem
from ..text import brief
from .schema import KEBAB, SNAKE, schema
from .yamlsource import PLAIN_DEPTH, PLAIN_INT, LineDict, LineList, remembers

MAX_DEPTH = PLAIN_DEPTH  # nesting deeper than any knowledge file needs
MAX_INT = PLAIN_INT  # integers beyond any count, threshold or rank a file needs
PATTERN_WORDS = {
    KEBAB: "kebab-case (lower-case words joined by -, like my-rule)",
    SNAKE: "snake_case (lower-case words joined by _, like my_fact)",
    "^S[0-9]{2}[a-z]?$": "a source id like S03",
    "^[A-Z]+-[0-9]+[a-z]?$": "a reference fact id like MG-15",
}
TYPE_WORDS = {"number": "a number", "integer": "a whole number", "string": "text",
              "boolean": "true or false", "array": "a list", "object": "a mapping (key: value)",
              "null": "nothing"}


COUNTED = {  # validator -> how a count is said: "needs at least 2 items"
    "minItems": ("needs at least", "item"), "maxItems": ("takes at most", "item"),
    "minLength": ("needs at least", "character"),
    "minProperties": ("needs at least", "key"), "maxProperties": ("takes at most", "key"),
}


class _Hazard(str):
    """Stands in for a value no schema can judge (a date, NaN): reported once, by the scan."""


_VALIDATED: dict[tuple[str, str, str], tuple[list[Problem], set[tuple[str, Any]]]] = {}


def validate_text(text: str, data: Any, kind: str, path: str
                  ) -> tuple[list[Problem], set[tuple[str, Any]]]:
    """``validate`` for ``data`` parsed from ``text``, remembered per text: a process that
    loads the knowledge again (kb check, kb test, a test per extension) judges each
    unchanged file once."""
    key = (text, kind, path)
    if key not in _VALIDATED:
        if not remembers(text, path):
            return validate(data, kind, path)
        if len(_VALIDATED) > 4096:
            _VALIDATED.clear()
        _VALIDATED[key] = validate(data, kind, path)
    problems, bad = _VALIDATED[key]
    return list(problems), set(bad)


def validate(data: Any, kind: str, path: str) -> tuple[list[Problem], set[tuple[str, Any]]]:
    """Every schema problem of ``data``, each at the line of the thing it is about, in plain
    words; and what they break: (section, item index), (section, None) for a whole
    section, ("", None) for the whole file."""
    problems: list[Problem] = []
    bad: set[tuple[str, Any]] = set()
    safe = data if getattr(data, "plain", False) else _scan(data, [], problems, bad, path,
                                                              data)
    if ("", None) in bad:
        return problems, bad
    if not problems and _passes(kind, safe):
        return problems, bad
    for error in _validator(kind).iter_errors(safe):
        if isinstance(_best(error).instance, _Hazard):
            continue
        where = list(error.absolute_path)
        bad.add(_breaks(where, error.validator))
        line = _line(data, where)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})),
                           key=str)
            if extra and isinstance(data, LineDict):
                line = _line(data, [*where, extra[0]])
        problems.append(Problem(path, line, _rule_id(data, where), _message(error)))
    return problems, bad


@functools.cache
def _validator(kind: str) -> Any:
    """jsonschema's validator: every error, with its path (slow, so only for a file that
    has one)."""
    from jsonschema import Draft202012Validator  # only on a cache miss: it is slow to import

    return Draft202012Validator(schema(kind))


@functools.cache
def _compiled(kind: str) -> Any:
    """The same schema compiled to Python by fastjsonschema: ten times faster, but it
    stops at the first error, so it only says whether a file is valid.  The schemas use
    nothing of JSON Schema newer than draft 7, which it reads."""
    import fastjsonschema

    body = {k: v for k, v in _without_const(schema(kind)).items()
            if k not in ("$schema", "$id")}
    code = fastjsonschema.compile_to_code(
        {"$schema": "http://json-schema.org/draft-07/schema#", **body},
        detailed_exceptions=False)
    # Each nested condition's place ("data.when.all[3]") is formatted from locals() for
    # messages never read here: half the time of validating a large rule file.
    code = code.replace(".format(**locals())", "")
    namespace: dict[str, Any] = {}
    exec(compile(code, f"<{kind} schema>", "exec"), namespace)  # what compile() does
    return namespace["validate"]


def _without_const(node: Any) -> Any:
    """The schema as fastjsonschema checks it fastest, judging the same.  ``const: x`` is
    said as ``enum: [x]``: the same test, which it can compile without detailed
    exceptions (its ``const`` then fails to compile); detailed exceptions format every
    failed branch of a oneOf, a third of validating a large rule file, and only pass or
    fail is asked of it here.  A oneOf whose branches take values of different types
    (a bare answer, a list, a test) is an anyOf: no value can pass two of them, and
    anyOf stops at the branch that passes, where oneOf tries every branch and raises
    an exception in each that fails."""
    if isinstance(node, list):
        return [_without_const(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {("enum" if key == "const" else "anyOf" if key == "oneOf" and _exclusive(value)
             else key):
            [_without_const(value)] if key == "const" else _without_const(value)
            for key, value in node.items()}


def _exclusive(branches: list[Any]) -> bool:
    """Whether no value can be of the types of two of these branches (an integer is a
    number)."""
    seen: set[str] = set()
    for branch in branches:
        types = _types(branch)
        if types is None or types & seen:
            return False
        seen |= types
    return True


def _types(branch: Any) -> set[str] | None:
    """The types of value a schema can pass; None when it does not say."""
    if not isinstance(branch, dict):
        return None
    if "type" in branch:
        said = branch["type"]
        return {"number" if t == "integer" else t
                for t in ([said] if isinstance(said, str) else said)}
    either = branch.get("oneOf") or branch.get("anyOf")
    if not either:
        return None
    found: set[str] = set()
    for item in either:
        types = _types(item)
        if types is None:
            return None
        found |= types
    return found


def _passes(kind: str, data: Any) -> bool:
    """Whether ``data`` is valid, the fast way (tests/test_schema_fast.py holds it to the
    same answers as jsonschema)."""
    from fastjsonschema import JsonSchemaException

    try:
        _compiled(kind)(data)
    except JsonSchemaException:
        return False
    return True


def _breaks(where: list[Any], validator: str) -> tuple[str, Any]:
    if not where:
        return ("", None) if validator == "type" else ("", "root")
    if len(where) >= 2 and isinstance(where[1], int):
        return (str(where[0]), where[1])
    return (str(where[0]), None)


def _scan(node: Any, where: list[Any], problems: list[Problem], bad: set[tuple[str, Any]],
          path: str, root: Any) -> Any:
    """A copy jsonschema can judge without failing; what it cannot is reported here."""

    def report(message: str, at: list[Any]) -> None:
        problems.append(Problem(path, _line(root, at), _rule_id(root, at), message))
        bad.add(_breaks(at, "scan") if at else ("", None))

    if len(where) > MAX_DEPTH:
        report(f"nested more than {MAX_DEPTH} levels deep", where[:1])
        return _Hazard("deep")
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if not isinstance(key, str):
                report(f"{_dotted(where, 'key')} {_brief(key)} is not text: quote it", where)
                key = _Hazard(str(key))
            out[key] = _scan(value, [*where, key], problems, bad, path, root)
        return out
    if isinstance(node, list):
        return [_scan(item, [*where, i], problems, bad, path, root) for i, item in enumerate(node)]
    if isinstance(node, bool) or node is None or isinstance(node, str):
        return node
    if isinstance(node, float) and not math.isfinite(node):
        report(f"{_dotted(where)} must be a finite number, not {node}", where)
        return _Hazard("nan")
    if isinstance(node, int | float):
        if abs(node) > MAX_INT:
            report(f"{_dotted(where)} is too large a number ({_brief(node)})", where)
            return _Hazard("large")
        return node
    kind = type(node).__name__
    words = {"date": "a date", "datetime": "a date and time", "bytes": "binary data",
             "set": "a set"}.get(kind, f"a {kind}")
    report(f"{_dotted(where)} is {words}, which is not allowed here (quote it if it is text)",
           where)
    return _Hazard(kind)


def _dotted(where: list[Any], last: str = "") -> str:
    """Where in its item a value is: ``then.hypothesis: cf`` (the file's own keys when it
    has no items)."""
    item = list(where[2:] if len(where) >= 2 and isinstance(where[1], int) else where)
    if not item:
        return f"the item{' ' + last if last else ''}"
    *parent, name = _steps(item)
    named = (_joined(parent) + ": " if parent else "") + name
    return named + (f" {last}" if last else "")


def _steps(path: list[Any]) -> list[str]:
    """Keys as they are, a list position joined to its list: ``sources[0]``."""
    steps: list[str] = []
    for part in path:
        if isinstance(part, int) and steps:
            steps[-1] += f"[{part}]"
        else:
            steps.append(str(part))
    return steps


def _joined(steps: list[str]) -> str:
    return ".".join(steps)


def _brief(value: Any, limit: int = 80) -> str:
    return brief(value, limit, as_json=False)


def _line(data: Any, path: Any) -> int:
    node, line = data, getattr(data, "line", 1)
    for part in path:
        in_dict = isinstance(node, LineDict) and part in node
        in_list = isinstance(node, LineList) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            line = node.line_of(part)
        else:
            break
        node = node[part]
    return line


def _rule_id(data: Any, path: Any) -> str:
    parts = list(path)
    listed = parts[:1] in (["rules"], ["questions"], ["computed"], ["constraints"])
    if len(parts) >= 2 and listed and isinstance(parts[1], int):
        try:
            item = data[parts[0]][parts[1]]
            ident = item.get("id", "") if isinstance(item, dict) else ""
            return ident if isinstance(ident, str) else ""
        except (IndexError, KeyError, TypeError):
            return ""
    return ""


def _message(error: Any) -> str:
    """jsonschema's error in plain words, prefixed by where in the item it is."""
    error = _best(error)
    path = list(error.absolute_path)
    item = _steps(path[2:] if len(path) >= 2 and isinstance(path[1], int) else path)
    if error.validator in ("additionalProperties", "required", "minProperties"):
        item = [*item, ""]  # about the mapping itself: say where it is in full
    name = item[-1] if item else "the file"
    prefix = _joined(item[:-1])
    text = _plain(error, name)
    return f"{prefix}: {text}" if prefix else text


def _best(error: Any) -> Any:
    """For oneOf/anyOf, the error of the branch the value was meant for: one whose own
    type fits, deepest first; the error itself when no branch fits at all."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        fitting = [e for e in error.context if not (e.validator == "type"
                                                    and not list(e.relative_path))]
        if not fitting:
            return error
        error = max(fitting, key=lambda e: (len(list(e.relative_path)),
                                            e.validator not in ("required", "not")))
    return error


def _plain(error: Any, name: str) -> str:
    validator, value, got = error.validator, error.validator_value, _brief(error.instance)
    if validator == "type":
        kinds = value if isinstance(value, list) else [value]
        return f"{name} needs {' or '.join(TYPE_WORDS.get(k, k) for k in kinds)}; got {got}"
    if validator in ("oneOf", "anyOf"):
        kinds = sorted({TYPE_WORDS.get(b.get("type"), "a mapping") for b in value
                        if isinstance(b.get("type"), str)} | ({"a mapping"} if any(
                            "properties" in b for b in value) else set()))
        return f"{name} needs {' or '.join(kinds) or 'another form'}; got {got}"
    if validator == "enum":
        choices = ", ".join(str(v) for v in value[:12]) + (", ..." if len(value) > 12 else "")
        return f"{name} must be one of {choices}; got {got}"
    if validator == "const":
        return f"{name} must be {value!r}; got {got}"
    if validator == "required":
        return error.message.replace("is a required property", "is required")
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed), key=str)
        return f"unknown key {', '.join(map(_brief, extra))}; allowed: {', '.join(allowed)}"
    if validator == "pattern":
        return f"{name} {got} is not {PATTERN_WORDS.get(value, 'in the expected form')}"
    if validator in ("minimum", "maximum"):
        word = "at least" if validator == "minimum" else "at most"
        return f"{name} must be {word} {value}; got {got}"
    if validator in COUNTED:
        at, noun = COUNTED[validator]
        if validator == "maxProperties" and value == 1:
            return f"{name} takes exactly one key (one operator); got {got}"
        if validator == "minLength" and value == 1:
            return f"{name} must not be empty"
        return f"{name} {at} {value} {noun}{'s' if value != 1 else ''}"
    if validator == "uniqueItems":
        return f"{name} lists the same item twice"
    if validator == "not":
        return f"{name} {got} is not allowed here"
    if validator == "propertyNames":
        return f"{name}: {error.message}"
    return error.message if len(error.message) <= 160 else error.message[:157] + "..."
