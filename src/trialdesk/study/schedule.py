"""The visit schedule: visits with their study day, window and what is done at each, and
the study-day arithmetic every page, report and export uses.

Study days follow SDTM (SDTMIG 3.4, section 4.4.4 "Use of the Study Day Variables"): day 1
is the day of the reference start (here the day of the injection), the day before it is
day -1, and there is no day 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from trialdesk.study.texts import Text

__all__ = [
    "Schedule",
    "Visit",
    "VisitKind",
    "date_of_day",
    "shift_day",
    "study_day",
]


def study_day(day1: date, on: date) -> int:
    """The SDTM study day of ``on``: ``on - day1 + 1`` from day 1 on, ``on - day1`` before."""
    delta = (on - day1).days
    return delta + 1 if delta >= 0 else delta


def date_of_day(day1: date, day: int) -> date:
    """The date of study day ``day`` (the inverse of :func:`study_day`); there is no day 0."""
    if day == 0:
        raise ValueError("there is no study day 0: the day before day 1 is day -1")
    return day1 + timedelta(days=day - 1 if day > 0 else day)


def shift_day(day: int, days: int) -> int:
    """The study day ``days`` calendar days after study day ``day`` (before it when
    negative), stepping over the day 0 that does not exist: 3 days before day 1 is day -3."""
    if day == 0:
        raise ValueError("there is no study day 0: the day before day 1 is day -1")
    offset = (day - 1 if day > 0 else day) + days
    return offset + 1 if offset >= 0 else offset


class VisitKind(StrEnum):
    SCHEDULED = "scheduled"
    EARLY_TERMINATION = "early_termination"  # done when participation ends early
    UNSCHEDULED = "unscheduled"  # whenever needed: no day, no window


@dataclass(frozen=True)
class Visit:
    """One visit of the schedule. ``first_day``..``last_day`` is its window in study days
    (inclusive); ``day`` its target day, when it has one (screening has a window only)."""

    id: str  # "W4"
    name: Text
    visitnum: float  # SDTM VISITNUM
    epoch: str  # CDISC EPOCH: SCREENING, TREATMENT, FOLLOW-UP
    kind: VisitKind = VisitKind.SCHEDULED
    day: int | None = None
    first_day: int | None = None
    last_day: int | None = None
    forms: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    # the participant's anchor whose date this visit's date is (screening; day1 for the
    # injection visit): the visit takes place when the anchor is set, not separately
    anchor: str | None = None
    assumption: bool = False
    source: str | None = None

    @property
    def scheduled(self) -> bool:
        return self.kind is VisitKind.SCHEDULED

    def window_dates(self, day1: date) -> tuple[date, date] | None:
        """The window as dates, for a participant whose day 1 is ``day1``."""
        if self.first_day is None or self.last_day is None:
            return None
        return date_of_day(day1, self.first_day), date_of_day(day1, self.last_day)

    def target_date(self, day1: date) -> date | None:
        return date_of_day(day1, self.day) if self.day is not None else None


@dataclass(frozen=True)
class Schedule:
    """A study's visits in order; ``day1`` names the anchor that is study day 1
    (participant.yaml), ``baseline_visit`` the visit whose values are the baseline."""

    visits: tuple[Visit, ...]
    day1: str
    baseline_visit: str | None = None
    time_zone: str = "UTC"  # the site's (IANA name): dates and times are entered in it
    procedures: dict[str, Text] = field(default_factory=dict)
    assumption: bool = False
    source: str | None = None
    # what a participant is told of a procedure, in plain words (the public trial page)
    procedure_plain: dict[str, Text] = field(default_factory=dict)

    def visit(self, visit_id: str) -> Visit:
        for v in self.visits:
            if v.id == visit_id:
                return v
        raise KeyError(visit_id)

    @property
    def scheduled(self) -> tuple[Visit, ...]:
        return tuple(v for v in self.visits if v.scheduled)

    @property
    def last_day(self) -> int | None:
        """The target day of the last scheduled visit (its window's end when it has no
        target day): how long taking part lasts from day 1."""
        days = [v.day if v.day is not None else v.last_day for v in self.scheduled]
        known = [d for d in days if d is not None]
        return max(known) if known else None
