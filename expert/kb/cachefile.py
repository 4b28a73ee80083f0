"""The knowledge cache as data, never code: a checked base written as JSON and read back
into the model's own types, with nothing else able to come out of it.

A cache file is one header line, ``{"twitchdx_cache": FORMAT, "key": ..., "crc32":
...}``, then the payload.  Read, it is used only if its key is the one asked for and
the payload's checksum matches (a truncated or damaged entry is a miss, rebuilt), and
only from a folder the user owns and no one else can write (a shared or
world-writable cache is neither read nor written: that, not the checksum, is what
keeps anyone else from planting an entry).  The payload names only the model's
NamedTuples, by a fixed table; any other name, a wrong field count or a malformed
value is a miss, never a guess.

Encoding: a tuple is ``{"t": [...]}``, one of (text, value) pairs ``{"p": [text,
value, ...]}`` (a rule's line table, its evidence: a third of the objects, each
decoded by a call of Python), a dict ``{"d": [[key, value], ...]}`` and a NamedTuple
``{"n": "Ask", "f": [...]}``; strings, numbers, booleans and null are themselves.
The base holds no lists or sets, so nothing is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from binascii import crc32  # imported by the libraries already: sha256 took a millisecond
from pathlib import Path
from typing import Any

from ..language import conditions, model
from ..language.model import KnowledgeBase

FORMAT = 2
FIELDS = ("manifests", "questions", "rules", "levels", "hypotheses", "notes", "tests",
          "sources", "evidence", "fingerprint", "advice_kinds", "voice", "constraints",
          "sections", "forbidden_phrases", "contraindications", "overridden", "calm",
          "language")  # KnowledgeBase's arguments: its indexes are rebuilt from them


def _named_tuples() -> dict[str, type]:
    found = {}
    for module in (model, conditions):
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, tuple) and \
                    hasattr(value, "_fields") and value.__module__ == module.__name__:
                found[name] = value
    return found


TYPES = _named_tuples()  # the only types a cache file can name
_SCALARS = (str, bool, int, float)  # a pair's value, as JSON keeps it (its type and all)


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, tuple):
        if hasattr(value, "_fields"):
            name = type(value).__name__
            if TYPES.get(name) is not type(value):
                raise TypeError(f"cannot cache a {name}")
            return {"n": name, "f": [_encode(v) for v in value]}
        if value and all(type(item) is tuple and len(item) == 2 and type(item[0]) is str
                         and (item[1] is None or type(item[1]) in _SCALARS)
                         for item in value):
            return {"p": [part for item in value for part in item]}
        return {"t": [_encode(v) for v in value]}
    if isinstance(value, dict):
        return {"d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot cache a {type(value).__name__}")


SHARED_FROM = 1 << 20  # bytes of payload: a base this large keeps each value once


def _decoder(shared: bool) -> Any:
    """json's object_pairs_hook for one payload: every object of it is one of the three
    wrappers, its keys in the order dumps writes them.  (A pairs hook, not an object
    hook: no dict is made for each wrapper, a third of reading the shipped base,
    which every cold start does.)

    ``shared``: each text is kept once however often it comes (an operator, a key of a
    rule's line table, a source id: at 14,000 rules 450,000 strings, 41,000 of them
    different).  Only texts: equal tuples are not always alike (``True == 1``), so
    conditions are not shared.  It costs 6 ms on the shipped base, which every cold
    start reads, and saves little there; so only a large payload is read so."""
    texts: dict[str, str] = {}
    make = tuple.__new__  # a NamedTuple from its fields, once their number is checked

    def kept(items: list[Any]) -> list[Any]:
        return [texts.setdefault(item, item) if type(item) is str else item
                for item in items] if shared else items

    def decode(pairs: list[tuple[str, Any]]) -> Any:
        if len(pairs) == 1:
            (key, value), = pairs
            if key == "t" and type(value) is list:
                return tuple(kept(value))
            if key == "p" and type(value) is list and len(value) % 2 == 0 and all(
                    type(text) is str for text in value[::2]):
                value = kept(value)
                return tuple(zip(value[::2], value[1::2], strict=True))
            if key == "d" and type(value) is list:
                return {key: value for key, value in value} if not shared else {
                    texts.setdefault(key, key) if type(key) is str else key: value
                    for key, value in value}
        elif len(pairs) == 2:
            (n, name), (f, fields) = pairs
            kind = TYPES.get(name) if n == "n" and f == "f" and type(fields) is list \
                else None
            if kind is not None and len(fields) == len(kind._fields):
                return make(kind, kept(fields))
        raise ValueError("not a cache payload")

    return decode


def dumps(kb: KnowledgeBase, key: str) -> bytes:
    payload = json.dumps(_encode({name: getattr(kb, name) for name in FIELDS}),
                         ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    header = json.dumps({"twitchdx_cache": FORMAT, "key": key, "crc32": crc32(payload)})
    return header.encode("ascii") + b"\n" + payload


def loads(data: bytes, key: str) -> KnowledgeBase | None:
    """The base in ``data`` if it is a whole, unaltered entry for ``key``; else None."""
    try:
        head, _, payload = data.partition(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("twitchdx_cache") != FORMAT or \
                header.get("key") != key or header.get("crc32") != crc32(payload):
            return None
        kwargs = json.loads(payload, object_pairs_hook=_decoder(len(payload) >= SHARED_FROM))
        if not isinstance(kwargs, dict) or set(kwargs) != set(FIELDS):
            return None
        kb = KnowledgeBase(**kwargs)
    except Exception:  # anything malformed is a miss: the base is built again
        return None
    return kb


def private_folder(folder: Path) -> bool:
    """Make ``folder`` (0700) if need be; True only if it is the user's own and no one
    else can write it, so no one else can plant or edit an entry."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    private = stat.S_ISDIR(info.st_mode) and mine and not info.st_mode & 0o022
    if private and info.st_mode & 0o077:  # an older folder others could read: close it
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
    return private
