"""Participants: the enrolled candidates of a study, with their subject number, their day 1
(the study's day-1 anchor, set when the injection is recorded) and how participation
ended, if it has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.models import Disposition
from trialdesk.trial.screening.models import Candidate, Enrolment
from trialdesk.trial.store import audit, locks
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


# Built once: building a statement costs more than running it, and every write to a
# participant's data reads (and locks) them.
_PARTICIPANTS = (
    select(Enrolment, Candidate, Disposition)
    .join(Candidate, Candidate.id == Enrolment.candidate_id)
    .outerjoin(Disposition, Disposition.enrolment_id == Enrolment.id)
    .order_by(Enrolment.subject_number)
)
_ONE = _PARTICIPANTS.where(Enrolment.id == bindparam("enrolment_id"))
# what this session read before is read again, after the lock
_ONE_FRESH = _ONE.execution_options(populate_existing=True)
_OF_STUDY = _PARTICIPANTS.where(Enrolment.study_id == bindparam("study_id"))
_LOCK = (
    select(Candidate.id)
    .join(Enrolment, Enrolment.candidate_id == Candidate.id)
    .where(Enrolment.id == bindparam("enrolment_id"))
    .with_for_update(of=Candidate)
)


def participant_or_404(
    session: Session, enrolment_id: int, *, for_update: bool = False, study: Study | None = None
) -> Participant:
    """The participant (``study``: theirs must be it). ``for_update`` takes their lock
    first, the candidate row (every write to their data takes it), and reads them after
    it: on PostgreSQL a locking read sees a newer version of the locked row only, so what
    else the previous holder committed (an end of participation) is read by a statement
    of its own. A write to a locked study is refused here, first (store/locks.py)."""
    if 1 <= enrolment_id <= MAX_ROW_ID:
        given = {"enrolment_id": enrolment_id}
        if for_update:
            session.execute(_LOCK, given)
        rows = session.execute(_ONE_FRESH if for_update else _ONE, given)
        found = [Participant(e, c, d) for e, c, d in rows]
        if found and (study is None or found[0].enrolment.study_id == study.id):
            study_id = found[0].enrolment.study_id
            locks.writing(session, study_id)
            # refused before anything else is checked (read, not held: the audit head is
            # locked after the participants a write locks, as every write takes them)
            if for_update and study_id in audit.locked_studies(session):
                raise locks.StudyLocked({study_id})
            return found[0]
    raise NotFoundError(f"no participant {enrolment_id}")


def list_participants(session: Session, study_id: str) -> list[Participant]:
    """The study's participants in subject-number order."""
    rows = session.execute(_OF_STUDY, {"study_id": study_id})
    return [Participant(e, c, d) for e, c, d in rows]
