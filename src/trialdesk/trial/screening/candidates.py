"""Candidates: people being screened for a study (added by form here, or from files and
leads through ``imports``), their identity and screening details. Every write is audited
in the caller's transaction.

Duplicates (same hospital record number, or same name and birth date, in the same study)
are flagged on the new candidate, never merged: two records that look alike may be two
people, and merging is a decision for a person who can check.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from trialdesk.errors import InputError, NotFoundError, TrialdeskError
from trialdesk.selfcheck.said import SaidError, raise_all
from trialdesk.study.loader import Study
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Enrolment
from trialdesk.trial.screening.person_checks import (
    PERSON_MESSAGES,
    SEXES,
    birth_date_of,
    checked_field,
)
from trialdesk.trial.store import audit, locks, stale
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.text import REASON_MAX, plain_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "NewCandidate",
    "RECORD_NUMBER",
    "add_candidate",
    "candidate_or_404",
    "check_version",
    "checked_text",
    "correct_identity",
    "duplicates_of",
    "list_candidates",
    "search_candidates",
    "set_screening_details",
]

ENTITY = Candidate.__tablename__
RECORD_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]{0,63}")
_PLAUSIBLE_DAYS = (date(2000, 1, 1), date(2100, 12, 31))


def checked_text(
    value: str | None, field: str, limit: int, *, required: bool = False
) -> str | None:
    text = plain_text(value, field, limit)
    if text is None and required:
        raise InputError("is required", field=field)
    return text


def name_key(name: str) -> str:
    """A name folded for comparison: accents, case and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class NewCandidate:
    """The identifying details of a person to screen, validated on creation: every field
    at fault is reported at once (FieldErrors), each in a sentence a person can act on
    (person_checks.py, D6)."""

    name: str
    birth_date: date | None = None
    sex: str | None = None
    record_number: str | None = None

    def __post_init__(self) -> None:
        errors: list[TrialdeskError] = []
        name = checked_field(self.name, "name", 200, errors)
        if name is None:
            errors.insert(0, SaidError(PERSON_MESSAGES["name"], field="name"))
        birth_date_of(self.birth_date, None, errors)
        sex = checked_field(self.sex, "sex", 16, errors)
        if sex is not None:
            sex = sex.lower()
            if sex not in SEXES:
                errors.append(SaidError(PERSON_MESSAGES["sex"], field="sex"))
        number = checked_field(self.record_number, "record_number", 64, errors)
        if number is not None and len(number) <= 64 and not RECORD_NUMBER.fullmatch(number):
            errors.append(SaidError(PERSON_MESSAGES["record_number"], field="record_number"))
        raise_all(errors, resource="candidate")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sex", sex)
        object.__setattr__(self, "record_number", number)

    @classmethod
    def from_form(
        cls,
        *,
        name: str | None,
        birth_date: str | None,
        sex: str | None,
        record_number: str | None,
        today: date,
    ) -> NewCandidate:
        """The details as a form sends them (a birth date as YYYY-MM-DD text), every
        mistake reported at once: a birth date that is no date or is after ``today`` (the
        site's day) with the rest."""
        errors: list[TrialdeskError] = []
        born = birth_date_of(birth_date, today, errors)
        try:
            person = cls(name or "", None if errors else born, sex or None, record_number or None)
        except TrialdeskError as error:
            errors.append(error)
        raise_all(errors, resource="candidate")
        return person


def fields_of(c: Candidate) -> dict[str, Any]:
    """The candidate's audited fields, as the audit trail shows them: the study's dates as
    ``<anchor>_date`` and its parameters by name, beside the candidate's own fields."""
    names = (
        "study_id", "name", "birth_date", "sex", "record_number", "source", "source_ref",
        "lead_id", "upload_id", "patient_key", "possible_duplicates", "status",
        "outcome_reason", "failed_criteria",
    )  # fmt: skip
    return {
        **{n: getattr(c, n) for n in names},
        **{f"{anchor}_date": c.date_of(anchor) for anchor in c.anchor_dates},
        **c.parameters,
    }


def _audit_update(
    session: Session,
    actor: str,
    candidate: Candidate,
    before: dict[str, Any],
    reason: str | None,
    now: datetime,
) -> None:
    """Audit a change to the candidate's own fields since ``before`` (fields_of)."""
    audit.updated(
        session, candidate, actor=actor, before=before, after=fields_of(candidate), reason=reason,
        at=now,
    )  # fmt: skip


