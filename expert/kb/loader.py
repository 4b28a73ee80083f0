"""Find knowledge folders and load them, from the cache when nothing has changed.

A knowledge folder holds ``kb.yaml`` (name and version) and any of
``questions.yaml``, ``catalog.yaml``, ``reference.yaml`` and ``rules/*.yaml``, each
rule file with its test cases beside it (``rules/magnesium.cases/*.yaml``).
The package's own folder comes first; folders from ``TWITCHDX_KB`` and ``--kb``
follow, adding questions, conclusions and rules, and replacing a rule only
where the later rule says ``override: true``.

Parsing, validating (builder.py) and proving safe (safety.py) happen only when
the files' content has changed since the last run: the checked base is cached
under a hash of every file's content, so a consultation pays none of them.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import __version__
from ..errors import InputError, KnowledgeError, Problem, UnreadableFile
from ..fileio import read_bytes, read_text, write_atomic
from ..language.model import KnowledgeBase
from .digest import blake2b


def package_knowledge() -> Path:
    """The shipped knowledge folder: the package expert.knowledge's folder, found by the
    import system (importlib.resources would import tempfile, shutil and zipfile on
    every cold start, for a folder that is always a folder)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("expert.knowledge")
    except ModuleNotFoundError:
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the shipped knowledge (package expert.knowledge) is not installed; "
                         "install twitchdx with pip")
    return Path(next(iter(spec.submodule_search_locations)))


ENV_KB = "TWITCHDX_KB"
ENV_CACHE = "TWITCHDX_CACHE"
CACHE_FORMAT = 8  # bump when cached knowledge changes shape


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
        if top_file(d, "kb") is None:
            raise InputError(f"{d}: no kb.yaml; a knowledge folder must name itself and its "
                             "version in kb.yaml")
        if os.path.realpath(d) not in [os.path.realpath(u) for u in unique]:
            unique.append(d)
    return unique


def knowledge_files(folder: Path) -> list[tuple[str, Path]]:
    """(kind, path) of every knowledge file in a folder, in load order.

    Rule files are read from ``rules/`` and its subfolders, ``.yaml`` or ``.yml``;
    a folder that cannot be read, or links back into itself, is an error.
    """
    files = []
    for kind in ("kb", "questions", "catalog", "reference"):
        path = top_file(folder, kind)
        if path is not None:
            files.append((kind, path))
    return files + [("rules", path) for path in yaml_files(folder / "rules", cases=False)]


CASES = ".cases"  # rules/magnesium.cases/ holds the test cases of rules/magnesium.yaml


def in_case_folder(path: Path, root: Path) -> bool:
    """Whether ``path`` (a file below ``root``) sits in a folder of test cases."""
    return any(part.endswith(CASES) for part in path.relative_to(root).parts[:-1])


def case_files(folder: Path) -> list[Path]:
    """The test cases of a knowledge folder: those beside its rule files, then those in
    ``cases/`` (cases that test no one rule file, and the layout of older folders)."""
    beside = [path for path in yaml_files(folder / "rules")
              if in_case_folder(path, folder / "rules")]
    return beside + yaml_files(folder / "cases")


def top_file(folder: Path, kind: str) -> Path | None:
    """``kind.yaml`` or ``kind.yml`` in the folder, even a broken link or a folder of that
    name (reading it then says what is wrong); both at once is an error."""
    found = [path for path in (folder / f"{kind}.yaml", folder / f"{kind}.yml")
             if path.exists() or path.is_symlink()]
    if len(found) > 1:
        raise KnowledgeError([Problem(str(found[1]), 0, "", f"{found[0].name} is here too; "
                                      "keep one of them")])
    return found[0] if found else None


def yaml_files(root: Path, cases: bool = True) -> list[Path]:
    """Every .yaml and .yml file below ``root`` (if it exists), sorted, subfolders included;
    ``cases=False``: not those in folders of test cases, which are not even listed (a
    consultation reads the rules beside 200 case files on every start).

    A folder that cannot be listed, or a link that leads back to a folder already
    read, is reported: knowledge must never be skipped silently.
    """
    if not root.is_dir():
        if root.exists() or root.is_symlink():
            raise KnowledgeError([Problem(str(root), 0, "", "is not a folder; rule and case "
                                          "files go in a folder of this name")])
        return []
    found: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    pending: list[tuple[Path, bool]] = [(root, True)]  # (path, a folder?): depth first,
    while pending:  # in name order, so a folder's files come where the folder does
        entry, folder = pending.pop()
        if not folder:
            found.append(entry)
            continue
        real = Path(os.path.realpath(entry))  # a looping link does not raise here
        if real in seen:
            problems.append(Problem(str(entry), 0, "", "this folder links back to one already "
                                    "read (a loop); its files are not read twice"))
            continue
        seen.add(real)
        try:
            entries = sorted(entry.iterdir())
        except OSError as exc:
            problems.append(Problem(str(entry), 0, "", "cannot be read "
                                    f"({exc.strerror or exc}); its rules would be missing"))
            continue
        inside = [(e, e.is_dir()) for e in entries if not e.name.startswith(".")]
        pending += reversed([(e, is_folder) for e, is_folder in inside
                             if ((cases or not e.name.endswith(CASES)) if is_folder
                                 else e.suffix in (".yaml", ".yml"))])
    if problems:
        raise KnowledgeError(problems)
    return found


