"""Find knowledge folders and load them, from the cache when nothing has changed.

A knowledge folder holds ``kb.yaml`` (name and version) and any of
``questions.yaml``, ``catalog.yaml``, ``reference.yaml`` and ``rules/*.yaml``.
The package's own folder comes first; folders from ``TWITCHDX_KB`` and ``--kb``
follow, adding questions, conclusions and rules, and replacing a rule only
where the later rule says ``override: true``.

Parsing and validating (builder.py) happen only when the files' content has
changed since the last run: the validated base is cached under a checksum of
every file, as Python caches bytecode, so a consultation pays neither YAML
parsing nor schema validation.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from pathlib import Path

from .. import __version__
from ..errors import InputError, KnowledgeError
from ..fileio import read_text, write_atomic
from ..language.model import KnowledgeBase


def package_knowledge() -> Path:
    """The shipped knowledge folder, read as package data (importlib.resources)."""
    from importlib.resources import files

    try:
        return Path(str(files("expert.knowledge")))
    except ModuleNotFoundError:
        raise InputError("the shipped knowledge (package expert.knowledge) is not installed; "
                         "install twitchdx with pip") from None


ENV_KB = "TWITCHDX_KB"
ENV_CACHE = "TWITCHDX_CACHE"
CACHE_FORMAT = 5  # bump when cached knowledge changes shape


def knowledge_dirs(extra: tuple[str | Path, ...] = (), package: bool = True) -> list[Path]:
    """The package's knowledge, then ``$TWITCHDX_KB`` folders, then ``--kb`` folders.

    ``package=False`` loads only ``extra`` (tests use small knowledge bases of their own).
    """
    dirs = [package_knowledge()] if package else []
    if package:
        env = os.environ.get(ENV_KB, "")
        dirs += [Path(p) for p in env.split(os.pathsep) if p]
    dirs += [Path(p) for p in extra]
    unique: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise InputError(f"{d}: knowledge folder not found")
        if not (d / "kb.yaml").is_file():
            raise InputError(f"{d}: no kb.yaml; a knowledge folder must name itself and its "
                             "version in kb.yaml")
        if d.resolve() not in [u.resolve() for u in unique]:
            unique.append(d)
    return unique


def knowledge_files(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every knowledge file in a folder, in load order."""
    files = [("kb", folder / "kb.yaml")]
    for kind in ("questions", "catalog", "reference"):
        if (folder / f"{kind}.yaml").is_file():
            files.append((kind, folder / f"{kind}.yaml"))
    rules_dir = folder / "rules"
    if rules_dir.is_dir():
        files += [("rules", p) for p in sorted(rules_dir.glob("*.yaml"))]
    return files


def load_knowledge(extra: tuple[str | Path, ...] = (), use_cache: bool = True,
                   package: bool = True) -> KnowledgeBase:
    """Load, validate and cache the knowledge base; raise KnowledgeError listing every problem."""
    files = all_files(knowledge_dirs(extra, package))
    cache = _cache_path(files) if use_cache else None
    if cache is not None:
        kb = _read_cache(cache)
        if kb is not None:
            return kb
    from .builder import build

    kb, problems = build(read_knowledge(files))
    if problems or kb is None:
        raise KnowledgeError(problems)
    if cache is not None:
        _write_cache(cache, kb)
    return kb


def all_files(dirs: list[Path]) -> list[tuple[str, Path]]:
    """(kind, path) of every knowledge file of these folders, in load order."""
    return [file for folder in dirs for file in knowledge_files(folder)]


def read_knowledge(files: list[tuple[str, Path]]) -> list[tuple[str, Path, str]]:
    """(kind, path, text) of each file."""
    return [(kind, path, read_text(path)) for kind, path in files]


def _cache_path(files: list[tuple[str, Path]]) -> Path | None:
    """Where the validated base is cached: keyed, as Python keys bytecode, by each file's
    path, size and modification time, and by the checker's own code."""
    setting = os.environ.get(ENV_CACHE)
    if setting is not None and setting.strip().lower() in ("", "0", "off", "no"):
        return None
    code = sorted(Path(__file__).parent.glob("*.py"))
    # paths in the base are shown relative to the working folder, so it is part of the key
    stamp = [f"{CACHE_FORMAT}|{__version__}|{sys.version_info[:2]}|{Path.cwd()}"]
    for kind, path in [("code", p) for p in code] + files:
        try:
            info = os.stat(path)
        except OSError:
            return None  # unreadable: let the loader report it
        stamp.append(f"{kind}\0{path}\0{info.st_size}\0{info.st_mtime_ns}")
    key = "\n".join(stamp).encode()
    crc, adler = zlib.crc32(key), zlib.adler32(key)
    if setting:
        root = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "twitchdx"
    return root / f"kb-{crc:08x}{adler:08x}.pickle"


def _read_cache(path: Path) -> KnowledgeBase | None:
    try:
        with path.open("rb") as handle:
            kb = pickle.load(handle)
    except Exception:  # a missing, stale or corrupt cache is only a miss
        return None
    return kb if isinstance(kb, KnowledgeBase) else None


def _write_cache(path: Path, kb: KnowledgeBase) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
        old = sorted(path.parent.glob("kb-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in old[:-16]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # the cache only saves time; never fail a consultation over it