def duplicates_of(
    session: Session,
    study_id: str,
    *,
    record_number: str | None,
    key: str,
    birth_date: date | None,
    source_ref: str | None = None,
    exclude: int | None = None,
) -> list[int]:
    """Ids of candidates in the study who may be the same person."""
    same: list[Any] = []
    if record_number:
        same.append(Candidate.record_number == record_number)
    if birth_date is not None:
        same.append((Candidate.name_key == key) & (Candidate.birth_date == birth_date))
    if source_ref:
        same.append(Candidate.source_ref == source_ref)
    if not same:
        return []
    query = select(Candidate.id).where(Candidate.study_id == study_id, or_(*same))
    if exclude is not None:
        query = query.where(Candidate.id != exclude)
    return list(session.scalars(query.order_by(Candidate.id)))


def add_candidate(
    session: Session,
    *,
    actor: str,
    study_id: str,
    person: NewCandidate,
    now: datetime,
    source: str = "form",
    source_ref: str | None = None,
    lead_id: int | None = None,
    upload_id: int | None = None,
    patient_key: str | None = None,
    reason: str | None = None,
) -> Candidate:
    now = as_utc(now)
    if person.birth_date is not None and person.birth_date > now.date():
        raise SaidError(PERSON_MESSAGES["birth_future"], field="birth_date")
    key = name_key(person.name)
    flagged = duplicates_of(
        session,
        study_id,
        record_number=person.record_number,
        key=key,
        birth_date=person.birth_date,
        source_ref=source_ref,
    )
    candidate = Candidate(
        study_id=study_id,
        name=person.name,
        name_key=key,
        birth_date=person.birth_date,
        sex=person.sex,
        record_number=person.record_number,
        source=source,
        source_ref=source_ref,
        lead_id=lead_id,
        upload_id=upload_id,
        patient_key=patient_key,
        possible_duplicates=flagged,
        status=CandidateStatus.SCREENING,
        failed_criteria=[],
        created_at=now,
        created_by=actor,
    )
    session.add(candidate)
    session.flush()
    audit.created(
        session,
        candidate,
        actor=actor,
        fields=fields_of(candidate),
        reason=reason or f"added from {source}",
        at=now,
    )
    return candidate


# Built once: building a statement costs more than running it, and every screening
# action reads (and locks) its candidate.
_CANDIDATE = select(Candidate).where(Candidate.id == bindparam("id"))
# populate_existing: the row as locked, not as this session may have read it before (on
# PostgreSQL another transaction can commit a change in between; checking the stale copy
# would pass a closed candidate or an old version, then fail on flush).
_LOCK_CANDIDATE = _CANDIDATE.with_for_update().execution_options(populate_existing=True)


def candidate_or_404(session: Session, candidate_id: int, *, for_update: bool = False) -> Candidate:
    if not 1 <= candidate_id <= MAX_ROW_ID:
        raise NotFoundError(f"no candidate {candidate_id}")
    query = _LOCK_CANDIDATE if for_update else _CANDIDATE
    found = session.scalars(query, {"id": candidate_id}).one_or_none()
    if found is None:
        raise NotFoundError(f"no candidate {candidate_id}")
    locks.writing(session, found.study_id)
    if for_update and found.study_id in audit.locked_studies(session):
        raise locks.StudyLocked({found.study_id})  # first (read, not held: see participants.py)
    return found


def check_version(candidate: Candidate, expected: int | None) -> None:
    """Refuse a change made from a form rendered before someone else's change."""
    stale.check_version(candidate, expected, f"candidate {candidate.id}")


def list_candidates(
    session: Session, study_id: str | None = None, status: CandidateStatus | None = None
) -> list[Candidate]:
    query = select(Candidate).order_by(Candidate.created_at.desc(), Candidate.id.desc())
    if study_id is not None:
        query = query.where(Candidate.study_id == study_id)
    if status is not None:
        query = query.where(Candidate.status == status)
    return list(session.scalars(query))


def search_candidates(
    session: Session,
    study_id: str | None = None,
    status: CandidateStatus | None = None,
    search: str | None = None,
) -> list[tuple[Candidate, str | None]]:
    """The candidates (newest first) with their subject number once enrolled; ``search``
    finds a part of the name (case, accents and spacing ignored, as for duplicates) or of
    the hospital record number (case ignored)."""
    query = (
        select(Candidate, Enrolment.subject_number)
        .outerjoin(Enrolment, Enrolment.candidate_id == Candidate.id)
        .order_by(Candidate.created_at.desc(), Candidate.id.desc())
    )
    if study_id is not None:
        query = query.where(Candidate.study_id == study_id)
    if status is not None:
        query = query.where(Candidate.status == status)
    wanted = name_key(search or "")
    if wanted:
        pattern = "%" + wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                Candidate.name_key.like(pattern, escape="\\"),
                Candidate.record_number.ilike(pattern, escape="\\"),
                Enrolment.subject_number.ilike(pattern, escape="\\"),
            )
        )
    return [(c, subject) for c, subject in session.execute(query)]


