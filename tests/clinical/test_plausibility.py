"""The plausibility table (clinical/plausibility.yaml): one row per quantity, read by the
calculators, the evaluator, staff entry and the SQL alike."""

from __future__ import annotations

import pytest

from trialdesk.clinical.plausibility import BY_VALUESET, LIMITS, PLAUSIBLE, check_reading
from trialdesk.clinical.units import convert
from trialdesk.clinical.valueset_files import bundled_valuesets
from trialdesk.errors import FactError


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_each_limit_reads_its_value_set_in_its_own_unit(name: str) -> None:
    limit = LIMITS[name]
    vs = bundled_valuesets()[limit.valueset]
    assert vs.unit is not None
    # a reading in the value set's unit, divided by per_valueset_unit, is in the limit's unit
    assert convert(1.0, vs.unit, limit.unit) == pytest.approx(1 / limit.per_valueset_unit)
    assert 0 < limit.low < limit.high
    assert BY_VALUESET[limit.valueset] is limit and limit.valueset in PLAUSIBLE


@pytest.mark.parametrize(
    ("valueset", "value", "message"),
    [
        ("body_weight", 900, "body weight 900 kg is impossible (plausible range 0.2-650 kg)"),
        ("body_height", 1700, "body height 17 m is impossible (plausible range 0.2-2.75 m)"),
        ("creatinine", 141.5, "serum creatinine 141.5 mg/dL is implausible (accepted 0.1-80"),
    ],
)
def test_a_reading_outside_is_refused_in_words(valueset: str, value: float, message: str) -> None:
    with pytest.raises(FactError) as info:
        check_reading(valueset, value)
    assert message in info.value.message
    with pytest.raises(FactError):
        PLAUSIBLE[valueset](value)
    check_reading("alt", 1e6)  # no limit: anything goes
