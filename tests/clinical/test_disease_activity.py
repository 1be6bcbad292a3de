"""Tests for trialdesk.clinical.disease_activity.

Sources of the expected values are given at each table. Where no published worked example
with all inputs was found, the value was computed by hand from the published formula and the
intermediate figures are written next to the case.
"""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.disease_activity import (
    DiseaseActivity,
    cdai,
    cdai_category,
    cdai_exact,
    das28_category,
    das28_crp,
    das28_crp_exact,
    das28_esr,
    das28_esr_exact,
    sdai,
    sdai_category,
    sdai_exact,
)
from trialdesk.errors import FactError

# --- DAS28 (Prevoo 1995; das-score.nl) ------------------------------------------------------


@pytest.mark.parametrize(
    ("tjc", "sjc", "esr", "gh", "expected"),
    [
        # All components at their floor: 0 + 0 + 0.70 x ln(1) + 0 = 0.
        (0, 0, 1, 0, 0.0),
        # Hand-computed: 0.56 x 2 + 0.28 x 1.41421 + 0.70 x ln 20 (2.99573) + 0.014 x 40
        # = 1.12 + 0.39598 + 2.09701 + 0.56 = 4.17299.
        (4, 2, 20, 40, 4.17299),
        # Hand-computed: 0.56 x 3 + 0.28 x 2 + 0.70 x ln 35 (3.55535) + 0.014 x 55
        # = 1.68 + 0.56 + 2.48874 + 0.77 = 5.49874.
        (9, 4, 35, 55, 5.49874),
        # Hand-computed: 0.84 x sqrt(28) (4.44486) + 0.70 x ln 100 (3.22362) + 1.4 = 9.06848.
        (28, 28, 100, 100, 9.06848),
    ],
)
def test_das28_esr_examples(tjc: int, sjc: int, esr: float, gh: float, expected: float) -> None:
    assert das28_esr(tjc, sjc, esr, gh) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("tjc", "sjc", "crp", "gh", "expected"),
    [
        # Minimum DAS28-CRP is 0.96 (medicalalgorithms.com DAS28-CRP page: "minimum score:
        # 0.96 for the 4 variable version").
        (0, 0, 0, 0, 0.96),
        # Hand-computed: 1.12 + 0.39598 + 0.36 x ln 11 (0.86324) + 0.56 + 0.96 = 3.89922.
        (4, 2, 10, 40, 3.89922),
        # Hand-computed: 0.84 x sqrt(28) (4.44486) + 0.36 x ln 101 (0.36 x 4.61512 = 1.66144)
        # + 1.4 + 0.96 = 8.46631 (the same page: "maximum score: around 8.5").
        (28, 28, 100, 100, 8.46631),
    ],
)
def test_das28_crp_examples(tjc: int, sjc: int, crp: float, gh: float, expected: float) -> None:
    assert das28_crp(tjc, sjc, crp, gh) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0.0, DiseaseActivity.REMISSION),
        (2.59, DiseaseActivity.REMISSION),
        (2.6, DiseaseActivity.LOW),  # remission is < 2.6
        (3.2, DiseaseActivity.LOW),  # low is <= 3.2
        (3.21, DiseaseActivity.MODERATE),
        (5.1, DiseaseActivity.MODERATE),  # moderate is <= 5.1
        (5.11, DiseaseActivity.HIGH),
        (9.0, DiseaseActivity.HIGH),
        (-0.5, DiseaseActivity.REMISSION),  # DAS28-ESR below 0 needs ESR < 1: still a score
    ],
)
def test_das28_categories(score: float, category: DiseaseActivity) -> None:
    assert das28_category(score) is category


