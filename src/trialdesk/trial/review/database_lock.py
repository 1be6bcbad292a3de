"""The study database lock: refused while anything is left to do, then final.

Before the week-24 analysis the data manager locks the study's database. The lock is
refused with the list of everything that blocks it (:func:`blockers`): live queries, the
SDV plan not met, casebooks not signed as they stand, adverse events not coded to a
CTCAE v5.0 term or without a current signed causality assessment, and proposed
deviations not yet confirmed or dismissed. Given, it is signed (the one signature
service) and records in the audit chain the SHA-256 of the locked data: every
participant's casebook digest and the audit head as locked (:func:`locked_data`). From
then on every write to the study's data is refused by the store itself
(store/locks.py). Unlocking needs a reason and a signature; the lock stays on record.

The checks and the hash are taken after the audit head is held (``audit.hold_head``), so
a write that began before the lock either committed first (and is in the hash) or is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from trialdesk.clinical.ctcae_terms import term_named
from trialdesk.errors import ConflictError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.signatures import Meaning, Signed, digest_of, sign
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.review import deviations, sdv
from trialdesk.trial.review.casebook import CasebookState, casebook_states
from trialdesk.trial.safety.causality import causality_state
from trialdesk.trial.safety.events import events_of
from trialdesk.trial.store import audit, locks
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.locks import StudyLock
from trialdesk.trial.store.query_records import LIVE, DataQuery
from trialdesk.trial.store.stale import StaleError
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "Blocker",
    "BlockerKind",
    "LockRefused",
    "LockStatus",
    "blockers",
    "lock_database",
    "lock_status",
    "locked_data",
    "unlock_database",
]


class BlockerKind(StrEnum):
    OPEN_QUERIES = "open_queries"
    SDV_NOT_MET = "sdv_not_met"
    UNSIGNED_CASEBOOKS = "unsigned_casebooks"
    UNCODED_EVENTS = "uncoded_adverse_events"
    UNSIGNED_EVENTS = "unassessed_adverse_events"
    UNRESOLVED_DEVIATIONS = "unresolved_deviations"


@dataclass(frozen=True)
class Blocker:
    """One reason the lock is refused: how many, and which (subject numbers and what)."""

    kind: BlockerKind
    count: int
    which: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        listed = ", ".join(self.which[:10]) + (" …" if len(self.which) > 10 else "")
        return f"{self.kind.value.replace('_', ' ')}: {self.count} ({listed})"


class LockRefused(ConflictError):
    """The lock was refused: every blocker, each named."""

    code = "lock_refused"

    def __init__(self, found: list[Blocker]) -> None:
        super().__init__(
            "the database cannot be locked yet: " + "; ".join(str(b) for b in found),
            field="lock",
        )
        self.blockers = found


def _open_queries(session: Session, study: Study, subjects: dict[int, str]) -> Blocker | None:
    rows = session.execute(
        select(DataQuery.enrolment_id, func.count())
        .where(DataQuery.study_id == study.id, DataQuery.state.in_(LIVE))
        .group_by(DataQuery.enrolment_id)
    ).all()
    if not rows:
        return None
    which = [
        f"{subjects.get(e, e)}: {n}" for e, n in sorted(rows, key=lambda r: str(subjects.get(r[0])))
    ]
    return Blocker(BlockerKind.OPEN_QUERIES, sum(n for _, n in rows), which)


def blockers(
    session: Session, study: Study, now: datetime, states: list[CasebookState] | None = None
) -> list[Blocker]:
    """Everything that blocks the lock now, in the order the issue names them
    (``states``: every casebook's state, when the caller has read them already)."""
    participants = list_participants(session, study.id)
    subjects = {p.id: p.subject_number for p in participants}
    found: list[Blocker | None] = [_open_queries(session, study, subjects)]
    if study.sdv is not None:
        overall, each = sdv.study_progress(session, study)
        if not overall.met:
            short = [p.subject_number for p, progress in each if not progress.met]
            found.append(Blocker(BlockerKind.SDV_NOT_MET, len(short), short))
    unsigned = [
        s.participant.subject_number
        for s in (casebook_states(session, study) if states is None else states)
        if not s.current
    ]
    if unsigned:
        found.append(Blocker(BlockerKind.UNSIGNED_CASEBOOKS, len(unsigned), unsigned))
    uncoded, unassessed = [], []
    for p in participants:
        for event in events_of(session, p):
            name = f"{p.subject_number}: {event.term} #{event.sequence}"  # the coded term
            if not event.meddra_code or term_named(event.term) is None:
                uncoded.append(name)
            if not causality_state(session, p, event).current:
                unassessed.append(name)
    if uncoded:
        found.append(Blocker(BlockerKind.UNCODED_EVENTS, len(uncoded), uncoded))
    if unassessed:
        found.append(Blocker(BlockerKind.UNSIGNED_EVENTS, len(unassessed), unassessed))
    proposed = deviations.unresolved(session, study, now)
    if proposed:
        which = [f"{subjects.get(d.enrolment_id, '?')}: {d.what}" for d in proposed]
        found.append(Blocker(BlockerKind.UNRESOLVED_DEVIATIONS, len(proposed), which))
    return [b for b in found if b is not None]


def locked_data(
    session: Session, study: Study, states: list[CasebookState] | None = None
) -> dict[str, Any]:
    """What the lock's hash is taken of: each participant's casebook digest (the content
    their sign-off vouches for) and the audit head, which chains every change before it."""
    head_id, head_hash = audit.head(session)
    return {
        "study": study.id,
        "casebooks": {
            s.participant.subject_number: s.digest
            for s in (casebook_states(session, study) if states is None else states)
        },
        "audit_head": {"id": head_id, "hash": head_hash},
    }


@dataclass(frozen=True)
class LockStatus:
    """The study's active lock (None: unlocked), its signature, whether the data still
    hash as they did when locked, and every earlier lock."""

    lock: StudyLock | None
    signature: Signature | None
    intact: bool | None  # the casebooks still what was locked (None: not locked)
    history: list[StudyLock]
    # the store enforces what the record says: the head lists the study as locked exactly
    # when a lock is active (False: the head was edited behind the application's back)
    enforced: bool = True


def _active(session: Session, study_id: str) -> StudyLock | None:
    return session.scalars(
        select(StudyLock)
        .where(StudyLock.study_id == study_id, StudyLock.unlocked_at.is_(None))
        .execution_options(populate_existing=True)
    ).first()


def lock_status(
    session: Session, study: Study, states: list[CasebookState] | None = None
) -> LockStatus:
    history = list(
        session.scalars(
            select(StudyLock).where(StudyLock.study_id == study.id).order_by(StudyLock.id.desc())
        )
    )
    active = next((lock for lock in history if lock.active), None)
    enforced = (study.id in audit.locked_studies(session)) == (active is not None)
    if active is None:
        return LockStatus(None, None, None, history, enforced)
    signature = session.get(Signature, active.signature_id)
    intact = None
    if signature is not None:
        now_books = locked_data(session, study, states)["casebooks"]
        intact = now_books == signature.content.get("data", {}).get("casebooks")
    return LockStatus(active, signature, intact, history, enforced)


def _lock_fields(lock: StudyLock) -> dict[str, Any]:
    names = (
        "study_id", "locked_by", "signature_id", "data_hash", "audit_head_id", "unlocked_at",
        "unlocked_by", "unlock_reason", "unlock_signature_id",
    )  # fmt: skip
    return {n: getattr(lock, n) for n in names}


def lock_database(
    session: Session,
    *,
    signer: User,
    password: str,
    study: Study,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> StudyLock:
    """Lock the study's database: refused with every blocker, or signed and recorded with
    the hash of the locked data; then no write to the study's data is accepted."""
    now = as_utc(now)
    locks.writing(session, study.id)
    if study.id in audit.hold_head(session):
        raise ConflictError(f"the database of {study.id} is locked already", field="lock")
    states = casebook_states(session, study)  # read once for the blockers and the hash
    found = blockers(session, study, now, states)
    if found:
        raise LockRefused(found)
    data = locked_data(session, study, states)
    data_hash = digest_of(data)
    (signature,) = sign(
        session, signer=signer, password=password, meaning=Meaning.DATABASE_LOCK,
        items=[Signed(f"study {study.id}, database", {"data": data, "data_hash": data_hash})],
        now=now, checked=checked,
    )  # fmt: skip
    lock = StudyLock(
        study_id=study.id, locked_at=now, locked_by=signer.username, signature_id=signature.id,
        data_hash=data_hash, audit_head_id=data["audit_head"]["id"],
    )  # fmt: skip
    session.add(lock)
    session.flush()
    audit.created(
        session, lock, actor=signer.username, fields=_lock_fields(lock),
        reason=f"database of {study.id} locked", at=now, action=audit.Action.LOCK,
    )  # fmt: skip
    audit.set_study_locked(session, study.id, True)  # after the lock's own entries
    return lock


def unlock_database(
    session: Session,
    *,
    signer: User,
    password: str,
    study: Study,
    reason: str,
    lock_id: int | None,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> StudyLock:
    """Unlock the study's database, with the reason and a signature; the lock stays on
    record, unlocked. ``lock_id``: the lock the signer was shown (stale otherwise)."""
    now = as_utc(now)
    why = reason_text(reason)
    locks.writing(session, study.id)
    audit.hold_head(session)
    lock = _active(session, study.id)
    if lock is None:
        raise ConflictError(f"the database of {study.id} is not locked", field="lock")
    if lock_id is not None and lock_id != lock.id:
        raise StaleError(f"the lock of {study.id}")
    audit.set_study_locked(session, study.id, False)  # first: the unlock's entries follow
    (signature,) = sign(
        session, signer=signer, password=password, meaning=Meaning.DATABASE_UNLOCK,
        items=[
            Signed(
                f"study {study.id}, database",
                {"lock": lock.id, "data_hash": lock.data_hash, "reason": why},
            )
        ],
        now=now, checked=checked,
    )  # fmt: skip
    before = _lock_fields(lock)
    lock.unlocked_at, lock.unlocked_by, lock.unlock_reason = now, signer.username, why
    lock.unlock_signature_id = signature.id
    audit.updated(
        session, lock, actor=signer.username, before=before, after=_lock_fields(lock),
        reason=why, at=now, action=audit.Action.UNLOCK,
    )  # fmt: skip
    return lock
