"""Tests for trialdesk.clinical.acr_eular.

Sources of the expected values are given at each table. Where no published worked example
with all inputs was found, the value was computed by hand from the published formula and the
intermediate figures are written next to the case.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.acr_eular import (
    AcrEular2010,
    RaClassification,
    Serology,
    acr_eular_2010,
    acr_eular_2010_range,
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
