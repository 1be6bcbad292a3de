"""The trial store's tables as SQLAlchemy 2 typed ORM classes.

Every datetime is timezone-aware UTC (``UTCDateTime``). Table names are singular; the
audit log's ``entity`` is the table name of the record it describes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    event,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    mapped_column,
    relationship,
)

from trialdesk.trial.roles import Role
from trialdesk.trial.values import UTCDateTime

# Named constraints let Alembic drop and alter them (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


def _enum(cls: type[StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK on every backend: adding a value later is a plain migration.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    NOT_SUITABLE = "not_suitable"
    REFERRED = "referred"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # always lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class LoginSession(Base):
    """A staff browser session. Only the SHA-256 of the cookie token is stored."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class SetupToken(Base):
    """A one-time link that lets the first administrator create their account."""

    __tablename__ = "setup_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Lead(Base):
    """A pre-screening lead a patient left from the public self-check, with consent."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_study_id_created_at", "study_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    study_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    preferred_contact: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict[str, Any]]
    outcome: Mapped[dict[str, Any]]
    consent_text: Mapped[str] = mapped_column(Text)
    consented_at: Mapped[datetime]
    status: Mapped[LeadStatus] = mapped_column(_enum(LeadStatus, "status"), default=LeadStatus.NEW)
    status_note: Mapped[str | None] = mapped_column(Text)


class AuditRecord(Base):
    """One append-only audit entry, chained to the previous one by ``prev_hash``.

    ``id`` is assigned from ``AuditHead.last_id`` rather than a database sequence: a
    rolled-back transaction would burn a sequence value and leave a gap that looks
    exactly like a deleted row.
    """

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]]  # {field: [old, new]}, JSON-normalised
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row naming the newest audit entry, so removing the tail shows."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


GENESIS_HASH = "0" * 64  # prev_hash of the first entry


class AppendOnlyError(RuntimeError):
    """A programming error: code tried to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: object, _instances: object) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditRecord):
            raise AppendOnlyError(f"audit_log is append-only: refused to delete entry {obj.id}")
        if isinstance(obj, AuditHead):
            raise AppendOnlyError("audit_head cannot be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditRecord) and session.is_modified(obj):
            raise AppendOnlyError(f"audit_log is append-only: refused to change entry {obj.id}")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is AuditRecord.__mapper__:
        raise AppendOnlyError("audit_log is append-only: refused a bulk UPDATE/DELETE")
