"""Tiny builders for FHIR R4 test bundles: one Patient and the few resources a test needs.

Every builder returns a plain FHIR JSON dict about ``Patient/p1`` with a readable id
(``obs-3``, ``cond-7``...; pass ``rid=`` to choose one), so a test can check that the id
shows up in the evidence. Codes are given as ``(system alias, code[, display])`` with the
aliases of :data:`SYSTEMS`; dates are ISO strings (any string, so unparseable dates can be
tested too). Only the fields the FHIR adapter (``trialdesk.patients.fhir_facts``) reads
are written.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

import orjson

from trialdesk.facts.record import PatientRecord
from trialdesk.patients.fhir import read_fhir_bytes

Json = dict[str, Any]
Code = tuple[str, ...]  # (system alias, code) or (system alias, code, display)

PATIENT = "Patient/p1"

SYSTEMS = {
    "loinc": "http://loinc.org",
    "snomed": "http://snomed.info/sct",
    "icd10cm": "http://hl7.org/fhir/sid/icd-10-cm",
    "icd10": "http://hl7.org/fhir/sid/icd-10",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "cvx": "http://hl7.org/fhir/sid/cvx",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "trialdesk": "http://trialdesk.org/CodeSystem/observation",
    "v3": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "interp": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
    "clinical": "http://terminology.hl7.org/CodeSystem/condition-clinical",
    "scope": "http://terminology.hl7.org/CodeSystem/consentscope",
    "ucum": "http://unitsofmeasure.org",
}

# Coded results (SNOMED CT qualifier values).
POSITIVE: Code = ("snomed", "10828004", "Positive")
NEGATIVE: Code = ("snomed", "260385009", "Negative")
PRESENT: Code = ("snomed", "52101004", "Present")
ABNORMAL: Code = ("snomed", "102594003", "Electrocardiogram abnormal")
NORMAL: Code = ("snomed", "17621005", "Normal")

# Body sites (SNOMED CT, see facts/laterality.py); a site may also be a list of codings,
# e.g. [KNEE, RIGHT_SIDE] for a structure with a laterality qualifier.
RIGHT_KNEE: Code = ("snomed", "6757004", "Structure of right knee region")
LEFT_KNEE: Code = ("snomed", "82169009", "Structure of left knee region")
KNEE: Code = ("snomed", "72696002", "Knee region structure")
SHOULDER: Code = ("snomed", "16982005", "Shoulder region structure")
RIGHT_SIDE: Code = ("snomed", "24028007", "Right")

# Routes of administration (SNOMED CT, FHIR R4 route-codes).
ROUTES = {
    "iv": ("snomed", "47625008", "Intravenous route"),
    "im": ("snomed", "78421000", "Intramuscular route"),
    "sc": ("snomed", "34206005", "Subcutaneous route"),
    "oral": ("snomed", "26643006", "Oral route"),
    "ia": ("snomed", "12130007", "Intra-articular route"),
}

_ids = itertools.count(1)


def _rid(prefix: str, rid: str | None) -> str:
    return rid or f"{prefix}-{next(_ids)}"


def coding(code: Code) -> Json:
    system, value, *display = code
    out: Json = {"system": SYSTEMS.get(system, system), "code": value}
    if display:
        out["display"] = display[0]
    return out


def cc(*codes: Code, text: str | None = None) -> Json:
    out: Json = {"coding": [coding(c) for c in codes]}
    if text:
        out["text"] = text
    return out


def site(body_site: Code | list[Code]) -> list[Json]:
    """A bodySite list: one CodeableConcept holding the coding(s) given."""
    return [cc(*body_site)] if isinstance(body_site, list) else [cc(body_site)]


def quantity(value: float, unit: str | None) -> Json:
    out: Json = {"value": value}
    if unit is not None:
        out |= {"unit": unit, "system": SYSTEMS["ucum"], "code": unit}
    return out


# --- resources ----------------------------------------------------------------------------


def patient(birth: str | None = "1975-06-15", sex: str | None = "female") -> Json:
    out: Json = {"resourceType": "Patient", "id": "p1"}
    if birth is not None:
        out["birthDate"] = birth
    if sex is not None:
        out["gender"] = sex
    return out


def obs(
    code: str | Code,
    value: float | None,
    unit: str | None,
    date: str,
    ref_high: float | None = None,
    *,
    result: Code | None = None,
    interpretation: str | None = None,
    components: Iterable[Json] = (),
    rid: str | None = None,
) -> Json:
    """An Observation: a quantity (``value`` + ``unit``) or a coded ``result``.

    ``code`` is a LOINC code, or a ``(system, code)`` tuple for other systems.
    """
    key = code if isinstance(code, tuple) else ("loinc", code)
    out: Json = {
        "resourceType": "Observation",
        "id": _rid("obs", rid),
        "status": "final",
        "code": cc(key),
        "subject": {"reference": PATIENT},
        "effectiveDateTime": date,
    }
    if value is not None:
        out["valueQuantity"] = quantity(value, unit)
        if ref_high is not None:
            out["referenceRange"] = [{"high": quantity(ref_high, unit)}]
    if result is not None:
        out["valueCodeableConcept"] = cc(result)
    if interpretation is not None:
        out["interpretation"] = [cc(("interp", interpretation))]
    comps = list(components)
    if comps:
        out["component"] = comps
    return out


def component(loinc: str, value: float, unit: str) -> Json:
    return {"code": cc(("loinc", loinc)), "valueQuantity": quantity(value, unit)}


def condition(
    code: str,
    system: str = "snomed",
    onset: str | None = "2026-01-10",
    *,
    status: str | None = "active",
    abated: str | None = None,
    body_site: Code | list[Code] | None = None,
    encounter: str | None = None,
    text: str | None = None,
    rid: str | None = None,
) -> Json:
    out: Json = {
        "resourceType": "Condition",
        "id": _rid("cond", rid),
        "code": cc((system, code), text=text),
        "subject": {"reference": PATIENT},
    }
    if status is not None:
        out["clinicalStatus"] = cc(("clinical", status))
    if onset is not None:
        out["onsetDateTime"] = onset
    if abated is not None:
        out["abatementDateTime"] = abated
    if body_site is not None:
        out["bodySite"] = site(body_site)
    if encounter is not None:
        out["encounter"] = {"reference": encounter}
    return out


def med_request(
    rxnorm: str,
    date: str,
    dose_mg: float | None = None,
    per_day: float | None = None,
    route: str | None = None,
    *,
    end: str | None = None,
    dose_unit: str = "mg",
    every: tuple[float, float, str] | None = None,
    status: str = "active",
    rid: str | None = None,
) -> Json:
    """A MedicationRequest authored on ``date``; ``end`` closes its boundsPeriod.

    The dose is ``dose_mg`` (in ``dose_unit``) ``per_day`` times a day, or on the schedule
    ``every=(frequency, period, periodUnit)``, e.g. ``(1, 1, "wk")`` for once a week.
    """
    out: Json = {
        "resourceType": "MedicationRequest",
        "id": _rid("medreq", rid),
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": cc(("rxnorm", rxnorm)),
        "subject": {"reference": PATIENT},
        "authoredOn": date,
    }
    dosage: Json = {}
    repeat: Json = {}
    if end is not None:
        repeat["boundsPeriod"] = {"start": date, "end": end}
    if per_day is not None:
        repeat |= {"frequency": per_day, "period": 1, "periodUnit": "d"}
    if every is not None:
        repeat |= {"frequency": every[0], "period": every[1], "periodUnit": every[2]}
    if repeat:
        dosage["timing"] = {"repeat": repeat}
    if dose_mg is not None:
        dosage["doseAndRate"] = [{"doseQuantity": quantity(dose_mg, dose_unit)}]
    if route is not None:
        dosage["route"] = cc(ROUTES[route])
    if dosage:
        out["dosageInstruction"] = [dosage]
    return out


def med_admin(
    rxnorm: str,
    date: str,
    dose_mg: float | None = None,
    route: str | None = None,
    *,
    end: str | None = None,
    rid: str | None = None,
) -> Json:
    """A MedicationAdministration on ``date`` (or over ``date``..``end``)."""
    out: Json = {
        "resourceType": "MedicationAdministration",
        "id": _rid("medadmin", rid),
        "status": "completed",
        "medicationCodeableConcept": cc(("rxnorm", rxnorm)),
        "subject": {"reference": PATIENT},
    }
    if end is None:
        out["effectiveDateTime"] = date
    else:
        out["effectivePeriod"] = {"start": date, "end": end}
    dosage: Json = {}
    if dose_mg is not None:
        dosage["dose"] = quantity(dose_mg, "mg")
    if route is not None:
        dosage["route"] = cc(ROUTES[route])
    if dosage:
        out["dosage"] = dosage
    return out


def procedure(
    code: str,
    date: str,
    system: str = "snomed",
    *,
    body_site: Code | list[Code] | None = None,
    text: str | None = None,
    rid: str | None = None,
) -> Json:
    out: Json = {
        "resourceType": "Procedure",
        "id": _rid("proc", rid),
        "status": "completed",
        "code": cc((system, code), text=text),
        "subject": {"reference": PATIENT},
        "performedDateTime": date,
    }
    if body_site is not None:
        out["bodySite"] = site(body_site)
    return out


def immunization(cvx: str, date: str, *, rid: str | None = None) -> Json:
    return {
        "resourceType": "Immunization",
        "id": _rid("imm", rid),
        "status": "completed",
        "vaccineCode": cc(("cvx", cvx)),
        "patient": {"reference": PATIENT},
        "occurrenceDateTime": date,
    }


def encounter(cls: str, start: str, end: str, *, rid: str | None = None) -> Json:
    """An Encounter of class ``cls`` (HL7 v3 ActCode: IMP inpatient, AMB ambulatory...)."""
    return {
        "resourceType": "Encounter",
        "id": _rid("enc", rid),
        "status": "finished",
        "class": coding(("v3", cls)),
        "subject": {"reference": PATIENT},
        "period": {"start": start, "end": end},
    }


def device_use(code: str, date: str, *, rid: str | None = None) -> Json:
    """A DeviceUseStatement with its Device (SNOMED CT type) contained."""
    return {
        "resourceType": "DeviceUseStatement",
        "id": _rid("devuse", rid),
        "status": "active",
        "contained": [{"resourceType": "Device", "id": "dev", "type": cc(("snomed", code))}],
        "subject": {"reference": PATIENT},
        "device": {"reference": "#dev"},
        "timingDateTime": date,
    }


def device(code: str, *, rid: str | None = None) -> Json:
    """A Device of the patient (FHIR R4 Device carries no date of implantation)."""
    return {
        "resourceType": "Device",
        "id": _rid("dev", rid),
        "status": "active",
        "type": cc(("snomed", code)),
        "patient": {"reference": PATIENT},
    }


def research_study(title: str, nct: str | None = None, *, rid: str | None = None) -> Json:
    out: Json = {"resourceType": "ResearchStudy", "id": _rid("study", rid), "status": "active"}
    out["title"] = title
    if nct is not None:
        out["identifier"] = [{"system": "https://clinicaltrials.gov", "value": nct}]
    return out


def research_subject(
    study: Json | str,
    start: str | None,
    end: str | None = None,
    status: str = "on-study",
    *,
    rid: str | None = None,
) -> Json:
    """Participation in ``study`` (a ResearchStudy dict in the same bundle, or a title)."""
    ref: Json = (
        {"reference": f"ResearchStudy/{study['id']}"}
        if isinstance(study, dict)
        else {"display": study}
    )
    out: Json = {
        "resourceType": "ResearchSubject",
        "id": _rid("rsub", rid),
        "status": status,
        "study": ref,
        "individual": {"reference": PATIENT},
    }
    period = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    if period:
        out["period"] = period
    return out


def consent(
    date: str,
    status: str = "active",
    *,
    scope: str = "research",
    provision: str | None = None,
    rid: str | None = None,
) -> Json:
    """A Consent dated ``date`` with ``scope`` (consentscope: research, patient-privacy...)."""
    out: Json = {
        "resourceType": "Consent",
        "id": _rid("consent", rid),
        "status": status,
        "scope": cc(("scope", scope)),
        "patient": {"reference": PATIENT},
        "dateTime": date,
    }
    if provision is not None:
        out["provision"] = {"type": provision}
    return out


def bundle(*resources: Json | Iterable[Json]) -> Json:
    """A collection Bundle; lists of resources are flattened."""
    flat: list[Json] = []
    for r in resources:
        flat.extend([r] if isinstance(r, dict) else r)
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"http://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in flat
        ],
    }


def to_bytes(b: Json) -> bytes:
    return orjson.dumps(b)


def record(*resources: Json) -> PatientRecord:
    """The resources (with a default :func:`patient` unless one is given) read as one record
    by the real FHIR adapter."""
    if not any(r.get("resourceType") == "Patient" for r in resources):
        resources = (patient(), *resources)
    result = read_fhir_bytes("test.json", to_bytes(bundle(*resources)))
    assert not result.errors, result.errors
    assert len(result.records) == 1, result.records
    return result.records[0]
