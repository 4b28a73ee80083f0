"""No knowledge file, answers file or session file, however broken, ends in an internal
error: each ends in a result or a clear error (exit 0 or 2).  See fuzzing.py.

A few hundred examples each here; ``bench/fuzz.py`` runs tens of thousands.
"""

from __future__ import annotations

import os

import pytest
from fuzzing import FUZZERS
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("TWITCHDX_FUZZ_EXAMPLES", "200"))


@pytest.mark.slow
@pytest.mark.parametrize("target", sorted(FUZZERS))
def test_no_broken_input_ends_in_an_internal_error(target):
    strategy, run_one = FUZZERS[target]

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategy)
    def fuzz(example):
        assert run_one(example) in ("loaded", "refused", "bad-input", "exit 0", "exit 2",
                                    "exit 0, resume exit 0", "exit 0, resume exit 2",
                                    "exit 2, resume exit 2")

    fuzz()