def load_knowledge(extra: tuple[str | Path, ...] = (), use_cache: bool = True,
                   package: bool = True, experimental: bool = True) -> KnowledgeBase:
    """Load, validate, prove safe and cache the knowledge base; KnowledgeError lists every
    problem (exit 2), an unsafe knowledge set included, with its counterexample.
    ``experimental=False``: without the rules marked experimental (checked again so)."""
    files = all_files(knowledge_dirs(extra, package))
    cache = _cache_path(files, experimental) if use_cache else None
    if cache is not None:
        kb = _read_cache(cache)
        if kb is not None:
            return kb  # cached only after the checks below passed
    texts = read_knowledge(files)
    from .builder import Proofs, build
    from .safety import check
    from .verify import double_counting

    def counted_twice(kb: KnowledgeBase) -> list[Problem]:  # what the load refuses of it
        return [p for p in double_counting(kb, warnings=False) if p.severity == "error"]

    with collector_paused():  # what the base must pass before anyone is advised from it
        kb, problems = build(texts, experimental, Proofs(counted_twice, check))
        if problems or kb is None:
            raise KnowledgeError(problems)
    if cache is not None:
        _write_cache(cache, kb)
    return kb


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector held off while a knowledge base is built: every object made
    lives on, and at 14,000 rules the collections that walk them all are a third of
    the load (the CLI keeps it off for the whole command; this is for any caller).

    A base that was built is then frozen (gc.freeze): it holds no reference cycle, so
    refcounting frees it as ever, and the collector, turned back on, never walks it;
    else the first collections after a load walk all of it again (0.3 s at 14,000
    rules).  Building leaves next to no cyclic garbage to be frozen with it (closures
    that call themselves drop their own name when done).  A failed build is not
    frozen: its traceback's cycles must be collected."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    except BaseException:
        if enabled:
            gc.enable()
        raise
    if enabled:
        gc.freeze()
        gc.enable()


def all_files(dirs: list[Path]) -> list[tuple[str, Path]]:
    """(kind, path) of every knowledge file of these folders, in load order."""
    return [file for folder in dirs for file in knowledge_files(folder)]


def read_knowledge(files: list[tuple[str, Path]]) -> list[tuple[str, Path, str]]:
    """(kind, path, text) of each file."""
    return [(kind, path, read_text(path)) for kind, path in files]


def _cache_path(files: list[tuple[str, Path]], experimental: bool = True) -> Path | None:
    """Where the checked base is cached: keyed by the bytes of every knowledge file (so
    an edit is never missed), by where they are shown from, and by the checking code
    (its files' size and modification time, as Python keys bytecode).  None: no cache,
    or a file that cannot be read whole, which reading it again then reports.

    The bytes, not the text: a start that finds the base cached decodes nothing."""
    setting = os.environ.get(ENV_CACHE)
    if setting is not None and setting.strip().lower() in ("", "0", "off", "no"):
        return None
    digest = blake2b(f"{CACHE_FORMAT}|{__version__}|{sys.version_info[:2]}|"
                     f"{Path.cwd()}|{experimental}".encode(), digest_size=16)
    stamps = _code_stamps(os.path.dirname(os.path.dirname(os.path.realpath(__file__))))
    if stamps is None:
        return None
    for stamp in stamps:
        digest.update(stamp.encode())
    for kind, path in files:
        try:
            data = read_bytes(path)
        except UnreadableFile:
            return None
        digest.update(f"\0{kind}\0{path}\0{len(data)}\0".encode("utf-8", "surrogatepass"))
        digest.update(data)
    if setting:
        root = Path(setting)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        root = Path(base) / "twitchdx"
    return root / f"kb-{digest.hexdigest()}.cache"


BUILDERS = ("kb", "language", "policy")  # the package's folders that build a base: with
# its own modules, all a build imports (tests/test_loader.py holds it to that)


def _code_stamps(package: str) -> list[str] | None:
    """Path, size and modification time of each file of the program that shapes a built
    base (the package's own modules and those of BUILDERS, the policy's YAML), in path
    order; None if one cannot be read.  Listed with os.scandir: pathlib's rglob took a
    millisecond of every start, and the other folders half of what is left."""
    stamps: list[str] = []
    policy = os.path.join(package, "policy")
    folders = [package]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__" and (
                                folder != package or entry.name in BUILDERS):
                            folders.append(entry.path)
                    elif entry.name.endswith(".py") or (
                            entry.name.endswith(".yaml") and folder == policy):
                        info = entry.stat()
                        stamps.append(f"\0{entry.path}\0{info.st_size}\0{info.st_mtime_ns}")
        except OSError:
            return None
    return sorted(stamps)


def _read_cache(path: Path) -> KnowledgeBase | None:
    """The cached base, if the entry is whole, unaltered and in a private folder (see
    cachefile.py); anything else is a miss."""
    from .cachefile import loads, private_folder

    if not private_folder(path.parent):
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return loads(data, path.stem)


def _write_cache(path: Path, kb: KnowledgeBase) -> None:
    from .cachefile import dumps, private_folder

    if not private_folder(path.parent):
        return  # a folder others can write is not a cache: never fill it
    try:
        write_atomic(path, dumps(kb, path.stem))  # 0600, as mkstemp makes it
        old = sorted(path.parent.glob("kb-*.cache"), key=lambda p: p.stat().st_mtime)
        older = [*path.parent.glob("kb-*.pickle"), *path.parent.glob("kb-*.json")]
        for stale in [*old[:-16], *older]:
            stale.unlink(missing_ok=True)  # and entries of older formats
    except (OSError, TypeError):
        pass  # the cache only saves time; never fail a consultation over it
