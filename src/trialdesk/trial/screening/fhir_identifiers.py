"""Hospital record numbers of the Patients in a FHIR upload.

The medical record number is the Patient identifier whose type is ``MR`` (HL7 v2 table
0203, "Medical record number"); the engine's PatientRecord does not carry identifiers,
so they are read here, for duplicate checks.

The file is parsed exactly as the FHIR reader parses it (same JSON parser, same NDJSON
line splitting, nested Bundles flattened, a Patient keyed by its id or else its fullUrl),
so every Patient the reader accepted is found under the same key, and a file the reader
accepted cannot fail here. Identifiers are not validated by the reader: any shape that is
not the FHIR one is skipped.
"""

from __future__ import annotations

from typing import Any

from trialdesk.errors import InputError
from trialdesk.patients.fhir_read import Entry, key_of, parse_json, parse_ndjson

__all__ = ["record_numbers"]

MR = "MR"


def _entries(name: str, data: bytes) -> list[Entry]:
    try:
        if name.lower().endswith(".ndjson"):
            return parse_ndjson(name, data)
        return parse_json(name, data) or []
    except InputError:  # the reader refuses such a file first
        return []


def _mrn(patient: dict[str, Any]) -> str | None:
    identifiers = patient.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(identifier, dict):
            continue
        kind = identifier.get("type")
        codings = kind.get("coding") if isinstance(kind, dict) else None
        if not isinstance(codings, list):
            continue
        if any(isinstance(c, dict) and c.get("code") == MR for c in codings):
            value = identifier.get("value")
            if isinstance(value, str) and value.strip():
                return value.strip()[:64]
    return None


def record_numbers(name: str, data: bytes) -> dict[str, str]:
    """``{Patient.id: record number}`` for the Patients that have one (the id as the reader
    gives it: ``PatientRecord.id``)."""
    found: dict[str, str] = {}
    for entry in _entries(name, data):
        if entry.resource.get("resourceType") != "Patient":
            continue
        key = key_of(entry)
        number = _mrn(entry.resource)
        if key is not None and number is not None:
            found.setdefault(key.partition("/")[2], number)
    return found
