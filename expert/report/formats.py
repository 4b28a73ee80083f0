"""A consultation's report in each format a person or a program reads, from one report
dict: JSON (the contract), text, Markdown, HTML and FHIR (fhir/bundle.py)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..clock import Moment
from ..text import WIDTH

FORMATS = ("text", "json", "markdown", "html", "fhir")


def report_of(result: Any) -> dict[str, Any]:
    """The report dict every format is drawn from (the JSON contract's)."""
    from ..consult.contract import build_report
    from ..consult.planner import questions_that_matter

    return build_report(result, questions_that_matter(result))


def format_report(result: Any, fmt: str, show_rules: bool = False, terminal: bool = False,
                  width: int = WIDTH, when: Moment | None = None,
                  report: dict[str, Any] | None = None) -> str:
    """The report of ``result`` in ``fmt``; ``terminal``: coloured (unless NO_COLOR) and
    wrapped to ``width``, for a report shown on a terminal rather than written to a file;
    ``report`` saves building it again when the caller has it."""
    report = report if report is not None else report_of(result)
    return _WRITERS[fmt](report, result, show_rules, terminal, width, when)


def _json(report: dict[str, Any], *_: Any) -> str:
    from ..consult.contract import to_json

    return to_json(report)


def _text(report: dict[str, Any], result: Any, show_rules: bool, terminal: bool, width: int,
          when: Moment | None) -> str:
    from .render import colour_style, plain_style, render_text

    style = colour_style if terminal and not os.environ.get("NO_COLOR") else plain_style
    return render_text(report, width if terminal else WIDTH, style, show_rules)


def _markdown(report: dict[str, Any], result: Any, show_rules: bool, terminal: bool,
              width: int, when: Moment | None) -> str:
    from .render import render_markdown

    return render_markdown(report, show_rules, when)


def _html(report: dict[str, Any], result: Any, show_rules: bool, terminal: bool, width: int,
          when: Moment | None) -> str:
    from .html import render_html

    return render_html(report, when)


def _fhir(report: dict[str, Any], result: Any, show_rules: bool, terminal: bool, width: int,
          when: Moment | None) -> str:
    from ..fhir.bundle import bundle_json

    return bundle_json(result, report, when)


_WRITERS: dict[str, Callable[..., str]] = {"json": _json, "text": _text, "markdown": _markdown,
                                           "html": _html, "fhir": _fhir}