def test_das28_categories_of_worked_examples() -> None:
    assert das28_category(das28_esr(4, 2, 20, 40)) is DiseaseActivity.MODERATE
    assert das28_category(das28_esr(9, 4, 35, 55)) is DiseaseActivity.HIGH
    assert das28_category(das28_crp(0, 0, 0, 0)) is DiseaseActivity.REMISSION


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((29, 0, 20, 40), "tjc28"),
        ((-1, 0, 20, 40), "tjc28"),
        ((2.5, 0, 20, 40), "tjc28"),
        ((0, 29, 20, 40), "sjc28"),
        ((0, 0, 0, 40), "esr_mm_h"),
        ((0, 0, -5, 40), "esr_mm_h"),
        ((0, 0, 201, 40), "esr_mm_h"),
        ((0, 0, 20, 101), "patient_global_mm"),
        ((0, 0, 20, -1), "patient_global_mm"),
        ((0, 0, 20, None), "patient_global_mm"),
    ],
)
def test_das28_esr_refuses_bad_input(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(FactError) as info:
        das28_esr(*args)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((0, 0, -1, 40), "crp_mg_l"),
        ((0, 0, float("nan"), 40), "crp_mg_l"),
        ((0, 30, 1, 0), "sjc28"),
    ],
)
def test_das28_crp_refuses_bad_input(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(FactError) as info:
        das28_crp(*args)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize("score", [float("nan"), "3.2", None])
def test_das28_category_refuses_non_scores(score: object) -> None:
    with pytest.raises(FactError):
        das28_category(score)  # type: ignore[arg-type]


_joints = st.integers(0, 28)
_gh = st.floats(min_value=0, max_value=100)


@given(t1=_joints, t2=_joints, sjc=_joints, esr=st.floats(min_value=1, max_value=200), gh=_gh)
def test_das28_esr_rises_with_tender_joints(
    t1: int, t2: int, sjc: int, esr: float, gh: float
) -> None:
    low, high = sorted((t1, t2))
    assert das28_esr(low, sjc, esr, gh) <= das28_esr(high, sjc, esr, gh)


@given(tjc=_joints, sjc=_joints, c1=st.floats(0, 500), c2=st.floats(0, 500), gh=_gh)
def test_das28_crp_rises_with_crp(tjc: int, sjc: int, c1: float, c2: float, gh: float) -> None:
    low, high = sorted((c1, c2))
    assert das28_crp(tjc, sjc, low, gh) <= das28_crp(tjc, sjc, high, gh)


@given(tjc=_joints, sjc=_joints, esr=st.floats(min_value=1, max_value=200), gh=_gh)
def test_das28_esr_matches_formula(tjc: int, sjc: int, esr: float, gh: float) -> None:
    expected = 0.56 * math.sqrt(tjc) + 0.28 * math.sqrt(sjc) + 0.70 * math.log(esr) + 0.014 * gh
    assert das28_esr(tjc, sjc, esr, gh) == pytest.approx(expected)


# --- CDAI (Aletaha 2005) and SDAI (Smolen 2003) --------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((0, 0, 0, 0), 0.0),
        ((4, 3, 5, 4), 16.0),  # hand: 4 + 3 + 5 + 4
        ((1, 0, 0.9, 0.9), 2.8),  # exact despite binary floating point (2.8000000000000003)
        ((28, 28, 10, 10), 76.0),  # maximum
    ],
)
def test_cdai_examples(args: tuple[int, int, float, float], expected: float) -> None:
    assert cdai(*args) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((4, 3, 5, 4, 2.3), 18.3),  # hand: 16 + 2.3 mg/dL
        ((1, 0, 0.9, 0.9, 0.5), 3.3),  # exactly the remission cut-off
        ((0, 0, 0, 0, 0), 0.0),
    ],
)
def test_sdai_examples(args: tuple[int, int, float, float, float], expected: float) -> None:
    assert sdai(*args) == expected


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0.0, DiseaseActivity.REMISSION),
        (2.8, DiseaseActivity.REMISSION),  # remission <= 2.8
        (2.9, DiseaseActivity.LOW),
        (10.0, DiseaseActivity.LOW),  # low <= 10
        (10.1, DiseaseActivity.MODERATE),
        (22.0, DiseaseActivity.MODERATE),  # moderate <= 22
        (22.1, DiseaseActivity.HIGH),
    ],
)
def test_cdai_categories(score: float, category: DiseaseActivity) -> None:
    assert cdai_category(score) is category


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (3.3, DiseaseActivity.REMISSION),  # remission <= 3.3
        (3.31, DiseaseActivity.LOW),
        (11.0, DiseaseActivity.LOW),  # low <= 11
        (11.01, DiseaseActivity.MODERATE),
        (26.0, DiseaseActivity.MODERATE),  # moderate <= 26
        (26.01, DiseaseActivity.HIGH),
    ],
)
def test_sdai_categories(score: float, category: DiseaseActivity) -> None:
    assert sdai_category(score) is category


