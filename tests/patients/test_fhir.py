"""FHIR R4 adapter: bundles, single Patients, folders, Bulk NDJSON, mapping, bad input."""

from __future__ import annotations

import gc
import tarfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialdesk.errors import InputError
from trialdesk.facts.record import Coding, Dose, Fact, FactKind, Laterality, Quantity
from trialdesk.patients.fhir import ReadResult, read_fhir, read_fhir_bytes

DATA = Path(__file__).resolve().parents[1] / "data" / "fhir"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "synthea-fhir-r4"
RA_DIR = SHARED / "rheumatoid_arthritis_patients"
TARBALL = SHARED / "R4_SYNTHEA_617_bundles.tar.xz"

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"

Json = dict[str, Any]


# --- builders ------------------------------------------------------------------------------


def cc(system: str, code: str, display: str | None = None, text: str | None = None) -> Json:
    coding: Json = {"system": system, "code": code}
    if display:
        coding["display"] = display
    out: Json = {"coding": [coding]}
    if text:
        out["text"] = text
    return out


def patient(pid: str = "p1", **extra: Any) -> Json:
    return {
        "resourceType": "Patient",
        "id": pid,
        "gender": "female",
        "birthDate": "1970-01-02",
        "name": [{"given": ["Ada"], "family": "Test"}],
        **extra,
    }


def observation(oid: str = "o1", subject: str = "Patient/p1", **extra: Any) -> Json:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": cc(LOINC, "1742-6", "ALT"),
        "subject": {"reference": subject},
        "effectiveDateTime": "2026-01-15T08:00:00Z",
        "valueQuantity": {"value": 31, "unit": "U/L", "system": UCUM, "code": "U/L"},
        **extra,
    }


def condition(cid: str = "c1", subject: str = "Patient/p1", **extra: Any) -> Json:
    return {
        "resourceType": "Condition",
        "id": cid,
        "clinicalStatus": cc("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
        "code": cc(SNOMED, "69896004", "Rheumatoid arthritis"),
        "subject": {"reference": subject},
        "onsetDateTime": "2019-03-01",
        **extra,
    }


def bundle(*resources: Json, kind: str = "collection", urn: bool = False) -> Json:
    entries = []
    for r in resources:
        entry: Json = {"resource": r}
        if urn:
            entry["fullUrl"] = f"urn:uuid:{r['id']}"
        if kind == "transaction":
            entry["request"] = {"method": "POST", "url": r["resourceType"]}
        if kind == "batch-response":
            entry["response"] = {"status": "200 OK"}
        entries.append(entry)
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def write(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(document))
    return path


def read_one(*resources: Json, **kw: Any) -> tuple[Fact, ...]:
    """Facts of the single patient p1 in a collection bundle of ``resources``."""
    result = read_fhir_bytes("t.json", orjson.dumps(bundle(patient(), *resources, **kw)))
    assert result.errors == []
    assert len(result.records) == 1
    return result.records[0].facts


def only(facts: tuple[Fact, ...]) -> Fact:
    assert len(facts) == 1, facts
    return facts[0]


def error_of(result: ReadResult) -> InputError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- containers ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["collection", "transaction", "searchset", "batch-response"])
def test_each_bundle_type_is_read(kind: str) -> None:
    doc = bundle(patient(), observation(), condition(), kind=kind)
    result = read_fhir_bytes("b.json", orjson.dumps(doc))
    assert result.errors == []
    (record,) = result.records
    assert record.id == "p1"
    assert {f.resource for f in record.facts} == {"Observation/o1", "Condition/c1"}


def test_document_bundle_skips_its_composition() -> None:
    composition = {
        "resourceType": "Composition",
        "id": "doc",
        "status": "final",
        "subject": {"reference": "Patient/p1"},
    }
    (record,) = read_fhir_bytes(
        "d.json", orjson.dumps(bundle(composition, patient(), condition(), kind="document"))
    ).records
    assert [f.resource for f in record.facts] == ["Condition/c1"]


