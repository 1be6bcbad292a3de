"""The store's shared declarative base and its own tables: the audit chain.

Every wing of the trial store declares its tables on this one ``Base`` (one metadata, one
Alembic history: ``trialdesk.trial.tables`` imports them all). Every datetime is
timezone-aware UTC (``UTCDateTime``). Table names are singular; the audit log's
``entity`` is the table name of the record it describes.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, Index, Integer, MetaData, String, Text, event
from sqlalchemy.orm import DeclarativeBase, Mapped, ORMExecuteState, Session, mapped_column

from trialdesk.trial.store.values import UTCDateTime

# Named constraints let Alembic drop and alter them (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Primary keys are INTEGER: 32-bit on PostgreSQL. An id past this cannot name a row, and
# PostgreSQL refuses it with an error rather than finding nothing.
MAX_ROW_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


def enum_column(cls: type[StrEnum], name: str) -> Enum:
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
    # the studies whose database is locked (store/locks.py): kept on the row every write
    # locks first, so a lock and a write cannot pass each other
    locked_studies: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")


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
