"""The knowledge cache as data, never code: a checked base kept in a file and read back
into the model's own types, with nothing else able to come out of it.

A cache file is one header line, ``{"twitchdx_cache": FORMAT, "key": ..., "crc32":
...}``, then the payload.  Read, it is used only if its key is the one asked for and
the payload's checksum matches (a truncated or damaged entry is a miss, rebuilt), and
only from a folder the user owns and no one else can write (a shared or
world-writable cache is neither read nor written: that, not the checksum, is what
keeps anyone else from planting an entry).

The payload is KnowledgeBase's arguments, pickled, and read by an unpickler that can
name one thing: ``_made``, which makes one of the model's NamedTuples, by a fixed
table, from exactly its fields.  A pickle calls nothing but what it names, so one
that names anything else (a function, a class, even the model's own constructors,
whose defaults would fill a missing field) is a miss before anything is looked up:
the pickle documentation's "Restricting Globals", for data one did not write.  The
rest of a payload is plain data: text, numbers, tuples and dicts.  A pickle, not
JSON: C reads it, where JSON's reader called Python for each of the shipped base's
8,000 tuples (1.5 ms against 5.6 of every cold start).  Each text is written once
however often it comes (at 14,000 rules 450,000 strings, 41,000 of them different),
so it is made once when read and kept once in memory.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
from binascii import crc32  # imported by the libraries already: sha256 took a millisecond
from pathlib import Path
from typing import Any

from ..language import conditions, model
from ..language.model import KnowledgeBase

try:  # the C unpickler itself: pickle.py would take 1.2 ms more of every start to import
    from _pickle import Unpickler, UnpicklingError
except ImportError:  # pragma: no cover - an interpreter without it
    from pickle import Unpickler, UnpicklingError  # type: ignore[assignment]

FORMAT = 3
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


TYPES = _named_tuples()  # the only types a cache file can make


def _made(name: str, fields: tuple[Any, ...]) -> tuple[Any, ...]:
    """The model's NamedTuple ``name`` of exactly these fields: the one thing a cache file
    can call (never its constructor, whose defaults would fill a missing field)."""
    kind = TYPES[name]
    if type(fields) is not tuple or len(fields) != len(kind._fields):
        raise ValueError(f"a {name} of {len(fields)} fields")
    return tuple.__new__(kind, fields)


class _MadeOnly(Unpickler):
    """Reads a payload that names ``_made``, and nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) != (__name__, "_made"):
            raise UnpicklingError(f"a cache entry names {module}.{name}")
        return _made


def _shared(value: Any, texts: dict[str, str]) -> Any:
    """``value`` with each equal text one object (so the pickle writes it once), and
    nothing in it but what a cache entry may hold; a subclass of text or number
    becomes the plain one, as a reader would name no class for it."""
    kind = type(value)
    if isinstance(value, str):
        text = value if kind is str else str.__str__(value)
        return texts.setdefault(text, text)
    if value is None or kind is bool or kind is int or kind is float:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (int if isinstance(value, int) else float)(value)
    if kind is tuple:
        return tuple([_shared(item, texts) for item in value])
    if kind is dict:
        return {_shared(key, texts): _shared(item, texts) for key, item in value.items()}
    if TYPES.get(kind.__name__) is kind:
        return tuple.__new__(kind, [_shared(item, texts) for item in value])
    raise TypeError(f"cannot cache a {kind.__name__}")


def dumps(kb: KnowledgeBase, key: str) -> bytes:
    import pickle  # only when an entry is written

    class MadeBy(pickle.Pickler):
        def reducer_override(self, value: Any) -> Any:
            kind = type(value)
            if TYPES.get(kind.__name__) is kind:  # and _shared let through nothing else
                return _made, (kind.__name__, tuple(value))
            return NotImplemented

    written = io.BytesIO()
    MadeBy(written, protocol=5).dump(_shared({name: getattr(kb, name) for name in FIELDS},
                                             {}))
    payload = written.getvalue()
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
        kwargs = _MadeOnly(io.BytesIO(payload)).load()
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
