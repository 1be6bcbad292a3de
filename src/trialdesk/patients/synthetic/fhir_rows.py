"""Each synthetic CDM table's rows as FHIR R4 resources, read by trialdesk's FHIR adapter to
the same facts as the OMOP rows. How each CDM row becomes a resource, so that the FHIR
mappers (``patients/fhir_*.py``) give it the meaning docs/omop.md gives the row:

- codes: the row's concept, its source concept and every concept that ``Maps to`` its
  concept, as codings (ICD-10-CM first); ``text`` is the concept's name (the fact's text on
  both paths). Ids are the row ids (``m``/``o`` prefixed for measurement/observation rows,
  which share Observation).
- Condition: onsetDateTime = start; an end gives ``resolved`` + abatementDateTime, no end is
  ``active`` (ongoing).
- Observation: valueQuantity in the UCUM unit of ``unit_concept_id``, referenceRange low/high
  in the same unit; coded results as valueCodeableConcept with the SNOMED CT qualifier
  (10828004 Positive, 260385009 Negative, 17621005 Normal, 263654008 Abnormal) whose display
  is the "Meas Value" concept's name.
- MedicationRequest: authoredOn = start; the end in dosageInstruction.timing.repeat.boundsPeriod
  (what the adapter reads; dispenseRequest is written too but not read); dose
  ``quantity / days_supply`` {tbl} (oral) or 1 (other routes) once a day; route as SNOMED CT.
- Immunization for CVX drug rows; Procedure with bodySite = the laterality qualifier of
  ``modifier_concept_id``; Encounter.class IMP/AMB/EMER from the visit concept.
- Devices: a Device without a patient plus a DeviceUseStatement carrying the dates (the
  adapter reads no dates from a Device, so a Device alone would be undated).
- Research consents (observation rows of the HL7 consentscope ``research`` concept): Consent,
  status active, scope ``research``, category LOINC 59284-0, dateTime = observation_date.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import numpy as np

from trialdesk.facts.codesystems import SYSTEMS, TERMINOLOGY
from trialdesk.patients.synthetic.catalog import ENCOUNTER_CLASS, RESULT_SNOMED, VOCAB, C
from trialdesk.patients.synthetic.codes import MEAS
from trialdesk.patients.synthetic.concepts import VOCABULARIES
from trialdesk.patients.synthetic.frame import NULL, Batch, days_to_iso

__all__ = [
    "conditions",
    "devices",
    "drugs",
    "encounters",
    "measurements",
    "observations",
    "patients",
    "procedures",
]

Json = dict[str, Any]

_UCUM = SYSTEMS["ucum"]
_SNOMED = SYSTEMS["snomed"]
_LOINC = SYSTEMS["loinc"]
_ACT = TERMINOLOGY["v3-ActCode"]
_CLINICAL = TERMINOLOGY["condition-clinical"]
_VERIFY = TERMINOLOGY["condition-ver-status"]
_OBS_CAT = TERMINOLOGY["observation-category"]
_VITALS = frozenset(MEAS[k] for k in ("weight", "height", "bmi", "sbp", "dbp"))


@functools.cache
def _coding(cid: int) -> Json:
    c = VOCAB.get(cid)
    system = VOCABULARIES[c.vocabulary][1]
    if system is None:
        raise ValueError(f"concept {cid} ({c.vocabulary}) has no FHIR system")
    return {"system": system, "code": c.code, "display": c.name}


@functools.cache
def _cc(cid: int, source: int = 0) -> Json:
    """CodeableConcept of a row: source and mapped-from codings, then the concept's."""
    ids = [source] if source not in (0, cid) else []
    ids += [s for s in VOCAB.mapped_from(cid) if s not in ids]
    return {"coding": [_coding(i) for i in (*ids, cid)], "text": VOCAB.get(cid).name}


@functools.cache
def _result(cid: int) -> Json:
    code, display = RESULT_SNOMED[cid]
    return {"coding": [{"system": _SNOMED, "code": code, "display": display}], "text": display}


@functools.cache
def _unit(cid: int) -> str:
    return VOCAB.get(cid).code


def _quantity(value: float, unit: str) -> Json:
    return {"value": value, "unit": unit, "system": _UCUM, "code": unit}


def _dates(batch: Batch, name: str) -> list[str | None]:
    days = batch.get(name)
    null = days == NULL
    out: list[str | None] = list(days_to_iso(np.where(null, 0, days)))
    for i in np.flatnonzero(null).tolist():
        out[i] = None
    return out


def _ints(batch: Batch, name: str) -> list[int]:
    return batch.get(name).tolist()  # type: ignore[no-any-return]


def _patient_ref(pid: int) -> Json:
    return {"reference": f"Patient/{pid}"}