def correct_identity(
    session: Session,
    *,
    actor: str,
    candidate_id: int,
    expected_version: int | None,
    person: NewCandidate,
    reason: str | None,
    now: datetime,
) -> Candidate:
    """Correct a candidate's name, birth date, sex or record number (a typing error, a
    record number found later). A reason is required, the old values stay in the audit
    trail, and the possible duplicates are looked for again."""
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    check_version(candidate, expected_version)
    why = plain_text(reason, "reason", REASON_MAX, one_line=True)
    if why is None:
        raise InputError("give the reason for the correction", field="reason")
    now = as_utc(now)
    if person.birth_date is not None and person.birth_date > now.date():
        raise SaidError(PERSON_MESSAGES["birth_future"], field="birth_date")
    before = fields_of(candidate)
    candidate.name, candidate.name_key = person.name, name_key(person.name)
    candidate.birth_date, candidate.sex = person.birth_date, person.sex
    candidate.record_number = person.record_number
    candidate.possible_duplicates = duplicates_of(
        session,
        candidate.study_id,
        record_number=person.record_number,
        key=candidate.name_key,
        birth_date=person.birth_date,
        source_ref=candidate.source_ref,
        exclude=candidate.id,
    )
    _audit_update(session, actor, candidate, before, why, now)
    return candidate


def set_screening_details(
    session: Session,
    *,
    actor: str,
    study: Study,
    candidate_id: int,
    expected_version: int | None,
    dates: Mapping[str, date | None],
    parameters: Mapping[str, str | None],
    reason: str | None,
    now: datetime,
) -> Candidate:
    """The dates the site sets and the per-participant parameters, as the study declares
    them (for NCT06947746: the screening date, the planned baseline (injection) date and
    the target knee). What is sent replaces what was set; a blank is "not set". Errors
    name the field as the forms do: ``<anchor>_date``, or the parameter's name."""
    participant = study.participant
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    check_version(candidate, expected_version)
    if candidate.study_id != study.id:
        raise InputError(f"candidate {candidate.id} is screened for {candidate.study_id}")
    if candidate.status is not CandidateStatus.SCREENING:
        raise InputError(f"screening is closed ({candidate.status.value})", field="status")
    staff = {a.name: a for a in participant.staff}
    for name in dates:
        if name not in staff:
            raise InputError(f"{study.id} sets no date '{name}'", field=f"{name}_date")
    new_dates = {a: day for a in staff if (day := dates.get(a)) is not None}
    for anchor, day in new_dates.items():
        if not _PLAUSIBLE_DAYS[0] <= day <= _PLAUSIBLE_DAYS[1]:
            raise InputError("is not a plausible date for this study", field=f"{anchor}_date")
    for anchor, day in new_dates.items():
        earliest = staff[anchor].not_before
        if earliest is not None and earliest in new_dates and day < new_dates[earliest]:
            raise InputError(f"is before the {earliest} date", field=f"{anchor}_date")
    new_parameters = {
        name: value
        for name, value in participant.parse_parameters(parameters).items()
        if value is not None
    }
    reason = plain_text(reason, "reason", REASON_MAX, one_line=True)
    before = fields_of(candidate)
    changed_set_value = any(
        (old := candidate.date_of(a)) is not None and old != new_dates.get(a) for a in staff
    ) or any(
        (old := candidate.parameters.get(name)) is not None and old != new_parameters.get(name)
        for name in participant.parameters
    )
    if changed_set_value and not (reason or "").strip():
        # A value already recorded is changed, not first entered: the audit trail must say
        # why (ICH E6(R3) 4.2: changes to data are explained and traceable).
        raise InputError("give the reason for changing what was recorded", field="reason")
    # What the study does not declare (a value kept from an earlier protocol) stays as it is.
    kept_dates = {a: v for a, v in candidate.anchor_dates.items() if a not in staff}
    kept = {k: v for k, v in candidate.parameters.items() if k not in participant.parameters}
    candidate.anchor_dates = {**kept_dates, **{a: d.isoformat() for a, d in new_dates.items()}}
    candidate.parameters = {**kept, **new_parameters}
    _audit_update(session, actor, candidate, before, reason, now)
    return candidate
