"""Tests for trialdesk.clinical.ctcae (CTCAE v5.0, NCI, 27 Nov 2017).

Every case is hand-computed from the CTCAE v5.0 grade texts (clinical/ctcae/terms_v5.csv),
quoted above each table; each band is tested on both sides of its boundary: the exact
boundary value and the nearest value past it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.ctcae import (
    CtcaeGrade,
    ctcae_terms,
    grade_alt_increased,
    grade_ast_increased,
    grade_creatinine_increased,
    grade_lab,
    worse_than_baseline,
)
from trialdesk.clinical.ctcae.lab_table import all_lab_terms, not_graded
from trialdesk.errors import FactError, UnitError
from trialdesk.study.forms import ItemType
from trialdesk.study.loader import load_study

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


# --- grade_lab: every laboratory term, boundaries on both sides --------------------------

_HGB: dict[str, float] = {"lln": 130, "uln": 175}  # g/L
_Band = tuple[str, float, str, Mapping[str, float], int]


def _case(
    analyte: str, unit: str, limits: Mapping[str, float], rows: list[tuple[float, int]]
) -> list[_Band]:
    return [(analyte, value, unit, limits, grade) for value, grade in rows]


# Each row: (value, expected grade). Grade texts quoted from CTCAE v5.0.
_BANDS = [
    # Anemia: 1 "<LLN - 10.0 g/dL; <LLN - 6.2 mmol/L; <LLN - 100 g/L", 2 "<10.0 - 8.0 g/dL;
    # <6.2 - 4.9 mmol/L; <100 - 80g/L", 3 "<8.0 g/dL; <4.9 mmol/L; <80 g/L"
    *_case("HGB", "g/L", _HGB, [(130, 0), (129.9, 1), (100, 1), (99.9, 2), (80, 2), (79.9, 3)]),
    *_case(
        "hemoglobin",
        "g/dL",
        {"lln": 13.0, "uln": 17.5},
        [(13.0, 0), (12.99, 1), (10.0, 1), (9.99, 2), (8.0, 2), (7.99, 3)],
    ),
    *_case("HGB", "mmol/L", {"lln": 8.1}, [(6.2, 1), (6.19, 2), (4.9, 2), (4.89, 3)]),
    # Hemoglobin increased: 1 "Increase in >0 - 2 g/dL", 2 ">2 - 4 g/dL", 3 ">4 g/dL" (above
    # the ULN: labs.yaml `reading`); ULN 175 g/L, so 2 g/dL above it is 195 g/L.
    *_case("HGB", "g/L", _HGB, [(175, 0), (175.1, 1), (195, 1), (195.1, 2), (215, 2), (215.1, 3)]),
    *_case(
        "HGB", "g/dL", {"lln": 13.0, "uln": 17.5}, [(19.5, 1), (19.51, 2), (21.5, 2), (21.6, 3)]
    ),
    # White blood cell decreased: 1 "<LLN - 3.0 x 10e9 /L", 2 "<3.0 - 2.0", 3 "<2.0 - 1.0",
    # 4 "<1.0 x 10e9 /L"; Leukocytosis: 3 ">100,000/mm3"
    *_case(
        "WBC",
        "10*9/L",
        {"lln": 3.5, "uln": 9.5},
        [(3.5, 0), (3.49, 1), (3.0, 1), (2.99, 2), (2.0, 2), (1.99, 3), (1.0, 3), (0.99, 4)],
    ),
    *_case("wbc", "/mm3", {"lln": 3500, "uln": 9500}, [(3000, 1), (2999, 2), (1000, 3), (999, 4)]),
    *_case("WBC", "10*9/L", {"lln": 3.5, "uln": 9.5}, [(9.6, 0), (100, 0), (100.01, 3)]),
    # Neutrophil count decreased: 1 "<LLN - 1.5 x 10e9 /L", 2 "<1.5 - 1.0", 3 "<1.0 - 0.5",
    # 4 "<0.5 x 10e9 /L"
    *_case(
        "NEUT",
        "10*9/L",
        {"lln": 1.8, "uln": 6.3},
        [(1.8, 0), (1.79, 1), (1.5, 1), (1.49, 2), (1.0, 2), (0.99, 3), (0.5, 3), (0.49, 4)],
    ),
    # Lymphocyte count decreased: 1 "<LLN - 0.8 x 10e9/L", 2 "<0.8 - 0.5", 3 "<0.5 - 0.2",
    # 4 "<0.2"; increased: 2 ">4000/mm3 - 20,000/mm3", 3 ">20,000/mm3" (grade 1 not defined)
    *_case(
        "lymphocytes_absolute",
        "10*9/L",
        {"lln": 1.1, "uln": 3.2},
        [(1.1, 0), (1.09, 1), (0.8, 1), (0.79, 2), (0.5, 2), (0.49, 3), (0.2, 3), (0.19, 4)],
    ),
    *_case(
        "LYM",
        "10*9/L",
        {"lln": 1.1, "uln": 3.2},
        [(3.5, 0), (4.0, 0), (4.01, 2), (20, 2), (20.01, 3)],
    ),
    # Platelet count decreased: 1 "<LLN - 75.0 x 10e9 /L", 2 "<75.0 - 50.0", 3 "<50.0 - 25.0",
    # 4 "<25.0 x 10e9 /L"
    *_case(
        "PLAT",
        "10*9/L",
        {"lln": 125, "uln": 350},
        [(125, 0), (124, 1), (75, 1), (74.9, 2), (50, 2), (49.9, 3), (25, 3), (24.9, 4)],
    ),
    # Blood bilirubin increased, baseline normal: 1 ">ULN - 1.5 x ULN", 2 ">1.5 - 3.0 x ULN",
    # 3 ">3.0 - 10.0 x ULN", 4 ">10.0 x ULN"
    *_case(
        "BILI",
        "umol/L",
        {"uln": 21},
        [(21, 0), (21.1, 1), (31.5, 1), (31.6, 2), (63, 2), (63.1, 3), (210, 3), (210.1, 4)],
    ),
    # Alkaline phosphatase increased, baseline normal: 1 ">ULN - 2.5 x ULN", 2 ">2.5 - 5.0",
    # 3 ">5.0 - 20.0", 4 ">20.0 x ULN"
    *_case(
        "ALP",
        "U/L",
        {"uln": 125},
        [(125, 0), (126, 1), (312.5, 1), (312.6, 2), (625, 2), (626, 3), (2500, 3), (2501, 4)],
    ),
    # GGT increased: the same bands as alkaline phosphatase
    *_case(
        "GGT",
        "U/L",
        {"uln": 60},
        [(60, 0), (61, 1), (150, 1), (151, 2), (300, 2), (301, 3), (1200, 3), (1201, 4)],
    ),
    # CPK increased: 1 ">ULN - 2.5 x ULN", 2 ">2.5 x ULN - 5 x ULN", 3 ">5 x ULN - 10 x ULN",
    # 4 ">10 x ULN"
    *_case(
        "CK",
        "U/L",
        {"uln": 200},
        [(200, 0), (201, 1), (500, 1), (501, 2), (1000, 2), (1001, 3), (2000, 3), (2001, 4)],
    ),
    # Creatinine increased (no baseline): 1 ">ULN - 1.5 x ULN", 2 ">1.5 - 3.0 x ULN",
    # 3 ">3.0 - 6.0 x ULN", 4 ">6.0 x ULN"
    *_case(
        "CREAT",
        "umol/L",
        {"uln": 97},
        [(97, 0), (98, 1), (145.5, 1), (145.6, 2), (291, 2), (292, 3), (582, 3), (583, 4)],
    ),
    # Hypoalbuminemia: 1 "<LLN - 3 g/dL; <LLN - 30 g/L", 2 "<3 - 2 g/dL; <30 - 20 g/L",
    # 3 "<2 g/dL; <20 g/L"
    *_case("ALB", "g/L", {"lln": 35}, [(35, 0), (34.9, 1), (30, 1), (29.9, 2), (20, 2), (19.9, 3)]),
    *_case("albumin", "g/dL", {"lln": 3.5}, [(3.0, 1), (2.99, 2), (2.0, 2), (1.99, 3)]),
    # Hypoglycemia: 1 "<LLN - 55 mg/dL; <LLN - 3.0 mmol/L", 2 "<55 - 40 mg/dL; <3.0 - 2.2
    # mmol/L", 3 "<40 - 30 mg/dL; <2.2 - 1.7 mmol/L", 4 "<30 mg/dL; <1.7 mmol/L"
    *_case(
        "GLUC",
        "mmol/L",
        {"lln": 3.9, "uln": 6.1},
        [(3.9, 0), (3.89, 1), (3.0, 1), (2.99, 2), (2.2, 2), (2.19, 3), (1.7, 3), (1.69, 4)],
    ),
    *_case(
        "glucose",
        "mg/dL",
        {"lln": 70, "uln": 110},
        [(55, 1), (54.9, 2), (40, 2), (39.9, 3), (30, 3), (29.9, 4)],
    ),
    # Hyperkalemia: 1 ">ULN - 5.5 mmol/L", 2 ">5.5 - 6.0", 3 ">6.0 - 7.0", 4 ">7.0 mmol/L";
    # Hypokalemia: 1 "<LLN - 3.0 mmol/L", 3 "<3.0 - 2.5", 4 "<2.5" (grade 2: symptomatic)
    *_case(
        "K",
        "mmol/L",
        {"lln": 3.5, "uln": 5.1},
        [(5.1, 0), (5.2, 1), (5.5, 1), (5.51, 2), (6.0, 2), (6.01, 3), (7.0, 3), (7.01, 4)],
    ),
    *_case(
        "potassium",
        "mmol/L",
        {"lln": 3.5, "uln": 5.1},
        [(3.5, 0), (3.49, 1), (3.0, 1), (2.99, 3), (2.5, 3), (2.49, 4)],
    ),
    # Hypernatremia: 1 ">ULN - 150 mmol/L", 2 ">150 - 155", 3 ">155 - 160", 4 ">160";
    # Hyponatremia: 1 "<LLN - 130", 2 "125-129 ... asymptomatic", 3 "120-124", 4 "<120"
    *_case(
        "SODIUM",
        "mmol/L",
        {"lln": 135, "uln": 145},
        [(145, 0), (146, 1), (150, 1), (151, 2), (155, 2), (156, 3), (160, 3), (161, 4)],
    ),
    *_case(
        "sodium",
        "mmol/L",
        {"lln": 135, "uln": 145},
        [(135, 0), (134, 1), (130, 1), (129.9, 2), (125, 2), (124.9, 3), (120, 3), (119.9, 4)],
    ),
]


@pytest.mark.parametrize(("analyte", "value", "unit", "limits", "expected"), _BANDS)
def test_grade_lab_bands(
    analyte: str, value: float, unit: str, limits: Mapping[str, float], expected: int
) -> None:
    result = grade_lab(analyte, value, unit, **limits)
    assert result is not None
    assert result.grade == expected, result.rule
    assert "CTCAE v5.0" in result.rule


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "limits", "term"),
    [
        ("HGB", 99, "g/L", _HGB, "Anemia"),
        ("HGB", 200, "g/L", _HGB, "Hemoglobin increased"),
        ("WBC", 2.5, "10*9/L", {"lln": 3.5}, "White blood cell decreased"),
        ("WBC", 150, "10*9/L", {"lln": 3.5}, "Leukocytosis"),
        ("LYM", 0.5, "10*9/L", {"lln": 1.1}, "Lymphocyte count decreased"),
        ("LYM", 5, "10*9/L", {"lln": 1.1}, "Lymphocyte count increased"),
        ("K", 6.5, "mmol/L", {"lln": 3.5, "uln": 5.1}, "Hyperkalemia"),
        ("K", 2.8, "mmol/L", {"lln": 3.5, "uln": 5.1}, "Hypokalemia"),
        ("SODIUM", 160.5, "mmol/L", {"lln": 135, "uln": 145}, "Hypernatremia"),
        ("SODIUM", 121, "mmol/L", {"lln": 135, "uln": 145}, "Hyponatremia"),
        ("GLUC", 2.5, "mmol/L", {"lln": 3.9}, "Hypoglycemia"),
        ("BILI", 40, "umol/L", {"uln": 21}, "Blood bilirubin increased"),
        ("ALP", 400, "U/L", {"uln": 125}, "Alkaline phosphatase increased"),
        ("alt", 100, "U/L", {"uln": 40}, "Alanine aminotransferase increased"),
        ("AST", 100, "U/L", {"uln": 40}, "Aspartate aminotransferase increased"),
        ("creatinine", 150, "umol/L", {"uln": 97}, "Creatinine increased"),
    ],
)
def test_grade_lab_names_the_term_of_the_direction(
    analyte: str, value: float, unit: str, limits: dict[str, float], term: str
) -> None:
    result = grade_lab(analyte, value, unit, **limits)
    assert result is not None and result.grade >= 1
    assert result.term == term
    wording = ctcae_terms().named(term)
    assert wording is not None
    assert f'"{wording.grades[result.grade]}"' in result.rule  # NCI's text, quoted


@pytest.mark.parametrize(
    ("analyte", "baseline", "rows"),
    [
        # Bilirubin, baseline abnormal: 1 "> 1.0 - 1.5 x baseline", 2 ">1.5 - 3.0 x baseline",
        # 3 ">3.0 - 10.0 x baseline", 4 ">10.0 x baseline"; ULN 21, baseline 30 umol/L
        (
            "BILI",
            30,
            [(30, 0), (30.1, 1), (45, 1), (45.1, 2), (90, 2), (90.1, 3), (300, 3), (300.1, 4)],
        ),
        # Alkaline phosphatase, baseline abnormal: 1 "2.0 - 2.5 x baseline" (2.0 included),
        # 2 ">2.5 - 5.0", 3 ">5.0 - 20.0", 4 ">20.0 x baseline"; ULN 125, baseline 150
        (
            "ALP",
            150,
            [(299, 0), (300, 1), (375, 1), (376, 2), (750, 2), (751, 3), (3000, 3), (3001, 4)],
        ),
        # GGT, baseline abnormal: the same bands; ULN 60, baseline 80
        (
            "GGT",
            80,
            [(159, 0), (160, 1), (200, 1), (201, 2), (400, 2), (401, 3), (1600, 3), (1601, 4)],
        ),
    ],
)
def test_grade_lab_against_an_abnormal_baseline(
    analyte: str, baseline: float, rows: list[tuple[float, int]]
) -> None:
    uln = {"BILI": 21, "ALP": 125, "GGT": 60}[analyte]
    for value, expected in rows:
        result = grade_lab(analyte, value, "U/L", uln=uln, baseline=baseline)
        assert result is not None
        assert result.grade == expected, (value, result.rule)
        assert "(abnormal)" in result.rule and "x baseline" in result.rule


def test_a_normal_baseline_grades_against_the_uln() -> None:
    # Baseline 15 <= ULN 21: the "baseline was normal" bands, as with no baseline.
    for value, expected in [(21, 0), (21.1, 1), (31.6, 2), (63.1, 3), (210.1, 4)]:
        result = grade_lab("BILI", value, "umol/L", uln=21, baseline=15)
        assert result is not None and result.grade == expected
        assert "(normal)" in result.rule


def test_creatinine_baseline_criterion_through_grade_lab() -> None:
    # ">1.5 - 3.0 x baseline" (grade 2) while the value is still below the ULN.
    result = grade_lab("CREAT", 95, "umol/L", uln=97, baseline=60)
    assert result is not None and result.grade == 2
    assert "met: > 1.5 x baseline" in result.rule
    no_baseline = grade_lab("CREAT", 95, "umol/L", uln=97)
    assert no_baseline is not None and no_baseline.grade == 0
    assert "no baseline given" in no_baseline.rule


# --- units -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("g_per_l", "g_per_dl", "mg_per_dl"),
    [(100, 10.0, 10000), (99.9, 9.99, 9990), (80, 8.0, 8000), (79.9, 7.99, 7990)],
)
def test_haemoglobin_in_g_per_l_g_per_dl_and_a_converted_unit_agree(
    g_per_l: float, g_per_dl: float, mg_per_dl: float
) -> None:
    # CTCAE prints both g/dL and g/L; mg/dL is not printed and is converted (UCUM) to g/dL.
    in_l = grade_lab("HGB", g_per_l, "g/L", lln=130)
    in_dl = grade_lab("HGB", g_per_dl, "g/dL", lln=13)
    in_mg = grade_lab("HGB", mg_per_dl, "mg/dL", lln=13000)
    assert in_l is not None and in_dl is not None and in_mg is not None
    assert in_l.grade == in_dl.grade == in_mg.grade
    assert "g/dL" in in_mg.rule  # the converted value is shown


def test_cell_counts_convert_exactly_at_the_boundary() -> None:
    # 4 x 10^9/L is 4000/mm3 exactly: not ">4000/mm3" (a float conversion reads 3999.99...).
    at = grade_lab("LYM", 4, "10*9/L", lln=1.1, uln=3.2)
    assert at is not None and at.grade == 0
    # platelets in 10^3/uL (not printed by CTCAE): 75 x 10^3/uL = 75,000/mm3, grade 1
    plt = grade_lab("PLAT", 75, "10*3/uL", lln=150)
    assert plt is not None and plt.grade == 1
    below = grade_lab("PLAT", 74.9, "K/uL", lln=150)
    assert below is not None and below.grade == 2 and "74900 /mm3" in below.rule


def test_a_unit_that_does_not_convert_is_refused() -> None:
    with pytest.raises(UnitError) as info:
        grade_lab("PLAT", 80, "mmol/L", lln=150)
    assert info.value.field == "unit"
    for unit in (None, " "):
        with pytest.raises(FactError) as missing:
            grade_lab("HGB", 70, unit)
        assert missing.value.field == "unit"


def test_haemoglobin_in_mmol_per_l_grades_anemia_without_a_conversion() -> None:
    # CTCAE prints Anemia's mmol/L thresholds; "Hemoglobin increased" only in g/dL, converted
    # through haemoglobin's molar mass (tests/clinical/test_ctcae_labs.py: its boundaries).
    low = grade_lab("HGB", 6, "mmol/L", lln=7.5, uln=11)
    assert low is not None and (low.term, low.grade) == ("Anemia", 2)
    normal = grade_lab("HGB", 9, "mmol/L", lln=7.5, uln=11)
    assert normal is not None and normal.grade == 0
    high = grade_lab("HGB", 12, "mmol/L", lln=7.5, uln=11)
    assert high is not None and (high.term, high.grade) == ("Hemoglobin increased", 1)


# --- limits, baselines and labs without a grading ----------------------------------------


def test_a_missing_limit_is_needed_only_where_it_decides() -> None:
    # grade 3 anemia by the absolute threshold: no limit needed
    severe = grade_lab("HGB", 70, "g/L")
    assert severe is not None and severe.grade == 3
    # 120 g/L is grade 0 or 1 depending on the LLN
    with pytest.raises(FactError) as info:
        grade_lab("HGB", 120, "g/L", uln=175)
    assert info.value.field == "lln"
    # above the ULN it cannot be below the LLN
    high = grade_lab("NEUT", 7, "10*9/L", uln=6.3)
    assert high is not None and high.grade == 0
    with pytest.raises(FactError) as alt:
        grade_lab("ALT", 41, "U/L")
    assert alt.value.field == "uln"
    below = grade_lab("ALT", 5, "U/L", lln=7)  # below the LLN: above no multiple of the ULN
    assert below is not None and below.grade == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"value": -1}, "value"),
        ({"value": float("nan")}, "value"),
        ({"value": "95"}, "value"),
        ({"value": True}, "value"),
        ({"lln": -1}, "lln"),
        ({"uln": 0}, "uln"),
        ({"lln": 180, "uln": 175}, "lln"),
        ({"baseline": Decimal("-2")}, "baseline"),
    ],
)
def test_grade_lab_refuses_bad_numbers(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"value": 95, "lln": 130, "uln": 175, **kwargs}
    value = args.pop("value")
    with pytest.raises(FactError) as info:
        grade_lab("HGB", value, "g/L", **args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_grade_lab_reads_decimals_exactly() -> None:
    at = grade_lab("ALT", Decimal("0.3"), "U/L", uln=Decimal("0.1"))
    past = grade_lab("ALT", Decimal("0.30001"), "U/L", uln=Decimal("0.1"))
    assert at is not None and past is not None
    assert (at.grade, past.grade) == (1, 2)


@pytest.mark.parametrize("analyte", ["UREA", "urea", "CRP", "esr", "rheumatoid_factor", "XYZ"])
def test_a_lab_without_a_ctcae_grading_returns_none(analyte: str) -> None:
    assert grade_lab(analyte, 9, "mmol/L", lln=2.8, uln=7.6) is None


def test_hyperglycemia_is_left_to_the_investigator() -> None:
    # v5.0 grades hyperglycemia by clinical criteria only: a high glucose is not graded, and
    # the rule says so; a low one is Hypoglycemia.
    high = grade_lab("GLUC", 15, "mmol/L", lln=3.9, uln=6.1)
    assert high is not None and (high.term, high.grade) == ("Hypoglycemia", 0)
    assert "Hyperglycemia" in high.rule and "clinical criteria only" in high.rule
    normal = grade_lab("GLUC", 5, "mmol/L", lln=3.9, uln=6.1)
    assert normal is not None and "Hyperglycemia" not in normal.rule
    assert not_graded("glucose") is not None


def test_clinical_parts_of_a_grade_are_named_for_the_investigator() -> None:
    result = grade_lab("K", 3.2, "mmol/L", lln=3.5, uln=5.1)
    assert result is not None and result.grade == 1
    assert "for the investigator" in result.rule and "symptomatic" in result.rule


# --- worse than baseline -----------------------------------------------------------------


def _g(term: str, grade: int) -> CtcaeGrade:
    return CtcaeGrade(term=term, grade=grade, rule="")


@pytest.mark.parametrize(
    ("grade", "baseline", "proposes"),
    [
        (_g("Anemia", 0), None, False),
        (_g("Anemia", 1), None, True),  # new
        (_g("Anemia", 1), _g("Anemia", 0), True),
        (_g("Anemia", 1), _g("Anemia", 1), False),  # the same as baseline
        (_g("Anemia", 2), _g("Anemia", 1), True),  # worse
        (_g("Anemia", 1), _g("Anemia", 2), False),  # better
        (_g("Hemoglobin increased", 1), _g("Anemia", 1), True),  # the other direction
        (_g("Hypokalemia", 1), 0, True),
        (_g("Hypokalemia", 1), 1, False),
        (None, _g("Anemia", 1), False),
    ],
)
def test_worse_than_baseline(
    grade: CtcaeGrade | None, baseline: CtcaeGrade | int | None, proposes: bool
) -> None:
    assert worse_than_baseline(grade, baseline) is proposes


def test_worse_than_baseline_with_grades_from_grade_lab() -> None:
    # ALT: baseline 60 U/L (ULN 40) is grade 1; at follow-up 1.5-3.0 x baseline is still
    # grade 1 (not worse), >3.0 x baseline is grade 2 (worse).
    base = grade_lab("ALT", 60, "U/L", uln=40)
    same = grade_lab("ALT", 150, "U/L", uln=40, baseline=60)
    worse = grade_lab("ALT", 181, "U/L", uln=40, baseline=60)
    assert base is not None and same is not None and worse is not None
    assert (base.grade, same.grade, worse.grade) == (1, 1, 2)
    assert not worse_than_baseline(same, base)
    assert worse_than_baseline(worse, base)


# --- the table against its source and the study's forms ------------------------------------

_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _printed(text: str | None) -> set[Decimal]:
    return {Decimal(n) for n in _NUMBER.findall((text or "").replace(",", ""))}


def test_every_threshold_is_printed_in_its_ctcae_grade_text() -> None:
    terms = ctcae_terms()
    for lab_term in all_lab_terms():
        wording = terms.named(lab_term.term)
        assert wording is not None, lab_term.term
        sets = [lab_term.grades, lab_term.if_baseline_abnormal or {}]
        for criteria_by_grade in sets:
            for grade, criteria in criteria_by_grade.items():
                text = wording.grades[grade]
                assert text is not None, (lab_term.term, grade)
                printed = _printed(text)
                if lab_term.reading:  # an interval read as joining the grade below it
                    printed |= _printed(wording.grades.get(grade - 1))
                for c in criteria:
                    numbers = [n for _, n in c.thresholds]
                    if " x " in c.text:
                        numbers.append(c.factor)
                    if c.offset is not None:
                        numbers.append(c.offset)
                    for number in numbers:
                        assert number in printed, (lab_term.term, grade, c.text, text)


def test_every_lab_the_forms_collect_is_graded_or_explained() -> None:
    study = load_study()
    labs = [
        item
        for form_id in ("haematology", "chemistry", "acute_phase")
        for item in study.forms[form_id].items
        if item.type in (ItemType.DECIMAL, ItemType.INTEGER)
        and item.sdtm is not None
        and item.sdtm.testcd
        and item.sdtm.variable is None  # a result, not its reference limit
    ]
    assert len(labs) == 14
    for item in labs:
        assert item.sdtm is not None and item.sdtm.testcd is not None and item.unit
        keys = [k for k in (item.concept, item.sdtm.testcd) if k]
        result = grade_lab(item.sdtm.testcd, 1, item.unit, lln=0.5, uln=2)
        if result is None:
            assert any(not_graded(k) for k in keys), item.id
            continue
        for key in keys:  # the concept and the SDTM test code name the same grading
            same = grade_lab(key, 1, item.unit, lln=0.5, uln=2)
            assert same == result, (item.id, key)
