"""The 24-hour clock of a serious adverse event's initial report (ICH E6(R3) 2.7, EU
536/2014 Art. 41(2)): judged on instants, boundaries included; open and overdue by the
instant the site's clock reads, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from trialdesk.study.windows import site_time
from trialdesk.trial.safety.clock import REPORT_WITHIN, ClockInput, ClockState, clock_of, clocks_of

from .screening_helpers import STUDY

# 2026-04-02 23:30 at the site (Asia/Shanghai, UTC+8): late in the evening
AWARE = datetime(2026, 4, 2, 15, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def row(
    submitted: datetime | None = None, start: datetime = AWARE, event_id: int = 1
) -> ClockInput:
    return ClockInput(event_id, 7, "S-001", event_id, "Arthritis", start, submitted)


def test_the_limit_is_24_hours() -> None:
    assert timedelta(hours=24) == REPORT_WITHIN
    clock = clock_of(row(), AWARE)
    assert clock.due == AWARE + timedelta(hours=24)
    assert clock.state is ClockState.OPEN and clock.delta == timedelta(hours=24)


def test_submitted_at_exactly_24_hours_is_met_one_second_later_is_late() -> None:
    due = AWARE + timedelta(hours=24)
    on_time = clock_of(row(submitted=due), due + timedelta(days=3))
    assert on_time.state is ClockState.MET and on_time.delta == timedelta(0)
    late = clock_of(row(submitted=due + SECOND), due + timedelta(days=3))
    assert late.state is ClockState.LATE and late.delta == SECOND
    early = clock_of(row(submitted=AWARE + timedelta(hours=2)), due)
    assert early.state is ClockState.MET and early.delta == timedelta(hours=22)
    assert not on_time.running and not late.running


def test_open_until_the_due_instant_then_overdue() -> None:
    due = AWARE + timedelta(hours=24)
    assert clock_of(row(), due - SECOND).state is ClockState.OPEN
    at_due = clock_of(row(), due)
    assert at_due.state is ClockState.OPEN and at_due.delta == timedelta(0)
    over = clock_of(row(), due + SECOND)
    assert over.state is ClockState.OVERDUE and over.delta == SECOND
    assert over.running


def test_judged_on_instants_not_on_the_site_date() -> None:
    """Aware at 23:30 site time on 2 April: due 23:30 on 3 April at the site, not at the
    end of a site day; the same instant given in another zone judges the same."""
    due = clock_of(row(), AWARE).due
    assert site_time(STUDY.schedule, due).strftime("%Y-%m-%d %H:%M") == "2026-04-03 23:30"
    # 2026-04-04 00:10 at the site is 16:10 UTC: 40 minutes over
    now_site = datetime(2026, 4, 4, 0, 10, tzinfo=timezone(timedelta(hours=8)))
    clock = clock_of(row(), now_site)
    assert clock.state is ClockState.OVERDUE and clock.delta == timedelta(minutes=40)
    # the same instant written in New York time: the same answer
    new_york = now_site.astimezone(timezone(timedelta(hours=-4)))
    assert clock_of(row(), new_york) == clock


def test_the_most_urgent_first() -> None:
    later = row(start=AWARE + timedelta(hours=3), event_id=2)
    earlier = row(start=AWARE, event_id=3)
    done = row(submitted=AWARE + timedelta(hours=1), start=AWARE - timedelta(hours=5), event_id=4)
    found = clocks_of([later, earlier, done], AWARE + timedelta(hours=1))
    assert [c.event_id for c in found] == [4, 3, 2]
    assert [c.state for c in found] == [ClockState.MET, ClockState.OPEN, ClockState.OPEN]
