"""Safe YAML that remembers where every mapping, key and list item came from.

Knowledge and answers are written by people, so every error must point at a
``file:line``.  Mappings and lists load as dict/list subclasses that carry the
line of each key and item.  Only YAML's safe tags are understood, so nothing in
a file can construct Python objects, and a key given twice is an error rather
than a silent overwrite.
"""

from __future__ import annotations

import operator
import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import DataFileError
from ..fileio import read_text
from ..text import brief
from .jsonsource import LONGEST_NUMBER
from .limits import MAX_VALUES, check_shape

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping with ``line`` (where it starts) and ``key_lines`` (where each key is).
    Slots: a large rule file holds a hundred thousand of them."""

    __slots__ = ("key_lines", "line", "plain")  # plain: built by _quick, so nothing in
    # it is what validation.py would flag

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict[Any, int] = {}
        self.plain = False

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list with ``line`` (where it starts) and ``item_lines``."""

    __slots__ = ("item_lines", "line", "plain")

    def __init__(self, *args: Any):
        super().__init__(*args)
        self.line = 0
        self.item_lines: list[int] = []
        self.plain = False

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML read with YAML 1.2's core schema: ``010`` is ten, ``1:30`` is text, dates
    stay text, and only true/false are booleans (answers accept yes/no as words).  Only
    decimal numbers are numbers: ``0x1F`` or ``0o17`` as an age is a slip, kept as text
    and refused where it is used."""


_CORE = [
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^[-+]?[0-9]+$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
     r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
]
_Loader.yaml_implicit_resolvers = {}  # replaces YAML 1.1's (yes/no, octal, sexagesimal, dates)
for _tag, _pattern, _first in _CORE:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


def _resolve(loader: _Loader, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
    """A node's tag, as BaseResolver.resolve gives it without path resolvers (never
    added): libyaml asks for every node, and a rule file has hundreds of thousands."""
    if kind is yaml.ScalarNode:
        if implicit[0]:
            for tag, pattern in loader.yaml_implicit_resolvers.get(value[:1], ()):
                if pattern.match(value):
                    return tag
        return loader.DEFAULT_SCALAR_TAG
    return loader.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode \
        else loader.DEFAULT_MAPPING_TAG


_Loader.resolve = _resolve
# Path resolvers are never added, so libyaml's calls to descend and ascend them for
# every node need do nothing: builtins that take the same arguments do it in C.
_Loader.descend_resolver = staticmethod(operator.is_)
_Loader.ascend_resolver = staticmethod(tuple)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int | str:
    text = loader.construct_scalar(node)
    if len(text) > LONGEST_NUMBER:  # kept as text, and refused where a number is needed
        return text
    return int(text, 10)


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if text.lower() not in ("true", "false"):
        raise ValueError(f"{text[:40]!r} is not true or false")
    return text.lower() == "true"


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


class DuplicateKey(yaml.MarkedYAMLError):
    """A key given twice in one mapping: an error, not a silent overwrite."""

    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if key in data:
            raise DuplicateKey(
                None, None, f"key {key!r} appears twice in this mapping", key_node.start_mark
            )
        data[key] = _construct(loader, value_node, key)
        data.key_lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    for item in node.value:
        data.append(_construct(loader, item, None))
        data.item_lines.append(item.start_mark.line + 1)


def _construct(loader: _Loader, node: yaml.Node, key: Any) -> Any:
    """A value; one an explicit tag cannot hold (``!!int abc``) is an error at its line,
    naming its key."""
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError) as exc:
        named = f"{key if isinstance(key, str) else brief(key, 40)}: " if key is not None \
            else ""
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"{named}{brief(getattr(node, 'value', ''), 40)} cannot be read as "
            f"{tag}", node.start_mark) from exc


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


OPENED = ("while parsing a flow", "while scanning a quoted", "while scanning a simple key",
          "while scanning a block scalar")  # the error is where the thing was opened


REMEMBERED = 1 << 18  # texts up to this size are parsed once per process


def parse(text: str, path: str) -> Any:
    """Parse one YAML document; syntax errors become InputError naming ``path:line``.

    The line is the one to fix: for a bracket or quote left open, where it was
    opened (the parser notices only further on), otherwise where it went wrong.
    A process that loads the knowledge again (kb check after an edit, a test per
    extension) parses each unchanged file once, so what comes back is shared: read
    it, never change it (tests/test_loader.py holds every loader to that).
    """
    key = (text, path)
    if key in _PARSED:
        return _PARSED[key]
    global _kept
    data = _parse(text, path)
    if len(text) > REMEMBERED:
        return data
    while _PARSED and _kept + len(text) > REMEMBERED_IN_ALL:  # the oldest go first: a
        oldest = next(iter(_PARSED))  # large base, loaded once, is not held twice
        del _PARSED[oldest]
        _kept -= len(oldest[0])
    _PARSED[key] = data
    _kept += len(text)
    return data


_PARSED: dict[tuple[str, str], Any] = {}
REMEMBERED_IN_ALL = 1 << 21  # characters: the shipped knowledge and a few extensions
_kept = 0


def remembers(text: str, path: str) -> bool:
    """Whether ``parse`` keeps this file (so what is judged of it is worth keeping too)."""
    return (text, path) in _PARSED


def remembered() -> list[tuple[tuple[str, str], Any]]:
    """Every (text, path) parsed and kept, with what was handed out: for the test that
    nothing changes it."""
    return list(_PARSED.items())


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (
    _TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
PLAIN_DEPTH = 40  # deeper than this, or a value validation.py must flag: PyYAML's own way
PLAIN_INT = 10**12


class _Unusual(Exception):
    """Something the quick construction leaves to PyYAML's constructor (see _quick)."""