def patients(b: Batch) -> Iterator[Json]:
    born = _dates(b, "birth_datetime")
    for pid, sex, day in zip(
        _ints(b, "person_id"), _ints(b, "gender_concept_id"), born, strict=True
    ):
        yield {
            "resourceType": "Patient",
            "id": str(pid),
            "gender": "female" if sex == C.FEMALE else "male",
            "birthDate": day,
        }


def encounters(b: Batch) -> Iterator[Json]:
    classes = {
        k: {"system": _ACT, "code": code, "display": display}
        for k, (code, display) in ENCOUNTER_CLASS.items()
    }
    types = {k: [{"text": VOCAB.get(k).name}] for k in ENCOUNTER_CLASS}
    for vid, pid, concept, start, end in zip(
        _ints(b, "visit_occurrence_id"),
        _ints(b, "person_id"),
        _ints(b, "visit_concept_id"),
        _dates(b, "visit_start_date"),
        _dates(b, "visit_end_date"),
        strict=True,
    ):
        yield {
            "resourceType": "Encounter",
            "id": str(vid),
            "status": "finished",
            "class": classes[concept],
            "type": types[concept],
            "subject": _patient_ref(pid),
            "period": {"start": start, "end": end},
        }


def conditions(b: Batch) -> Iterator[Json]:
    active = {"coding": [{"system": _CLINICAL, "code": "active"}]}
    resolved = {"coding": [{"system": _CLINICAL, "code": "resolved"}]}
    confirmed = {"coding": [{"system": _VERIFY, "code": "confirmed"}]}
    for rid, pid, concept, source, start, end, visit in zip(
        _ints(b, "condition_occurrence_id"),
        _ints(b, "person_id"),
        _ints(b, "condition_concept_id"),
        _ints(b, "condition_source_concept_id"),
        _dates(b, "condition_start_date"),
        _dates(b, "condition_end_date"),
        _ints(b, "visit_occurrence_id"),
        strict=True,
    ):
        r: Json = {
            "resourceType": "Condition",
            "id": str(rid),
            "clinicalStatus": active if end is None else resolved,
            "verificationStatus": confirmed,
            "code": _cc(concept, source),
            "subject": _patient_ref(pid),
            "onsetDateTime": start,
        }
        if end is not None:
            r["abatementDateTime"] = end
        if visit != NULL:
            r["encounter"] = {"reference": f"Encounter/{visit}"}
        yield r


def measurements(b: Batch) -> Iterator[Json]:
    categories = {
        name: [{"coding": [{"system": _OBS_CAT, "code": name}]}]
        for name in ("laboratory", "vital-signs")
    }
    for rid, pid, concept, day, value, vc, unit, low, high, visit in zip(
        _ints(b, "measurement_id"),
        _ints(b, "person_id"),
        _ints(b, "measurement_concept_id"),
        _dates(b, "measurement_date"),
        b.get("value_as_number").tolist(),
        _ints(b, "value_as_concept_id"),
        _ints(b, "unit_concept_id"),
        b.get("range_low").tolist(),
        b.get("range_high").tolist(),
        _ints(b, "visit_occurrence_id"),
        strict=True,
    ):
        r: Json = {
            "resourceType": "Observation",
            "id": f"m{rid}",
            "status": "final",
            "category": categories["vital-signs" if concept in _VITALS else "laboratory"],
            "code": _cc(concept),
            "subject": _patient_ref(pid),
            "effectiveDateTime": day,
        }
        if value == value:  # not NaN
            u = _unit(unit)
            r["valueQuantity"] = _quantity(value, u)
            rng: Json = {}
            if low == low:
                rng["low"] = _quantity(low, u)
            if high == high:
                rng["high"] = _quantity(high, u)
            if rng:
                r["referenceRange"] = [rng]
        elif vc != NULL:
            r["valueCodeableConcept"] = _result(vc)
        if visit != NULL:
            r["encounter"] = {"reference": f"Encounter/{visit}"}
        yield r


def observations(b: Batch) -> Iterator[Json]:
    scope = {"coding": [_coding(C.CONSENT_RESEARCH)]}
    category = [{"coding": [{"system": _LOINC, "code": "59284-0"}]}]
    policy = {"coding": [{"system": _ACT, "code": "OPTIN"}]}
    survey = [{"coding": [{"system": _OBS_CAT, "code": "survey"}]}]
    for rid, pid, concept, day, value, unit, visit in zip(
        _ints(b, "observation_id"),
        _ints(b, "person_id"),
        _ints(b, "observation_concept_id"),
        _dates(b, "observation_date"),
        b.get("value_as_number").tolist(),
        _ints(b, "unit_concept_id"),
        _ints(b, "visit_occurrence_id"),
        strict=True,
    ):
        if concept == C.CONSENT_RESEARCH:
            yield {
                "resourceType": "Consent",
                "id": str(rid),
                "status": "active",
                "scope": scope,
                "category": category,
                "patient": _patient_ref(pid),
                "dateTime": day,
                "policyRule": policy,
            }
            continue
        r: Json = {
            "resourceType": "Observation",
            "id": f"o{rid}",
            "status": "final",
            "category": survey,
            "code": _cc(concept),
            "subject": _patient_ref(pid),
            "effectiveDateTime": day,
        }
        if value == value:
            r["valueQuantity"] = _quantity(value, _unit(unit))
        if visit != NULL:
            r["encounter"] = {"reference": f"Encounter/{visit}"}
        yield r