def test_response_entries_without_resource_and_searchset_outcome_are_ignored() -> None:
    doc = bundle(patient(), observation(), kind="batch-response")
    doc["entry"].append({"response": {"status": "404 Not Found"}})
    outcome = {"resourceType": "OperationOutcome", "id": "oo", "issue": []}
    doc["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    result = read_fhir_bytes("b.json", orjson.dumps(doc))
    assert result.errors == []
    assert [f.resource for f in result.records[0].facts] == ["Observation/o1"]


def test_single_patient_resource() -> None:
    result = read_fhir([DATA / "patient_single.json"])
    assert result.errors == []
    (record,) = result.records
    assert record.id == "single-1"
    assert record.name == "Ada May Lovelace"  # the official name, given then family
    assert record.sex == "female"
    assert record.birth_date == date(1960, 12, 10)
    assert record.source == str(DATA / "patient_single.json")
    assert record.facts == ()


def test_urn_uuid_references_resolve_through_full_url() -> None:
    pid = "8f437924-8cad-441b-88d2-ff38c9363bde"
    enc = {
        "resourceType": "Encounter",
        "id": "e-1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": f"urn:uuid:{pid}"},
        "period": {"start": "2026-01-15T08:00:00Z", "end": "2026-01-15T09:00:00Z"},
    }
    obs = observation(subject=f"urn:uuid:{pid}", encounter={"reference": "urn:uuid:e-1"})
    doc = bundle(patient(pid), enc, obs, kind="transaction", urn=True)
    (record,) = read_fhir_bytes("s.json", orjson.dumps(doc)).records
    assert record.id == pid
    obs_fact = next(f for f in record.facts if f.kind is FactKind.OBSERVATION)
    assert obs_fact.encounter == "Encounter/e-1"


def test_absolute_url_references() -> None:
    base = "https://fhir.example.org/r4"
    doc = bundle(patient(), observation(subject=f"{base}/Patient/p1/_history/3"))
    for entry in doc["entry"]:
        r = entry["resource"]
        entry["fullUrl"] = f"{base}/{r['resourceType']}/{r['id']}"
    result = read_fhir_bytes("a.json", orjson.dumps(doc))
    assert result.errors == []
    assert len(result.records[0].facts) == 1


def test_folder_is_read_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b.json", bundle(patient("p2")))
    write(tmp_path / "a.json", bundle(patient("p1"), observation()))
    write(tmp_path / "sub" / "c.json", patient("p3"))
    (tmp_path / "notes.txt").write_text("not read")
    result = read_fhir([tmp_path])
    assert result.errors == []
    assert [r.id for r in result.records] == ["p1", "p2", "p3"]
    assert result.records[2].source == str(tmp_path / "sub" / "c.json")


def test_records_follow_input_order_then_patient_order(tmp_path: Path) -> None:
    two = write(tmp_path / "two.json", bundle(patient("z"), patient("a")))
    one = write(tmp_path / "one.json", bundle(patient("m")))
    result = read_fhir([two, one])
    assert [r.id for r in result.records] == ["z", "a", "m"]


def test_bulk_ndjson_export_with_two_patients() -> None:
    result = read_fhir([DATA / "bulk_export"])  # its manifest.json is recognised and skipped
    assert result.errors == []
    a, b = result.records
    assert (a.id, a.name, a.birth_date) == ("bulk-a", "Ann Alpha", date(1970, 3, 4))
    assert b.birth_date == date(1965, 1, 1)  # partial birthDate: first day
    assert a.source == str(DATA / "bulk_export" / "Patient.ndjson")
    assert {f.resource for f in a.facts} == {"Observation/crp-a", "MedicationRequest/mtx-a"}
    mtx = next(f for f in a.facts if f.kind is FactKind.MEDICATION)
    assert mtx.codes[0].code == "105586"  # medicationReference to Medication.ndjson
    # Observation.001.ndjson holds a Condition: dispatch is by resourceType, not file name.
    ra = next(f for f in b.facts if f.kind is FactKind.CONDITION)
    assert (ra.start, ra.problems) == (date(2015, 6, 1), ())


def test_export_with_a_subject_not_in_the_export(tmp_path: Path) -> None:
    export = tmp_path / "export"
    write(export / "Patient.ndjson", patient("e1"))
    lines = [
        orjson.dumps(observation("ok", "Patient/e1")),
        orjson.dumps(observation("x", "Patient/e2")),
    ]
    (export / "Observation.ndjson").write_bytes(b"\n".join(lines))
    result = read_fhir([export, _good(tmp_path)])
    file = export / "Observation.ndjson"
    _check(
        result, file, f"{file}:2", "Observation/x", "field subject", "not a Patient in this export"
    )


