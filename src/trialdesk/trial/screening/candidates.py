"""Candidates: people being screened for a study, added by form, FHIR upload, self-check
lead or feasibility list. Every write is audited in the caller's transaction.

Duplicates (same hospital record number, or same name and birth date, in the same study)
are flagged on the new candidate, never merged: two records that look alike may be two
people, and merging is a decision for a person who can check.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from trialdesk.errors import InputError, NotFoundError
from trialdesk.patients.fhir import read_fhir_bytes, read_fhir_export
from trialdesk.patients.record import Laterality
from trialdesk.trial.screening import leads
from trialdesk.trial.screening.fhir_identifiers import record_numbers
from trialdesk.trial.screening.models import (
    Candidate,
    CandidateStatus,
    FhirUpload,
    Lead,
    LeadStatus,
)
from trialdesk.trial.store import audit
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.text import REASON_MAX, plain_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "MAX_ROW_ID",
    "MAX_UPLOAD_BYTES",
    "NewCandidate",
    "StaleError",
    "add_candidate",
    "candidate_or_404",
    "correct_identity",
    "duplicates_of",
    "from_lead",
    "import_feasibility",
    "import_fhir",
    "list_candidates",
    "set_screening_details",
]

ENTITY = Candidate.__tablename__
SEXES = ("female", "male", "other", "unknown")
# An upload is one person's or one clinic's export, not a data warehouse: bigger files go
# through `trialdesk feasibility`. 10 MB holds a Synthea bundle of ten years' history.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FEASIBILITY_ROWS = 10_000
_RECORD_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]{0,63}")
_EARLIEST_BIRTH = date(1900, 1, 1)
_PLAUSIBLE_DAYS = (date(2000, 1, 1), date(2100, 12, 31))
_MAX_FHIR_ID = 64  # FHIR R4 id: up to 64 characters
_SOURCE_FILE_CHARS = 120  # of the file name in source_ref (200 with "#Patient/<id>")
_MAX_PERSON_ID_DIGITS = 19  # OMOP person_id is a 64-bit integer


class StaleError(InputError):
    """The record changed since the form was opened: reload, then redo the change."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} was changed by someone else since you opened it: reload the page and "
            "make your change again",
            field="version",
        )


