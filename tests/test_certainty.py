import itertools
import math

import pytest

from expert.language.certainty import (
    BANDS,
    LIKELY,
    POSSIBLE,
    add,
    band,
    combine,
    half_away,
    resolve,
    settle,
    settled,
)


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


@pytest.mark.parametrize("value,expected", [
    (2.4, 2), (2.5, 3), (2.6, 3), (-2.5, -3), (-2.4, -2), (0.5, 1), (0.49, 0), (3.0, 3),
    (-0.0, 0)])
def test_half_away_rounds_halves_away_from_zero_as_c_does(value, expected):
    assert half_away(value) == expected and isinstance(half_away(value), int)


def test_evidence_for_and_against_accumulate_separately():
    assert add(0.0, 0.0, 0.4) == (pytest.approx(0.4), 0.0)
    assert add(0.4, -0.2, 0.5) == (pytest.approx(0.7), -0.2)
    assert add(0.4, -0.2, -0.5) == (0.4, pytest.approx(-0.6))
    assert add(0.4, -0.2, 0.0) == (0.4, -0.2)


@pytest.mark.parametrize("for_,against,expected", [
    (0.4, 0.0, 0.4), (0.0, -0.3, -0.3), (0.0, 0.0, 0.0),
    (1.0, -0.5, 1.0),  # certain evidence for is not halved by weaker evidence against
    (0.5, -1.0, -1.0), (1.0, -1.0, 0.0), (0.6, -0.3, (0.6 - 0.3) / 0.7)])
def test_resolve_sets_for_against_against(for_, against, expected):
    assert resolve(for_, against) == pytest.approx(expected)


@pytest.mark.parametrize("value,expected", [
    (0.1234, 0.123), (0.1236, 0.124), (0.1235, 0.124), (0.1245, 0.124),  # halves to even
    (0.12351, 0.124), (-0.1236, -0.124), (0.5, 0.5), (1.0, 1.0), (0.0, 0.0),
    (0.1 + 0.2, 0.3), (0.3000000004, 0.3),
    (0.12349999999, 0.124),  # float noise below a billionth is gone before rounding
    (0.1244999, 0.124)])
def test_settled_rounds_to_thousandths_blind_to_float_noise(value, expected):
    assert settled(value) == expected


def test_settled_never_gives_minus_zero():
    assert math.copysign(1.0, settled(-0.0001)) == 1.0
    assert math.copysign(1.0, settled(-0.002)) == -1.0


def test_the_lowest_ceiling_caps_a_certainty():
    assert settled(0.8, [0.45, 0.6]) == 0.45
    assert settled(0.3, [0.45, 0.6]) == 0.3  # below every ceiling: untouched
    assert settled(0.45, [0.45]) == 0.45
    assert settled(0.8) == 0.8 and settled(0.8, []) == 0.8


def test_settle_combines_caps_and_rounds():
    assert settle([0.4, 0.5]) == 0.7
    assert settle([0.4, 0.5], [0.45]) == 0.45
    assert settle([0.3, 0.3, 0.3]) == 0.657  # 0.657 exactly, not 0.6569999...
    assert settle([]) == 0.0


def test_the_report_words_and_their_floors():
    assert (LIKELY, POSSIBLE) == (0.5, 0.2)
    assert [name for _, name in BANDS] == ["likely", "possible"]
    assert band(0.0001) == "low" and band(0.2 - 1e-9) == "low"
