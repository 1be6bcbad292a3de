"""ISO 8601 partial dates, as an adverse event's onset and end are collected: ``YYYY``,
``YYYY-MM`` or ``YYYY-MM-DD`` (SDTM --STDTC/--ENDTC allow the right-hand parts missing).

A partial date is a range of days, not a day: 2026-03 is any day from 1 to 31 March. So
two partial dates are compared as ranges: one is *certainly* before another only when
its last possible day is before the other's first, and a rule that refuses a date
(an end before the onset) refuses only what is certainly wrong; a rule that must not miss
an event (treatment-emergent) asks whether it *may* be on or after a day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

__all__ = ["PartialDate"]

_FORM = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is outside 0001-9999")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs its month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 01-12")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"{self.year:04d}-{self.month:02d} has no day {self.day}")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; a ValueError saying what is wrong."""
        found = _FORM.fullmatch(text.strip())
        if found is None:
            raise ValueError(f"{text.strip()!r} is not a date as YYYY, YYYY-MM or YYYY-MM-DD")
        year, month, day = (int(g) if g else None for g in found.groups())
        assert year is not None
        return cls(year, month, day)

    @classmethod
    def of(cls, day: date) -> PartialDate:
        return cls(day.year, day.month, day.day)

    @property
    def complete(self) -> bool:
        return self.day is not None

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    def certainly_before(self, other: PartialDate | date) -> bool:
        """Every day this may be is before every day ``other`` may be."""
        return self.latest < _earliest(other)

    def certainly_after(self, other: PartialDate | date) -> bool:
        return self.earliest > _latest(other)

    def may_be_on_or_after(self, day: date) -> bool:
        """Some day this may be is ``day`` or later."""
        return self.latest >= day

    def isoformat(self) -> str:
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.isoformat()


def _earliest(value: PartialDate | date) -> date:
    return value.earliest if isinstance(value, PartialDate) else value


def _latest(value: PartialDate | date) -> date:
    return value.latest if isinstance(value, PartialDate) else value
