"""Plausibility limits, from one table (``plausibility.yaml`` beside this module, each
limit with its source): the values no living person can have, per quantity, and which
value set's readings each applies to.

The calculators check their inputs against them (body.check_weight_kg, ...), the evaluator
and staff entry check a reading of a value set (:func:`check_reading`), and the SQL reads
the same numbers (criteria/sql/readings_sql.py), so the three cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from trialdesk.clinical.checks import finite
from trialdesk.errors import FactError

__all__ = ["BY_VALUESET", "LIMITS", "PLAUSIBLE", "Limit", "check_reading"]


@dataclass(frozen=True)
class Limit:
    """The plausible range of one quantity, in ``unit``."""

    name: str  # weight_kg: also the field named when a value is not a number
    valueset: str
    unit: str
    per_valueset_unit: float  # a reading in the value set's unit is divided by this first
    low: float
    high: float
    message: str

    def check(self, value: float, field: str | None = None) -> float:
        """``value`` as a float if it is a finite number within the limits, in ``unit``.

        Raises:
            FactError: not a finite number, or outside ``low..high``.
        """
        number = finite(value, field or self.name, self.unit)
        if not self.low <= number <= self.high:
            message = self.message.format(value=number, low=self.low, high=self.high)
            raise FactError(message, field=field or self.name)
        return number


def _limit(name: str, raw: Mapping[str, Any]) -> Limit:
    return Limit(
        name=name,
        valueset=str(raw["valueset"]),
        unit=str(raw["unit"]),
        per_valueset_unit=float(raw["per_valueset_unit"]),
        low=float(raw["low"]),
        high=float(raw["high"]),
        message=str(raw["message"]),
    )


_TABLE: dict[str, Any] = yaml.safe_load(
    Path(__file__).with_name("plausibility.yaml").read_text(encoding="utf-8")
)

#: Every limit by its name (weight_kg, height_m, creatinine_mg_dl).
LIMITS: Mapping[str, Limit] = {name: _limit(name, raw) for name, raw in _TABLE["limits"].items()}
#: The limit a value set's readings are checked against, by value set name.
BY_VALUESET: Mapping[str, Limit] = {limit.valueset: limit for limit in LIMITS.values()}


def check_reading(valueset: str, value: float) -> None:
    """Raise FactError when a reading of ``valueset``, in the value set's unit, is outside
    its plausible range (a value set with no limit passes)."""
    limit = BY_VALUESET.get(valueset)
    if limit is not None:
        per = limit.per_valueset_unit
        limit.check(value / per if per != 1.0 else value)


#: Per value set with a limit, a check of one reading in the value set's unit.
PLAUSIBLE: Mapping[str, Callable[[float], None]] = {
    valueset: partial(check_reading, valueset) for valueset in BY_VALUESET
}
