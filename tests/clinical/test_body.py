"""Tests for trialdesk.clinical.body (BMI per WHO TRS 894, plausibility limits)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.body import (
    HEIGHT_M_MAX,
    HEIGHT_M_MIN,
    WEIGHT_KG_MAX,
    WEIGHT_KG_MIN,
    BmiClass,
    bmi,
    check_height_m,
    check_weight_kg,
    who_bmi_class,
)
from trialdesk.errors import FactError


@pytest.mark.parametrize(
    ("weight", "height", "expected"),
    [
        # CDC "About Adult BMI" worked example: 68 kg, 1.65 m -> 68 / 1.65^2 = 24.98.
        (68, 1.65, 24.98),
        # Hand-computed: 72 kg / 1.75^2 = 72 / 3.0625 = 23.51.
        (72, 1.75, 23.51),
        # Hand-computed: 100 kg / 2.0^2 = 25.00.
        (100, 2.0, 25.0),
    ],
)
def test_bmi_worked_examples(weight: float, height: float, expected: float) -> None:
    assert bmi(weight, height) == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize(
    ("weight", "height", "expected_bmi", "expected_class"),
    [
        # Exact WHO cut-offs at 1.60 m (1.60^2 = 2.56), hand-computed: each cut-off belongs
        # to the upper class. Binary floating point would give 29.999999999999993 for 30.
        (47.36, 1.6, 18.5, BmiClass.NORMAL),
        (64.0, 1.6, 25.0, BmiClass.PRE_OBESE),
        (76.8, 1.6, 30.0, BmiClass.OBESE_I),
        (89.6, 1.6, 35.0, BmiClass.OBESE_II),
        (102.4, 1.6, 40.0, BmiClass.OBESE_III),
    ],
)
def test_bmi_exact_at_who_cut_offs(
    weight: float, height: float, expected_bmi: float, expected_class: BmiClass
) -> None:
    value = bmi(weight, height)
    assert value == expected_bmi
    assert who_bmi_class(value) is expected_class


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (18.49, BmiClass.UNDERWEIGHT),
        (18.5, BmiClass.NORMAL),
        (24.99, BmiClass.NORMAL),
        (25.0, BmiClass.PRE_OBESE),
        (29.99, BmiClass.PRE_OBESE),
        (30.0, BmiClass.OBESE_I),
        (34.99, BmiClass.OBESE_I),
        (35.0, BmiClass.OBESE_II),
        (39.99, BmiClass.OBESE_II),
        (40.0, BmiClass.OBESE_III),
        (75.0, BmiClass.OBESE_III),
    ],
)
def test_who_classes_table_2_1(value: float, expected: BmiClass) -> None:
    assert who_bmi_class(value) is expected


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "30", None, True])
def test_who_class_refuses_non_bmi(value: object) -> None:
    with pytest.raises(FactError) as info:
        who_bmi_class(value)  # type: ignore[arg-type]
    assert info.value.field == "bmi"


@pytest.mark.parametrize("weight", [WEIGHT_KG_MIN, 0.212, 70, 635, WEIGHT_KG_MAX])
def test_plausible_weights_pass(weight: float) -> None:
    assert check_weight_kg(weight) == weight


@pytest.mark.parametrize(
    "weight", [-70, 0, 0.19, 650.1, 70_000, float("nan"), float("inf"), "70", None, True]
)
def test_impossible_weights_are_refused(weight: object) -> None:
    with pytest.raises(FactError, match="weight") as info:
        check_weight_kg(weight)  # type: ignore[arg-type]
    assert info.value.field == "weight_kg"


@pytest.mark.parametrize("height", [HEIGHT_M_MIN, 0.546, 1.7, 2.72, HEIGHT_M_MAX])
def test_plausible_heights_pass(height: float) -> None:
    assert check_height_m(height) == height


@pytest.mark.parametrize("height", [-1.7, 0, 0.19, 2.76, 170, float("nan"), "1.7", None])
def test_impossible_heights_are_refused(height: object) -> None:
    with pytest.raises(FactError, match="height") as info:
        check_height_m(height)  # type: ignore[arg-type]
    assert info.value.field == "height_m"


def test_field_name_can_be_overridden() -> None:
    with pytest.raises(FactError) as info:
        check_weight_kg(-1, field="Observation/123.valueQuantity")
    assert info.value.field == "Observation/123.valueQuantity"


def test_bmi_refuses_height_in_centimetres() -> None:
    with pytest.raises(FactError, match="check the unit") as info:
        bmi(70, 170)
    assert info.value.field == "height_m"


_weights = st.floats(min_value=WEIGHT_KG_MIN, max_value=WEIGHT_KG_MAX)
_heights = st.floats(min_value=HEIGHT_M_MIN, max_value=HEIGHT_M_MAX)


@given(w1=_weights, w2=_weights, height=_heights)
def test_bmi_increases_with_weight(w1: float, w2: float, height: float) -> None:
    low, high = sorted((w1, w2))
    assert bmi(low, height) <= bmi(high, height)


@given(weight=_weights, h1=_heights, h2=_heights)
def test_bmi_decreases_with_height(weight: float, h1: float, h2: float) -> None:
    low, high = sorted((h1, h2))
    assert bmi(weight, low) >= bmi(weight, high)


@given(weight=_weights, height=_heights)
def test_bmi_matches_the_formula(weight: float, height: float) -> None:
    assert bmi(weight, height) == pytest.approx(weight / height**2, rel=1e-12)
