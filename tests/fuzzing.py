"""Hypothesis strategies that break knowledge files, and the property they must keep.

Whatever a rule, question, catalog, reference, kb or case file holds, and whatever
state its folder is in, checking it ends in a list of problems and loading it ends
in knowledge or a ``TwitchdxError``: never another exception.  ``kb check`` and the
loader agree on what refuses a base, and knowledge that loads can be consulted.

Used by ``tests/test_fuzz.py`` (a few hundred examples) and ``bench/fuzz.py``
(tens of thousands).  Seeds are the small test base and shipped rules: mutations of
real files reach further than random text does.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "kbs" / "mini"

SEED_CASE = """\
id: seed-case
title: A and a large N make h1 likely, and a routine check
answers: {a: true, n: 60, many: [green]}
expect:
  referral: routine
  leading: [h1, h2]
  fires: [fact-chain]
"""
EXTENSION_KB = "name: fuzz-extension\nversion: '1'\n"

# words the loader gives meaning to, so mutations land on real keys and ids
WORDS = ["id", "title", "when", "then", "because", "sources", "override", "cf", "at_most",
         "referral", "advice", "kind", "text", "does", "note", "hypothesis", "facts",
         "tests", "conflict", "all", "any", "not", "fact", "answered", "includes",
         "includes_any", "includes_all", "excludes", "at_least", "at_most", "above",
         "below", "equals", "in", "min", "max", "type", "choices", "red_flag", "core",
         "section", "constraints", "computed", "sum", "levels", "rank", "label", "action",
         "advice_kinds", "hypotheses", "notes", "forbidden_advice", "contraindications",
         "warning_signs", "answers", "expect", "leading", "low", "notes_include", "fires",
         "a", "b", "n", "pick", "many", "red", "h1", "h2", "caffeine", "t1", "S01",
         "emergency", "self_care", "routine", "base", "h1-from-a", "my-new-rule", "$schema"]
TOKENS = [":", ": ", "- ", "-", "{", "}", "[", "]", ",", '"', "'", "#", "&a ", "*a", "<<: *a",
          "!!python/object/apply:os.system ['true']", "!!binary ", "!!timestamp ", "!!int ",
          "!!float ", "!!str ", "!!set ", "!!omap ", "!custom ", "? ", "|", ">", "\t", "    ",
          "\n", "---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "\x00", "\ufeff",
          "\u202e", "\udcff", "~", "null", "yes", "no", "010", "0x1F", "1e400", ".nan",
          "-.inf", "2024-02-30", "1:30", "9" * 400, "é", "😀", "\\", "@", "`", "%"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([10 ** 400, -(2 ** 64), 2 ** 63]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(WORDS), st.dates(), st.datetimes(), st.binary(max_size=8))
keys = st.one_of(st.sampled_from(WORDS), st.text(max_size=12), st.integers(), st.none(),
                 st.booleans(), st.floats(allow_nan=False), st.dates())
junk = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


def _nodes(tree: Any, path: tuple = ()) -> list[tuple]:
    """Every path into a parsed document, the root included."""
    found = [path]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _nodes(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _nodes(value, (*path, index))
    return found


def _get(tree: Any, path: tuple) -> Any:
    for step in path:
        tree = tree[step]
    return tree


def _set(tree: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _get(tree, path[:-1])[path[-1]] = value
    return tree


@st.composite
def mutated_tree(draw: st.DrawFn, tree: Any) -> Any:
    """A parsed document with one to three structural edits an author might make."""
    tree = copy.deepcopy(tree)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_nodes(tree)))
        node = _get(tree, path)
        edit = draw(st.sampled_from(["replace", "delete", "add", "word", "wrap", "unwrap",
                                     "duplicate", "number"]))
        if edit == "replace":
            tree = _set(tree, path, draw(junk))
        elif edit == "delete" and path:
            del _get(tree, path[:-1])[path[-1]]
        elif edit == "add" and isinstance(node, dict):
            node[draw(keys)] = draw(st.one_of(junk, st.sampled_from(WORDS)))
        elif edit == "add" and isinstance(node, list):
            node.insert(draw(st.integers(0, len(node))), draw(junk))
        elif edit == "word":
            word = draw(st.sampled_from(WORDS))
            tree = _set(tree, path, draw(st.sampled_from([word, word + "s", word.upper(),
                                                          f" {word}", [word]])))
        elif edit == "wrap":
            tree = _set(tree, path, draw(st.sampled_from([[node], {"all": [node]},
                                                          {"any": [node]}, {"not": node}])))
        elif edit == "unwrap" and isinstance(node, (dict, list)) and node:
            inner = next(iter(node.values())) if isinstance(node, dict) else node[0]
            tree = _set(tree, path, copy.deepcopy(inner))
        elif edit == "duplicate" and isinstance(node, list) and node:
            node.append(copy.deepcopy(draw(st.sampled_from(node))))
        elif edit == "number":
            tree = _set(tree, path, draw(st.sampled_from(
                [0, -1, 1, 0.5, 1.5, -0.5, 1e308, float("nan"), float("inf"), 10 ** 30, True])))
    return tree


def _dump(tree: Any) -> str:
    try:
        return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    except yaml.YAMLError:  # a value PyYAML cannot write; write what it can
        return yaml.safe_dump(repr(tree))


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str | bytes:
    """The file's text with one to three edits a keyboard can make, or broken encoding."""
    lines = text.splitlines(keepends=True) or [""]
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["insert", "delete", "line", "indent", "truncate",
                                     "repeat"]))
        at = draw(st.integers(0, max(len(lines) - 1, 0)))
        line = lines[at]
        if edit == "insert":
            col = draw(st.integers(0, len(line)))
            lines[at] = line[:col] + draw(st.one_of(st.sampled_from(TOKENS),
                                                    st.text(max_size=4))) + line[col:]
        elif edit == "delete":
            col = draw(st.integers(0, len(line)))
            lines[at] = line[:col] + line[col + draw(st.integers(1, 8)):]
        elif edit == "line":
            del lines[at]
            lines = lines or [""]
        elif edit == "indent":
            lines[at] = draw(st.sampled_from(["  ", " ", "\t"])) + line \
                if draw(st.booleans()) else line.lstrip(" ")
        elif edit == "truncate":
            lines = [*lines[:at], line[:draw(st.integers(0, len(line)))]]
        else:
            lines.insert(at, line)
    result = "".join(lines)
    if draw(st.integers(0, 9)) == 0:  # bytes that are not UTF-8
        data = result.encode("utf-8", "surrogatepass")
        col = draw(st.integers(0, len(data)))
        return data[:col] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80",
                                                  b"\xfe\xff", b"\x00"])) + data[col:]
    return result


