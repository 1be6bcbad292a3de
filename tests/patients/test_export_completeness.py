"""When a FHIR input is a whole clinical record (history closed-world over it) and when not.

A Bulk Data export holding the types the criteria read (Condition and a Medication* type)
is a system's whole record, as an OMOP CDM is; a bare Patient.ndjson is not, and reads the
same as that Patient in a Bundle (issue 19, review finding 3)."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from trialdesk.criteria.screening import Screener
from trialdesk.patients.fhir import read_fhir_bytes, read_fhir_export
from trialdesk.study.loader import load_study

Json = dict[str, Any]
PATIENT: Json = {
    "resourceType": "Patient",
    "id": "p1",
    "gender": "female",
    "birthDate": "1975-06-15",
}
OTHER: Json = {**PATIENT, "id": "p2"}
CONDITION: Json = {
    "resourceType": "Condition",
    "id": "c2",
    "subject": {"reference": "Patient/p2"},
    "code": {"coding": [{"system": "http://snomed.info/sct", "code": "38341003"}]},
    "onsetDateTime": "2020-01-01",
}
MEDICATION: Json = {
    "resourceType": "MedicationRequest",
    "id": "m2",
    "status": "active",
    "intent": "order",
    "subject": {"reference": "Patient/p2"},
    "medicationCodeableConcept": {
        "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "105586"}]
    },
    "authoredOn": "2025-01-01",
}


def ndjson(*resources: Json) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in resources)


def test_bare_patient_ndjson_is_no_clinical_record() -> None:
    (rec,) = read_fhir_bytes("Patient.ndjson", ndjson(PATIENT)).records
    assert rec.clinical_record is None
    assert not rec.history_supplied


def test_bare_patient_ndjson_screens_as_the_same_patient_in_a_bundle() -> None:
    study = load_study()
    screener = Screener(study.criteria, study.valuesets, study.id)
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": PATIENT}]}
    dates = {"screening": date(2026, 3, 2), "baseline": date(2026, 3, 16)}
    verdicts = []
    for name, data in (("Patient.ndjson", ndjson(PATIENT)), ("b.json", orjson.dumps(bundle))):
        (rec,) = read_fhir_bytes(name, data).records
        verdicts.append(screener.screen(rec, dates=dates, parameters={}).verdict.value)
    assert verdicts == ["incomplete", "incomplete"]


def test_export_with_conditions_and_medications_is_a_whole_record() -> None:
    files = [
        ("Patient.ndjson", ndjson(PATIENT, OTHER)),
        ("Condition.ndjson", ndjson(CONDITION)),
        ("MedicationRequest.ndjson", ndjson(MEDICATION)),
    ]
    result = read_fhir_export(files)
    assert result.errors == []
    p1, p2 = result.records
    # p1 has nothing in a whole export: none on file (as a CDM person with no rows)
    assert (p1.clinical_record, p2.clinical_record) == (True, True)
    assert p1.history_supplied


def test_export_without_a_medication_type_is_not_a_whole_record() -> None:
    files = [("Patient.ndjson", ndjson(PATIENT, OTHER)), ("Condition.ndjson", ndjson(CONDITION))]
    p1, p2 = read_fhir_export(files).records
    assert (p1.clinical_record, p2.clinical_record) == (None, None)
    assert not p1.history_supplied  # nothing read for p1: history unknown
    assert p2.history_supplied  # p2's own facts: decided by its facts, as in a Bundle
