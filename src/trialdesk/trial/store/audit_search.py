"""Finding audit entries: one candidate's whole trail, or the log filtered for a monitor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from trialdesk.trial.screening.models import Candidate, Consent, Enrolment, EnteredFact, Judgment
from trialdesk.trial.store.models import AuditRecord

__all__ = ["AuditFilter", "candidate_trail", "search"]

# The rows that belong to a candidate, by table: their audit entries are the candidate's.
_CHILDREN = (EnteredFact, Judgment, Consent, Enrolment)


def _of_candidate(session: Session, candidate_id: int) -> ColumnElement[bool]:
    clauses = [
        and_(
            AuditRecord.entity == Candidate.__tablename__,
            AuditRecord.entity_id == str(candidate_id),
        )
    ]
    for table in _CHILDREN:
        ids = [
            str(i)
            for i in session.scalars(select(table.id).where(table.candidate_id == candidate_id))
        ]
        if ids:
            clauses.append(
                and_(AuditRecord.entity == table.__tablename__, AuditRecord.entity_id.in_(ids))
            )
    return or_(*clauses)


def candidate_trail(session: Session, candidate_id: int) -> list[AuditRecord]:
    """Every audit entry about the candidate and their facts, signatures, consents and
    enrolment, oldest first."""
    query = select(AuditRecord).where(_of_candidate(session, candidate_id)).order_by(AuditRecord.id)
    return list(session.scalars(query))


@dataclass(frozen=True)
class AuditFilter:
    candidate_id: int | None = None
    actor: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive


def search(session: Session, f: AuditFilter, limit: int = 200) -> list[AuditRecord]:
    """The newest ``limit`` entries matching every filter given."""
    query = select(AuditRecord)
    if f.candidate_id is not None:
        query = query.where(_of_candidate(session, f.candidate_id))
    if f.actor:
        query = query.where(AuditRecord.actor == f.actor.strip().lower())
    if f.since:
        query = query.where(AuditRecord.at >= datetime.combine(f.since, time.min, tzinfo=UTC))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditRecord.at < end)
    return list(session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit)))