def test_reading_leaves_the_garbage_collector_on() -> None:
    assert gc.isenabled()
    read_fhir([DATA / "bulk_export"])
    read_fhir_bytes("x.json", b"{")
    assert gc.isenabled()


def test_ndjson_bytes_entry_point() -> None:
    data = b"\n".join(
        [orjson.dumps(patient()), orjson.dumps(observation()), b"", orjson.dumps(condition())]
    )
    result = read_fhir_bytes("export/Everything.ndjson", data)
    assert result.errors == []
    assert len(result.records[0].facts) == 2


# --- bad input ------------------------------------------------------------------------------


def _good(tmp_path: Path) -> Path:
    return write(
        tmp_path / "good" / "good.json",
        bundle(patient("good"), observation(subject="Patient/good")),
    )


def _check(result: ReadResult, file: Path | str, *parts: str) -> None:
    """One error naming the file (and the parts); the good file is still read."""
    error = error_of(result)
    assert [r.id for r in result.records] == ["good"]
    assert error.file == str(file)
    text = str(error)
    assert str(file) in text
    for part in parts:
        assert part in text, text


def test_file_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"resourceType": "Bundle", ')
    result = read_fhir([bad, _good(tmp_path)])
    _check(result, bad, "not JSON")
    assert error_of(result).line == 1


@pytest.mark.parametrize("document", [{"id": "x"}, [1, 2], "text", {"resourceType": 7}])
def test_json_that_is_not_a_fhir_resource(tmp_path: Path, document: Any) -> None:
    bad = write(tmp_path / "bad.json", document)
    _check(read_fhir([bad, _good(tmp_path)]), bad, "no resourceType")


def test_single_resource_that_is_not_a_patient(tmp_path: Path) -> None:
    bad = write(tmp_path / "obs.json", observation())
    _check(read_fhir([bad, _good(tmp_path)]), bad, "single Observation", "resourceType")


def test_bundle_with_no_patient(tmp_path: Path) -> None:
    bad = write(tmp_path / "nopat.json", bundle(observation()))
    _check(read_fhir([bad, _good(tmp_path)]), bad, "no Patient")


def test_empty_bundle_has_no_patient(tmp_path: Path) -> None:
    bad = write(tmp_path / "empty.json", {"resourceType": "Bundle", "type": "collection"})
    _check(read_fhir([bad, _good(tmp_path)]), bad, "no Patient")


def test_bundle_of_directory_resources_only_is_not_an_error(tmp_path: Path) -> None:
    # Synthea writes hospitalInformation*.json / practitionerInformation*.json like this.
    org = {"resourceType": "Organization", "id": "org", "name": "General"}
    doc = write(tmp_path / "hospitalInformation1.json", bundle(org, kind="transaction"))
    result = read_fhir([doc, _good(tmp_path)])
    assert result.errors == []
    assert [r.id for r in result.records] == ["good"]


def test_ndjson_line_that_is_not_json(tmp_path: Path) -> None:
    export = tmp_path / "export"
    write(export / "Patient.ndjson", patient("e1"))
    (export / "Observation.ndjson").write_bytes(
        orjson.dumps(observation(subject="Patient/e1")) + b"\n{not json\n"
    )
    result = read_fhir([export, _good(tmp_path)])
    _check(result, export / "Observation.ndjson", f"{export / 'Observation.ndjson'}:2")
    assert error_of(result).line == 2  # nothing from the export is screened


def test_ndjson_line_that_is_not_a_resource(tmp_path: Path) -> None:
    export = tmp_path / "export"
    (export).mkdir()
    (export / "Patient.ndjson").write_bytes(orjson.dumps(patient("e1")) + b'\n{"id": 1}\n')
    result = read_fhir([export, _good(tmp_path)])
    _check(result, export / "Patient.ndjson", ":2", "no resourceType")


@pytest.mark.parametrize("field", ["subject", "reference"])
def test_clinical_resource_without_subject(tmp_path: Path, field: str) -> None:
    obs = observation()
    if field == "subject":
        del obs["subject"]
    else:
        obs["subject"] = {"display": "someone"}
    bad = write(tmp_path / "nosubject.json", bundle(patient(), obs))
    _check(read_fhir([bad, _good(tmp_path)]), bad, "Observation/o1", "field subject")


def test_immunization_names_its_patient_field(tmp_path: Path) -> None:
    imm = {"resourceType": "Immunization", "id": "i1", "status": "completed"}
    bad = write(tmp_path / "imm.json", bundle(patient(), imm))
    _check(read_fhir([bad, _good(tmp_path)]), bad, "Immunization/i1", "field patient")


