"""Hospital record numbers of the Patients in a FHIR upload.

The medical record number is the Patient identifier whose type is ``MR`` (HL7 v2 table
0203, "Medical record number"); the engine's PatientRecord does not carry identifiers,
so they are read here, for duplicate checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

__all__ = ["record_numbers"]

MR = "MR"


def _resources(name: str, data: bytes) -> Iterator[Any]:
    if name.lower().endswith(".ndjson"):
        for line in data.splitlines():
            if line.strip():
                yield json.loads(line)
        return
    document = json.loads(data)
    if isinstance(document, dict) and document.get("resourceType") == "Bundle":
        for entry in document.get("entry") or []:
            if isinstance(entry, dict):
                yield entry.get("resource")
    else:
        yield document


def _mrn(patient: dict[str, Any]) -> str | None:
    for identifier in patient.get("identifier") or []:
        if not isinstance(identifier, dict):
            continue
        codings = (identifier.get("type") or {}).get("coding") or []
        if any(isinstance(c, dict) and c.get("code") == MR for c in codings):
            value = identifier.get("value")
            if isinstance(value, str) and value.strip():
                return value.strip()[:64]
    return None


def record_numbers(name: str, data: bytes) -> dict[str, str]:
    """``{Patient.id: record number}`` for the Patients that have one. Call it only on a
    file the FHIR reader accepted: it assumes well-formed JSON."""
    found: dict[str, str] = {}
    for resource in _resources(name, data):
        if isinstance(resource, dict) and resource.get("resourceType") == "Patient":
            number = _mrn(resource)
            if number is not None and isinstance(resource.get("id"), str):
                found[resource["id"]] = number
    return found
