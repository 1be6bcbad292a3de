"""Recording that a visit took place (its date) or did not (a reason), and correcting it.

A follow-up visit needs day 1 (the injection) first, and cannot be dated before it nor
after participation ended; a date outside the visit's window is accepted and shows as
done out of window (a protocol deviation for the data review). The visits whose date is
an anchor's (screening, the injection's day) are not recorded here: they take place when
their anchor is set.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, select

from trialdesk.errors import InputError, NotFoundError
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Visit, VisitKind
from trialdesk.trial.conduct.freeze import refuse_if_frozen
from trialdesk.trial.conduct.models import VisitRecord
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.stale import StaleError, check_version
from trialdesk.trial.store.text import REASON_MAX, plain_text, reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "fields_of",
    "mark_missed",
    "record_visit",
    "scheduled_visit",
    "visit_record_or_404",
]


def fields_of(record: VisitRecord) -> dict[str, Any]:
    names = ("enrolment_id", "visit_id", "occurrence", "visit_date", "missed_reason")
    return {n: getattr(record, n) for n in names}


def scheduled_visit(study: Study, visit_id: str) -> Visit:
    schedule = study.schedule
    if schedule is None:
        raise NotFoundError(f"{study.id} has no visit schedule")
    try:
        return schedule.visit(visit_id)
    except KeyError:
        raise NotFoundError(f"no visit {visit_id!r} in {study.id}'s schedule") from None


# Built once (building costs more than running it): a visit's record, if it has one.
_VISIT_RECORD = select(VisitRecord).where(
    VisitRecord.enrolment_id == bindparam("enrolment_id"),
    VisitRecord.visit_id == bindparam("visit_id"),
    VisitRecord.occurrence == bindparam("occurrence"),
)


def _visit_record(
    session: Session, enrolment_id: int, visit_id: str, occurrence: int
) -> VisitRecord | None:
    given = {"enrolment_id": enrolment_id, "visit_id": visit_id, "occurrence": occurrence}
    return session.scalars(_VISIT_RECORD, given).one_or_none()


def visit_record_or_404(
    session: Session, participant: Participant, visit_id: str, occurrence: int = 1
) -> VisitRecord:
    found = _visit_record(session, participant.id, visit_id, occurrence)
    if found is None:
        raise NotFoundError(f"visit {visit_id} of {participant.subject_number} is not recorded")
    return found


def _check_unchanged(existing: VisitRecord, expected_version: int | None) -> None:
    """Version 0: the page was opened before the visit was recorded, so someone else
    recorded it since (None: the caller did not read it first, as the simulator)."""
    if expected_version == 0:
        raise StaleError(f"visit {existing.key} (recorded meanwhile by {existing.recorded_by})")
    check_version(existing, expected_version, f"visit {existing.key}")


def _checked_date(
    study: Study, participant: Participant, visit: Visit, on: date, today: date
) -> None:
    if on > today:
        raise InputError(f"is in the future (today is {today.isoformat()})", field="visit_date")
    day1 = participant.day1(study)
    if visit.kind is not VisitKind.SCHEDULED or (visit.first_day or 0) > 0:
        if day1 is None:
            raise InputError(
                "record the injection first: follow-up visits are dated from day 1",
                field="visit_date",
            )
        if on < day1:
            raise InputError(
                f"is before day 1 ({day1.isoformat()}): a follow-up visit comes after it",
                field="visit_date",
            )
    ended = participant.ended_on
    if ended is not None and on > ended and visit.kind is not VisitKind.EARLY_TERMINATION:
        raise InputError(f"is after participation ended ({ended.isoformat()})", field="visit_date")


def record_visit(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    visit_id: str,
    on: date,
    today: date,
    now: datetime,
    occurrence: int | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> VisitRecord:
    """Record the date a visit took place; a new unscheduled visit when ``occurrence`` is
    None for an unscheduled visit. A date already recorded is changed only with a reason."""
    now = as_utc(now)
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    refuse_if_frozen(session, participant)
    visit = scheduled_visit(study, visit_id)
    if visit.anchor is not None:
        raise InputError(
            f"{visit.name} takes place on the participant's {visit.anchor} date", field="visit"
        )
    if visit.kind is VisitKind.EARLY_TERMINATION and participant.disposition is None:
        raise InputError(
            f"{visit.name} is recorded with the end of participation, which is not recorded",
            field="visit",
        )
    _checked_date(study, participant, visit, on, today)
    why = plain_text(reason, "reason", REASON_MAX, one_line=True)
    if visit.kind is VisitKind.UNSCHEDULED and occurrence is None:
        last = session.scalar(
            select(func.max(VisitRecord.occurrence)).where(
                VisitRecord.enrolment_id == participant.id, VisitRecord.visit_id == visit_id
            )
        )
        occurrence = (last or 0) + 1
    elif visit.kind is not VisitKind.UNSCHEDULED and occurrence not in (None, 1):
        raise NotFoundError(f"{visit.name} takes place once: there is no {visit_id}#{occurrence}")
    occurrence = occurrence or 1
    existing = _visit_record(session, participant.id, visit_id, occurrence)
    if existing is None:
        record = VisitRecord(
            enrolment_id=participant.id, visit_id=visit_id, occurrence=occurrence,
            visit_date=on, recorded_at=now, recorded_by=actor,
        )  # fmt: skip
        session.add(record)
        session.flush()
        audit.created(session, record, actor=actor, fields=fields_of(record), reason=why, at=now)
        ended = participant.disposition
        if visit.kind is VisitKind.EARLY_TERMINATION and ended is not None:
            # recorded after the end of participation: it is that end's visit
            before = {"visit_record_id": ended.visit_record_id}
            ended.visit_record_id = record.id
            audit.updated(
                session, ended, actor=actor, before=before,
                after={"visit_record_id": record.id}, reason=why, at=now,
            )  # fmt: skip
        return record
    _check_unchanged(existing, expected_version)
    if existing.visit_date is not None and existing.visit_date != on and why is None:
        raise InputError("give the reason for changing the visit's date", field="reason")
    before = fields_of(existing)
    existing.visit_date, existing.missed_reason = on, None
    audit.updated(
        session, existing, actor=actor, before=before, after=fields_of(existing), reason=why, at=now
    )
    return existing


def mark_missed(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    visit_id: str,
    reason: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> VisitRecord:
    """Record that a scheduled visit did not take place, and why."""
    now = as_utc(now)
    why = reason_text(reason)
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    refuse_if_frozen(session, participant)
    visit = scheduled_visit(study, visit_id)
    if visit.kind is not VisitKind.SCHEDULED or visit.anchor is not None:
        raise InputError(
            f"{visit.name} cannot be missed: it is not a scheduled visit", field="visit"
        )
    existing = _visit_record(session, participant.id, visit_id, 1)
    if existing is None:
        record = VisitRecord(
            enrolment_id=participant.id, visit_id=visit_id, occurrence=1, visit_date=None,
            missed_reason=why, recorded_at=now, recorded_by=actor,
        )  # fmt: skip
        session.add(record)
        session.flush()
        audit.created(session, record, actor=actor, fields=fields_of(record), reason=why, at=now)
        return record
    _check_unchanged(existing, expected_version)
    if existing.visit_date is not None:
        raise InputError(
            f"{visit.name} took place on {existing.visit_date.isoformat()}: correct its date "
            "instead",
            field="visit",
        )
    before = fields_of(existing)
    existing.missed_reason = why
    audit.updated(
        session, existing, actor=actor, before=before, after=fields_of(existing), reason=why, at=now
    )
    return existing
