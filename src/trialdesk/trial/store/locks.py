"""The study database lock as the store enforces it: once a study is locked, nothing of
its data can change, whatever path a write takes.

Which studies are locked is kept on the audit head (``audit_head.locked_studies``), the
one row every write transaction locks before its first audit entry. So the lock cannot be
raced: a write that began before the lock and appends after it reads the head the lock
committed and is refused (:class:`StudyLocked`, in ``audit.append``), and the lock itself
waits for a write that holds the head, then sees it. The lock's record (who locked, when,
the signature, the hash of the locked data, and the unlock with its reason and signature)
is a :class:`StudyLock` row, written by the review wing's ``database_lock`` service.

A transaction that writes one study's data says which (:func:`writing`); one that says
nothing is refused while any study is locked (a path forgotten fails closed). Rows that
are not trial data (accounts, sign-in sessions, the alert outbox's delivery) stay
writable, see ``NOT_STUDY_DATA``; so do the rows of a table a transaction declares not
study data for its own writes (:func:`writing_not_study_data`: a lead's erasure).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from trialdesk.errors import ConflictError
from trialdesk.trial.store.models import Base

__all__ = [
    "NOT_STUDY_DATA",
    "StudyLock",
    "StudyLocked",
    "declared_studies",
    "not_study_data",
    "writing",
    "writing_not_study_data",
]

# Tables whose rows may change while a study is locked: they are not the study's data.
NOT_STUDY_DATA = frozenset({"user_account", "login_session", "setup_token", "outbox_message"})

_DECLARED = "trialdesk.locks.writing"  # session.info key: the studies this transaction writes
# session.info key: the tables whose rows this transaction writes as not study data
_NOT_STUDY = "trialdesk.locks.not_study_data"

_ACTIVE = text("unlocked_at IS NULL")


class StudyLock(Base):
    """A lock of one study's database: when, by whom, with which signature, and the hash of
    the data as locked; then its unlock, if any (the row stays, unlocked)."""

    __tablename__ = "study_lock"
    __table_args__ = (
        Index("ix_study_lock_study_id", "study_id"),
        Index(
            "uq_study_lock_active",
            "study_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(32))
    locked_at: Mapped[datetime]
    locked_by: Mapped[str] = mapped_column(String(64))
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)
    # SHA-256 over the canonical JSON of every participant's casebook and the audit head
    # as locked (review/database_lock.py: locked_data)
    data_hash: Mapped[str] = mapped_column(String(64))
    audit_head_id: Mapped[int]
    unlocked_at: Mapped[datetime | None]
    unlocked_by: Mapped[str | None] = mapped_column(String(64))
    unlock_reason: Mapped[str | None] = mapped_column(Text)
    unlock_signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"))

    @property
    def active(self) -> bool:
        return self.unlocked_at is None


class StudyLocked(ConflictError):
    """The one answer of every write path to a locked study."""

    code = "study_locked"

    def __init__(self, studies: frozenset[str] | set[str]) -> None:
        names = ", ".join(sorted(studies))
        super().__init__(
            f"the database of {names} is locked: nothing can change; unlocking needs a "
            "reason and a signature",
            field="study",
        )
        self.studies = frozenset(studies)


def writing(session: Session, study_id: str) -> None:
    """Declare that this transaction writes ``study_id``'s data (checked at each audit
    entry against the locked studies)."""
    declared: set[str] = session.info.setdefault(_DECLARED, set())
    declared.add(study_id)


def declared_studies(session: Session) -> set[str]:
    """The studies this transaction said it writes (a session is one transaction: db.py)."""
    declared: set[str] = session.info.get(_DECLARED, set())
    return declared


def writing_not_study_data(session: Session, table: str) -> None:
    """Declare that this transaction's writes to ``table`` are not study data: they pass a
    lock (a lead's erasure: a lead is in no casebook, so not in the lock's hash, and the
    person's right to erasure does not wait for an unlock). Every other table it writes
    is judged as usual."""
    tables: set[str] = session.info.setdefault(_NOT_STUDY, set())
    tables.add(table)


def not_study_data(session: Session) -> frozenset[str]:
    """The tables whose rows this transaction may change while a study is locked."""
    tables: set[str] = session.info.get(_NOT_STUDY, set())
    return NOT_STUDY_DATA | tables