def test_summed_boundary_lands_in_the_right_category() -> None:
    assert cdai_category(cdai(1, 0, 0.9, 0.9)) is DiseaseActivity.REMISSION
    assert sdai_category(sdai(1, 0, 0.9, 0.9, 0.5)) is DiseaseActivity.REMISSION


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((29, 0, 0, 0), "tjc28"),
        ((0, -1, 0, 0), "sjc28"),
        ((0, 0, 10.5, 0), "patient_global_cm"),
        ((0, 0, 0, 11), "evaluator_global_cm"),
        ((0, 0, 0, float("inf")), "evaluator_global_cm"),
    ],
)
def test_cdai_refuses_bad_input(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(FactError) as info:
        cdai(*args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_sdai_refuses_negative_crp() -> None:
    with pytest.raises(FactError) as info:
        sdai(0, 0, 0, 0, -0.1)
    assert info.value.field == "crp_mg_dl"


@pytest.mark.parametrize("fn", [cdai_category, sdai_category])
def test_cdai_sdai_categories_refuse_negative(fn: object) -> None:
    with pytest.raises(FactError):
        fn(-1)  # type: ignore[operator]


@given(
    tjc=_joints,
    sjc=_joints,
    pga=st.floats(0, 10),
    ega=st.floats(0, 10),
    crp=st.floats(0, 50),
)
def test_sdai_is_cdai_plus_crp(tjc: int, sjc: int, pga: float, ega: float, crp: float) -> None:
    assert sdai(tjc, sjc, pga, ega, crp) == pytest.approx(cdai(tjc, sjc, pga, ega) + crp)
    assert cdai(tjc, sjc, pga, ega) == pytest.approx(tjc + sjc + pga + ega)


# --- the same scores in Decimal -------------------------------------------------------------


def test_exact_scores_keep_their_rational_parts_exact() -> None:
    # sqrt(4) = 2, sqrt(1) = 1, ln(1) = 0: 0.56 x 2 + 0.28 + 0.014 x 12.5 = 1.575 exactly,
    # where binary floating point gives 1.5750000000000002
    assert das28_esr_exact(4, 1, 1, Decimal("12.5")) == Decimal("1.575")
    assert das28_crp_exact(0, 0, 0, Decimal("12.5")) == Decimal("1.135")
    assert cdai_exact(1, 0, Decimal("0.9"), 0.9) == Decimal("2.8")
    assert sdai_exact(1, 0, Decimal("0.9"), Decimal("0.9"), Decimal("0.5")) == Decimal("3.3")


@given(tjc=_joints, sjc=_joints, esr=st.integers(1, 200), gh=st.integers(0, 100))
def test_exact_and_float_das28_agree(tjc: int, sjc: int, esr: int, gh: int) -> None:
    assert float(das28_esr_exact(tjc, sjc, esr, gh)) == pytest.approx(das28_esr(tjc, sjc, esr, gh))
    assert float(das28_crp_exact(tjc, sjc, esr, gh)) == pytest.approx(das28_crp(tjc, sjc, esr, gh))


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("-1"), Decimal("Infinity")])
def test_exact_scores_refuse_decimal_nonsense(value: Decimal) -> None:
    with pytest.raises(FactError) as info:
        das28_crp_exact(0, 0, value, 0)
    assert info.value.field == "crp_mg_l"
