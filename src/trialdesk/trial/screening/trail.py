"""A candidate's audit trail: the entries about them and about the rows that belong to
them (entered facts, judgments and their signatures, consents, the enrolment)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.screening.models import (
    Candidate,
    Consent,
    Enrolment,
    EnteredFact,
    Judgment,
    Lead,
)
from trialdesk.trial.store import audit_search

__all__ = ["about_candidate", "candidate_trail", "lead_trail"]

# The rows that belong to a candidate, by table: their audit entries are the candidate's.
_CHILDREN = (EnteredFact, Judgment, Consent, Enrolment)


def about_candidate(session: Session, candidate_id: int) -> ColumnElement[bool]:
    """The audit entries about the candidate and every row that belongs to them."""
    clauses = [audit_search.about(Candidate.__tablename__, [str(candidate_id)])]
    for table in _CHILDREN:
        ids = [
            str(i)
            for i in session.scalars(select(table.id).where(table.candidate_id == candidate_id))
        ]
        if ids:
            clauses.append(audit_search.about(table.__tablename__, ids))
    signed = [
        str(i)
        for i in session.scalars(
            select(Judgment.signature_id).where(Judgment.candidate_id == candidate_id)
        )
    ]
    if signed:  # who signed the candidate's judgments, when, meaning what
        clauses.append(audit_search.about(Signature.__tablename__, signed))
    return or_(*clauses)


def candidate_trail(session: Session, candidate_id: int) -> list[audit_search.TrailEntry]:
    """Every audit entry about the candidate and their facts, signatures, consents and
    enrolment, oldest first."""
    return audit_search.trail(session, about_candidate(session, candidate_id))


def lead_trail(session: Session, lead_id: int) -> list[audit_search.TrailEntry]:
    """Every audit entry about a pre-screening lead, oldest first."""
    return audit_search.trail(session, audit_search.about(Lead.__tablename__, [str(lead_id)]))
