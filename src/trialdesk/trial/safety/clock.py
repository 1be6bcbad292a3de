"""The 24-hour clock of a serious adverse event's initial report.

ICH E6(R3) Good Clinical Practice (2025), 2.7 (safety reporting): the investigator reports
serious adverse events to the sponsor immediately, followed by detailed follow-up reports
(as ICH E6(R2) 4.11.1 did), within the time the protocol sets. The limit used here is
24 hours from the investigator's awareness, as Regulation (EU) No 536/2014 Art. 41(2)
writes it ("without undue delay but not later than within 24 hours of obtaining knowledge
of the events") and sponsors' protocols usually set it: a protocol assumption for this
study, shown on the pages. Awareness is the instant the event was recorded as serious
(``adverse_event.serious_since``, set once), the earliest instant the site's records
prove it knew.

The clock is judged on instants, never on dates: it starts at awareness, is due 24 hours
later, and stops when the initial report is submitted (signed). A report submitted at
exactly the due instant is in time; one second later is late. The pages show the instants
in the site's time (study/windows.site_time)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, exists, or_, select

from trialdesk.study.loader import Study
from trialdesk.trial.notify.alerts import REPORT_WITHIN
from trialdesk.trial.safety.models import SERIOUSNESS_COLUMNS, AdverseEvent
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.screening.models import Enrolment
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.values import as_utc

__all__ = [
    "REPORT_WITHIN",
    "ClockInput",
    "ClockState",
    "SaeClock",
    "clock_of",
    "any_running",
    "initial_report_submitted",
    "clocks_of",
    "study_clocks",
]

# REPORT_WITHIN (24 hours; ICH E6(R3) 2.7, EU 536/2014 Art. 41(2)) is the alert's own
# constant (trial/notify/alerts.py): the clock and the e-mail announcing it cannot differ.


class ClockState(StrEnum):
    OPEN = "open"  # not submitted, time left
    OVERDUE = "overdue"  # not submitted, past due
    MET = "met"  # submitted at or before due
    LATE = "late"  # submitted after due

    @property
    def running(self) -> bool:
        return self in (ClockState.OPEN, ClockState.OVERDUE)


@dataclass(frozen=True)
class ClockInput:
    """One serious event as the query reads it: whose, which, and the two instants."""

    event_id: int
    enrolment_id: int
    subject_number: str
    sequence: int
    term: str
    serious_since: datetime  # awareness: the clock's start
    submitted_at: datetime | None  # the initial report's submission, if it was


@dataclass(frozen=True)
class SaeClock:
    event_id: int
    enrolment_id: int
    subject_number: str
    sequence: int
    term: str
    start: datetime
    due: datetime
    submitted_at: datetime | None
    state: ClockState
    # open: the time left; overdue and late: by how long; met: how long before due
    delta: timedelta

    @property
    def running(self) -> bool:
        return self.state.running


# The clock stops when the initial report (number 0) is submitted: the one condition.
_INITIAL_SUBMITTED = and_(SaeReport.number == 0, SaeReport.submitted_at.is_not(None))


def initial_report_submitted(session: Session, event_id: int) -> bool:
    """Whether the event's initial report was submitted (its clock stopped for good)."""
    found = session.scalar(
        select(SaeReport.id).where(SaeReport.adverse_event_id == event_id, _INITIAL_SUBMITTED)
    )
    return found is not None


def clock_of(row: ClockInput, now: datetime) -> SaeClock:
    """The clock of one serious event at ``now`` (pure: no store, no wall clock)."""
    start = as_utc(row.serious_since)
    due = start + REPORT_WITHIN
    submitted = as_utc(row.submitted_at) if row.submitted_at is not None else None
    if submitted is not None:
        state = ClockState.MET if submitted <= due else ClockState.LATE
        delta = abs(due - submitted)
    else:
        now = as_utc(now)
        state = ClockState.OPEN if now <= due else ClockState.OVERDUE
        delta = abs(due - now)
    return SaeClock(
        row.event_id, row.enrolment_id, row.subject_number, row.sequence, row.term,
        start, due, submitted, state, delta,
    )  # fmt: skip


def clocks_of(rows: Iterable[ClockInput], now: datetime) -> list[SaeClock]:
    """Every clock, the most urgent first (the earliest due)."""
    return sorted((clock_of(r, now) for r in rows), key=lambda c: (c.due, c.event_id))


def study_clocks(
    session: Session,
    study: Study,
    now: datetime,
    *,
    enrolment_id: int | None = None,
    running_only: bool = False,
) -> list[SaeClock]:
    """The clocks of the study's serious events (``enrolment_id``: one participant's).
    An event no longer serious whose initial report was never submitted has no clock: the
    obligation went with the criteria (it stays in the audit trail)."""
    submitted = (
        select(SaeReport.adverse_event_id, SaeReport.submitted_at)
        .where(_INITIAL_SUBMITTED)
        .subquery()
    )
    query = (
        select(AdverseEvent, Enrolment.subject_number, submitted.c.submitted_at)
        .join(Enrolment, Enrolment.id == AdverseEvent.enrolment_id)
        .outerjoin(submitted, submitted.c.adverse_event_id == AdverseEvent.id)
        .where(Enrolment.study_id == study.id, AdverseEvent.serious_since.is_not(None))
    )
    if enrolment_id is not None:
        query = query.where(AdverseEvent.enrolment_id == enrolment_id)
    rows = []
    for event, subject, submitted_at in session.execute(query):
        if event.serious_since is None or (not event.serious and submitted_at is None):
            continue
        rows.append(
            ClockInput(
                event.id,
                event.enrolment_id,
                subject,
                event.sequence,
                event.term,
                event.serious_since,
                submitted_at,
            )  # fmt: skip
        )
    found = clocks_of(rows, now)
    return [c for c in found if c.running] if running_only else found


_SERIOUS = or_(*(getattr(AdverseEvent, name).is_(True) for name in SERIOUSNESS_COLUMNS))
_ANY_RUNNING = (
    select(AdverseEvent.id)
    .where(  # built once: kept pages ask on every request
        AdverseEvent.serious_since.is_not(None),
        _SERIOUS,
        ~exists().where(
            SaeReport.adverse_event_id == AdverseEvent.id,
            _INITIAL_SUBMITTED,
        ),
    )
    .limit(1)
)


def any_running(session: Session) -> bool:
    """Whether any clock runs in the store (a serious event whose initial report is not
    submitted): one indexed lookup, for a kept page's key on every request."""
    return session.scalar(_ANY_RUNNING) is not None
