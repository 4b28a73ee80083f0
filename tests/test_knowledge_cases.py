"""Every knowledge case in knowledge/cases runs against the shipped knowledge."""

import pytest

from expert.authoring.cases import case_files, load_cases, run_case
from expert.kb.loader import package_knowledge

CASE_IDS = [p.stem for p in case_files([package_knowledge()])]


@pytest.fixture(scope="module")
def cases(kb):
    return {case.id: case for case in load_cases(kb, [package_knowledge()])}


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case(kb, cases, case_id):
    case = cases[case_id]
    _, failures = run_case(kb, case)
    assert not failures, f"{case.path}: {case.title}\n  " + "\n  ".join(map(str, failures))


def test_there_are_enough_cases():
    assert len(CASE_IDS) >= 40
