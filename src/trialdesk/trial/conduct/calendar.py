"""A participant's visit calendar: each visit of the schedule with its target date, its
window, its status (the one window function, study/windows.py) and its forms, as every
page, the API, the dashboard and the exports read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select

from trialdesk.study.loader import Study
from trialdesk.study.schedule import Visit, VisitKind
from trialdesk.study.windows import VisitState, VisitStatus, due_soon, visit_status
from trialdesk.trial.conduct.models import FormRecord, FormStatus, VisitRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.screening.models import Enrolment
from trialdesk.trial.store.db import Session

__all__ = ["CalendarRow", "calendar", "calendar_of", "calendars", "visit_records"]


@dataclass(frozen=True)
class CalendarRow:
    visit: Visit
    record: VisitRecord | None
    date: dt.date | None  # when it took place (its own date, or its anchor's)
    status: VisitStatus
    target: dt.date | None
    window: tuple[dt.date, dt.date] | None
    forms: dict[str, FormStatus | None]  # form id -> status (None: not entered); not computed ones
    due_soon: bool

    @property
    def key(self) -> str:
        return self.record.key if self.record is not None else self.visit.id

    @property
    def incomplete(self) -> bool:
        """Took place, and a form due at it is not complete yet."""
        return self.status.done and any(s is not FormStatus.COMPLETE for s in self.forms.values())


_VISIT_RECORDS = (  # built once: every save that makes a score's record reads them
    select(VisitRecord)
    .where(VisitRecord.enrolment_id == bindparam("enrolment_id"))
    .order_by(VisitRecord.id)
)


def visit_records(session: Session, enrolment_id: int) -> list[VisitRecord]:
    return list(session.scalars(_VISIT_RECORDS, {"enrolment_id": enrolment_id}))


def _form_statuses(session: Session, enrolment_id: int) -> dict[tuple[str, str], FormStatus]:
    rows = session.execute(
        select(FormRecord.visit_key, FormRecord.form_id, FormRecord.status).where(
            FormRecord.enrolment_id == enrolment_id
        )
    )
    return {(key, form): status for key, form, status in rows}


def calendar(
    session: Session, study: Study, participant: Participant, today: date
) -> list[CalendarRow]:
    """Every visit of the schedule (and each unscheduled one recorded), in order."""
    records = visit_records(session, participant.id)
    return calendar_of(study, participant, records, _form_statuses(session, participant.id), today)


def calendars(
    session: Session, study: Study, participants: list[Participant], today: date
) -> dict[int, list[CalendarRow]]:
    """Every participant's calendar, read in two queries (the site dashboard)."""
    ids = [p.id for p in participants]
    records: dict[int, list[VisitRecord]] = {i: [] for i in ids}
    for r in session.scalars(
        select(VisitRecord)
        .join(Enrolment, Enrolment.id == VisitRecord.enrolment_id)
        .where(Enrolment.study_id == study.id)
        .order_by(VisitRecord.id)
    ):
        if r.enrolment_id in records:
            records[r.enrolment_id].append(r)
    statuses: dict[int, dict[tuple[str, str], FormStatus]] = {i: {} for i in ids}
    for enrolment_id, key, form, status in session.execute(
        select(FormRecord.enrolment_id, FormRecord.visit_key, FormRecord.form_id, FormRecord.status)
        .join(Enrolment, Enrolment.id == FormRecord.enrolment_id)
        .where(Enrolment.study_id == study.id)
    ):
        if enrolment_id in statuses:
            statuses[enrolment_id][(key, form)] = status
    return {p.id: calendar_of(study, p, records[p.id], statuses[p.id], today) for p in participants}


def calendar_of(
    study: Study,
    participant: Participant,
    records: list[VisitRecord],
    statuses: dict[tuple[str, str], FormStatus],
    today: date,
) -> list[CalendarRow]:
    """The calendar from what is recorded (the one place the rows are made)."""
    schedule = study.schedule
    if schedule is None:
        return []
    day1 = participant.day1(study)
    # forms nobody completes (every item derived) are not counted as forms to complete
    computed = {f.id for f in study.forms.values() if f.computed}
    by_visit: dict[str, list[VisitRecord]] = {}
    for r in records:
        by_visit.setdefault(r.visit_id, []).append(r)
    rows = []
    for visit in schedule.visits:
        recorded: Iterable[VisitRecord | None] = by_visit.get(visit.id) or [None]
        if visit.kind is VisitKind.UNSCHEDULED and visit.id not in by_visit:
            continue  # shown only once one took place
        for record in recorded:
            on = record.visit_date if record is not None else None
            if on is None and visit.anchor is not None:
                on = participant.candidate.date_of(visit.anchor)
            state = VisitState(done_on=on, missed=record is not None and on is None)
            status = visit_status(
                visit, state, day1=day1, today=today, ended_on=participant.ended_on
            )
            key = record.key if record is not None else visit.id
            rows.append(
                CalendarRow(
                    visit=visit,
                    record=record,
                    date=on,
                    status=status,
                    target=visit.target_date(day1) if day1 is not None else None,
                    window=visit.window_dates(day1) if day1 is not None else None,
                    forms={f: statuses.get((key, f)) for f in visit.forms if f not in computed},
                    due_soon=due_soon(visit, status, day1, today),
                )
            )
    return rows
