"""Participants: the enrolled candidates of a study, with their subject number, their day 1
(the study's day-1 anchor, set when the injection is recorded) and how participation
ended, if it has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.models import Disposition
from trialdesk.trial.screening.models import Candidate, Enrolment
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.models import MAX_ROW_ID

__all__ = ["Participant", "list_participants", "participant_or_404"]


@dataclass(frozen=True)
class Participant:
    enrolment: Enrolment
    candidate: Candidate
    disposition: Disposition | None

    @property
    def id(self) -> int:
        return self.enrolment.id

    @property
    def subject_number(self) -> str:
        return self.enrolment.subject_number

    def day1(self, study: Study) -> date | None:
        """Study day 1: the date of the study's day-1 anchor (the injection), once set."""
        schedule = study.schedule
        return self.candidate.date_of(schedule.day1) if schedule is not None else None

    @property
    def ended_on(self) -> date | None:
        return self.disposition.ended_on if self.disposition is not None else None


def _participants(
    session: Session, *where: ColumnElement[bool], fresh: bool = False
) -> list[Participant]:
    query = (
        select(Enrolment, Candidate, Disposition)
        .join(Candidate, Candidate.id == Enrolment.candidate_id)
        .outerjoin(Disposition, Disposition.enrolment_id == Enrolment.id)
        .where(*where)
        .order_by(Enrolment.subject_number)
    )
    if fresh:  # what this session read before is read again
        query = query.execution_options(populate_existing=True)
    return [Participant(e, c, d) for e, c, d in session.execute(query)]


def participant_or_404(
    session: Session, enrolment_id: int, *, for_update: bool = False, study: Study | None = None
) -> Participant:
    """The participant (``study``: theirs must be it). ``for_update`` takes their lock
    first, the candidate row (every write to their data takes it), and reads them after
    it: on PostgreSQL a locking read sees a newer version of the locked row only, so what
    else the previous holder committed (an end of participation) is read by a statement
    of its own."""
    if 1 <= enrolment_id <= MAX_ROW_ID:
        if for_update:
            session.execute(
                select(Candidate.id)
                .join(Enrolment, Enrolment.candidate_id == Candidate.id)
                .where(Enrolment.id == enrolment_id)
                .with_for_update(of=Candidate)
            )
        found = _participants(session, Enrolment.id == enrolment_id, fresh=for_update)
        if found and (study is None or found[0].enrolment.study_id == study.id):
            return found[0]
    raise NotFoundError(f"no participant {enrolment_id}")


def list_participants(session: Session, study_id: str) -> list[Participant]:
    """The study's participants in subject-number order."""
    return _participants(session, Enrolment.study_id == study_id)
