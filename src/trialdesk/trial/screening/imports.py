"""Bringing candidates in from files and leads: a FHIR R4 Bundle or NDJSON upload (or the
NDJSON files of one Bulk Data export), a ``trialdesk feasibility --candidates`` list, a
self-check lead. Every import is all or nothing, in the caller's one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError
from trialdesk.patients.fhir import read_fhir_bytes, read_fhir_export
from trialdesk.selfcheck.reported import SelfReport
from trialdesk.study.loader import Study
from trialdesk.trial.screening import leads
from trialdesk.trial.screening.candidates import (
    RECORD_NUMBER,
    NewCandidate,
    add_candidate,
    checked_text,
)
from trialdesk.trial.screening.fhir_identifiers import record_numbers
from trialdesk.trial.screening.models import Candidate, FhirUpload, Lead, LeadStatus
from trialdesk.trial.screening.self_report import carry_self_report, reported_of
from trialdesk.trial.store import audit, locks
from trialdesk.trial.store.values import as_utc

__all__ = [
    "MAX_UPLOAD_BYTES",
    "LeadTaken",
    "from_lead",
    "import_feasibility",
    "import_fhir",
    "import_fhir_files",
]

# An upload is one person's or one clinic's export, not a data warehouse: bigger files go
# through `trialdesk feasibility`. 10 MB holds a Synthea bundle of ten years' history.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


MAX_FEASIBILITY_ROWS = 10_000


_MAX_FHIR_ID = 64  # FHIR R4 id: up to 64 characters


_SOURCE_FILE_CHARS = 120  # of the file name in source_ref (200 with "#Patient/<id>")


_MAX_PERSON_ID_DIGITS = 19  # OMOP person_id is a 64-bit integer


def _usable(record_number: str | None) -> str | None:
    """A record number from a file, if it has the shape this store accepts."""
    return record_number if record_number and RECORD_NUMBER.fullmatch(record_number) else None


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
            (checked_text(filename, "file", 255, required=True) or "upload", data)
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
    audit.created(
        session,
        upload,
        actor=actor,
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


def import_feasibility(
    session: Session, *, actor: str, study_id: str, filename: str, data: bytes, now: datetime
) -> list[Candidate]:
    """Candidates from a ``trialdesk feasibility --candidates`` CSV (person_id, verdict,
    unknown, needs_review). The rows carry no names: each becomes "OMOP person N" with the
    person_id as its reference, for staff to identify in the hospital's systems."""
    name = checked_text(filename, "file", 255, required=True) or "candidates.csv"
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


def _lead_reason(lead: Lead, report: SelfReport | None) -> str:
    """The audit reason of a candidate from a lead: where it came from and, when the
    person gave their age, the birth dates it allows (an age is no birth date: staff
    confirm it from an identity document)."""
    reason = f"added from lead {lead.reference}"
    if report is not None and report.sex is not None:
        reason += f"; sex {report.sex} as the person reported it"
    if report is not None and report.born_between is not None:
        first, last = report.born_between
        reason += (
            f"; born between {first.isoformat()} and {last.isoformat()} by the age the "
            "person reported: confirm the birth date"
        )
    return reason


class LeadTaken(ConflictError):
    """The lead is a candidate already (another request made it one, perhaps just now):
    the same answer whether the check or the unique index found it. A conflict with the
    data as they are (409), not a wrong input."""

    def __init__(self, reference: str, candidate_id: int | None) -> None:
        which = f"candidate {candidate_id}" if candidate_id is not None else "a candidate"
        super().__init__(f"lead {reference} is already {which}", field="lead")


def from_lead(
    session: Session,
    *,
    actor: str,
    lead_id: int,
    now: datetime,
    study_id: str | None = None,
    studies: Mapping[str, Study] | None = None,
) -> Candidate:
    """A candidate for the lead's study from a self-check lead; the lead is marked
    referred. ``study_id``, when given, must be the lead's. With the lead's study among
    ``studies``, what the person reported comes with them (self_report.py): their sex,
    and their answers as entered facts of source "Patient self-report", to confirm.

    A lead becomes at most one candidate, however many requests ask at once (a
    double-click): the lead's row is locked before the check, so a second request waits
    for the first to commit and then finds its candidate; the unique index on
    ``candidate.lead_id`` stops any path that does not lock (:class:`LeadTaken` either way).
    """
    lead = leads.lead_or_404(session, lead_id, for_update=True)
    study_id = study_id or lead.study_id
    if lead.study_id != study_id:
        raise InputError(f"lead {lead.reference} is for study {lead.study_id}", field="lead")
    locks.writing(session, study_id)
    reference = lead.reference
    if lead.status is LeadStatus.ERASED:  # nothing left to screen
        raise ConflictError(f"lead {reference} is erased", field="lead")
    taken = session.scalar(select(Candidate.id).where(Candidate.lead_id == lead_id))
    if taken is not None:
        raise LeadTaken(reference, taken)
    study = (studies or {}).get(study_id)
    report = reported_of(study, lead)[0] if study is not None else None
    try:
        candidate = add_candidate(
            session,
            actor=actor,
            study_id=study_id,
            person=NewCandidate(name=lead.name, sex=report.sex if report else None),
            now=now,
            source="lead",
            source_ref=f"lead {lead.reference}",
            lead_id=lead.id,
            reason=_lead_reason(lead, report),
        )
    except IntegrityError:  # the transaction is spoilt (the lead expired with it)
        raise LeadTaken(reference, None) from None
    if study is not None:
        carry_self_report(
            session, actor=actor, study=study, candidate=candidate, lead=lead, now=now
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
