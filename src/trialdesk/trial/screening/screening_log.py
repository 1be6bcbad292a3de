"""The screening log: every candidate of a study with dates, outcome and reasons.

A site keeps one for every trial (ICH E6(R3) essential records: the subject screening
log); monitors read it, and its counts make the enrolment part of the CONSORT diagram.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trialdesk.trial.screening.models import Candidate, CandidateStatus, Consent, Enrolment

__all__ = ["LogFilter", "LogRow", "screening_log"]


@dataclass(frozen=True)
class LogFilter:
    status: CandidateStatus | None = None
    added_from: date | None = None
    added_to: date | None = None
    criterion: str | None = None  # screen failures on this criterion


@dataclass(frozen=True)
class LogRow:
    candidate_id: int
    name: str
    record_number: str | None
    source: str
    added_on: date
    dates: dict[str, date]  # the dates the site set, by anchor (the study declares which)
    consented_on: date | None
    outcome: str
    outcome_on: date | None
    reasons: str
    failed_criteria: tuple[str, ...]
    subject_number: str | None
    # for the pseudonymised export's age (the birth date itself is never exported there)
    birth_date: date | None = None
    sex: str | None = None


def screening_log(
    session: Session, study_id: str, filters: LogFilter | None = None, zone: tzinfo = UTC
) -> list[LogRow]:
    """The log; its dates (added, consented, outcome) are the site's (``zone``), as staff
    read them on the pages; the consent is the one recorded here (docs/screening.md)."""
    f = filters or LogFilter()
    first_consent = (
        select(Consent.candidate_id, func.min(Consent.consented_at).label("first"))
        .group_by(Consent.candidate_id)
        .subquery()
    )
    query = (
        select(Candidate, Enrolment.subject_number, first_consent.c.first)
        .outerjoin(Enrolment, Enrolment.candidate_id == Candidate.id)
        .outerjoin(first_consent, first_consent.c.candidate_id == Candidate.id)
        .where(Candidate.study_id == study_id)
        .order_by(Candidate.created_at, Candidate.id)
    )
    if f.status is not None:
        query = query.where(Candidate.status == f.status)
    rows = []
    for c, subject, consented in session.execute(query):
        added = c.created_at.astimezone(zone).date()
        if f.added_from and added < f.added_from or f.added_to and added > f.added_to:
            continue
        if f.criterion and f.criterion not in c.failed_criteria:
            continue
        rows.append(
            LogRow(
                candidate_id=c.id,
                name=c.name,
                record_number=c.record_number,
                source=c.source,
                added_on=added,
                dates={a: d for a in c.anchor_dates if (d := c.date_of(a)) is not None},
                consented_on=_on(consented, zone) if isinstance(consented, datetime) else None,
                outcome=c.status.value,
                outcome_on=_on(c.outcome_at, zone) if c.outcome_at else None,
                reasons=c.outcome_reason or "",
                failed_criteria=tuple(c.failed_criteria),
                subject_number=subject,
                birth_date=c.birth_date,
                sex=c.sex,
            )
        )
    return rows


def _on(moment: datetime, zone: tzinfo) -> date:
    # SQLite hands a MIN() aggregate back without its zone: it is UTC (store/values.py)
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).date()