@pytest.mark.parametrize(
    "subject", ["Patient/elsewhere", "urn:uuid:nobody", "Group/g1", "https://x.org/Patient/q"]
)
def test_subject_not_in_the_file(tmp_path: Path, subject: str) -> None:
    bad = write(tmp_path / "dangling.json", bundle(patient(), condition(subject=subject)))
    _check(read_fhir([bad, _good(tmp_path)]), bad, "Condition/c1", "field subject", subject)


@pytest.mark.parametrize("birth", ["1970-02-30", "yesterday", "19700101", 1970])
def test_unparseable_birth_date(tmp_path: Path, birth: Any) -> None:
    bad = write(tmp_path / "birth.json", patient(birthDate=birth))
    _check(read_fhir([bad, _good(tmp_path)]), bad, "Patient/p1", "field birthDate")


def test_future_birth_date(tmp_path: Path) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    bad = write(tmp_path / "future.json", bundle(patient(birthDate=tomorrow), observation()))
    _check(read_fhir([bad, _good(tmp_path)]), bad, "Patient/p1", "field birthDate", "future")


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = read_fhir([tmp_path / "missing.json", tmp_path / "empty", _good(tmp_path)])
    assert [r.id for r in result.records] == ["good"]
    assert [e.file for e in result.errors] == [
        str(tmp_path / "missing.json"),
        str(tmp_path / "empty"),
    ]


def test_malformed_entry_is_a_file_error(tmp_path: Path) -> None:
    doc = bundle(patient())
    doc["entry"].append({"resource": {"id": "x"}})
    bad = write(tmp_path / "entry.json", doc)
    _check(read_fhir([bad, _good(tmp_path)]), bad, "entry[1]")


# --- facts ---------------------------------------------------------------------------------


def test_unparseable_date_keeps_the_fact_with_a_problem() -> None:
    fact = only(read_one(observation(effectiveDateTime="2020-13-45")))
    assert fact.start is None
    assert fact.problems == ("effectiveDateTime '2020-13-45' is not a date",)
    assert fact.value == Quantity(31.0, "U/L")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020", date(2020, 1, 1)),
        ("2020-05", date(2020, 5, 1)),
        ("2020-05-17", date(2020, 5, 17)),
        ("2020-05-17T23:30:00-05:00", date(2020, 5, 17)),  # first 10 characters
    ],
)
def test_partial_and_full_dates(value: str, expected: date) -> None:
    fact = only(read_one(condition(onsetDateTime=value)))
    assert (fact.start, fact.problems) == (expected, ())


def test_observation_without_value() -> None:
    obs = observation()
    del obs["valueQuantity"]
    fact = only(read_one(obs))
    assert fact.problems == ("Observation/o1 has no value",)
    obs["dataAbsentReason"] = cc(
        "http://terminology.hl7.org/CodeSystem/data-absent-reason", "error"
    )
    assert "Observation/o1 has no value" not in only(read_one(obs)).problems


