"""What evaluating an expression yields: a value, the evidence behind it, what is missing.

Numbers are intervals (lo, hi): an exact value has lo == hi, a partly known score (ACR/EULAR
with a domain missing) spans what it could still be, and a missing value is None. A
comparison is TRUE or FALSE only when the whole interval decides it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from trialdesk.criteria.logic import Tri


@dataclass(frozen=True, slots=True)
class Evidence:
    """One fact or computed figure a decision rests on."""

    note: str
    resource: str | None = None  # "Observation/abc"
    code: str | None = None  # "http://loinc.org|1742-6"
    display: str | None = None
    value: float | str | None = None
    unit: str | None = None
    date: date | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"note": self.note}
        for key in ("resource", "code", "display", "value", "unit"):
            val = getattr(self, key)
            if val is not None:
                out[key] = val
        if self.date is not None:
            out["date"] = self.date.isoformat()
        return out

    def __str__(self) -> str:
        return self.note


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one node. Only the field matching the node's type is meaningful."""

    tri: Tri = Tri.UNKNOWN
    number: tuple[float, float] | None = None
    day: date | None = None
    text: str | None = None
    unit: str | None = None
    evidence: tuple[Evidence, ...] = ()
    missing: tuple[str, ...] = ()

    @property
    def exact(self) -> float | None:
        if self.number is not None and self.number[0] == self.number[1]:
            return self.number[0]
        return None


def merge(*outcomes: Outcome) -> tuple[tuple[Evidence, ...], tuple[str, ...]]:
    """Evidence and missing items of several outcomes, without repeats, in order."""
    evidence: dict[Evidence, None] = {}
    missing: dict[str, None] = {}
    for o in outcomes:
        evidence.update(dict.fromkeys(o.evidence))
        missing.update(dict.fromkeys(o.missing))
    return tuple(evidence), tuple(missing)


def fmt_number(value: float) -> str:
    """A number as a clinician writes it: no trailing zeros, at most two decimals."""
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def fmt_ratio(value: float) -> str:
    """A ratio such as ×ULN cut (not rounded) to two decimals: 0.7015 → "0.7", 1.9975 →
    "1.99". Cutting keeps the side of every limit written with two decimals or fewer (2,
    1.5, 3): a value under 2×ULN never reads as "2", a value at or over it never reads
    as less, which rounding to two decimals would not promise."""
    cut = math.floor(round(value * 100, 6)) / 100  # round first: 0.29*100 is 28.999…
    return fmt_number(cut)