def _text(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    text = plain_text(value, field, limit)
    if text is None and required:
        raise InputError("is required", field=field)
    return text


def _usable(record_number: str | None) -> str | None:
    """A record number from a file, if it has the shape this store accepts."""
    return record_number if record_number and _RECORD_NUMBER.fullmatch(record_number) else None


def name_key(name: str) -> str:
    """A name folded for comparison: accents, case and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


@dataclass(frozen=True)
class NewCandidate:
    """The identifying details of a person to screen, validated on creation."""

    name: str
    birth_date: date | None = None
    sex: str | None = None
    record_number: str | None = None

    def __post_init__(self) -> None:
        name = _text(self.name, "name", 200, required=True)
        sex = _text(self.sex, "sex", 16)
        if sex is not None:
            sex = sex.lower()
            if sex not in SEXES:
                raise InputError(f"must be one of {', '.join(SEXES)}", field="sex")
        number = _text(self.record_number, "record_number", 64)
        if number is not None and not _RECORD_NUMBER.fullmatch(number):
            raise InputError(
                "letters, digits and . _ / - only, starting with a letter or digit",
                field="record_number",
            )
        if self.birth_date is not None and self.birth_date < _EARLIEST_BIRTH:
            raise InputError("is before 1900", field="birth_date")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "sex", sex)
        object.__setattr__(self, "record_number", number)


def fields_of(c: Candidate) -> dict[str, Any]:
    """The candidate's audited fields, as the audit trail shows them."""
    names = (
        "study_id", "name", "birth_date", "sex", "record_number", "source", "source_ref",
        "lead_id", "upload_id", "patient_key", "possible_duplicates", "screening_date",
        "baseline_date", "target_knee", "status", "outcome_reason", "failed_criteria",
    )  # fmt: skip
    return {n: getattr(c, n) for n in names}


def _audit_update(
    session: Session,
    actor: str,
    candidate: Candidate,
    before: dict[str, Any],
    reason: str | None,
    now: datetime,
) -> None:
    """Audit a change to the candidate's own fields since ``before`` (fields_of)."""
    audit.record_update(
        session, actor=actor, entity=ENTITY, entity_id=str(candidate.id), before=before,
        after=fields_of(candidate), reason=reason, at=now,
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
        raise InputError("is in the future", field="birth_date")
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
    audit.record_create(
        session,
        actor=actor,
        entity=ENTITY,
        entity_id=str(candidate.id),
        fields=fields_of(candidate),
        reason=reason or f"added from {source}",
        at=now,
    )
    return candidate


def candidate_or_404(session: Session, candidate_id: int, *, for_update: bool = False) -> Candidate:
    if not 1 <= candidate_id <= MAX_ROW_ID:
        raise NotFoundError(f"no candidate {candidate_id}")
    query = select(Candidate).where(Candidate.id == candidate_id)
    if for_update:
        # populate_existing: the row as locked, not as this session may have read it before
        # (on PostgreSQL another transaction can commit a change in between; checking the
        # stale copy would pass a closed candidate or an old version, then fail on flush).
        query = query.with_for_update().execution_options(populate_existing=True)
    found = session.scalars(query).one_or_none()
    if found is None:
        raise NotFoundError(f"no candidate {candidate_id}")
    return found


def check_version(candidate: Candidate, expected: int | None) -> None:
    """Refuse a change made from a form rendered before someone else's change."""
    if expected is not None and candidate.version != expected:
        raise StaleError(f"candidate {candidate.id}")


def list_candidates(
    session: Session, study_id: str | None = None, status: CandidateStatus | None = None
) -> list[Candidate]:
    query = select(Candidate).order_by(Candidate.created_at.desc(), Candidate.id.desc())
    if study_id is not None:
        query = query.where(Candidate.study_id == study_id)
    if status is not None:
        query = query.where(Candidate.status == status)
    return list(session.scalars(query))


def import_fhir(
    session: Session, *, actor: str, study_id: str, filename: str, data: bytes, now: datetime
) -> list[Candidate]:
    """One candidate per Patient in a FHIR R4 Bundle (JSON) or NDJSON file."""
    return import_fhir_files(
        session, actor=actor, study_id=study_id, files=[(filename, data)], now=now
    )


def import_fhir_files(
    session: Session,
    *,
    actor: str,
    study_id: str,
    files: Sequence[tuple[str, bytes]],
    now: datetime,
) -> list[Candidate]:
    """One candidate per Patient in a FHIR R4 Bundle (JSON) or NDJSON file, or in the NDJSON
    files of one Bulk Data export (one file per resource type, referring to each other),
    read and kept as one unit.

    All or nothing: the files are read completely before anything is stored, and
    everything is written in the caller's one transaction, so an import cut short (an
    error, a killed process) leaves no half-imported candidate and can simply be run again.
    """
    if not files:
        raise InputError("choose a file", field="file")
    named = sorted(
        (
            (_text(filename, "file", 255, required=True) or "upload", data)
            for filename, data in files
        ),
        key=lambda pair: pair[0],
    )  # sorted: the same export gives the same upload whatever order the files were chosen in
    label = " + ".join(name for name, _ in named)
    size = sum(len(data) for _, data in named)
    if size > MAX_UPLOAD_BYTES:
        what = "the file" if len(named) == 1 else f"the {len(named)} files together"
        raise InputError(
            f"{what}: {size / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB",
            file=named[0][0] if len(named) == 1 else None,
            field="file",
        )
    texts = []
    for name, data in named:
        try:
            texts.append(data.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise InputError(
                f"not UTF-8 text (byte {error.start})", file=name, field="file"
            ) from None
    if len(named) == 1:
        (name, data), text = named[0], texts[0]
        result = read_fhir_bytes(name, data)
    else:
        _one_export(named)
        result = read_fhir_export(named)
        # Kept as one NDJSON document (what the screening page reads back), named after
        # its files when the name fits.
        name = label if len(label) <= 255 else f"Bulk Data export of {len(named)} files.ndjson"
        text = "".join(t if t.endswith("\n") else t + "\n" for t in texts)
        data = text.encode("utf-8")
    if result.errors:  # the reader's error, with its place in the message and a field
        problem = result.errors[0]
        place = ", ".join(
            f"{what} {value}"
            for what, value in (("line", problem.line), ("column", problem.column))
            if value is not None
        )
        raise InputError(
            problem.message + (f" ({place})" if place else ""),
            file=problem.file,
            resource=problem.resource,
            field=problem.field or "file",
        )
    if not result.records:
        raise InputError("no Patient resource in this file", file=name, field="file")
    numbers = record_numbers(name, data)
    people = []
    for record in result.records:
        where = f"Patient/{record.id[:_MAX_FHIR_ID]}"
        if len(record.id) > _MAX_FHIR_ID:
            message = f"Patient id is longer than {_MAX_FHIR_ID} characters"
            raise InputError(message, file=name, resource=where + "...", field="id")
        try:
            person = NewCandidate(
                name=record.name or f"Patient {record.id}",
                birth_date=record.birth_date,
                sex=record.sex,
                record_number=_usable(numbers.get(record.id)),
            )
        except InputError as error:  # say which Patient of which file
            raise InputError(error.message, file=name, resource=where, field=error.field) from None
        people.append((record, person))
    now = as_utc(now)
    upload = FhirUpload(
        filename=name,
        sha256=hashlib.sha256(data).hexdigest(),
        content=text,
        uploaded_at=now,
        uploaded_by=actor,
    )
    session.add(upload)
    session.flush()
    # The file itself is evidence: its checksum goes into the hash-chained audit trail, so
    # an upload edited in the database afterwards shows.
    audit.record_create(
        session,
        actor=actor,
        entity=FhirUpload.__tablename__,
        entity_id=str(upload.id),
        fields={"filename": upload.filename, "sha256": upload.sha256, "bytes": len(data)},
        reason=f"FHIR upload for {study_id}",
        at=now,
    )
    added = []
    for record, person in people:
        added.append(
            add_candidate(
                session,
                actor=actor,
                study_id=study_id,
                person=person,
                now=now,
                source="fhir",
                source_ref=f"{name[:_SOURCE_FILE_CHARS]}#Patient/{record.id}",
                upload_id=upload.id,
                patient_key=record.id,
            )
        )
    return added


def _one_export(files: Sequence[tuple[str, bytes]]) -> None:
    """Several files are read together only as the NDJSON files of one export."""
    seen: set[str] = set()  # by folded name: Patient.ndjson and patient.ndjson are one file
    for name, _ in files:
        if not name.lower().endswith(".ndjson"):
            raise InputError(
                "several files are read together as one FHIR Bulk Data export: each must be "
                "an .ndjson file; upload a Bundle on its own",
                file=name,
                field="file",
            )
        if name.casefold() in seen:
            raise InputError("the same file name twice in one export", file=name, field="file")
        seen.add(name.casefold())


def from_lead(
    session: Session, *, actor: str, lead_id: int, now: datetime, study_id: str | None = None
) -> Candidate:
    """A candidate for the lead's study from a self-check lead; the lead is marked
    referred. ``study_id``, when given, must be the lead's."""
    lead = session.get(Lead, lead_id) if 1 <= lead_id <= MAX_ROW_ID else None
    if lead is None:
        raise NotFoundError(f"no lead {lead_id}")
    study_id = study_id or lead.study_id
    if lead.study_id != study_id:
        raise InputError(f"lead {lead.reference} is for study {lead.study_id}", field="lead")
    taken = session.scalar(select(Candidate.id).where(Candidate.lead_id == lead_id))
    if taken is not None:
        raise InputError(f"lead {lead.reference} is already candidate {taken}", field="lead")
    candidate = add_candidate(
        session,
        actor=actor,
        study_id=study_id,
        person=NewCandidate(name=lead.name),
        now=now,
        source="lead",
        source_ref=f"lead {lead.reference}",
        lead_id=lead.id,
    )
    if lead.status is not LeadStatus.REFERRED:
        leads.set_lead_status(
            session,
            actor=actor,
            lead_id=lead.id,
            status=LeadStatus.REFERRED,
            note=f"candidate {candidate.id}",
            reason="added as a screening candidate",
        )
    return candidate


def import_feasibility(
    session: Session, *, actor: str, study_id: str, filename: str, data: bytes, now: datetime
) -> list[Candidate]:
    """Candidates from a ``trialdesk feasibility --candidates`` CSV (person_id, verdict,
    unknown, needs_review). The rows carry no names: each becomes "OMOP person N" with the
    person_id as its reference, for staff to identify in the hospital's systems."""
    name = _text(filename, "file", 255, required=True) or "candidates.csv"
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError("the file is too large", file=name, field="file")
    try:
        text = data.decode("utf-8-sig")
        if "\x00" in text:  # csv reads it since Python 3.11; PostgreSQL cannot store it
            raise csv.Error("it contains NUL characters")
        rows = list(csv.DictReader(io.StringIO(text)))
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"not a CSV file: {error}", file=name, field="file") from None
    if not rows:
        raise InputError("no rows", file=name, field="file")
    missing = {"person_id", "verdict"} - set(rows[0])
    if missing:
        raise InputError(
            f"not a feasibility candidate list: no {', '.join(sorted(missing))} column",
            file=name,
            field="file",
        )
    if len(rows) > MAX_FEASIBILITY_ROWS:
        raise InputError(f"more than {MAX_FEASIBILITY_ROWS} rows", file=name, field="file")
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        person = (row.get("person_id") or "").strip()
        if not (person.isascii() and person.isdigit() and len(person) <= _MAX_PERSON_ID_DIGITS):
            raise InputError(
                f"row {number}: person_id '{person[:40]}' is not a number (up to "
                f"{_MAX_PERSON_ID_DIGITS} digits)",
                file=name,
                field="person_id",
            )
        if person in seen:
            raise InputError(f"row {number}: person {person} twice", file=name, field="person_id")
        seen.add(person)
    now = as_utc(now)
    added = []
    for row in rows:
        person = row["person_id"].strip()
        open_items = " ".join(
            x for x in (row.get("unknown", ""), row.get("needs_review", "")) if x
        ).strip()
        added.append(
            add_candidate(
                session,
                actor=actor,
                study_id=study_id,
                person=NewCandidate(name=f"OMOP person {person}"),
                now=now,
                source="feasibility",
                source_ref=f"omop:person/{person}",
                reason=f"feasibility list {name}: {row['verdict']}"
                + (f"; open: {open_items}" if open_items else ""),
            )
        )
    return added


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
        raise InputError("is in the future", field="birth_date")
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
    candidate_id: int,
    expected_version: int | None,
    screening_date: date | None,
    baseline_date: date | None,
    target_knee: str | None,
    reason: str | None,
    now: datetime,
) -> Candidate:
    """Screening date, planned baseline (injection) date and target knee."""
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    check_version(candidate, expected_version)
    if candidate.status is not CandidateStatus.SCREENING:
        raise InputError(f"screening is closed ({candidate.status.value})", field="status")
    for field, day in (("screening_date", screening_date), ("baseline_date", baseline_date)):
        if day is not None and not _PLAUSIBLE_DAYS[0] <= day <= _PLAUSIBLE_DAYS[1]:
            raise InputError("is not a plausible date for this study", field=field)
    if screening_date and baseline_date and baseline_date < screening_date:
        raise InputError("is before the screening date", field="baseline_date")
    reason = plain_text(reason, "reason", REASON_MAX, one_line=True)
    knee = (target_knee or "").strip().lower() or None
    if knee is not None and knee not in (Laterality.LEFT.value, Laterality.RIGHT.value):
        raise InputError("must be left or right", field="target_knee")
    before = fields_of(candidate)
    changed_set_value = any(
        old is not None and old != new
        for old, new in (
            (candidate.screening_date, screening_date),
            (candidate.baseline_date, baseline_date),
            (candidate.target_knee, knee),
        )
    )
    if changed_set_value and not (reason or "").strip():
        # A value already recorded is changed, not first entered: the audit trail must say
        # why (ICH E6(R3) 4.2: changes to data are explained and traceable).
        raise InputError("give the reason for changing what was recorded", field="reason")
    candidate.screening_date = screening_date
    candidate.baseline_date = baseline_date
    candidate.target_knee = knee
    _audit_update(session, actor, candidate, before, reason, now)
    return candidate
