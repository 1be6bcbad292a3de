"""Tests for trialdesk.clinical.ctcae (CTCAE v5.0, NCI, 27 Nov 2017).

Every case is hand-computed from the CTCAE v5.0 criteria quoted in the module docstring;
each band is tested on both sides of its boundary.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.ctcae import (
    CtcaeGrade,
    grade_alt_increased,
    grade_ast_increased,
    grade_creatinine_increased,
)
from trialdesk.errors import FactError

_AMINOTRANSFERASES: list[Callable[..., CtcaeGrade]] = [grade_alt_increased, grade_ast_increased]


@pytest.mark.parametrize("grade_fn", _AMINOTRANSFERASES)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ULN 40 U/L, baseline normal (or not given).
        (0, 0),
        (40, 0),  # = ULN: not increased
        (41, 1),  # > ULN
        (120, 1),  # 3.0 x ULN: still grade 1 (">3.0" starts grade 2)
        (121, 2),
        (200, 2),  # 5.0 x ULN
        (201, 3),
        (800, 3),  # 20.0 x ULN
        (801, 4),
    ],
)
def test_aminotransferase_baseline_normal(
    grade_fn: Callable[..., CtcaeGrade], value: float, expected: int
) -> None:
    assert grade_fn(value, 40).grade == expected
    assert grade_fn(value, 40, baseline=30).grade == expected  # normal baseline: same column
    assert grade_fn(value, 40, baseline=40).grade == expected  # = ULN is still normal


@pytest.mark.parametrize("grade_fn", _AMINOTRANSFERASES)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ULN 40, abnormal baseline 60: multiples of baseline; grade 1 is 1.5-3.0 x baseline.
        (60, 0),
        (89, 0),  # 1.48 x baseline
        (90, 1),  # 1.5 x baseline exactly: grade 1 (inclusive)
        (180, 1),  # 3.0 x baseline
        (181, 2),
        (300, 2),  # 5.0 x baseline
        (301, 3),
        (1200, 3),  # 20.0 x baseline
        (1201, 4),
    ],
)
def test_aminotransferase_baseline_abnormal(
    grade_fn: Callable[..., CtcaeGrade], value: float, expected: int
) -> None:
    result = grade_fn(value, 40, baseline=60)
    assert result.grade == expected
    assert "x baseline" in result.rule and "abnormal" in result.rule


def test_rule_text_names_term_version_and_band() -> None:
    result = grade_alt_increased(140, 40)
    assert result == CtcaeGrade(
        term="Alanine aminotransferase increased", grade=2, rule=result.rule
    )
    assert "CTCAE v5.0" in result.rule
    assert "3.5 x ULN" in result.rule
    assert ">3.0 - 5.0 x ULN" in result.rule
    assert "no baseline given" in result.rule
    assert grade_ast_increased(50, 40).term == "Aspartate aminotransferase increased"


def test_decimal_boundary_is_exact() -> None:
    # 0.3 / 0.1 is 2.9999999999999996 in binary floating point; 3.0 x ULN is grade 1.
    assert grade_alt_increased(0.3, 0.1).grade == 1
    assert grade_alt_increased(0.30001, 0.1).grade == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ULN 1.2 mg/dL, no baseline.
        (1.2, 0),
        (1.21, 1),
        (1.8, 1),  # 1.5 x ULN
        (1.81, 2),
        (3.6, 2),  # 3.0 x ULN
        (3.61, 3),
        (7.2, 3),  # 6.0 x ULN
        (7.21, 4),
    ],
)
def test_creatinine_against_uln(value: float, expected: int) -> None:
    assert grade_creatinine_increased(value, 1.2).grade == expected


@pytest.mark.parametrize(
    ("value", "baseline", "expected"),
    [
        # ULN 1.2 mg/dL with a baseline; the higher of the ULN and baseline criteria wins.
        (0.9, 0.6, 0),  # 1.5 x baseline: ">1.5" not met; <= ULN
        (1.0, 0.6, 2),  # 1.67 x baseline -> grade 2 although <= ULN
        (1.8, 0.6, 2),  # 3.0 x baseline (grade 2) and 1.5 x ULN (grade 1)
        (1.9, 0.6, 3),  # 3.17 x baseline -> grade 3; ULN criterion only grade 2
        (1.3, 1.0, 1),  # 1.3 x baseline: no baseline criterion; ULN criterion grade 1
        (8.0, 4.0, 4),  # 2.0 x baseline (grade 2) but 6.67 x ULN (grade 4)
    ],
)
def test_creatinine_with_baseline(value: float, baseline: float, expected: int) -> None:
    result = grade_creatinine_increased(value, 1.2, baseline=baseline)
    assert result.grade == expected
    assert result.term == "Creatinine increased"
    assert "x baseline" in result.rule and "x ULN" in result.rule


@pytest.mark.parametrize(
    "grade_fn", [grade_alt_increased, grade_ast_increased, grade_creatinine_increased]
)
@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((-1, 40), "value"),
        ((float("nan"), 40), "value"),
        (("41", 40), "value"),
        ((41, 0), "uln"),
        ((41, -40), "uln"),
        ((41, None), "uln"),
        ((41, 40, 0), "baseline"),
        ((41, 40, -3), "baseline"),
        ((41, 40, float("inf")), "baseline"),
    ],
)
def test_bad_input_is_refused(
    grade_fn: Callable[..., CtcaeGrade], args: tuple[object, ...], field: str
) -> None:
    with pytest.raises(FactError) as info:
        grade_fn(*args)
    assert info.value.field == field


_values = st.floats(min_value=0, max_value=5_000)
_ulns = st.floats(min_value=1, max_value=100)
_baselines = st.none() | st.floats(min_value=1, max_value=500)


@pytest.mark.parametrize(
    "grade_fn", [grade_alt_increased, grade_ast_increased, grade_creatinine_increased]
)
@given(v1=_values, v2=_values, uln=_ulns, baseline=_baselines)
def test_grade_never_decreases_as_value_rises(
    grade_fn: Callable[..., CtcaeGrade],
    v1: float,
    v2: float,
    uln: float,
    baseline: float | None,
) -> None:
    low, high = sorted((v1, v2))
    low_grade = grade_fn(low, uln, baseline).grade
    high_grade = grade_fn(high, uln, baseline).grade
    assert 0 <= low_grade <= high_grade <= 4
