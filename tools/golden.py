"""Digests of every report the shipped examples and knowledge cases give, in every format.

    python tools/golden.py > tests/data/golden-reports.json

tests/test_golden.py holds the code to them: moving code must not change a byte of any
report. Regenerate only for a change that means to change reports, and say so.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def digests(part: int = 0, parts: int = 1) -> dict[str, str]:
    """The digest of each run, or of every ``parts``-th run from ``part`` (so a test can
    spread them over workers)."""
    from expert.authoring.cases import load_cases
    from expert.consult.answers import load_answers
    from expert.consult.consultation import consult
    from expert.consult.contract import build_report, to_json
    from expert.consult.planner import questions_that_matter
    from expert.fhir.bundle import bundle_json
    from expert.kb.loader import knowledge_dirs, load_knowledge
    from expert.report.html import render_html
    from expert.report.render import render_markdown, render_text

    kb = load_knowledge()
    runs = [(f"example:{p.name}", load_answers(kb, p))
            for p in sorted((ROOT / "examples").iterdir())]
    runs += [(f"case:{case.id}", case.answers) for case in load_cases(kb, knowledge_dirs())]
    out = {}
    for name, answers in sorted(runs)[part::parts]:
        result = consult(kb, answers)
        report = build_report(result, questions_that_matter(result))
        printed = (to_json(report) + render_text(report) + render_markdown(report)
                   + render_html(report) + bundle_json(result, report))
        out[name] = hashlib.sha256(printed.encode()).hexdigest()[:16]
    return out


if __name__ == "__main__":
    print(json.dumps(digests(), indent=1, sort_keys=True))
