"""Treatment-emergent, derived, never typed: an event is treatment-emergent when it began
on or after day 1 (the injection), or when a condition present before day 1 worsened
after it (ICH E9 glossary: "an event that emerges during treatment having been absent
pre-treatment, or worsens relative to the pre-treatment state").

Dates are days, not times: an event on day 1 counts (ADaM TRTEMFL compares the start
date with the first treatment date, ASTDT >= TRTSDT, when no time is collected). A
partial onset that may fall on or after day 1 counts too: the conservative convention of
AE analysis plans, which impute a partial start date to the first dose date when the
known part matches it, so no event that may be emergent is missed (admiral, "Date and
Time Imputation", min_dates = TRTSDT; PhUSE 2006 PO11, Bowman, "Partial dates;
decisions and implications"). The reason says when a partial date decided it. An event
that certainly ended before day 1 is not emergent whatever its partial onset: the onset
cannot be later than the end (admiral's imputation caps it with max_dates = AENDT, and
ADaM's ADAE, reports/cdisc/adam/dates.py, judges it the same way).

A condition from before day 1 that worsened is recorded on its event with the grade it
had before day 1 (``baseline_grade``) and the date it worsened (``worsened_on``); it is
emergent when it worsened on or after day 1 to a grade above that baseline grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from trialdesk.trial.safety.partial_dates import PartialDate

__all__ = ["Emergence", "treatment_emergent"]


@dataclass(frozen=True)
class Emergence:
    emergent: bool
    why: str


def treatment_emergent(
    onset: PartialDate,
    day1: date | None,
    *,
    grade: int,
    baseline_grade: int | None = None,
    worsened_on: PartialDate | None = None,
    end: PartialDate | None = None,
) -> Emergence:
    """Whether the event is treatment-emergent, and why; ``end``: when it ended, if it has.

    >>> march, day1 = PartialDate(2026, 3), date(2026, 3, 10)
    >>> treatment_emergent(march, day1, grade=1).emergent
    True
    >>> treatment_emergent(march, day1, grade=1, end=PartialDate(2026, 3, 4))
    Emergence(emergent=False, why='ended before day 1 (2026-03-04)')
    """
    if day1 is None:
        return Emergence(False, "no injection yet: day 1 is not set")
    if end is not None and end.certainly_before(day1):
        return Emergence(False, f"ended before day 1 ({end})")
    if onset.may_be_on_or_after(day1):
        if onset.earliest >= day1:
            return Emergence(True, "began on or after day 1")
        return Emergence(
            True,
            f"the partial onset {onset} may be on or after day 1 ({day1.isoformat()}): "
            "counted as emergent",
        )
    if (
        baseline_grade is not None
        and worsened_on is not None
        and grade > baseline_grade
        and worsened_on.may_be_on_or_after(day1)
    ):
        return Emergence(True, f"worsened after day 1 from grade {baseline_grade}")
    return Emergence(False, "began before day 1 and did not worsen after it")
