"""Participants: the enrolled candidates of a study, with their subject number, their day 1
(the study's day-1 anchor, set when the injection is recorded) and how participation
ended, if it has."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Row, bindparam, select

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.models import DataFreeze, Disposition
from trialdesk.trial.screening.models import Candidate, Enrolment
from trialdesk.trial.store import audit, locks
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.models import MAX_ROW_ID

__all__ = [
    "LockedReads",
    "Participant",
    "forget_participant",
    "list_participants",
    "locked_reads",
    "participant_or_404",
]


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


@dataclass
class LockedReads:
    """What a transaction (a savepoint) locked and read of its participants, kept to its
    end. Their rows are written only by whoever holds their lock, so what was read after
    taking it stays as read, but for what this transaction changes itself: the services
    that change what is kept here forget it (disposition.py, freeze.py). A savepoint
    begun or ended since reads again (one rolled back may have released the locks)."""

    scope: tuple[object, object]  # (the root transaction, the savepoint)
    locked: set[int] = field(default_factory=set)  # enrolment ids
    participants: dict[int, Participant] = field(default_factory=dict)
    freezes: dict[int, list[DataFreeze]] = field(default_factory=dict)  # active, freeze.py


_READS = "trialdesk.participants.locked"  # session.info: the scope's LockedReads


def locked_reads(session: Session) -> LockedReads:
    """What the session's transaction (its savepoint) locked and read so far."""
    root, nested = session.get_transaction(), session.get_nested_transaction()
    reads: LockedReads | None = session.info.get(_READS)
    if reads is None or reads.scope[0] is not root or reads.scope[1] is not nested:
        reads = session.info[_READS] = LockedReads((root, nested))
    return reads


def forget_participant(session: Session, enrolment_id: int) -> None:
    """The participant's rows changed beyond what their objects show (an end of
    participation recorded): the next read reads them again."""
    locked_reads(session).participants.pop(enrolment_id, None)


def _first(rows: Sequence[Row[Enrolment, Candidate, Disposition]]) -> Participant | None:
    if not rows:
        return None
    enrolment, candidate, disposition = rows[0]
    return Participant(enrolment, candidate, disposition)


def _locked(session: Session, enrolment_id: int, given: dict[str, int]) -> Participant | None:
    """The participant read after their lock, taken once a transaction: a visit recorded
    and its forms saved in one transaction lock and read them once."""
    reads = locked_reads(session)
    if enrolment_id not in reads.locked:
        session.execute(_LOCK, given)
        reads.locked.add(enrolment_id)
    found = reads.participants.get(enrolment_id)
    if found is None:
        found = _first(session.execute(_ONE_FRESH, given).all())
        if found is not None:
            reads.participants[enrolment_id] = found
    return found


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
            found = _locked(session, enrolment_id, given)
        else:
            found = _first(session.execute(_ONE, given).all())
        if found is not None and (study is None or found.enrolment.study_id == study.id):
            study_id = found.enrolment.study_id
            locks.writing(session, study_id)
            # refused before anything else is checked (read, not held: the audit head is
            # locked after the participants a write locks, as every write takes them)
            if for_update and study_id in audit.locked_studies(session):
                raise locks.StudyLocked({study_id})
            return found
    raise NotFoundError(f"no participant {enrolment_id}")


def list_participants(session: Session, study_id: str) -> list[Participant]:
    """The study's participants in subject-number order."""
    rows = session.execute(_OF_STUDY, {"study_id": study_id})
    return [Participant(e, c, d) for e, c, d in rows]
