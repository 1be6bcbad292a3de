"""Tests for trialdesk.clinical.renal (Cockcroft & Gault, Nephron 1976;16:31-41)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.renal import (
    CREATININE_MG_DL_MAX,
    CREATININE_MG_DL_MIN,
    UMOL_L_PER_MG_DL,
    check_creatinine_mg_dl,
    cockcroft_gault,
    creatinine_mg_dl_to_umol_l,
    creatinine_umol_l_to_mg_dl,
)
from trialdesk.errors import FactError


@pytest.mark.parametrize(
    ("age", "weight", "creatinine", "sex", "expected"),
    [
        # Hand-computed from the paper's equation (140 - age) x kg / (72 x Scr):
        # 68 y, 72 kg, 1.0 mg/dL, man: 72 x 72 / 72 = 72 mL/min.
        (68, 72, 1.0, "male", 72.0),
        # 72 y, 72 kg, 1.0 mg/dL, man: 68 x 72 / 72 = 68 mL/min (not 72).
        (72, 72, 1.0, "male", 68.0),
        # Same woman: 68 x 0.85 = 57.8 mL/min.
        (72, 72, 1.0, "female", 57.8),
        # superglobalcalculator.com (creatinine-clearance formula page) Example 1:
        # man, 65 y, 70 kg, 1.4 mg/dL -> 75 x 70 / 100.8 = 52.1 mL/min.
        (65, 70, 1.4, "male", 52.1),
        # Same page, Example 2: woman, 45 y, 60 kg, 0.9 mg/dL -> 5700 / 64.8 x 0.85 = 74.8.
        (45, 60, 0.9, "female", 74.8),
        # superglobalcalculator.com (health) Example 1: man, 60 y, 80 kg, 1.2 -> 74.1 mL/min.
        (60, 80, 1.2, "male", 74.1),
        # Same page, Example 2: woman, 45 y, 65 kg, 0.9 -> 6175 / 64.8 x 0.85. The page
        # prints "about 80.9"; by hand 95.293 x 0.85 = 80.999, i.e. 81.0 (the page truncates).
        (45, 65, 0.9, "female", 81.0),
    ],
)
def test_cockcroft_gault_worked_examples(
    age: int, weight: float, creatinine: float, sex: str, expected: float
) -> None:
    assert cockcroft_gault(age, weight, creatinine, sex) == pytest.approx(expected, abs=0.05)


def test_exact_decimal_arithmetic() -> None:
    # 68 y, 72 kg, 1.0 mg/dL: exactly 72 and 72 x 0.85 = 61.2 with no binary residue.
    assert cockcroft_gault(68, 72, 1.0, "male") == 72.0
    assert cockcroft_gault(68, 72, 1.0, "female") == 61.2


@pytest.mark.parametrize("sex", ["Male", " FEMALE "])
def test_sex_is_case_insensitive(sex: str) -> None:
    assert cockcroft_gault(40, 70, 1.0, sex) > 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"age_years": 17}, "age_years"),
        ({"age_years": 123}, "age_years"),
        ({"age_years": -5}, "age_years"),
        ({"age_years": 40.5}, "age_years"),
        ({"age_years": True}, "age_years"),
        ({"weight_kg": -70}, "weight_kg"),
        ({"weight_kg": 0}, "weight_kg"),
        ({"weight_kg": 7000}, "weight_kg"),
        ({"creatinine_mg_dl": 0}, "creatinine_mg_dl"),
        ({"creatinine_mg_dl": -1}, "creatinine_mg_dl"),
        ({"creatinine_mg_dl": 88.4}, "creatinine_mg_dl"),  # µmol/L passed as mg/dL
        ({"creatinine_mg_dl": float("nan")}, "creatinine_mg_dl"),
        ({"sex": "other"}, "sex"),
        ({"sex": "unknown"}, "sex"),
        ({"sex": None}, "sex"),
    ],
)
def test_bad_input_is_refused_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "age_years": 50,
        "weight_kg": 70,
        "creatinine_mg_dl": 1.0,
        "sex": "male",
    }
    args.update(kwargs)
    with pytest.raises(FactError) as info:
        cockcroft_gault(**args)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize("age", [18, 122])
def test_age_limits_are_inclusive(age: int) -> None:
    assert cockcroft_gault(age, 70, 1.0, "male") == pytest.approx((140 - age) * 70 / 72)


def test_conversion_factor_from_molar_mass() -> None:
    # 113.12 g/mol -> 1 mg/dL = 10 000 / 113.12 µmol/L = 88.40 µmol/L.
    assert pytest.approx(88.4017, abs=1e-4) == UMOL_L_PER_MG_DL


@pytest.mark.parametrize(
    ("umol_l", "mg_dl"),
    [
        # KDIGO AKI guideline 2012: 4.0 mg/dL = 353.6 µmol/L; 0.3 mg/dL = 26.5 µmol/L.
        (353.6, 4.0),
        (26.5, 0.3),
        # 88.4 µmol/L = 1.0 mg/dL (the factor commonly tabulated, e.g. KDIGO).
        (88.4, 1.0),
        (0, 0.0),
    ],
)
def test_creatinine_unit_conversion_examples(umol_l: float, mg_dl: float) -> None:
    assert creatinine_umol_l_to_mg_dl(umol_l) == pytest.approx(mg_dl, abs=0.001)
    assert creatinine_mg_dl_to_umol_l(mg_dl) == pytest.approx(umol_l, abs=0.05)


@pytest.mark.parametrize("bad", [-1, float("inf"), "88", None])
def test_conversion_refuses_bad_values(bad: object) -> None:
    with pytest.raises(FactError) as info:
        creatinine_umol_l_to_mg_dl(bad)  # type: ignore[arg-type]
    assert info.value.field == "creatinine_umol_l"
    with pytest.raises(FactError) as info:
        creatinine_mg_dl_to_umol_l(bad)  # type: ignore[arg-type]
    assert info.value.field == "creatinine_mg_dl"


@pytest.mark.parametrize("value", [CREATININE_MG_DL_MIN, 0.9, 73.8, CREATININE_MG_DL_MAX])
def test_plausible_creatinine_passes(value: float) -> None:
    # 73.8 mg/dL: highest recorded serum creatinine (Case Rep Nephrol 2021;2021:6048919).
    assert check_creatinine_mg_dl(value) == value


@pytest.mark.parametrize("value", [0.0, 0.09, 80.1, 150.0])
def test_implausible_creatinine_is_refused(value: float) -> None:
    with pytest.raises(FactError, match="implausible"):
        check_creatinine_mg_dl(value)


_ages = st.integers(18, 122)
_weights = st.floats(min_value=30, max_value=300)
_creatinines = st.floats(min_value=CREATININE_MG_DL_MIN, max_value=CREATININE_MG_DL_MAX)


@given(a1=_ages, a2=_ages, weight=_weights, scr=_creatinines)
def test_clearance_falls_with_age(a1: int, a2: int, weight: float, scr: float) -> None:
    young, old = sorted((a1, a2))
    assert cockcroft_gault(young, weight, scr, "male") >= cockcroft_gault(old, weight, scr, "male")


@given(age=_ages, w1=_weights, w2=_weights, scr=_creatinines)
def test_clearance_rises_with_weight(age: int, w1: float, w2: float, scr: float) -> None:
    light, heavy = sorted((w1, w2))
    assert cockcroft_gault(age, light, scr, "male") <= cockcroft_gault(age, heavy, scr, "male")


@given(age=_ages, weight=_weights, s1=_creatinines, s2=_creatinines)
def test_clearance_falls_with_creatinine(age: int, weight: float, s1: float, s2: float) -> None:
    low, high = sorted((s1, s2))
    assert cockcroft_gault(age, weight, low, "male") >= cockcroft_gault(age, weight, high, "male")


@given(age=_ages, weight=_weights, scr=_creatinines)
def test_female_is_85_percent_of_male(age: int, weight: float, scr: float) -> None:
    male = cockcroft_gault(age, weight, scr, "male")
    assert cockcroft_gault(age, weight, scr, "female") == pytest.approx(0.85 * male, rel=1e-12)


@given(umol=st.floats(min_value=0, max_value=10_000))
def test_conversion_round_trips(umol: float) -> None:
    back = creatinine_mg_dl_to_umol_l(creatinine_umol_l_to_mg_dl(umol))
    assert back == pytest.approx(umol, rel=1e-12, abs=1e-12)