def test_observation_values_ranges_interpretation() -> None:
    obs = observation(
        valueQuantity={"value": 5.2, "unit": "milligram per deciliter", "comparator": ">"},
        referenceRange=[
            {
                "low": {"value": 0.6, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"},
                "high": {"value": 1.2, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"},
            }
        ],
        interpretation=[
            cc("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H")
        ],
    )
    fact = only(read_one(obs))
    assert fact.value == Quantity(5.2, "milligram per deciliter", ">")  # not UCUM: unit text
    assert fact.reference_low == Quantity(0.6, "mg/dL")
    assert fact.reference_high == Quantity(1.2, "mg/dL")
    assert fact.interpretation == ("H",)
    assert fact.start == date(2026, 1, 15)


@pytest.mark.parametrize(
    ("value", "codes", "text"),
    [
        ({"valueCodeableConcept": cc(SNOMED, "10828004", "Positive")}, ("10828004",), "Positive"),
        ({"valueString": "trace"}, (), "trace"),
        ({"valueBoolean": False}, (), "false"),
    ],
)
def test_observation_coded_and_text_values(value: Json, codes: tuple[str, ...], text: str) -> None:
    obs = observation(**value)
    del obs["valueQuantity"]
    fact = only(read_one(obs))
    assert (tuple(c.code for c in fact.value_codes), fact.value_text) == (codes, text)
    assert fact.value is None and fact.problems == ()


@pytest.mark.parametrize("status", ["entered-in-error", "cancelled"])
def test_observation_in_error_is_skipped(status: str) -> None:
    assert read_one(observation(status=status)) == ()


@pytest.mark.parametrize("panel", ["85354-9", "55284-4"])
def test_blood_pressure_panel_and_components(panel: str) -> None:
    obs = observation(
        "bp",
        code=cc(LOINC, panel, "Blood pressure panel", text="Blood Pressure"),
        component=[
            {
                "code": cc(LOINC, "8480-6", "Systolic blood pressure"),
                "valueQuantity": {"value": 142, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
            },
            {
                "code": cc(LOINC, "8462-4", "Diastolic blood pressure"),
                "valueQuantity": {"value": 91, "unit": "mmHg", "system": UCUM, "code": "mm[Hg]"},
            },
        ],
    )
    del obs["valueQuantity"]
    panel_fact, systolic, diastolic = read_one(obs)
    assert panel_fact.codes[0].code == panel and panel_fact.value is None
    assert panel_fact.problems == ()  # a panel's values are in its components
    assert {systolic.resource, diastolic.resource} == {"Observation/bp"}
    assert (systolic.codes[0].code, systolic.value) == ("8480-6", Quantity(142.0, "mm[Hg]"))
    assert (diastolic.codes[0].code, diastolic.value) == ("8462-4", Quantity(91.0, "mm[Hg]"))
    assert systolic.text is not None and "component of Blood Pressure" in systolic.text
    assert systolic.start == date(2026, 1, 15)


def _med_request(**extra: Any) -> Json:
    return {
        "resourceType": "MedicationRequest",
        "id": "mr1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "authoredOn": "2025-10-01T10:00:00Z",
        **extra,
    }


def test_medication_request_codeable_concept_dose_and_timing() -> None:
    mr = _med_request(
        medicationCodeableConcept=cc(RXNORM, "105586", "Methotrexate 10 MG Oral Tablet"),
        dosageInstruction=[
            {
                "timing": {
                    "repeat": {
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "wk",
                        "boundsPeriod": {"start": "2025-10-02", "end": "2026-04-01"},
                    }
                },
                "route": cc(SNOMED, "26643006", "Oral route"),
                "doseAndRate": [
                    {"doseQuantity": {"value": 15, "unit": "mg", "system": UCUM, "code": "mg"}}
                ],
            }
        ],
    )
    fact = only(read_one(mr))
    assert fact.kind is FactKind.MEDICATION
    assert (fact.codes[0].code, fact.status) == ("105586", "active")
    assert (fact.start, fact.end) == (date(2025, 10, 1), date(2026, 4, 1))
    assert fact.dose == Dose(Quantity(15.0, "mg"), per_day=pytest.approx(1 / 7))
    assert [c.code for c in fact.route] == ["26643006"]


def test_medication_reference_in_bundle_contained_and_missing() -> None:
    med = {
        "resourceType": "Medication",
        "id": "m1",
        "code": cc(RXNORM, "105586", "Methotrexate 10 MG Oral Tablet"),
    }
    in_bundle = _med_request(medicationReference={"reference": "urn:uuid:m1"})
    contained = _med_request(
        id="mr2",
        contained=[{"resourceType": "Medication", "id": "x", "code": cc(RXNORM, "1921")}],
        medicationReference={"reference": "#x"},
    )
    missing = _med_request(
        id="mr3", medicationReference={"reference": "Medication/zz", "display": "Mystery"}
    )
    a, b, c = read_one(med, in_bundle, contained, missing, urn=True)
    assert a.codes[0].code == "105586" and a.text == "Methotrexate 10 MG Oral Tablet"
    assert b.codes[0].code == "1921"
    assert (c.codes, c.text) == ((), "Mystery")
    assert c.problems == ("medicationReference 'Medication/zz' is not a Medication in this file",)


def test_medication_statement_administration_dispense() -> None:
    mtx = cc(RXNORM, "105586")
    statement = {
        "resourceType": "MedicationStatement",
        "id": "ms",
        "status": "active",
        "medicationCodeableConcept": mtx,
        "subject": {"reference": "Patient/p1"},
        "effectivePeriod": {"start": "2024-01-01", "end": "2025-01-01"},
        "dosage": [
            {"timing": {"code": cc("x", "BID")}, "doseAndRate": [{"doseQuantity": {"value": 2.5}}]}
        ],
    }
    administration = {
        "resourceType": "MedicationAdministration",
        "id": "ma",
        "status": "completed",
        "medicationCodeableConcept": mtx,
        "subject": {"reference": "Patient/p1"},
        "context": {"reference": "Encounter/e9"},
        "effectiveDateTime": "2026-03-01T10:00:00Z",
        "dosage": {
            "site": cc(SNOMED, "82169009", "Structure of left knee region"),
            "route": cc(SNOMED, "12130007", "Intra-articular route"),
            "dose": {"value": 1, "unit": "mL", "system": UCUM, "code": "mL"},
        },
    }
    dispense = {
        "resourceType": "MedicationDispense",
        "id": "md",
        "status": "completed",
        "medicationCodeableConcept": mtx,
        "subject": {"reference": "Patient/p1"},
        "whenHandedOver": "2026-02-01",
    }
    not_taken = {**statement, "id": "nt", "status": "not-taken"}
    s, a, d = read_one(statement, administration, dispense, not_taken)
    assert (s.start, s.end, s.dose) == (
        date(2024, 1, 1),
        date(2025, 1, 1),
        Dose(Quantity(2.5, None), 2.0),
    )
    assert a.laterality is Laterality.LEFT and a.body_site[0].code == "82169009"
    assert a.route[0].code == "12130007" and a.dose == Dose(Quantity(1.0, "mL"))
    assert a.encounter == "Encounter/e9" and a.start == date(2026, 3, 1)
    assert (d.resource, d.start) == ("MedicationDispense/md", date(2026, 2, 1))


def test_condition_status_body_site_and_laterality() -> None:
    knee = condition(
        "oa",
        code={"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M17.11"}]},
        abatementDateTime="2026-01-01",
    )
    site = condition(
        "site",
        bodySite=[cc(SNOMED, "72696002", "Knee region structure"), cc(SNOMED, "7771000", "Left")],
    )
    refuted = condition(
        "no",
        verificationStatus=cc(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"
        ),
    )
    in_error = condition(
        "err",
        verificationStatus=cc(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status", "entered-in-error"
        ),
    )
    a, b = read_one(knee, site, refuted, in_error)
    assert (a.status, a.end, a.laterality) == ("active", date(2026, 1, 1), Laterality.RIGHT)
    assert b.laterality is Laterality.LEFT
    assert [c.code for c in b.body_site] == ["72696002", "7771000"]


def test_condition_without_onset_uses_recorded_date() -> None:
    c = condition(recordedDate="2021-07-08")
    del c["onsetDateTime"]
    assert only(read_one(c)).start == date(2021, 7, 8)


def test_procedure_immunization_allergy() -> None:
    proc = {
        "resourceType": "Procedure",
        "id": "pr",
        "status": "completed",
        "code": cc(SNOMED, "609588000", "Total knee replacement"),
        "subject": {"reference": "Patient/p1"},
        "performedPeriod": {"start": "2018-05-01T10:00:00Z", "end": "2018-05-01T12:00:00Z"},
        "bodySite": [cc(SNOMED, "6757004", "Structure of right knee region")],
    }
    not_done = {**proc, "id": "nd", "status": "not-done"}
    imm = {
        "resourceType": "Immunization",
        "id": "im",
        "status": "completed",
        "vaccineCode": cc("http://hl7.org/fhir/sid/cvx", "140"),
        "patient": {"reference": "Patient/p1"},
        "occurrenceDateTime": "2025-10-10",
        "route": cc("http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", "IM"),
    }
    imm_not_done = {**imm, "id": "imn", "status": "not-done"}
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "al",
        "clinicalStatus": cc(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active"
        ),
        "code": cc(SNOMED, "91936005", "Allergy to penicillin"),
        "patient": {"reference": "Patient/p1"},
        "recordedDate": "2001-02-03",
    }
    p, i, a = read_one(proc, not_done, imm, imm_not_done, allergy)
    assert (p.kind, p.start, p.end, p.laterality) == (
        FactKind.PROCEDURE,
        date(2018, 5, 1),
        date(2018, 5, 1),
        Laterality.RIGHT,
    )
    assert (i.kind, i.codes[0].code, i.start, i.route[0].code) == (
        FactKind.IMMUNIZATION,
        "140",
        date(2025, 10, 10),
        "IM",
    )
    assert (a.kind, a.status, a.start) == (FactKind.ALLERGY, "active", date(2001, 2, 3))


