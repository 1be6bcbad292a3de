"""Unit conversion (UCUM through ucumvert): a conversion is worked out once per pair of
units, and so is a refusal, which is raised again the same each time it is asked."""

from __future__ import annotations

import pytest

from trialdesk.clinical.units import convert
from trialdesk.errors import UnitError


def test_a_conversion_and_its_inverse() -> None:
    assert convert(1.0, "g/dL", "g/L") == pytest.approx(10.0)
    assert convert(10.0, "g/L", "g/dL") == pytest.approx(1.0)


def test_a_refused_conversion_is_refused_again_with_the_same_message() -> None:
    with pytest.raises(UnitError) as first:
        convert(1.0, "mmol/L", "U/L", analyte="alt")
    with pytest.raises(UnitError) as again:
        convert(2.0, "mmol/L", "U/L", analyte="alt")
    assert first.value.message == again.value.message
    assert "mmol/L" in first.value.message and "U/L" in first.value.message
