"""The one window function: a visit's status, from its window, day 1, what was recorded,
the end of participation and the site's date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.study.schedule import Visit, VisitKind, date_of_day, study_day
from trialdesk.study.texts import Text
from trialdesk.study.windows import VisitState, VisitStatus, due_soon, visit_status

DAY1 = date(2026, 3, 16)
W4 = Visit("W4", Text("Week 4"), 6, "FOLLOW-UP", day=29, first_day=26, last_day=32)
SCR = Visit("SCR", Text("Screening"), 1, "SCREENING", first_day=-28, last_day=-1)
ET = Visit("ET", Text("Early termination"), 99, "FOLLOW-UP", kind=VisitKind.EARLY_TERMINATION)


def status(visit: Visit, today: date, *, day1: date | None = DAY1, **state: object) -> VisitStatus:
    ended = state.pop("ended_on", None)
    return visit_status(
        visit,
        VisitState(**state),
        day1=day1,
        today=today,
        ended_on=ended,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 4, 9), VisitStatus.UPCOMING),  # day 25
        (date(2026, 4, 10), VisitStatus.OPEN),  # day 26: the window opens
        (date(2026, 4, 16), VisitStatus.OPEN),  # day 32: its last day
        (date(2026, 4, 17), VisitStatus.OVERDUE),  # day 33
    ],
)
def test_a_visit_not_done_is_upcoming_open_then_overdue(today: date, expected: VisitStatus) -> None:
    assert status(W4, today) is expected


def test_a_done_visit_is_in_or_out_of_its_window_whatever_the_day() -> None:
    later = date(2027, 1, 1)
    assert status(W4, later, done_on=date(2026, 4, 10)) is VisitStatus.DONE_IN_WINDOW
    assert status(W4, later, done_on=date(2026, 4, 17)) is VisitStatus.DONE_OUT_OF_WINDOW
    assert status(W4, later, done_on=date(2026, 4, 9)) is VisitStatus.DONE_OUT_OF_WINDOW


def test_before_day1_a_visit_awaits_it_and_a_done_one_is_not_judged() -> None:
    assert status(W4, DAY1, day1=None) is VisitStatus.AWAITING_DAY1
    assert status(SCR, DAY1, day1=None, done_on=date(2026, 3, 2)) is VisitStatus.DONE
    assert status(SCR, DAY1, done_on=date(2026, 3, 2)) is VisitStatus.DONE_IN_WINDOW  # day -14
    assert status(SCR, DAY1, done_on=date(2026, 2, 1)) is VisitStatus.DONE_OUT_OF_WINDOW


def test_missed_and_the_end_of_participation() -> None:
    assert status(W4, date(2026, 4, 12), missed=True) is VisitStatus.MISSED
    # ended before the window closed: not expected; after it closed: missed
    assert status(W4, date(2026, 5, 1), ended_on=date(2026, 4, 12)) is VisitStatus.NOT_DUE
    assert status(W4, date(2026, 5, 1), ended_on=date(2026, 4, 20)) is VisitStatus.MISSED
    assert status(W4, date(2026, 5, 1), ended_on=date(2026, 4, 20), done_on=date(2026, 4, 11)) is (
        VisitStatus.DONE_IN_WINDOW
    )


def test_early_termination_is_expected_only_when_recorded() -> None:
    assert status(ET, date(2026, 5, 1)) is VisitStatus.NOT_DUE
    assert status(ET, date(2026, 5, 1), done_on=date(2026, 4, 30)) is VisitStatus.DONE_IN_WINDOW


def test_due_this_week() -> None:
    assert due_soon(W4, VisitStatus.UPCOMING, DAY1, date(2026, 4, 3))  # opens in 7 days
    assert not due_soon(W4, VisitStatus.UPCOMING, DAY1, date(2026, 4, 2))
    assert due_soon(W4, VisitStatus.OPEN, DAY1, date(2026, 4, 12))
    assert not due_soon(W4, VisitStatus.OVERDUE, DAY1, date(2026, 4, 20))


days = st.integers(-400, 400).filter(lambda d: d != 0)
dates = st.dates(date(2000, 1, 1), date(2099, 12, 31))


@given(dates, days)
def test_study_day_and_its_date_are_inverse(day1: date, day: int) -> None:
    assert study_day(day1, date_of_day(day1, day)) == day


@given(dates, dates)
def test_there_is_no_day_zero(day1: date, on: date) -> None:
    assert study_day(day1, on) != 0
    assert date_of_day(day1, study_day(day1, on)) == on


@given(st.integers(-60, 200), st.integers(0, 10), st.integers(0, 10), dates, st.integers(-400, 400))
def test_status_moves_forward_only(
    target: int, before: int, after: int, day1: date, offset: int
) -> None:
    """As days pass, an undone visit goes upcoming -> open -> overdue, never back; it is
    open exactly on the days of its window."""
    first, last = target - before, target + after
    if first <= 0 <= last or first == 0 or last == 0:
        return  # a window straddling the non-existent day 0 is not one a schedule declares
    visit = Visit("V", Text("V"), 1, "FOLLOW-UP", day=target or 1, first_day=first, last_day=last)
    today = day1 + timedelta(days=offset)
    now = status(visit, today, day1=day1)
    after_a_day = status(visit, today + timedelta(days=1), day1=day1)
    order = [VisitStatus.UPCOMING, VisitStatus.OPEN, VisitStatus.OVERDUE]
    assert order.index(after_a_day) >= order.index(now)
    window = visit.window_dates(day1)
    assert window is not None
    assert (now is VisitStatus.OPEN) == (window[0] <= today <= window[1])


def test_the_site_date_is_the_sites_not_utcs() -> None:
    """A visit at 07:00 in Shanghai is on the site's day, though UTC is still the day before."""
    from datetime import UTC, datetime

    from trialdesk.study.schedule import Schedule
    from trialdesk.study.windows import site_time, site_today

    shanghai = Schedule(visits=(W4,), day1="day1", time_zone="Asia/Shanghai")
    instant = datetime(2026, 3, 15, 23, 0, tzinfo=UTC)  # 07:00 on the 16th in Shanghai
    assert site_today(shanghai, instant) == date(2026, 3, 16)
    assert site_today(None, instant) == date(2026, 3, 15)
    typed = site_time(shanghai, datetime(2026, 3, 16, 7, 0))  # as typed at the site
    assert typed.astimezone(UTC) == instant
    assert site_time(shanghai, instant).isoformat() == "2026-03-16T07:00:00+08:00"