def _quick(text: str) -> Any:
    """The document built straight from libyaml's nodes, for a plain file: only text,
    numbers, true/false, null, mappings with text keys and lists, no alias, no other
    tag, and nothing validation.py would flag.  Anything else raises _Unusual, and the
    constructor above builds it (and reports what is wrong at its line).  A large rule
    file parses in half the time; tests/test_yamlsource.py holds both to the same
    values and lines.

    Every value is counted (as limits.check_shape counts them, so what passes here
    would pass there) and containers are held to PLAIN_DEPTH.  A file without an
    anchor (``&``) cannot hold an alias, so only one with an ``&`` somewhere is
    watched for a node met twice."""
    root = yaml.compose(text, Loader=_Loader)
    if root is None:
        return None
    seen: set[int] | None = set() if "&" in text else None
    count = 1
    new_dict, new_list, scalar = dict.__new__, list.__new__, yaml.ScalarNode

    def build(node: yaml.Node, depth: int) -> Any:
        nonlocal count
        kind = node.__class__
        if kind is scalar:
            return node.value if node.tag == _STR else _plain_value(node)
        count += len(node.value)
        if depth > PLAIN_DEPTH or count > MAX_VALUES:
            raise _Unusual  # too deep or large for this path
        if seen is not None:
            if id(node) in seen:
                raise _Unusual  # an alias
            seen.add(id(node))
        if kind is yaml.MappingNode and node.tag == _MAP:
            data = new_dict(LineDict)
            data.line, data.plain = node.start_mark.line + 1, False
            lines = data.key_lines = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if key_node.__class__ is not scalar or key_node.tag != _STR or key in data:
                    raise _Unusual  # a key that is not text, or a key given twice
                if value_node.__class__ is scalar and value_node.tag == _STR:
                    data[key] = value_node.value
                else:
                    data[key] = build(value_node, depth + 1)
                lines[key] = key_node.start_mark.line + 1
            return data
        if kind is yaml.SequenceNode and node.tag == _SEQ:
            data = new_list(LineList)
            data.line, data.plain = node.start_mark.line + 1, False
            data.item_lines = [item.start_mark.line + 1 for item in node.value]
            data += [item.value if item.__class__ is scalar and item.tag == _STR
                     else build(item, depth + 1) for item in node.value]
            return data
        raise _Unusual

    try:
        data = build(root, 1)
    finally:
        build = None  # type: ignore[assignment]  # the closure's cycle, broken: no garbage
    if isinstance(data, LineDict | LineList):
        data.plain = True
    return data


def _plain_value(node: yaml.ScalarNode) -> Any:
    """A scalar that is not text, as the constructor would build it; _Unusual for one
    the quick path leaves to it."""
    tag, written = node.tag, node.value
    if tag == _INT and len(written) <= LONGEST_NUMBER:
        number = int(written, 10)
        if abs(number) <= PLAIN_INT:
            return number
    elif tag == _FLOAT:  # .inf and .nan are not Python's: ValueError
        number = float(written)
        if abs(number) <= PLAIN_INT:
            return number
    elif tag == _BOOL and written.lower() in ("true", "false"):  # !!bool maybe: no
        return written.lower() == "true"
    elif tag == _NULL:
        return None
    raise _Unusual


def _parse(text: str, path: str) -> Any:
    try:
        try:
            return _quick(text)  # counted as it was built: check_shape's limits hold
        except (_Unusual, RecursionError, ValueError):  # ValueError: !!int abc
            data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        problem = exc.problem or exc.context or "unexpected content"
        opened = exc.context_mark is not None and (exc.context or "").startswith(OPENED)
        mark = exc.context_mark if opened else exc.problem_mark or exc.context_mark
        if opened:
            problem = f"{exc.context.removeprefix('while ')} that is not closed: {problem}"
        raise DataFileError(path, mark.line + 1 if mark else 0, problem) from None
    except yaml.YAMLError as exc:
        raise DataFileError(path, 0, str(exc)) from None
    except RecursionError:
        raise DataFileError(path, 0, "nested too deeply") from None
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError,
            IndexError) as exc:  # an explicit tag on a value it cannot hold
        raise DataFileError(path, 0, f"a value cannot be read: {brief(str(exc), 80)}") \
            from None
    return check_shape(data, path)


def load(path: Path) -> Any:
    """Read and parse a YAML file."""
    return parse(read_text(path), str(path))
