"""Tests for trialdesk.clinical.ra_scores.

Sources of the expected values are given at each table. Where no published worked example
with all inputs was found, the value was computed by hand from the published formula and the
intermediate figures are written next to the case.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.ra_scores import (
    AcrEular2010,
    DiseaseActivity,
    HaqCategory,
    RaClassification,
    Serology,
    acr_eular_2010,
    acr_eular_2010_range,
    cdai,
    cdai_category,
    das28_category,
    das28_crp,
    das28_esr,
    haq_di,
    sdai,
    sdai_category,
    serology_level,
)
from trialdesk.errors import FactError

NEG, LOW, HIGH = Serology.NEGATIVE, Serology.LOW_POSITIVE, Serology.HIGH_POSITIVE

# --- ACR/EULAR 2010 (Aletaha et al. Arthritis Rheum 2010;62:2569-81, Table 3) -------------


@pytest.mark.parametrize(
    ("large", "small", "other", "points"),
    [
        (0, 0, 0, 0),
        (1, 0, 0, 0),  # 1 large joint
        (2, 0, 0, 1),  # 2-10 large joints
        (10, 0, 0, 1),
        (10, 0, 5, 1),  # >10 joints but no small joint: still the large-joint row
        (0, 1, 0, 2),  # 1-3 small joints (with or without large)
        (5, 3, 0, 2),
        (0, 4, 0, 3),  # 4-10 small joints
        (0, 10, 0, 3),  # exactly 10 joints: not ">10"
        (1, 9, 0, 3),
        (1, 10, 0, 5),  # 11 joints, at least one small
        (10, 1, 0, 5),
        (0, 1, 10, 5),  # "other" joints (TMJ, AC, SC) count toward >10
        (0, 30, 0, 5),
    ],
)
def test_joint_domain(large: int, small: int, other: int, points: int) -> None:
    result = acr_eular_2010_range(large_joints=large, small_joints=small, other_joints=other)
    assert result.joints == points


@pytest.mark.parametrize(
    ("rf", "acpa", "points"),
    [
        (NEG, NEG, 0),
        (LOW, NEG, 2),
        (NEG, LOW, 2),
        (LOW, LOW, 2),
        (HIGH, NEG, 3),
        (LOW, HIGH, 3),
        # The paper: at least one test result is needed; a domain is scored from it.
        (NEG, None, 0),
        (None, HIGH, 3),
        ("low-positive", None, 2),
        (None, None, None),
    ],
)
def test_serology_domain(rf: Serology | None, acpa: Serology | None, points: int | None) -> None:
    assert acr_eular_2010_range(rf=rf, acpa=acpa).serology == points


@pytest.mark.parametrize(
    ("value", "uln", "level"),
    [
        # Aletaha 2010: negative <= ULN; low-positive > ULN and <= 3 x ULN; high > 3 x ULN.
        (0, 14, NEG),
        (14, 14, NEG),
        (14.1, 14, LOW),
        (42, 14, LOW),  # exactly 3 x ULN
        (42.1, 14, HIGH),
        (0.3, 0.1, LOW),  # 3 x ULN exactly in decimal (binary gives 2.9999999999999996)
        (500, 20, HIGH),
    ],
)
def test_serology_level_from_titre(value: float, uln: float, level: Serology) -> None:
    assert serology_level(value, uln) is level


@pytest.mark.parametrize(("value", "uln"), [(-1, 14), (10, 0), (10, -1), ("x", 14)])
def test_serology_level_refuses_bad_titres(value: object, uln: object) -> None:
    with pytest.raises(FactError):
        serology_level(value, uln, field="rf")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("crp", "esr", "points"),
    [(False, False, 0), (True, False, 1), (False, True, 1), (None, True, 1), (False, None, 0)],
)
def test_acute_phase_domain(crp: bool | None, esr: bool | None, points: int) -> None:
    assert acr_eular_2010_range(crp_abnormal=crp, esr_abnormal=esr).acute_phase == points


@pytest.mark.parametrize(("weeks", "points"), [(0, 0), (5.9, 0), (6, 1), (52, 1)])
def test_duration_domain(weeks: float, points: int) -> None:
    assert acr_eular_2010_range(symptom_weeks=weeks).duration == points


@pytest.mark.parametrize(
    ("inputs", "domains", "total", "classification"),
    [
        # Hand-computed from Table 3. 3 small joints (2) + high-positive RF (3) + raised CRP
        # (1) + 8 weeks (1) = 7: definite RA.
        (
            {"large_joints": 0, "small_joints": 3, "rf": HIGH, "acpa": NEG,
             "crp_abnormal": True, "esr_abnormal": False, "symptom_weeks": 8},
            (2, 3, 1, 1), 7, RaClassification.DEFINITE_RA,
        ),
        # Exactly 6 (threshold): 4 small (3) + low-positive ACPA (2) + raised ESR (1) +
        # 4 weeks (0) = 6: definite RA.
        (
            {"large_joints": 0, "small_joints": 4, "rf": NEG, "acpa": LOW,
             "crp_abnormal": False, "esr_abnormal": True, "symptom_weeks": 4},
            (3, 2, 1, 0), 6, RaClassification.DEFINITE_RA,
        ),
        # One point short: the same with normal CRP and ESR = 5: not classified as RA.
        (
            {"large_joints": 0, "small_joints": 4, "rf": NEG, "acpa": LOW,
             "crp_abnormal": False, "esr_abnormal": False, "symptom_weeks": 4},
            (3, 2, 0, 0), 5, RaClassification.NOT_CLASSIFIED,
        ),
        # >10 joints alone reach 5; with >= 6 weeks, 6: definite RA even if seronegative.
        (
            {"large_joints": 2, "small_joints": 12, "rf": NEG, "acpa": NEG,
             "crp_abnormal": False, "esr_abnormal": False, "symptom_weeks": 6},
            (5, 0, 0, 1), 6, RaClassification.DEFINITE_RA,
        ),
        # Mono-arthritis of the knee, seronegative, normal APR, 2 weeks: 0.
        (
            {"large_joints": 1, "small_joints": 0, "rf": NEG, "acpa": NEG,
             "crp_abnormal": False, "esr_abnormal": False, "symptom_weeks": 2},
            (0, 0, 0, 0), 0, RaClassification.NOT_CLASSIFIED,
        ),
        # Maximum: 5 + 3 + 1 + 1 = 10.
        (
            {"large_joints": 10, "small_joints": 30, "rf": HIGH, "acpa": HIGH,
             "crp_abnormal": True, "esr_abnormal": True, "symptom_weeks": 400},
            (5, 3, 1, 1), 10, RaClassification.DEFINITE_RA,
        ),
    ],
)  # fmt: skip
def test_acr_eular_2010_examples(
    inputs: dict[str, object],
    domains: tuple[int, int, int, int],
    total: int,
    classification: RaClassification,
) -> None:
    result = acr_eular_2010(**inputs)  # type: ignore[arg-type]
    assert (result.joints, result.serology, result.acute_phase, result.duration) == domains
    assert result.total == total == result.minimum == result.maximum
    assert result.unknown == ()
    assert result.classification is classification


def test_strict_score_accepts_one_test_per_domain() -> None:
    result = acr_eular_2010(
        large_joints=0,
        small_joints=5,
        rf=None,
        acpa=HIGH,
        crp_abnormal=True,
        esr_abnormal=None,
        symptom_weeks=10,
    )
    assert result.total == 3 + 3 + 1 + 1


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"rf": None, "acpa": None}, "rf/acpa"),
        ({"crp_abnormal": None, "esr_abnormal": None}, "crp_abnormal/esr_abnormal"),
        ({"symptom_weeks": None}, "symptom_weeks"),
        ({"small_joints": None}, "small_joints"),
    ],
)
def test_strict_score_names_missing_domains(kwargs: dict[str, object], named: str) -> None:
    args: dict[str, object] = {
        "large_joints": 0,
        "small_joints": 4,
        "rf": NEG,
        "acpa": NEG,
        "crp_abnormal": False,
        "esr_abnormal": False,
        "symptom_weeks": 8,
    }
    args.update(kwargs)
    with pytest.raises(FactError, match="needs") as info:
        acr_eular_2010(**args)  # type: ignore[arg-type]
    assert named in str(info.value.field)


@pytest.mark.parametrize(
    ("inputs", "minimum", "maximum", "classification", "unknown"),
    [
        # Nothing known: 0-10.
        ({}, 0, 10, RaClassification.UNDETERMINED,
         ("joints", "serology", "acute_phase", "duration")),
        # >10 joints (5) + >= 6 weeks (1) = 6 already: >= 6 whatever the missing domains.
        ({"large_joints": 0, "small_joints": 12, "symptom_weeks": 8}, 6, 10,
         RaClassification.DEFINITE_RA, ("serology", "acute_phase")),
        # 12 small joints fix the joint domain at 5 even with the large count unknown.
        ({"small_joints": 12, "symptom_weeks": 8}, 6, 10,
         RaClassification.DEFINITE_RA, ("serology", "acute_phase")),
        # 1 large joint (0) + < 6 weeks (0): at most 0 + 3 + 1 + 0 = 4 < 6 whatever.
        ({"large_joints": 1, "small_joints": 0, "symptom_weeks": 3}, 0, 4,
         RaClassification.NOT_CLASSIFIED, ("serology", "acute_phase")),
        # 2 small joints (2) + RF negative (0) + 8 weeks (1): 3 + APR 0..1 -> 3..4: < 6.
        ({"large_joints": 0, "small_joints": 2, "rf": NEG, "symptom_weeks": 8}, 3, 4,
         RaClassification.NOT_CLASSIFIED, ("acute_phase",)),
        # 4 small (3) + 8 weeks (1) = 4; serology 0..3, APR 0..1 -> 4..8: undetermined.
        ({"large_joints": 0, "small_joints": 4, "symptom_weeks": 8}, 4, 8,
         RaClassification.UNDETERMINED, ("serology", "acute_phase")),
        # Small joints unknown with 0 large: joints 0..5.
        ({"large_joints": 0, "rf": HIGH, "crp_abnormal": True, "symptom_weeks": 8}, 5, 10,
         RaClassification.UNDETERMINED, ("joints",)),
        # 3 small + 8 large known, other joints unknown: 11 already, so 5 whatever.
        ({"large_joints": 8, "small_joints": 3, "other_joints": None}, 5, 10,
         RaClassification.UNDETERMINED, ("serology", "acute_phase", "duration")),
        # 3 small, 0 large, other unknown: 2 (no others) up to 5 (8+ others).
        ({"large_joints": 0, "small_joints": 3, "other_joints": None, "rf": NEG,
          "acpa": NEG, "crp_abnormal": False, "symptom_weeks": 2}, 2, 5,
         RaClassification.NOT_CLASSIFIED, ("joints",)),
    ],
)  # fmt: skip
def test_range_with_missing_domains(
    inputs: dict[str, object],
    minimum: int,
    maximum: int,
    classification: RaClassification,
    unknown: tuple[str, ...],
) -> None:
    result = acr_eular_2010_range(**inputs)  # type: ignore[arg-type]
    assert (result.minimum, result.maximum) == (minimum, maximum)
    assert result.classification is classification
    assert result.unknown == unknown
    assert result.total is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"large_joints": 11}, "large_joints"),
        ({"large_joints": -1}, "large_joints"),
        ({"small_joints": 31}, "small_joints"),
        ({"small_joints": 2.5}, "small_joints"),
        ({"other_joints": -1}, "other_joints"),
        ({"rf": "positive"}, "rf"),
        ({"acpa": 3}, "acpa"),
        ({"crp_abnormal": "yes"}, "crp_abnormal"),
        ({"esr_abnormal": 1}, "esr_abnormal"),
        ({"symptom_weeks": -1}, "symptom_weeks"),
        ({"symptom_weeks": float("nan")}, "symptom_weeks"),
    ],
)
def test_range_refuses_bad_input(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(FactError) as info:
        acr_eular_2010_range(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


_levels = st.sampled_from(list(Serology))
_flags = st.booleans()


@given(
    large=st.integers(0, 10),
    small=st.integers(0, 30),
    other=st.integers(0, 15),
    rf=_levels,
    acpa=_levels,
    crp=_flags,
    esr=_flags,
    weeks=st.floats(min_value=0, max_value=1000),
    hidden=st.sets(
        st.sampled_from(["large", "small", "other", "serology", "apr", "weeks"]), max_size=6
    ),
)
def test_true_total_always_lies_within_the_reported_range(
    large: int,
    small: int,
    other: int,
    rf: Serology,
    acpa: Serology,
    crp: bool,
    esr: bool,
    weeks: float,
    hidden: set[str],
) -> None:
    full = acr_eular_2010_range(
        large_joints=large,
        small_joints=small,
        other_joints=other,
        rf=rf,
        acpa=acpa,
        crp_abnormal=crp,
        esr_abnormal=esr,
        symptom_weeks=weeks,
    )
    assert full.total is not None and 0 <= full.total <= 10
    partial = acr_eular_2010_range(
        large_joints=None if "large" in hidden else large,
        small_joints=None if "small" in hidden else small,
        other_joints=None if "other" in hidden else other,
        rf=None if "serology" in hidden else rf,
        acpa=None if "serology" in hidden else acpa,
        crp_abnormal=None if "apr" in hidden else crp,
        esr_abnormal=None if "apr" in hidden else esr,
        symptom_weeks=None if "weeks" in hidden else weeks,
    )
    assert partial.minimum <= full.total <= partial.maximum
    if partial.classification is RaClassification.DEFINITE_RA:
        assert full.classification is RaClassification.DEFINITE_RA
    if partial.classification is RaClassification.NOT_CLASSIFIED:
        assert full.classification is RaClassification.NOT_CLASSIFIED


def test_result_is_frozen() -> None:
    result = acr_eular_2010_range()
    assert isinstance(result, AcrEular2010)
    with pytest.raises(AttributeError):
        result.joints = 5  # type: ignore[misc]


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


# --- HAQ-DI (Fries 1980; Bruce & Fries 2003) ---------------------------------------------

_HAQ_EXAMPLE: dict[HaqCategory | str, list[int | None]] = {
    HaqCategory.DRESSING: [1, 0],  # 1
    HaqCategory.ARISING: [2, 1],  # 2
    HaqCategory.EATING: [0, 0, 1],  # 1
    HaqCategory.WALKING: [1, 1],  # 1, raised to 2 by a cane
    HaqCategory.HYGIENE: [0, 0, 0],  # 0
    HaqCategory.REACH: [3, 1],  # 3
    HaqCategory.GRIP: [1, 2, 0],  # 2
    HaqCategory.ACTIVITIES: [1, 1, 1],  # 1
}


def test_haq_di_worked_example() -> None:
    # Hand-computed: highest item per category, walking raised to 2 by a cane:
    # (1 + 2 + 1 + 2 + 0 + 3 + 2 + 1) / 8 = 12 / 8 = 1.5.
    assert haq_di(_HAQ_EXAMPLE, aids_or_help=[HaqCategory.WALKING]) == 1.5
    # Without the aid: 11 / 8 = 1.375.
    assert haq_di(_HAQ_EXAMPLE) == 1.375


def test_aid_never_lowers_a_category_and_leaves_3_alone() -> None:
    # Reach is already 3; an aid there changes nothing. Grip is 2: unchanged. Hygiene 0 -> 2.
    assert haq_di(_HAQ_EXAMPLE, aids_or_help=["reach", "grip"]) == 1.375
    assert haq_di(_HAQ_EXAMPLE, aids_or_help=["hygiene"]) == 13 / 8


def test_missing_categories_reduce_the_divisor() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.HYGIENE] = [None, None, None]  # unanswered: 11 / 7
    assert haq_di(answers) == pytest.approx(11 / 7)
    del answers[HaqCategory.REACH]  # six categories left: (11 - 3) / 6
    assert haq_di(answers) == pytest.approx(8 / 6)


def test_aid_alone_does_not_score_an_unanswered_category() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.HYGIENE] = [None, None, None]
    assert haq_di(answers, aids_or_help=["hygiene"]) == pytest.approx(11 / 7)


def test_partially_answered_category_counts() -> None:
    answers = dict(_HAQ_EXAMPLE)
    answers[HaqCategory.EATING] = [None, 3, None]
    assert haq_di(answers) == (11 - 1 + 3) / 8


@pytest.mark.parametrize(("level", "expected"), [(0, 0.0), (3, 3.0)])
def test_haq_di_extremes(level: int, expected: float) -> None:
    answers = {category: [level] * 3 for category in ("eating", "hygiene", "grip", "activities")}
    answers |= {category: [level] * 2 for category in ("dressing_grooming", "arising", "walking")}
    answers["reach"] = [level, level]
    assert haq_di(answers) == expected


def test_fewer_than_six_categories_is_refused() -> None:
    answers = {key: value for key, value in _HAQ_EXAMPLE.items() if key not in ("reach", "grip")}
    answers[HaqCategory.HYGIENE] = [None, None, None]  # 5 answered
    with pytest.raises(FactError, match="at least 6 of 8") as info:
        haq_di(answers)
    assert info.value.field == "haq_di"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"walking": [1, 1, 1]}, "has 2 items"),
        ({"walking": [4, 1]}, "0-3"),
        ({"walking": [-1, 1]}, "0-3"),
        ({"walking": [1.5, 1]}, "0-3"),
        ({"walking": [True, 1]}, "0-3"),
        ({"sleeping": [1, 1]}, "unknown HAQ-DI category"),
    ],
)
def test_haq_di_refuses_bad_input(change: dict[str, list[object]], message: str) -> None:
    answers: dict[object, object] = {str(k): v for k, v in _HAQ_EXAMPLE.items()}
    answers.update(change)
    with pytest.raises(FactError, match=message):
        haq_di(answers)  # type: ignore[arg-type]


def test_haq_di_refuses_unknown_aid_category() -> None:
    with pytest.raises(FactError, match="unknown HAQ-DI category") as info:
        haq_di(_HAQ_EXAMPLE, aids_or_help=["cane"])
    assert info.value.field == "aids_or_help"


@given(data=st.data(), aids=st.sets(st.sampled_from(list(HaqCategory))))
def test_haq_di_stays_within_0_3_and_aids_never_lower_it(
    data: st.DataObject, aids: set[HaqCategory]
) -> None:
    answers = {
        category: data.draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
        for category, size in (
            (HaqCategory.DRESSING, 2),
            (HaqCategory.ARISING, 2),
            (HaqCategory.EATING, 3),
            (HaqCategory.WALKING, 2),
            (HaqCategory.HYGIENE, 3),
            (HaqCategory.REACH, 2),
            (HaqCategory.GRIP, 3),
            (HaqCategory.ACTIVITIES, 3),
        )
    }
    plain = haq_di(answers)  # type: ignore[arg-type]
    aided = haq_di(answers, aids_or_help=aids)  # type: ignore[arg-type]
    assert 0 <= plain <= aided <= 3
