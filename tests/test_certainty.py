import itertools

import pytest

from expert.language.certainty import band, combine


def test_positive_evidence_combines_the_mycin_way():
    assert combine([0.4, 0.5]) == pytest.approx(0.4 + 0.5 - 0.4 * 0.5)
    assert combine([0.4]) == pytest.approx(0.4)
    assert combine([]) == 0


def test_negative_evidence_lowers_certainty():
    assert combine([0.6, -0.3]) == pytest.approx((0.6 - 0.3) / (1 - 0.3))
    assert combine([0.6, -0.3]) < combine([0.6])
    assert combine([-0.2, -0.5]) == pytest.approx(-(0.2 + 0.5 - 0.1))


def test_combination_does_not_depend_on_order():
    factors = [0.3, -0.2, 0.5, -0.4, 0.1]
    results = {round(combine(p), 12) for p in itertools.permutations(factors)}
    assert len(results) == 1


def test_certainty_stays_within_bounds():
    assert combine([1.0, 0.9, 0.7]) == pytest.approx(1.0)
    assert -1 <= combine([-1.0, -0.5]) <= 1
    assert combine([1.0, -1.0]) == 0


@pytest.mark.parametrize("value,expected", [
    (0.0, "low"), (0.19, "low"), (0.2, "possible"), (0.49, "possible"), (0.5, "likely"),
    (1.0, "likely"), (-0.3, "low")])
def test_bands_follow_the_report_contract(value, expected):
    assert band(value) == expected
