"""The one window function: a visit's status for a participant on a given day.

Every page, the API, the dashboard, reminders, deviations and the exports ask this one
function, so "overdue" means the same thing everywhere (REDCap and OpenClinica users
report the opposite: conduct-anchors.md, pain point 2). Dates only, judged in the site's
time zone by the caller (``today`` is the site's date).

- A visit recorded with a date is done, in or out of its window (a visit with no window,
  early termination or unscheduled, is in window). Before day 1 is known, a done visit's
  window cannot be judged yet: ``done``.
- A visit recorded as not done is missed.
- Otherwise, once day 1 is known: upcoming before its window opens, open within it,
  overdue after it closes. Before day 1 is known: awaiting day 1.
- After participation ended, a visit not done is missed if its window had closed by
  then, and not expected any more (``not due``) if it had not. Early termination and
  unscheduled visits are only ever expected when recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from trialdesk.study.schedule import Schedule, Visit, VisitKind

__all__ = [
    "DUE_SOON_DAYS",
    "VisitState",
    "VisitStatus",
    "due_soon",
    "site_time",
    "site_today",
    "site_zone",
    "visit_status",
]


def site_zone(schedule: Schedule | None) -> ZoneInfo:
    """The site's time zone (the schedule's ``time_zone``; UTC for a study without one)."""
    return ZoneInfo(schedule.time_zone if schedule is not None else "UTC")


def site_today(schedule: Schedule | None, now: datetime) -> date:
    """The site's date at the instant ``now``: every date rule of the conduct half is
    judged on it (a visit at 07:00 in Shanghai is on the site's day, not UTC's day before)."""
    return now.astimezone(site_zone(schedule)).date()


def site_time(schedule: Schedule | None, value: datetime) -> datetime:
    """A date and time as the site typed it: naive ones are the site's wall clock."""
    zone = site_zone(schedule)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


# "Due this week" on the dashboard: open now, or opening within this many days.
DUE_SOON_DAYS = 7


class VisitStatus(StrEnum):
    AWAITING_DAY1 = "awaiting_day1"
    UPCOMING = "upcoming"
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"  # recorded before day 1 is known: its window not judged yet
    DONE_IN_WINDOW = "done_in_window"
    DONE_OUT_OF_WINDOW = "done_out_of_window"
    MISSED = "missed"
    NOT_DUE = "not_due"

    @property
    def done(self) -> bool:
        return self in (self.DONE, self.DONE_IN_WINDOW, self.DONE_OUT_OF_WINDOW)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").replace("day1", "day 1")


@dataclass(frozen=True)
class VisitState:
    """What the window function reads about one visit of one participant."""

    done_on: date | None = None  # the visit's date, when it took place
    missed: bool = False  # recorded as not done


def visit_status(
    visit: Visit,
    state: VisitState,
    *,
    day1: date | None,
    today: date,
    ended_on: date | None = None,
) -> VisitStatus:
    """The status of ``visit`` on ``today`` (site date) for a participant whose day 1 is
    ``day1`` (None: not injected yet) and whose participation ended on ``ended_on``."""
    window = visit.window_dates(day1) if day1 is not None else None
    if state.done_on is not None:
        if visit.first_day is None or visit.last_day is None:
            return VisitStatus.DONE_IN_WINDOW
        if window is None:
            return VisitStatus.DONE
        inside = window[0] <= state.done_on <= window[1]
        return VisitStatus.DONE_IN_WINDOW if inside else VisitStatus.DONE_OUT_OF_WINDOW
    if state.missed:
        return VisitStatus.MISSED
    if visit.kind is not VisitKind.SCHEDULED:
        return VisitStatus.NOT_DUE
    if window is None:  # no day 1: awaited, unless participation ended before it
        return VisitStatus.NOT_DUE if ended_on is not None else VisitStatus.AWAITING_DAY1
    start, end = window
    if ended_on is not None:
        return VisitStatus.MISSED if end < ended_on else VisitStatus.NOT_DUE
    if today < start:
        return VisitStatus.UPCOMING
    if today <= end:
        return VisitStatus.OPEN
    return VisitStatus.OVERDUE


def due_soon(visit: Visit, status: VisitStatus, day1: date | None, today: date) -> bool:
    """Due this week: open now, or upcoming with its window opening within 7 days."""
    if status is VisitStatus.OPEN:
        return True
    if status is not VisitStatus.UPCOMING or day1 is None:
        return False
    window = visit.window_dates(day1)
    return window is not None and window[0] <= today + timedelta(days=DUE_SOON_DAYS)