def test_encounter() -> None:
    enc = {
        "resourceType": "Encounter",
        "id": "e1",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
        "type": [cc(SNOMED, "183452005", "Emergency hospital admission")],
        "subject": {"reference": "Patient/p1"},
        "period": {"start": "2025-01-01T22:00:00Z", "end": "2025-01-04"},
        "hospitalization": {
            "dischargeDisposition": cc(
                "http://terminology.hl7.org/CodeSystem/discharge-disposition", "home"
            )
        },
    }
    fact = only(read_one(enc))
    assert (fact.kind, fact.encounter_class, fact.status) == (FactKind.ENCOUNTER, "IMP", "finished")
    assert (fact.start, fact.end) == (date(2025, 1, 1), date(2025, 1, 4))
    assert fact.codes[0].code == "183452005" and fact.value_codes[0].code == "home"


def test_research_consent_keeps_scope_and_category_codes() -> None:
    consent = {
        "resourceType": "Consent",
        "id": "ic",
        "status": "active",
        "scope": cc("http://terminology.hl7.org/CodeSystem/consentscope", "research"),
        "category": [cc(LOINC, "59284-0", "Patient Consent")],
        "patient": {"reference": "Patient/p1"},
        "dateTime": "2026-02-20",
        "provision": {"type": "deny", "period": {"start": "2026-02-20", "end": "2027-02-20"}},
    }
    fact = only(read_one(consent))
    assert fact.kind is FactKind.CONSENT
    assert {c.code for c in fact.codes} == {"research", "59284-0"}
    assert (fact.start, fact.end, fact.status, fact.value_text) == (
        date(2026, 2, 20),
        date(2027, 2, 20),
        "active",
        "deny",
    )


