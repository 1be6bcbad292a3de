"""The report's intervals against published worked examples."""

from __future__ import annotations

import pytest

from trialdesk.reports.week24.stats import proportion, summarise


# Newcombe RG. Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Stat Med 1998;17:857-72, Table II, method 5 (Clopper-Pearson "exact").
@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [(81, 263, 0.2527, 0.3676), (15, 148, 0.0578, 0.1617), (0, 20, 0.0, 0.1684),
     (1, 29, 0.0009, 0.1776)],
)  # fmt: skip
def test_clopper_pearson_reproduces_newcombe(count: int, n: int, low: float, high: float) -> None:
    p = proportion(count, n)
    assert (round(p.low or 0, 4), round(p.high or 0, 4)) == (low, high)


def test_none_of_fifteen_has_the_rule_of_three_like_upper_bound() -> None:
    # 0/n: the exact upper limit is 1 - (alpha/2)^(1/n) (Clopper & Pearson 1934)
    p = proportion(0, 15)
    assert p.low == 0.0 and p.high == pytest.approx(1 - 0.025 ** (1 / 15))
    assert p.percent == 0.0


def test_no_participants_gives_no_interval() -> None:
    assert proportion(0, 0).low is None and proportion(0, 0).percent is None
    with pytest.raises(ValueError):
        proportion(3, 2)


def test_summary_with_the_t_interval() -> None:
    # Student's sleep data (Student 1908, Biometrika 6:1-25; R's datasets::sleep, extra
    # of group 2 minus group 1): t.test gives mean 1.58, 95% CI 0.7001 to 2.4599
    diff = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    s = summarise(diff)
    assert s.n == 10 and s.mean == pytest.approx(1.58)
    assert (round(s.low or 0, 4), round(s.high or 0, 4)) == (0.7001, 2.4599)
    assert s.median == 1.3 and (s.minimum, s.maximum) == (0.0, 4.6)
    assert s.sd == pytest.approx(1.229995, abs=1e-6)


def test_missing_values_are_left_out_and_one_value_has_no_spread() -> None:
    s = summarise([None, 3.0, float("nan")])
    assert (s.n, s.mean, s.sd, s.low) == (1, 3.0, None, None)
    assert summarise([]).n == 0
