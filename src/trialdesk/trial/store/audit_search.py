"""Finding audit entries: one record's trail, or the log filtered for a monitor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.orm import Session

from trialdesk.trial.store.models import AuditRecord

__all__ = ["AuditFilter", "about", "search", "trail"]


def about(entity: str, ids: list[str]) -> ColumnElement[bool]:
    """The entries about the rows ``ids`` of table ``entity``."""
    return and_(AuditRecord.entity == entity, AuditRecord.entity_id.in_(ids))


def trail(session: Session, scope: ColumnElement[bool]) -> list[AuditRecord]:
    """Every entry in ``scope`` (see :func:`about`), oldest first."""
    return list(session.scalars(select(AuditRecord).where(scope).order_by(AuditRecord.id)))


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive


def search(
    session: Session,
    f: AuditFilter,
    limit: int = 200,
    scope: ColumnElement[bool] | None = None,
) -> list[AuditRecord]:
    """The newest ``limit`` entries matching every filter given, within ``scope``."""
    query = select(AuditRecord)
    if scope is not None:
        query = query.where(scope)
    if f.actor:
        query = query.where(AuditRecord.actor == f.actor.strip().lower())
    if f.since:
        query = query.where(AuditRecord.at >= datetime.combine(f.since, time.min, tzinfo=UTC))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditRecord.at < end)
    return list(session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit)))
