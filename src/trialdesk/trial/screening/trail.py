"""A candidate's audit trail: the entries about them and about the rows that belong to
them (entered facts, judgments and their signatures, consents, the enrolment)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.screening.models import (
    Candidate,
    Consent,
    Enrolment,
    EnteredFact,
    FhirUpload,
    Judgment,
    Lead,
)
from trialdesk.trial.store import audit_search

__all__ = ["about_candidate", "candidate_trail", "candidates_of", "lead_trail"]

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


def _ids(entries: Sequence[audit_search.TrailEntry], entity: str) -> list[int]:
    return [int(e.entity_id) for e in entries if e.entity == entity and e.entity_id.isdigit()]


def candidates_of(
    session: Session, entries: Sequence[audit_search.TrailEntry]
) -> dict[int, list[int]]:
    """The candidates each entry is about, by entry id: the candidate itself, the one a
    fact, judgment, consent or enrolment belongs to, and those a FHIR upload created (a
    monitor follows the upload to the people it added)."""
    found: dict[tuple[str, int], list[int]] = {}
    for cid in _ids(entries, Candidate.__tablename__):
        found[(Candidate.__tablename__, cid)] = [cid]
    for table in _CHILDREN:
        wanted = _ids(entries, table.__tablename__)
        if wanted:
            rows = session.execute(select(table.id, table.candidate_id).where(table.id.in_(wanted)))
            for row_id, cid in rows:
                found[(table.__tablename__, row_id)] = [cid]
    signatures = _ids(entries, Signature.__tablename__)
    if signatures:  # an investigator's signature of a candidate's judgments
        rows = session.execute(
            select(Judgment.signature_id, Judgment.candidate_id)
            .where(Judgment.signature_id.in_(signatures))
            .distinct()
        )
        for signature_id, cid in rows:
            if signature_id is not None:
                found.setdefault((Signature.__tablename__, signature_id), []).append(cid)
    uploads = _ids(entries, FhirUpload.__tablename__)
    if uploads:
        rows = session.execute(
            select(Candidate.upload_id, Candidate.id)
            .where(Candidate.upload_id.in_(uploads))
            .order_by(Candidate.id)
        )
        for upload_id, cid in rows:
            found.setdefault((FhirUpload.__tablename__, upload_id), []).append(cid)
    return {
        e.id: found[key]
        for e in entries
        if e.entity_id.isdigit() and (key := (e.entity, int(e.entity_id))) in found
    }
