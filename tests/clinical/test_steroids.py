"""Tests for trialdesk.clinical.steroids (BNF equivalent anti-inflammatory doses)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.steroids import EQUIVALENT_DOSE_MG, prednisone_equivalent_mg
from trialdesk.errors import FactError


@pytest.mark.parametrize(
    ("ingredient", "dose"),
    [
        # BNF 6.3.2: each of these equals prednisolone 5 mg (= prednisone 5 mg).
        ("prednisone", 5),
        ("prednisolone", 5),
        ("methylprednisolone", 4),
        ("triamcinolone", 4),
        ("hydrocortisone", 20),
        ("cortisone", 25),
        ("cortisone acetate", 25),
        ("dexamethasone", 0.75),
        ("betamethasone", 0.75),
        ("deflazacort", 6),  # Calcort SmPC 4.2: 6 mg ~ 5 mg prednisolone or prednisone
        ("cortisol", 20),
    ],
)
def test_each_table_dose_is_five_mg_prednisone(ingredient: str, dose: float) -> None:
    assert prednisone_equivalent_mg(ingredient, dose) == 5.0


@pytest.mark.parametrize(
    ("ingredient", "dose", "expected"),
    [
        # RECOVERY trial (Horby P et al. N Engl J Med 2021;384:693-704): dexamethasone 6 mg
        # daily, or in pregnancy prednisolone 40 mg daily or hydrocortisone 80 mg twice daily.
        ("dexamethasone", 6, 40.0),
        ("prednisolone", 40, 40.0),
        ("hydrocortisone", 160, 40.0),
        # Hand-computed: methylprednisolone 1000 mg pulse x 5/4 = 1250 mg prednisone.
        ("methylprednisolone", 1000, 1250.0),
        # Hand-computed: 7.5 mg prednisolone (a common "low dose" threshold) = 7.5 mg.
        ("Prednisolone", 7.5, 7.5),
        ("DEXAMETHASONE", 0, 0.0),
    ],
)
def test_published_and_hand_computed_conversions(
    ingredient: str, dose: float, expected: float
) -> None:
    assert prednisone_equivalent_mg(ingredient, dose) == expected


@pytest.mark.parametrize("ingredient", ["fludrocortisone", "budesonide", "Medrol", "", None])
def test_unknown_ingredient_is_refused(ingredient: object) -> None:
    with pytest.raises(FactError, match="no prednisone-equivalent") as info:
        prednisone_equivalent_mg(ingredient, 5)  # type: ignore[arg-type]
    assert info.value.field == "ingredient"


@pytest.mark.parametrize("dose", [-5, float("nan"), float("inf"), "5", None, True])
def test_bad_dose_is_refused(dose: object) -> None:
    with pytest.raises(FactError) as info:
        prednisone_equivalent_mg("prednisone", dose)  # type: ignore[arg-type]
    assert info.value.field == "dose_mg"


@given(
    ingredient=st.sampled_from(sorted(EQUIVALENT_DOSE_MG)),
    d1=st.floats(min_value=0, max_value=2000),
    d2=st.floats(min_value=0, max_value=2000),
)
def test_conversion_is_linear_and_monotonic(ingredient: str, d1: float, d2: float) -> None:
    low, high = sorted((d1, d2))
    assert prednisone_equivalent_mg(ingredient, low) <= prednisone_equivalent_mg(ingredient, high)
    expected = low * 5 / EQUIVALENT_DOSE_MG[ingredient]
    assert prednisone_equivalent_mg(ingredient, low) == pytest.approx(expected, rel=1e-12)