def test_research_subject() -> None:
    study = {
        "resourceType": "ResearchStudy",
        "id": "s1",
        "title": "HiSCs in RA",
        "identifier": [{"system": "https://clinicaltrials.gov", "value": "NCT06947746"}],
    }
    subject = {
        "resourceType": "ResearchSubject",
        "id": "rs",
        "status": "on-study",
        "study": {"reference": "ResearchStudy/s1", "display": "HiSCs"},
        "individual": {"reference": "Patient/p1"},
        "period": {"start": "2026-03-01"},
    }
    other = {
        **subject,
        "id": "rs2",
        "study": {"reference": "ResearchStudy/elsewhere", "display": "X"},
    }
    a, b = read_one(study, subject, other)
    assert (a.kind, a.status, a.start, a.end) == (
        FactKind.STUDY,
        "on-study",
        date(2026, 3, 1),
        None,
    )
    assert a.text == "HiSCs in RA" and a.codes == (
        Coding("https://clinicaltrials.gov", "NCT06947746"),
    )
    assert b.text == "X" and b.value_text == "ResearchStudy/elsewhere"


def test_devices() -> None:
    implant = {
        "resourceType": "Device",
        "id": "d1",
        "status": "active",
        "type": cc(SNOMED, "109228008", "Knee joint prosthesis"),
        "patient": {"reference": "Patient/p1"},
    }
    stock = {"resourceType": "Device", "id": "d2", "type": cc(SNOMED, "1234")}
    use = {
        "resourceType": "DeviceUseStatement",
        "id": "u1",
        "status": "active",
        "subject": {"reference": "Patient/p1"},
        "device": {"reference": "Device/d2"},
        "timingPeriod": {"start": "2020-01-01"},
    }
    d, u = read_one(implant, stock, use)
    assert (d.kind, d.codes[0].code, d.status) == (FactKind.DEVICE, "109228008", "active")
    assert (u.resource, u.codes[0].code, u.start) == (
        "DeviceUseStatement/u1",
        "1234",
        date(2020, 1, 1),
    )


def test_skipped_resource_types_give_no_facts() -> None:
    claim = {"resourceType": "Claim", "id": "cl", "patient": {"reference": "Patient/p1"}}
    eob = {"resourceType": "ExplanationOfBenefit", "id": "eob"}  # no patient: still fine
    careplan = {"resourceType": "CarePlan", "id": "cp", "subject": {"reference": "Patient/zz"}}
    assert read_one(claim, eob, careplan) == ()


