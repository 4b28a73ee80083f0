"""Every report of the shipped examples and knowledge cases, byte for byte as recorded
(tools/golden.py): moving code must not change what anyone is told."""

import json

import pytest

from conftest import ROOT

PARTS = 4  # spread over the test workers


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_every_report_is_byte_identical_to_the_recorded_one(part):
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    from golden import digests

    recorded = json.loads((ROOT / "tests" / "data" / "golden-reports.json").read_text())
    now = digests(part, PARTS)
    assert sorted(now) == sorted(recorded)[part::PARTS]
    changed = sorted(name for name in now if now[name] != recorded[name])
    assert not changed, f"{len(changed)} reports changed, first: {changed[:5]}"
