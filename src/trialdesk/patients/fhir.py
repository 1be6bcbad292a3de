"""FHIR R4 adapter: Bundles, single Patients, folders and Bulk Data NDJSON -> PatientRecords.

>>> result = read_fhir([Path("export/")])
>>> result.records, result.errors

Every Patient found becomes one PatientRecord, in input order (file order, then Patient order
within a file). A file that cannot be trusted as a whole (not JSON, not FHIR, no Patient, a
clinical resource about nobody or about a Patient not in the file, a bad birthDate) gives one
:class:`~trialdesk.errors.InputError` and nothing from it is screened: a partial record could
wrongly pass a closed-world history criterion. A Bulk Data export folder is one such unit
(its NDJSON files cross-reference each other). Problems with one fact (a bad date, a missing
value) stay on the fact, in ``Fact.problems``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from trialdesk.errors import InputError
from trialdesk.facts.record import Fact, PatientRecord
from trialdesk.patients.fhir_facts import DIRECTORY_TYPES, MAPPERS, SUBJECT_FIELD
from trialdesk.patients.fhir_read import (
    Entry,
    Index,
    collect_units,
    key_of,
    parse_json,
    parse_ndjson,
    read_unit,
)
from trialdesk.patients.fhir_types import parse_date

__all__ = ["ReadResult", "read_fhir", "read_fhir_bytes", "read_fhir_export"]


@dataclass(frozen=True)
class ReadResult:
    """Records read, in input order, and one error per unusable file (or export)."""

    records: list[PatientRecord]
    errors: list[InputError]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while reading.

    Parsed JSON makes millions of short-lived dicts and the records kept are large; with the
    collector running, full collections rescan everything kept so far and reading 600 Synthea
    bundles takes twice as long. The few cycles made meanwhile are collected once it is back
    on; it is switched back on only if it was on, so concurrent readers cannot leave it off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def read_fhir(paths: Sequence[Path]) -> ReadResult:
    """Read JSON files (Bundle or Patient), folders (recursively) and NDJSON export folders."""
    records: list[PatientRecord] = []
    errors: list[InputError] = []
    with _gc_paused():
        for unit in collect_units([Path(p) for p in paths]):
            entries, unit_errors = read_unit(unit)
            if unit_errors:
                errors.extend(unit_errors)
                continue
            if entries is None:
                continue  # a Bulk Data manifest
            try:
                records.extend(_records(entries, unit.name))
            except InputError as exc:
                errors.append(exc)
    return ReadResult(records, errors)


def read_fhir_bytes(name: str, data: bytes) -> ReadResult:
    """Read one JSON document (or, when ``name`` ends in .ndjson, one NDJSON file) in memory."""
    with _gc_paused():
        try:
            if name.lower().endswith(".ndjson"):
                entries: list[Entry] | None = parse_ndjson(name, data)
            else:
                entries = parse_json(name, data)
            return ReadResult(_records(entries, name) if entries is not None else [], [])
        except InputError as exc:
            return ReadResult([], [exc])


def read_fhir_export(files: Sequence[tuple[str, bytes]]) -> ReadResult:
    """The NDJSON files of one Bulk Data export (one per resource type), in memory, read
    as one unit: they refer to each other. An error names the file and line it is on."""
    with _gc_paused():
        try:
            entries = [entry for name, data in files for entry in parse_ndjson(name, data)]
            return ReadResult(_records(entries, " + ".join(n for n, _ in files)), [])
        except InputError as exc:
            return ReadResult([], [exc])


# What the history criteria read at least: a Bulk Data export holding none of these types is
# a partial export (a bare Patient.ndjson), not a system's whole record.
HISTORY_TYPES = ("Condition",)
MEDICATION_TYPES = (
    "MedicationRequest",
    "MedicationStatement",
    "MedicationAdministration",
    "MedicationDispense",
)


def _whole_export(entries: list[Entry]) -> bool:
    """Whether NDJSON entries are a system's whole clinical record, as an OMOP CDM is (a
    patient with no condition in it has none on file): a Bulk Data export holding the
    resource types the criteria read (Condition and a Medication* type at least, for any
    patient). A bare Patient.ndjson, or a Bundle (whether one was supplied is then left to
    its facts: PatientRecord.history_supplied), is not."""
    if not entries or entries[0].line is None:
        return False
    types = {e.resource["resourceType"] for e in entries}
    return all(t in types for t in HISTORY_TYPES) and any(t in types for t in MEDICATION_TYPES)


def _error(message: str, entry: Entry, key: str | None, field: str | None) -> InputError:
    return InputError(message, file=entry.file, line=entry.line, resource=key, field=field)


def _name(patient: dict[str, Any]) -> str | None:
    raw = patient.get("name")
    names = [n for n in raw if isinstance(n, dict)] if isinstance(raw, list) else []
    if not names:
        return None
    name = next((n for n in names if n.get("use") == "official"), names[0])
    given = name.get("given")
    parts = [g for g in given if isinstance(g, str)] if isinstance(given, list) else []
    if isinstance(name.get("family"), str):
        parts.append(name["family"])
    if parts:
        return " ".join(parts)
    return name["text"] if isinstance(name.get("text"), str) else None


def _patient(entry: Entry, key: str | None, today: date) -> PatientRecord:
    res = entry.resource
    if key is None:
        raise _error("Patient has no id", entry, "Patient", "id")
    birth = res.get("birthDate")
    birth_date = None
    if birth is not None:
        birth_date = parse_date(birth) if isinstance(birth, str) else None
        if birth_date is None:
            raise _error(f"birthDate {birth!r} is not a date", entry, key, "birthDate")
        if birth_date > today:
            raise _error(f"birthDate {birth} is in the future", entry, key, "birthDate")
    gender = res.get("gender")
    return PatientRecord(
        id=key.partition("/")[2],
        birth_date=birth_date,
        sex=gender if isinstance(gender, str) else None,
        source=entry.file,
        name=_name(res),
    )


def _records(entries: list[Entry], source: str) -> list[PatientRecord]:
    """The records of one unit, or InputError when the unit is unusable as a whole."""
    index = Index()
    keys: list[str | None] = []
    patients: dict[str, PatientRecord] = {}
    today = date.today()
    for entry in entries:
        key = key_of(entry)
        keys.append(key)
        if key is not None:
            index.add(key, entry.resource, entry.full_url)
        if entry.resource["resourceType"] == "Patient":
            record = _patient(entry, key, today)
            patients.setdefault(f"Patient/{record.id}", record)
    if not patients:
        if entries and all(e.resource["resourceType"] in DIRECTORY_TYPES for e in entries):
            return []  # e.g. Synthea's hospitalInformation / practitionerInformation bundles
        raise InputError("holds no Patient", file=source)

    facts: dict[str, list[Fact]] = {k: [] for k in patients}
    for n, entry in enumerate(entries):
        res = entry.resource
        kind = res["resourceType"]
        mapper = MAPPERS.get(kind)
        if mapper is None:
            continue  # Claim, ExplanationOfBenefit, CarePlan, Organization, ...
        key = keys[n] or f"{kind}/#{n + 1}"
        field = SUBJECT_FIELD[kind]
        subject = res.get(field)
        ref = subject.get("reference") if isinstance(subject, dict) else None
        if not isinstance(ref, str) or not ref:
            if kind == "Device":
                continue  # a Device need not belong to a patient
            raise _error(f"{kind} has no {field} reference", entry, key, field)
        target = index.resolve(ref)
        if target not in facts:
            where = "export" if entry.line is not None else "file"
            raise _error(f"{field} {ref!r} is not a Patient in this {where}", entry, key, field)
        try:
            facts[target].extend(mapper(res, key, index))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
            raise _error(f"{kind} is malformed: {exc}", entry, key, None) from None
    bulk = True if _whole_export(entries) else None
    return [
        replace(record, facts=tuple(facts[k]), clinical_record=bulk)
        for k, record in patients.items()
    ]
