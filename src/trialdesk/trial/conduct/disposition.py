"""The end of participation, in CDISC disposition terms (SDTM DS, DSDECOD from the
NCOMPLT code list): completed at the last scheduled visit, or discontinued, with why.

Nothing collected is ever removed: a participant who withdraws keeps every visit and
form on record, and their visits not yet due stop being expected (study/windows.py). An
early termination is recorded with its visit (the schedule's early-termination visit),
dated, so its forms can be entered.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from trialdesk.errors import ConflictError, InputError
from trialdesk.study.loader import Study
from trialdesk.study.schedule import VisitKind
from trialdesk.study.windows import site_today
from trialdesk.trial.conduct.freeze import refuse_if_frozen
from trialdesk.trial.conduct.models import Disposition, VisitRecord
from trialdesk.trial.conduct.participants import forget_participant, participant_or_404
from trialdesk.trial.conduct.visits import fields_of as visit_fields
from trialdesk.trial.screening.enrolment import withdraw
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.text import REASON_MAX, plain_text
from trialdesk.trial.store.values import as_utc

__all__ = ["EndTerm", "NCI_CODE", "end_participation"]


class EndTerm(StrEnum):
    """DSDECOD submission values of CDISC CT code list NCOMPLT (C66727), the ones a site
    records for this kind of study."""

    COMPLETED = "COMPLETED"
    ADVERSE_EVENT = "ADVERSE EVENT"
    DEATH = "DEATH"
    LOST_TO_FOLLOW_UP = "LOST TO FOLLOW-UP"
    WITHDRAWAL_BY_SUBJECT = "WITHDRAWAL BY SUBJECT"  # withdrawal of consent
    PHYSICIAN_DECISION = "PHYSICIAN DECISION"
    OTHER = "OTHER"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# NCI Thesaurus codes of the terms (CDISC SDTM CT 2025-03-28, NCOMPLT C66727; read for
# this work, /tmp notes "research issue 13" section 7: COMPLETED, ADVERSE EVENT, LOST TO
# FOLLOW-UP, WITHDRAWAL BY SUBJECT, PHYSICIAN DECISION verified there). DEATH C28554
# and OTHER C17649 are the NCI Thesaurus concepts the code list reuses.
NCI_CODE: dict[EndTerm, str] = {
    EndTerm.COMPLETED: "C25250",
    EndTerm.ADVERSE_EVENT: "C41331",
    EndTerm.DEATH: "C28554",
    EndTerm.LOST_TO_FOLLOW_UP: "C48227",
    EndTerm.WITHDRAWAL_BY_SUBJECT: "C49634",
    EndTerm.PHYSICIAN_DECISION: "C48250",
    EndTerm.OTHER: "C17649",
}

# Terms whose reason must be written out: the term alone does not say what happened.
_NEEDS_REASON = frozenset({EndTerm.PHYSICIAN_DECISION, EndTerm.OTHER, EndTerm.ADVERSE_EVENT})


def fields_of(row: Disposition) -> dict[str, Any]:
    names = ("enrolment_id", "term", "ended_on", "reason", "visit_record_id")
    return {n: getattr(row, n) for n in names}


def end_participation(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    term: EndTerm | str,
    ended_on: date,
    reason: str | None,
    now: datetime,
    termination_visit_on: date | None = None,
) -> Disposition:
    """Record how participation ended; ``termination_visit_on``: the date of the early
    termination visit, when one took place."""
    now = as_utc(now)
    try:
        term = EndTerm(term)
    except ValueError:
        terms = ", ".join(t.value for t in EndTerm)
        raise InputError(f"{term!r} is not a disposition term ({terms})", field="term") from None
    why = plain_text(reason, "reason", REASON_MAX, one_line=True)
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    refuse_if_frozen(session, participant)
    if participant.disposition is not None:
        d = participant.disposition
        raise ConflictError(
            f"participation already ended on {d.ended_on.isoformat()} ({d.term.lower()})",
            field="term",
        )
    schedule = study.schedule
    today = site_today(schedule, now)
    enrolled_on = site_today(schedule, participant.enrolment.enrolled_at)
    if ended_on > today:
        raise InputError(f"is in the future (today is {today.isoformat()})", field="ended_on")
    if ended_on < enrolled_on:
        raise InputError(f"is before enrolment ({enrolled_on.isoformat()})", field="ended_on")
    if term in _NEEDS_REASON and why is None:
        raise InputError(f"say what happened: {term.value.lower()} needs a reason", field="reason")
    records = session.scalars(
        select(VisitRecord).where(VisitRecord.enrolment_id == participant.id)
    ).all()
    latest = max((r.visit_date for r in records if r.visit_date is not None), default=None)
    if latest is not None and ended_on < latest:
        raise InputError(
            f"is before the last visit recorded ({latest.isoformat()})", field="ended_on"
        )
    termination: VisitRecord | None = None
    if term is EndTerm.COMPLETED:
        last = schedule.scheduled[-1] if schedule is not None and schedule.scheduled else None
        if last is not None and not any(
            r.visit_id == last.id and r.visit_date is not None for r in records
        ):
            raise InputError(
                f"completion is at {last.name}, which has not taken place", field="term"
            )
        if termination_visit_on is not None:
            raise InputError("a completed participant has no early termination visit",
                             field="termination_visit_on")  # fmt: skip
    elif termination_visit_on is not None:
        termination = _termination_visit(
            session, study, participant.id, termination_visit_on, enrolled_on, actor, now,
        )  # fmt: skip
    if term is EndTerm.WITHDRAWAL_BY_SUBJECT:
        # the enrolment and the candidate say so too, as screening has always recorded it
        withdraw(
            session, actor=actor, candidate_id=participant.candidate.id, expected_version=None,
            withdrawn_on=ended_on, reason=why or term.label, now=now, today=today,
        )  # fmt: skip
    row = Disposition(
        enrolment_id=participant.id, term=term.value, ended_on=ended_on, reason=why,
        visit_record_id=termination.id if termination is not None else None,
        recorded_at=now, recorded_by=actor,
    )  # fmt: skip
    session.add(row)
    session.flush()
    forget_participant(session, participant.id)  # read again: they have ended
    audit.created(session, row, actor=actor, fields=fields_of(row), reason=why, at=now)
    return row


def _termination_visit(
    session: Session, study: Study, enrolment_id: int, on: date, enrolled_on: date,
    actor: str, now: datetime,
) -> VisitRecord:  # fmt: skip
    schedule = study.schedule
    visit = next(
        (v for v in schedule.visits if v.kind is VisitKind.EARLY_TERMINATION), None
    ) if schedule is not None else None  # fmt: skip
    if visit is None:
        raise InputError(f"{study.id}'s schedule has no early termination visit",
                         field="termination_visit_on")  # fmt: skip
    if not enrolled_on <= on <= site_today(schedule, now):
        raise InputError("must be between enrolment and today", field="termination_visit_on")
    recorded = session.scalars(
        select(VisitRecord).where(
            VisitRecord.enrolment_id == enrolment_id, VisitRecord.visit_id == visit.id
        )
    ).first()
    if recorded is not None:  # dated on its own page already: that is the visit
        if recorded.visit_date != on:
            when = recorded.visit_date.isoformat() if recorded.visit_date else "as not done"
            raise InputError(
                f"{visit.name} is recorded already ({when}): give that date or leave it blank",
                field="termination_visit_on",
            )
        return recorded
    record = VisitRecord(
        enrolment_id=enrolment_id, visit_id=visit.id, occurrence=1, visit_date=on,
        recorded_at=now, recorded_by=actor,
    )  # fmt: skip
    session.add(record)
    session.flush()
    audit.created(session, record, actor=actor, fields=visit_fields(record), reason=None, at=now)
    return record
