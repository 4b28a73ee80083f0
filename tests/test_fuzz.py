"""No knowledge file, however broken, ends in an internal error (see fuzzing.py).

A few hundred examples here; ``bench/fuzz.py`` runs tens of thousands.
"""

from __future__ import annotations

import os

from fuzzing import broken_folders, knowledge_example
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("TWITCHDX_FUZZ_EXAMPLES", "300"))


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(broken_folders())
def test_no_knowledge_file_ends_in_an_internal_error(example):
    assert knowledge_example(example) in ("loaded", "refused", "bad-input")