def test_code_system_oids_are_made_canonical() -> None:
    obs = observation(
        code={"coding": [{"system": "urn:oid:2.16.840.1.113883.6.1", "code": "1742-6"}]}
    )
    assert only(read_one(obs)).codes == (Coding(LOINC, "1742-6"),)


# --- never a traceback ----------------------------------------------------------------------

_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_FIELDS = [
    "code", "status", "valueQuantity", "valueCodeableConcept", "component", "effectiveDateTime",
    "effectivePeriod", "onsetDateTime", "bodySite", "medicationReference", "dosageInstruction",
    "dosage", "referenceRange", "interpretation", "class", "type", "period", "scope", "category",
    "provision", "study", "device", "encounter", "verificationStatus", "contained", "timingPeriod",
]  # fmt: skip
_TYPES = [
    "Observation", "Condition", "MedicationRequest", "MedicationStatement", "Procedure",
    "MedicationAdministration", "Immunization", "Encounter", "Consent", "ResearchSubject",
    "Device", "DeviceUseStatement", "AllergyIntolerance", "MedicationDispense",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(_TYPES),
    fields=st.dictionaries(st.sampled_from(_FIELDS), _json, max_size=6),
    birth=st.one_of(st.none(), _json),
)
def test_any_resource_content_gives_records_or_input_errors(
    kind: str, fields: Json, birth: Any
) -> None:
    resource = {"resourceType": kind, "id": "r", **fields}
    for ref_field in ("subject", "patient", "individual"):
        resource[ref_field] = {"reference": "Patient/p1"}
    result = read_fhir_bytes("f.json", orjson.dumps(bundle(patient(birthDate=birth), resource)))
    assert all(isinstance(e, InputError) for e in result.errors)
    assert len(result.records) + len(result.errors) == 1


@settings(max_examples=200, deadline=None)
@given(fields=st.dictionaries(st.sampled_from(["id", "name", "gender", "birthDate"]), _json))
def test_any_patient_content_gives_a_record_or_an_input_error(fields: Json) -> None:
    result = read_fhir_bytes("p.json", orjson.dumps({"resourceType": "Patient", **fields}))
    assert len(result.records) + len(result.errors) == 1


@settings(max_examples=200, deadline=None)
@given(document=_json)
def test_any_json_document_gives_records_or_input_errors(document: Any) -> None:
    for name in ("x.json", "x.ndjson"):
        result = read_fhir_bytes(name, orjson.dumps(document))
        assert all(isinstance(e, InputError) for e in result.errors)


# --- real data ------------------------------------------------------------------------------


@pytest.mark.skipif(not RA_DIR.is_dir(), reason=f"shared Synthea data absent: {RA_DIR}")
def test_synthea_rheumatoid_arthritis_patients() -> None:
    result = read_fhir([RA_DIR])
    assert result.errors == []
    assert len(result.records) == 5
    with_mtx = set()
    for record in result.records:
        codes = {(c.system, c.code) for f in record.facts for c in f.codes}
        assert (SNOMED, "69896004") in codes, record.name
        if (RXNORM, "105586") in codes:
            with_mtx.add(record.name)
        assert record.facts and record.birth_date and record.sex
    # Methotrexate (RxNorm 105586) is on file for three of the five; the other two have none.
    assert with_mtx == {"Asa Hermiston", "Hershel Marvin", "Willy Koepp"}


def _tar_members() -> Iterator[tuple[str, bytes]]:
    with tarfile.open(TARBALL, "r:xz") as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                yield member.name, handle.read()


@pytest.mark.skipif(not TARBALL.is_file(), reason=f"shared Synthea tarball absent: {TARBALL}")
def test_all_617_synthea_bundles_read_without_errors(capsys: pytest.CaptureFixture[str]) -> None:
    files = records = facts = 0
    errors: list[InputError] = []
    reading = 0.0
    for name, data in _tar_members():
        started = time.perf_counter()
        result = read_fhir_bytes(name, data)
        reading += time.perf_counter() - started
        files += 1
        records += len(result.records)
        facts += sum(len(r.facts) for r in result.records)
        errors += result.errors
    assert files == 617
    assert errors == []
    # two of the 617 are Synthea's hospital / practitioner directories, without patients
    assert records == 615
    assert facts > 100_000
    with capsys.disabled():
        print(f"\n617 Synthea bundles: {records} records, {facts} facts in {reading:.1f} s")
