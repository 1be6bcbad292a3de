"""One item read from what was typed: converted to the item's unit with the precision that
was typed, impossible values refused, unexpected ones flagged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.errors import InputError
from trialdesk.trial.conduct.item_values import read_item

from .screening_helpers import STUDY

NOW = datetime(2026, 9, 30, 9, tzinfo=UTC)


def _read(form: str, item: str, raw: object, unit: str | None = None) -> object:
    found = read_item(
        STUDY.forms[form].item(item), raw, unit, schedule=STUDY.schedule, now=NOW,
        parameters={"target_knee": "right"},
    )  # fmt: skip
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("form", "item", "typed", "unit", "stored"),
    [
        ("vital_signs", "weight", "150", "[lb_av]", "68"),  # 68.0388555 kg: 3 digits typed
        ("vital_signs", "sysbp", "16", "kPa", 120),  # 120.0098 mm[Hg]: 2 digits typed
        ("acute_phase", "crp", "1.2", "mg/dL", "12"),  # an exact factor of 10
        ("chemistry", "creat", "1.1", "mg/dL", "97"),  # 97.2418... umol/L: 2 digits typed
    ],
)
def test_a_converted_value_keeps_the_typed_precision(
    form: str, item: str, typed: str, unit: str, stored: object
) -> None:
    value = _read(form, item, typed, unit)
    assert value.value == stored  # type: ignore[attr-defined]
    assert value.entered == {"value": typed, "unit": unit}  # type: ignore[attr-defined]


def test_an_impossible_value_is_refused_at_its_item() -> None:
    with pytest.raises(InputError, match="impossible") as refused:
        _read("joint_counts", "tjc28", "29")
    assert refused.value.field == "tjc28"


@given(st.decimals(min_value=Decimal("30"), max_value=Decimal("190"), places=1))
def test_weights_in_pounds_round_trip_within_the_typed_precision(kg: Decimal) -> None:
    pounds = (kg / Decimal("0.45359237")).quantize(Decimal("0.1"))
    stored = Decimal(str(_read("vital_signs", "weight", str(pounds), "[lb_av]").value))  # type: ignore[attr-defined]
    exact = pounds * Decimal("0.45359237")
    digits = len(pounds.as_tuple().digits)
    assert abs(stored - exact) <= Decimal(1).scaleb(exact.adjusted() - digits + 1) / 2