def drugs(b: Batch, extraction_day: int) -> Iterator[Json]:
    cvx = {c.id for c in VOCAB.concepts if c.vocabulary == "CVX"}
    ends = b.get("drug_exposure_end_date").tolist()
    for rid, pid, concept, start, end, end_day, qty, supply, route, visit in zip(
        _ints(b, "drug_exposure_id"),
        _ints(b, "person_id"),
        _ints(b, "drug_concept_id"),
        _dates(b, "drug_exposure_start_date"),
        _dates(b, "drug_exposure_end_date"),
        ends,
        b.get("quantity").tolist(),
        _ints(b, "days_supply"),
        _ints(b, "route_concept_id"),
        _ints(b, "visit_occurrence_id"),
        strict=True,
    ):
        if concept in cvx:
            r: Json = {
                "resourceType": "Immunization",
                "id": str(rid),
                "status": "completed",
                "vaccineCode": _cc(concept),
                "patient": _patient_ref(pid),
                "occurrenceDateTime": start,
            }
            if route != NULL:
                r["route"] = _cc(route)
        else:
            repeat: Json = {"boundsPeriod": {"start": start, "end": end}}
            dosage: Json = {"timing": {"repeat": repeat}}
            if route != NULL:
                dosage["route"] = _cc(route)
            r = {
                "resourceType": "MedicationRequest",
                "id": str(rid),
                "status": "completed" if end_day < extraction_day else "active",
                "intent": "order",
                "medicationCodeableConcept": _cc(concept),
                "subject": _patient_ref(pid),
                "authoredOn": start,
                "dosageInstruction": [dosage],
            }
            if qty == qty and supply != NULL and supply > 0:
                repeat |= {"frequency": 1, "period": 1, "periodUnit": "d"}
                unit = "{tbl}" if route == C.ORAL else "1"
                dose = {"value": qty / supply, "unit": unit, "system": _UCUM, "code": unit}
                dosage["doseAndRate"] = [{"doseQuantity": dose}]
                r["dispenseRequest"] = {
                    "quantity": {"value": qty, "unit": unit, "system": _UCUM, "code": unit},
                    "expectedSupplyDuration": {
                        "value": supply,
                        "unit": "days",
                        "system": _UCUM,
                        "code": "d",
                    },
                }
        if visit != NULL:
            r["encounter"] = {"reference": f"Encounter/{visit}"}
        yield r


def procedures(b: Batch) -> Iterator[Json]:
    for rid, pid, concept, day, modifier, visit in zip(
        _ints(b, "procedure_occurrence_id"),
        _ints(b, "person_id"),
        _ints(b, "procedure_concept_id"),
        _dates(b, "procedure_date"),
        _ints(b, "modifier_concept_id"),
        _ints(b, "visit_occurrence_id"),
        strict=True,
    ):
        r: Json = {
            "resourceType": "Procedure",
            "id": str(rid),
            "status": "completed",
            "code": _cc(concept),
            "subject": _patient_ref(pid),
            "performedDateTime": day,
        }
        if modifier != NULL:
            r["bodySite"] = [{"coding": [_coding(modifier)]}]
        if visit != NULL:
            r["encounter"] = {"reference": f"Encounter/{visit}"}
        yield r


def devices(b: Batch) -> Iterator[Json]:
    for rid, pid, concept, start, end in zip(
        _ints(b, "device_exposure_id"),
        _ints(b, "person_id"),
        _ints(b, "device_concept_id"),
        _dates(b, "device_exposure_start_date"),
        _dates(b, "device_exposure_end_date"),
        strict=True,
    ):
        yield {"resourceType": "Device", "id": str(rid), "status": "active", "type": _cc(concept)}
        period: Json = {"start": start}
        if end is not None:
            period["end"] = end
        yield {
            "resourceType": "DeviceUseStatement",
            "id": str(rid),
            "status": "active" if end is None else "completed",
            "subject": _patient_ref(pid),
            "device": {"reference": f"Device/{rid}"},
            "timingPeriod": period,
        }
