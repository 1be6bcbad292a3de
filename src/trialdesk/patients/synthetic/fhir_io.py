"""The synthetic CDM's rows as FHIR R4 Bulk Data NDJSON: one file per resource type,
appended chunk by chunk. How each row becomes a resource: fhir_rows.py."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import orjson

from trialdesk.patients.synthetic import fhir_rows
from trialdesk.patients.synthetic.fhir_rows import Json
from trialdesk.patients.synthetic.frame import Batch

__all__ = ["RESOURCE_TYPES", "FhirWriter"]

RESOURCE_TYPES = (
    "Patient",
    "Encounter",
    "Condition",
    "Observation",
    "MedicationRequest",
    "Immunization",
    "Procedure",
    "Device",
    "DeviceUseStatement",
    "Consent",
)
_FLUSH_EVERY = 20_000  # resources buffered per type before writing


class FhirWriter:
    """NDJSON files in ``folder``, one per resource type, appended chunk by chunk."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[bytes]] = {
            kind: (folder / f"{kind}.ndjson").open("wb") for kind in RESOURCE_TYPES
        }
        self.resources: dict[str, int] = {kind: 0 for kind in RESOURCE_TYPES}
        self._out: dict[str, list[bytes]] = {kind: [] for kind in RESOURCE_TYPES}

    def close(self) -> None:
        for kind in RESOURCE_TYPES:
            self._flush(kind)
        for f in self._files.values():
            f.close()

    def _flush(self, kind: str) -> None:
        lines = self._out[kind]
        if lines:
            lines.append(b"")
            self._files[kind].write(b"\n".join(lines))
            self.resources[kind] += len(lines) - 1
            lines.clear()

    def _emit(self, resource: Json) -> None:
        kind = resource["resourceType"]
        lines = self._out[kind]
        lines.append(orjson.dumps(resource))
        if len(lines) >= _FLUSH_EVERY:
            self._flush(kind)

    def write(self, batches: dict[str, Batch], extraction_day: int) -> None:
        """Append the resources of one chunk's rows."""
        for resources in (
            fhir_rows.patients(batches["person"]),
            fhir_rows.encounters(batches["visit_occurrence"]),
            fhir_rows.conditions(batches["condition_occurrence"]),
            fhir_rows.measurements(batches["measurement"]),
            fhir_rows.observations(batches["observation"]),
            fhir_rows.drugs(batches["drug_exposure"], extraction_day),
            fhir_rows.procedures(batches["procedure_occurrence"]),
            fhir_rows.devices(batches["device_exposure"]),
        ):
            for resource in resources:
                self._emit(resource)
        for kind in RESOURCE_TYPES:
            self._flush(kind)
