"""What the lock room's pages and API both do: the read model of the room, and each
signed act through the one signing path (web/signing.py)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.conduct import freeze
from trialdesk.trial.conduct.models import DataFreeze
from trialdesk.trial.review import casebook, database_lock
from trialdesk.trial.review.casebook import CasebookState
from trialdesk.trial.review.database_lock import Blocker, LockStatus
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.locks import StudyLock
from trialdesk.web import signing
from trialdesk.web.deps import now

__all__ = ["Room", "lock", "room", "sign_casebooks", "unlock"]


@dataclass(frozen=True)
class Room:
    study: Study
    status: LockStatus
    blockers: list[Blocker]
    casebooks: list[CasebookState]
    freezes: dict[int, list[DataFreeze]]


def room(session: Session, study: Study) -> Room:
    states = casebook.casebook_states(session, study)  # read once for the whole room
    status = database_lock.lock_status(session, study, states)
    found = [] if status.lock is not None else database_lock.blockers(session, study, now(), states)
    freezes = {s.participant.id: freeze.active_freezes(session, s.participant.id) for s in states}
    return Room(study, status, found, states, freezes)


async def sign_casebooks(
    request: Request, study: Study, shown: dict[int, str], password: str
) -> list[Signature]:
    def act(session: Session, signer: User, checked: PasswordCheck) -> list[Signature]:
        return casebook.sign_casebook(
            session, signer=signer, password=password, study=study,
            enrolment_ids=list(shown), reviewed=shown, now=now(), checked=checked,
        )  # fmt: skip

    return await signing.sign(request, password, act)


async def lock(request: Request, study: Study, password: str) -> StudyLock:
    def act(session: Session, signer: User, checked: PasswordCheck) -> StudyLock:
        return database_lock.lock_database(
            session, signer=signer, password=password, study=study, now=now(), checked=checked
        )

    return await signing.sign(request, password, act)


async def unlock(
    request: Request, study: Study, lock_id: int | None, reason: str, password: str
) -> StudyLock:
    def act(session: Session, signer: User, checked: PasswordCheck) -> StudyLock:
        return database_lock.unlock_database(
            session, signer=signer, password=password, study=study, reason=reason,
            lock_id=lock_id, now=now(), checked=checked,
        )  # fmt: skip

    return await signing.sign(request, password, act)