@st.composite
def broken_file(draw: st.DrawFn, text: str) -> str | bytes:
    """A broken version of a knowledge file: edited as data, or as text."""
    tree = yaml.safe_load(text)
    how = draw(st.sampled_from(["tree", "tree", "text", "junk", "empty"]))
    if how == "tree":
        return _dump(draw(mutated_tree(tree)))
    if how == "text":
        return draw(mutated_text(text))
    if how == "junk":
        return _dump(draw(junk))
    return draw(st.sampled_from(["", "\n", "---\n", "# only a comment\n", "~\n", "[]\n",
                                "{}\n", "---\n---\n", "a: 1\n---\nb: 2\n"]))


def _shipped_rules() -> list[dict]:
    rules = []
    for path in sorted((ROOT / "knowledge" / "rules").glob("*.yaml")):
        rules += (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("rules", [])
    return rules


SHIPPED_RULES = _shipped_rules()
# which file of the folder to break
BREAKABLE = ["kb.yaml", "questions.yaml", "catalog.yaml", "reference.yaml", "rules/mini.yaml",
           "cases/seed.yaml"]
FOLDER_STATES = ["directory", "missing", "self-link", "dangling-link", "yml", "subfolder",
                 "rules-is-file", "rules-loop"]


class Example(dict):
    """What one fuzz example writes: {relative path: text or bytes}, how the folder is
    arranged, and whether it extends the shipped knowledge or stands alone."""


@st.composite
def broken_folders(draw: st.DrawFn) -> Example:
    """A knowledge folder with one broken file or a broken folder state."""
    extension = draw(st.integers(0, 3)) == 0
    if extension:  # a shipped rule, copied into an extension and broken there
        picked = copy.deepcopy(draw(st.sampled_from(SHIPPED_RULES)))
        picked["id"] = draw(st.sampled_from([picked["id"], "fuzz-" + picked["id"]]))
        files: dict[str, str | bytes] = {"kb.yaml": EXTENSION_KB,
                                         "rules/ext.yaml": yaml.safe_dump({"rules": [picked]})}
        target = draw(st.sampled_from(["rules/ext.yaml", "rules/ext.yaml", "kb.yaml"]))
    else:
        files = {str(p.relative_to(MINI)): p.read_text(encoding="utf-8")
                 for p in sorted(MINI.rglob("*.yaml"))}
        files["cases/seed.yaml"] = SEED_CASE
        target = draw(st.sampled_from(BREAKABLE))
    state = draw(st.sampled_from(FOLDER_STATES)) if draw(st.integers(0, 7)) == 0 else None
    if state is None:
        files[target] = draw(broken_file(files[target]))
    return Example(files=files, target=target, state=state, extension=extension)


def write(example: Example, folder: Path) -> Path:
    """Write the example's folder; return it."""
    if folder.exists():
        shutil.rmtree(folder)
    for name, content in example["files"].items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")
    target, state = folder / example["target"], example["state"]
    if state == "directory":
        target.unlink()
        target.mkdir()
    elif state == "missing":
        target.unlink()
    elif state == "self-link":
        target.unlink()
        target.symlink_to(target.name)
    elif state == "dangling-link":
        target.unlink()
        target.symlink_to("nowhere.yaml")
    elif state == "yml":
        target.rename(target.with_suffix(".yml"))
    elif state == "subfolder":
        (target.parent / "sub").mkdir(exist_ok=True)
        target.rename(target.parent / "sub" / target.name)
    elif state == "rules-is-file":
        shutil.rmtree(folder / "rules")
        (folder / "rules").write_text("rules: []\n")
    elif state == "rules-loop":
        (folder / "rules" / "again").symlink_to("..", target_is_directory=True)
    return folder


def outcome(folder: Path, extension: bool) -> str:
    """Check and load the folder the way ``kb check`` and ``consult`` do, and say how it
    ended: ``loaded``, ``refused`` or ``bad-input``.  Any other exception escapes."""
    from expert.authoring.check import check_knowledge, counts, problems_data, sarif, summary
    from expert.consult.consultation import consult
    from expert.consult.contract import to_json
    from expert.errors import KnowledgeError, TwitchdxError
    from expert.kb.loader import load_knowledge

    try:
        problems, checked = check_knowledge((folder,), package=extension)
    except KnowledgeError:
        raise  # kb check reports knowledge problems as a list, never raises them
    except TwitchdxError:
        problems, checked = None, None
    if problems is not None:
        for problem in problems:
            assert isinstance(problem.line, int) and problem.line >= 0, problem
            assert problem.path and problem.message, problem
            str(problem)
        to_json(problems_data(problems, checked))
        to_json(sarif(problems))
        summary(problems, checked)
        counts(problems)
    try:
        kb = load_knowledge((folder,), use_cache=False, package=extension)
    except TwitchdxError as exc:
        str(exc)
        if problems is not None:  # the checker refuses exactly what the loader refuses
            refusing = [p for p in problems if p.severity == "error" and "/cases/" not in
                        f"/{Path(p.path).as_posix()}"]
            assert refusing or checked is None, (str(exc), problems)
        return "refused" if isinstance(exc, KnowledgeError) else "bad-input"
    assert problems is not None and checked is not None, "kb check refused what loads"
    assert not [p for p in problems if p.severity == "error" and "/cases/" not in
                f"/{Path(p.path).as_posix()}"], problems
    consult(kb, {})
    return "loaded"



def knowledge_example(example: Example) -> str:
    """Write one example to a fresh folder and check and load it: its outcome."""
    with tempfile.TemporaryDirectory() as tmp:
        return outcome(write(example, Path(tmp) / "kb"), example["extension"])


# ------------------------------------------------------------------ answers and sessions

def _shipped_questions() -> list[dict]:
    path = ROOT / "knowledge" / "questions.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("questions", [])


QUESTIONS = _shipped_questions()


@st.composite
def answer_value(draw: st.DrawFn, question: dict) -> Any:
    """A value for a question: often a fitting one, often not."""
    choices = [c["id"] for c in question.get("choices", [])]
    fitting = {
        "boolean": st.sampled_from([True, False, "yes", "no", "Yes", "unknown", None]),
        "integer": st.integers(question.get("min", 0) - 2, question.get("max", 100) + 2),
        "number": st.floats(question.get("min", 0) - 1, question.get("max", 100) + 1),
        "choice": st.sampled_from(choices or ["x"]).map(
            lambda c: draw(st.sampled_from([c, c.upper(), f" {c} ", c + "s"]))),
        "multi": st.lists(st.sampled_from(choices or ["x"]), max_size=5),
    }.get(question.get("type"), junk)
    return draw(st.one_of(fitting, fitting, junk, st.sampled_from(TOKENS)))


@st.composite
def answers_files(draw: st.DrawFn) -> dict:
    """An answers file: real, misspelt and junk question ids; YAML or JSON; sometimes
    broken as text."""
    picked = draw(st.lists(st.sampled_from(QUESTIONS), max_size=8, unique_by=lambda q: q["id"]))
    answers: dict = {q["id"]: draw(answer_value(q)) for q in picked}
    for _ in range(draw(st.integers(0, 2))):
        answers[draw(st.one_of(keys, st.sampled_from([q["id"] + "s" for q in QUESTIONS])))] = \
            draw(junk)
    suffix = draw(st.sampled_from([".yaml", ".json", ".yml", ".JSON", ".txt"]))
    if suffix.lower() == ".json":
        try:
            text: str | bytes = json.dumps(answers, default=str, allow_nan=True)
        except (TypeError, ValueError):
            text = json.dumps({str(k): str(v)[:50] for k, v in answers.items()})
    else:
        text = _dump(answers)
    if draw(st.integers(0, 3)) == 0:
        text = draw(mutated_text(text if isinstance(text, str) else text.decode()))
    if draw(st.integers(0, 9)) == 0:
        text = (text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        text = b"\xef\xbb\xbf" + text  # lone surrogates kept, as _written keeps them
    return {"name": "answers" + suffix, "content": text}


@st.composite
def session_files(draw: st.DrawFn) -> dict:
    """A session file as Session.save writes it, then broken: fields of the wrong kind,
    missing or unknown, bad answers, broken JSON."""
    picked = draw(st.lists(st.sampled_from(QUESTIONS), max_size=6, unique_by=lambda q: q["id"]))
    answers = {q["id"]: draw(answer_value(q)) for q in picked}
    data: Any = {"twitchdx_session": 1, "knowledge": "twitchdx-core 1.0.0",
                 "saved": "2026-11-25T10:00:00+0000", "complete": draw(st.booleans()),
                 "order": list(answers), "answers": answers}
    if draw(st.booleans()):
        data = draw(mutated_tree(data))
    try:
        text = json.dumps(data, default=str, allow_nan=True, indent=2)
    except (TypeError, ValueError):
        text = json.dumps(str(data)[:200])
    if draw(st.integers(0, 3)) == 0:
        text = draw(mutated_text(text))
    return {"name": "session.json", "content": text}


def _run_cli(args: list[str], stdin: str = "") -> str:
    """Run twitchdx in this process; the outcome is its exit code, and anything but 0 or 2,
    a traceback, output on an error, or a flood of error text escapes as an assertion."""
    from click.testing import CliRunner

    from cli import twitchdx

    result = CliRunner().invoke(twitchdx, args, input=stdin)
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr[-2000:],
                                        result.exc_info)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr) < 5000, result.stderr[:300]
    return f"exit {result.exit_code}"


def _written(folder: str, example: dict) -> Path:
    """The example's file in ``folder``: its bytes, or its text (lone surrogates kept)."""
    path = Path(folder) / example["name"]
    content = example["content"]
    path.write_bytes(content if isinstance(content, bytes)
                     else content.encode("utf-8", "surrogatepass"))
    return path


def answers_example(example: dict) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = _written(tmp, example)
        return _run_cli(["consult", "--answers", str(path), "--format", "json"])


def session_example(example: dict) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = _written(tmp, example)
        explained = _run_cli(["explain", "--session", str(path), "--how", "referral"])
        resumed = _run_cli(["consult", "--resume", str(path), "--format", "json"], stdin="")
        return f"{explained}, resume {resumed}"


# what bench/fuzz.py can fuzz: name -> (strategy, run one example and name its outcome)
FUZZERS = {"knowledge": (broken_folders(), knowledge_example),
           "answers": (answers_files(), answers_example),
           "sessions": (session_files(), session_example)}
