"""Triage evaluation: the measures symptom-checker studies report, over vignettes with an
expected referral and, optionally, the hypotheses expected to lead.

A vignette is a knowledge case (its ``expect.referral`` and ``expect.leading``) or a
JSON Lines record ``{"id", "answers", "expect": {"level", "top"}}``.  Measured:

* exact triage accuracy; under-triage (a less urgent rung than expected: the unsafe
  error) and over-triage rates; sensitivity for emergencies; the confusion matrix
  of expected against given rungs, most urgent first;
* top-1 and top-3 accuracy of the leading hypothesis: among the hypotheses the
  report raises to "possible" or above, in its order, the expected first one is
  first, or in the first three.  A vignette expecting no hypothesis (``top: []``)
  is right at both when the report raises none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from ..consult.answers import check_answers
from ..consult.consultation import Result, consult
from ..errors import AnswerError, DataFileError, InputError, KnowledgeError, Problem
from ..fileio import read_text
from ..kb.jsonsource import parse_json
from ..kb.loader import case_files, yaml_files
from ..language.certainty import POSSIBLE
from ..language.model import KnowledgeBase
from .cases import load_case_files

VIGNETTES_BYTES = 64_000_000  # a JSON Lines file of vignettes: some 100,000 of them


class Vignette(NamedTuple):
    """One consultation with the referral (and leading hypotheses) it should come to."""

    id: str
    where: str  # path:line
    answers: dict[str, Any]
    level: str | None
    top: tuple[str, ...] | None


def read_vignettes(kb: KnowledgeBase, paths: list[Path]) -> list[Vignette]:
    """Vignettes from case folders or files (YAML) and JSON Lines files; every problem of
    every file is reported at once, each at its line."""
    vignettes: list[Vignette] = []
    problems: list[Problem] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            vignettes += _jsonl(kb, path, problems)
            continue
        if not path.is_dir():
            files = [path]
        elif (path / "kb.yaml").exists() or (path / "kb.yml").exists():
            files = case_files(path)  # a knowledge folder: its cases
        else:
            files = yaml_files(path)
        try:
            cases = load_case_files(kb, files)
        except KnowledgeError as exc:
            problems += exc.problems
            continue
        vignettes += [Vignette(c.id, f"{c.path}:{c.line}", c.answers, c.expect.get("referral"),
                               tuple(c.expect["leading"]) if "leading" in c.expect else None)
                      for c in cases]
    if problems:
        raise KnowledgeError(problems)
    if not vignettes:
        raise InputError(f"no vignettes in {', '.join(map(str, paths))}")
    return vignettes


def _jsonl(kb: KnowledgeBase, path: Path, problems: list[Problem]) -> list[Vignette]:
    out = []
    for number, line in enumerate(read_text(path, limit=VIGNETTES_BYTES).splitlines(), 1):
        if not line.strip():
            continue
        where = str(path)
        try:
            data = parse_json(line, where)
        except DataFileError as exc:
            problems.append(Problem(where, number, "", exc.problem))
            continue
        found = _vignette(kb, data, f"{path}:{number}")
        if isinstance(found, Vignette):
            out.append(found)
        else:
            ident = str(data.get("id", "")) if isinstance(data, dict) else ""
            problems += [Problem(where, number, ident, message) for message in found]
    return out


def _vignette(kb: KnowledgeBase, data: Any, where: str) -> Vignette | list[str]:
    """A vignette, or what is wrong with the record."""
    if not isinstance(data, dict):
        return ['a vignette is an object: {"id": ..., "answers": {...}, "expect": '
                '{"level": ..., "top": [...]}}']
    wrong = [f"unknown field {k!r}; allowed: id, answers, expect, title"
             for k in data if k not in ("id", "answers", "expect", "title")]
    expect = data.get("expect")
    if not isinstance(data.get("answers"), dict):
        wrong.append("answers must be an object of question ids and answers")
    if not isinstance(expect, dict) or not ({"level", "top"} & set(expect)):
        return [*wrong, 'expect must name the level, the top hypotheses or both: {"level": '
                '"self_care", "top": ["magnesium"]}']
    wrong += [f"unknown field expect.{k}; allowed: level, top" for k in expect
              if k not in ("level", "top")]
    level, top = expect.get("level"), expect.get("top")
    if "level" in expect and level not in kb.level_rank:
        wrong.append(f"expect.level {level!r} is not one of {', '.join(kb.level_rank)}")
    if "top" in expect and (not isinstance(top, list) or
                            any(h not in kb.hypotheses for h in top)):
        wrong.append(f"expect.top must list hypotheses of {', '.join(kb.hypotheses)}")
    if wrong:
        return wrong
    try:
        answers = check_answers(kb, data["answers"])
    except AnswerError as exc:
        return [str(p) for p in exc.problems]
    return Vignette(str(data.get("id", where)), where, answers, level,
                    tuple(top) if top is not None else None)


def raised(result: Result) -> list[str]:
    """The hypotheses a report raises to possible or above, in its order."""
    return [h.id for h in result.hypotheses if h.certainty >= POSSIBLE]


def evaluate(kb: KnowledgeBase, vignettes: list[Vignette]) -> dict[str, Any]:
    """Every measure, as JSON-ready data in a fixed order (the same input gives the same
    bytes)."""
    ladder = [level.id for level in reversed(kb.levels)]  # most urgent first
    confusion = [[0] * len(ladder) for _ in ladder]
    exact = under = over = emergencies = caught = triaged = 0
    ranked = top1 = top3 = 0
    misses = []
    for vignette in vignettes:
        result = consult(kb, vignette.answers)
        given, listed = result.level.id, raised(result)
        wrong = []
        if vignette.level is not None:
            triaged += 1
            confusion[ladder.index(vignette.level)][ladder.index(given)] += 1
            expected_rank, given_rank = kb.level_rank[vignette.level], kb.level_rank[given]
            exact += given == vignette.level
            if given_rank < expected_rank:
                under += 1
                wrong.append("under-triage")
            elif given_rank > expected_rank:
                over += 1
                wrong.append("over-triage")
            if vignette.level == ladder[0]:
                emergencies += 1
                caught += given == ladder[0]
        if vignette.top is not None:
            ranked += 1
            first = vignette.top[0] if vignette.top else None
            at_one = listed[:1] == ([first] if first else [])
            at_three = (first in listed[:3]) if first else not listed
            top1 += at_one
            top3 += at_three
            if not at_one:
                wrong.append("top-1" if at_three else "top-3")
        if wrong:
            misses.append({"id": vignette.id, "where": vignette.where, "misses": wrong,
                           "expected": {"level": vignette.level, "top": _list(vignette.top)},
                           "given": {"level": given, "top": listed}})
    return {
        "vignettes": len(vignettes),
        "knowledge": {"version": kb.version, "hash": f"sha256:{kb.fingerprint[:16]}"},
        "triage": {
            "vignettes": triaged,
            "exact": _share(exact, triaged),
            "under_triage": _share(under, triaged),
            "over_triage": _share(over, triaged),
            "emergency_sensitivity": _share(caught, emergencies),
            "levels": ladder,
            "confusion": confusion,  # rows: expected; columns: given
        },
        "hypotheses": {"vignettes": ranked, "top_1": _share(top1, ranked),
                       "top_3": _share(top3, ranked)},
        "misses": misses,
    }


def meets(data: dict[str, Any], percent: float) -> bool:
    """Exact triage accuracy of at least ``percent``, and no emergency missed."""
    triage = data["triage"]
    caught = triage["emergency_sensitivity"]
    return 100 * (triage["exact"]["rate"] or 0) >= percent and caught["count"] == caught["of"]


def _share(count: int, out_of: int) -> dict[str, Any]:
    return {"count": count, "of": out_of,
            "rate": round(count / out_of, 4) if out_of else None}


def _list(top: tuple[str, ...] | None) -> list[str] | None:
    return list(top) if top is not None else None


def render_text(data: dict[str, Any]) -> str:
    triage, hyp = data["triage"], data["hypotheses"]
    lines = [f"Triage on {triage['vignettes']} of {data['vignettes']} vignettes "
             f"(knowledge {data['knowledge']['version']}):"]
    rows = [("exact", triage["exact"], ""),
            ("under-triage", triage["under_triage"], "less urgent than expected"),
            ("over-triage", triage["over_triage"], "more urgent than expected"),
            ("emergencies", triage["emergency_sensitivity"], "sensitivity: caught as emergency")]
    lines += [f"  {name:<14}{_shown(share)}  {note}".rstrip() for name, share, note in rows]
    width = max(len(level) for level in triage["levels"]) + 1
    lines += ["", "Confusion (rows: expected; columns: given):",
              " " * (width + 2) + "".join(f"{level:>{width}}" for level in triage["levels"])]
    lines += [f"  {level:<{width}}" + "".join(f"{n:>{width}}" for n in row)
              for level, row in zip(triage["levels"], triage["confusion"], strict=True)]
    lines += ["", f"Leading hypothesis ({hyp['vignettes']} vignettes expect one, or none):",
              f"  {'top-1':<14}{_shown(hyp['top_1'])}", f"  {'top-3':<14}{_shown(hyp['top_3'])}",
              ""]
    lines += _misses(data["misses"], "Misses:", "  {where}: {id}: {what}")
    return "\n".join(lines) + "\n"


def render_markdown(data: dict[str, Any]) -> str:
    triage, hyp = data["triage"], data["hypotheses"]
    lines = [f"**Triage** on {triage['vignettes']} of {data['vignettes']} vignettes "
             f"(knowledge {data['knowledge']['version']})", "",
             "| measure | count | rate |", "|---|---:|---:|"]
    for name, key in (("exact triage", "exact"), ("under-triage", "under_triage"),
                      ("over-triage", "over_triage"),
                      ("emergency sensitivity", "emergency_sensitivity")):
        lines.append(_row(name, triage[key]))
    lines += [_row("top-1 hypothesis", hyp["top_1"]), _row("top-3 hypothesis", hyp["top_3"]),
              "", "**Confusion** (rows: expected; columns: given)", "",
              "| expected \\ given | " + " | ".join(triage["levels"]) + " |",
              "|---|" + "---:|" * len(triage["levels"])]
    lines += [f"| {level} | " + " | ".join(map(str, row)) + " |"
              for level, row in zip(triage["levels"], triage["confusion"], strict=True)]
    lines.append("")
    lines += _misses(data["misses"], "**Misses**", "- `{id}` ({where}): {what}")
    return "\n".join(lines) + "\n"


def _shown(share: dict[str, Any]) -> str:
    rate = "   -" if share["rate"] is None else f"{100 * share['rate']:5.1f}%"
    return f"{share['count']:>5}/{share['of']:<5}{rate}"


def _row(name: str, share: dict[str, Any]) -> str:
    rate = "-" if share["rate"] is None else f"{100 * share['rate']:.1f}%"
    return f"| {name} | {share['count']}/{share['of']} | {rate} |"


def _misses(misses: list[dict[str, Any]], title: str, pattern: str) -> list[str]:
    if not misses:
        return [f"{title} none."]
    out = [title]
    for miss in misses:
        expected, given = miss["expected"], miss["given"]
        parts = []
        if expected["level"] is not None and expected["level"] != given["level"]:
            parts.append(f"expected {expected['level']}, given {given['level']}")
        if any(m.startswith("top") for m in miss["misses"]):
            parts.append(f"expected {', '.join(expected['top']) or 'no hypothesis'} first, "
                         f"given {', '.join(given['top']) or 'none'}")
        out.append(pattern.format(where=miss["where"], id=miss["id"],
                                  what="; ".join(parts) + f" ({', '.join(miss['misses'])})"))
    return out
