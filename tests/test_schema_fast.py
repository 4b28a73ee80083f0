"""The fast schema check (fastjsonschema) and jsonschema agree on what is valid: the
loader trusts the fast one's "valid" and asks jsonschema only what is wrong."""

import os

import yaml
from fuzzing import mutated_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from expert.kb.validation import _passes, _scan, _validator

EXAMPLES = int(os.environ.get("TWITCHDX_FUZZ_EXAMPLES", "200"))
SHIPPED = {
    "kb": ["kb.yaml"], "questions": ["questions.yaml"], "catalog": ["catalog.yaml"],
    "reference": ["reference.yaml"],
    "rules": [f"rules/{p.name}" for p in sorted((ROOT / "knowledge" / "rules").glob("*.yaml"))],
    "case": [str(p.relative_to(ROOT / "knowledge"))
             for p in sorted((ROOT / "knowledge").glob("rules/*.cases/*.yaml"))[:20]],
}
FILES = [(kind, yaml.safe_load((ROOT / "knowledge" / name).read_text()))
         for kind, names in SHIPPED.items() for name in names]


def verdicts(kind, data):
    problems, bad = [], set()
    safe = _scan(data, [], problems, bad, "x", data)
    if problems:  # refused before either check runs
        return None
    return _passes(kind, safe), not any(True for _ in _validator(kind).iter_errors(safe))


def test_every_shipped_file_passes_both():
    for kind, data in FILES:
        assert verdicts(kind, data) == (True, True), kind


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_both_checks_agree_on_broken_files(data):
    kind, tree = data.draw(st.sampled_from(FILES))
    judged = verdicts(kind, data.draw(mutated_tree(tree)))
    if judged is not None:
        fast, full = judged
        assert fast == full
