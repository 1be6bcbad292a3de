"""Tests for trialdesk.clinical.labs (x ULN and default ULN table, Ceriotti et al. 2010)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.labs import (
    DEFAULT_ULN,
    DEFAULT_ULN_SOURCE,
    check_reported_uln,
    default_uln,
    times_uln,
)
from trialdesk.errors import FactError


@pytest.mark.parametrize(
    ("value", "uln", "expected"),
    [
        (66, 33, 2.0),  # exactly 2.0 x ULN (an "ALT > 2 x ULN" boundary: not above)
        (67, 33, 67 / 33),
        (33, 33, 1.0),
        (0, 40, 0.0),
        (0.3, 0.1, 3.0),  # binary floating point gives 2.9999999999999996
        (1.35, 0.9, 1.5),
        (118, 59, 2.0),
    ],
)
def test_times_uln(value: float, uln: float, expected: float) -> None:
    assert times_uln(value, uln) == expected


def test_two_times_uln_boundary_is_exact() -> None:
    assert not times_uln(66, 33) > 2.0
    assert times_uln(66.1, 33) > 2.0


@pytest.mark.parametrize(
    ("value", "uln", "field"),
    [
        (-1, 40, "value"),
        (float("nan"), 40, "value"),
        ("40", 40, "value"),
        (None, 40, "value"),
        (40, 0, "uln"),
        (40, -40, "uln"),
        (40, float("inf"), "uln"),
        (40, True, "uln"),
    ],
)
def test_times_uln_refuses_bad_input(value: object, uln: object, field: str) -> None:
    with pytest.raises(FactError) as info:
        times_uln(value, uln)  # type: ignore[arg-type]
    assert info.value.field == field


@pytest.mark.parametrize(
    ("analyte", "sex", "expected"),
    [
        # Ceriotti F et al. Clin Chem Lab Med 2010;48:1593-1601, adults 18-85, IFCC 37 °C:
        # ALT men 9-59 U/L, women 8-41 U/L; AST 11-34 U/L both sexes.
        ("ALT", "male", 59.0),
        ("ALT", "female", 41.0),
        ("alt", "Female", 41.0),
        ("Alanine aminotransferase", "male", 59.0),
        ("AST", "male", 34.0),
        ("AST", "female", 34.0),
        ("AST", None, 34.0),
        ("sgot", None, 34.0),
    ],
)
def test_default_uln_table(analyte: str, sex: str | None, expected: float) -> None:
    value, citation = default_uln(analyte, sex)
    assert value == expected
    assert citation == DEFAULT_ULN_SOURCE
    assert "Ceriotti" in citation and "2010" in citation


def test_alt_default_needs_the_sex() -> None:
    with pytest.raises(FactError, match="sex-specific") as info:
        default_uln("ALT", None)
    assert info.value.field == "sex"


@pytest.mark.parametrize("sex", ["other", "M", "", 1])
def test_unknown_sex_value_is_refused(sex: object) -> None:
    with pytest.raises(FactError) as info:
        default_uln("AST", sex)  # type: ignore[arg-type]
    assert info.value.field == "sex"


@pytest.mark.parametrize("analyte", ["GGT", "bilirubin", "", None])
def test_unknown_analyte_is_refused(analyte: object) -> None:
    with pytest.raises(FactError, match="no default upper limit") as info:
        default_uln(analyte, "male")  # type: ignore[arg-type]
    assert info.value.field == "analyte"


def test_table_is_read_only() -> None:
    with pytest.raises(TypeError):
        DEFAULT_ULN["ALT"] = {}  # type: ignore[index]


_values = st.floats(min_value=0, max_value=10_000)
_ulns = st.floats(min_value=0.01, max_value=1_000)


@given(v1=_values, v2=_values, uln=_ulns)
def test_times_uln_is_monotonic_in_value(v1: float, v2: float, uln: float) -> None:
    low, high = sorted((v1, v2))
    assert times_uln(low, uln) <= times_uln(high, uln)


@given(value=_values, uln=_ulns)
def test_times_uln_matches_division(value: float, uln: float) -> None:
    assert times_uln(value, uln) == pytest.approx(value / uln, rel=1e-12)


@pytest.mark.parametrize(
    ("analyte", "uln"),
    [("ALT", 12.5), ("ALT", 25.0), ("ALT", 40.0), ("ALT", 118.0), ("AST", 17.0), ("ast", 68.0)],
)
def test_a_reported_uln_laboratories_print_is_accepted(analyte: str, uln: float) -> None:
    check_reported_uln(analyte, uln)  # within half the lowest, twice the highest published


@pytest.mark.parametrize(
    ("analyte", "uln"),
    # an extra digit; a limit typed in µkat/L (0.5 µkat/L is 30 U/L); below half of 25
    [("ALT", 300.0), ("ALT", 0.5), ("ALT", 12.0), ("AST", 16.9), ("AST", 68.5)],
)
def test_a_reported_uln_no_laboratory_prints_is_refused(analyte: str, uln: float) -> None:
    with pytest.raises(FactError) as caught:
        check_reported_uln(analyte, uln)
    assert caught.value.field == "uln" and "check the number and its unit" in caught.value.message


def test_a_reported_uln_is_checked_only_where_limits_are_published() -> None:
    check_reported_uln("crp", 5000.0)  # no published band kept for CRP: no check
