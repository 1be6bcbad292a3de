"""UCUM codes in the form people read them (walkthrough D20: "10*3/uL", "6.5 {score}")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.unit_display import quantity_shown, unit_shown
from trialdesk.criteria.outcome import fmt_ratio


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("10*3/uL", "×10³/µL"),
        ("10*9/L", "×10⁹/L"),
        ("10^3/uL", "×10³/µL"),
        ("x10^9/L", "×10⁹/L"),  # an alias real exports send, read as its UCUM code
        ("umol/L", "µmol/L"),
        ("ug/L", "µg/L"),
        ("U/L", "U/L"),  # enzyme units: capital U is no prefix
        ("mm[Hg]", "mmHg"),
        ("[IU]/mL", "IU/mL"),
        ("Cel", "°C"),
        ("kg/m2", "kg/m²"),
        ("kg.m-2", "kg·m⁻²"),
        ("{score}", ""),  # a score: the number alone
        ("{#}", ""),
        ("1", ""),
        ("", ""),
        (None, ""),
        ("{cells}/uL", "cells/µL"),
        ("10*6{cells}", "×10⁶ cells"),
        ("{beats}/min", "beats/min"),
        ("mg/dL", "mg/dL"),
        ("%", "%"),
        ("/[HPF]", "/HPF"),
    ],
)
def test_a_code_is_shown_as_printed(code: str | None, shown: str) -> None:
    assert unit_shown(code) == shown


@pytest.mark.parametrize(
    ("number", "code", "shown"),
    [("6.5", "{score}", "6.5"), ("6.2", "10*3/uL", "6.2 ×10³/µL"), ("40", "%", "40%")],
)
def test_a_quantity_reads_as_on_a_lab_report(number: str, code: str, shown: str) -> None:
    assert quantity_shown(number, code) == shown


def test_nothing_shown_keeps_ucum_brackets_braces_or_stars() -> None:
    codes = ["10*3/uL", "mm[Hg]", "{score}", "[IU]/L", "10*6{cells}", "{beats}/min"]
    for code in codes:
        assert not set(unit_shown(code)) & set("*[]{}^"), code


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [(0.7015, "0.7"), (1.9975, "1.99"), (2.0, "2"), (0.29, "0.29"), (3.456, "3.45")],
)
def test_a_times_uln_ratio_has_two_decimals_at_most(ratio: float, shown: str) -> None:
    assert fmt_ratio(ratio) == shown


@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.integers(min_value=1, max_value=1000),
)
def test_a_shown_ratio_stays_on_the_side_of_any_two_decimal_limit(
    value: float, hundredths: int
) -> None:
    """≥ 2×ULN, < 1.5×ULN: whatever the limit, the shown figure decides it as the value does."""
    limit = hundredths / 100
    assert (float(fmt_ratio(value)) >= limit) == (round(value, 6) >= limit)
