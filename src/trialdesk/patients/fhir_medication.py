"""FHIR R4 medicines and vaccines -> Facts: MedicationRequest, MedicationStatement,
MedicationAdministration, MedicationDispense (with their dose, timing and route) and
Immunization."""

from __future__ import annotations

from datetime import date
from typing import Any

from trialdesk.facts.record import Coding, Dose, Fact, FactKind
from trialdesk.patients.fhir_read import Index
from trialdesk.patients.fhir_shared import (
    Json,
    encounter_of,
    referenced,
    site_laterality,
    status_of,
)
from trialdesk.patients.fhir_types import (
    codings,
    codings_of,
    date_of,
    first_of,
    period_of,
    quantity_of,
    reference_of,
    text_of,
    when,
)

__all__ = ["immunization_facts", "medication_facts"]

# Timing.repeat.periodUnit (UCUM units of time) in days; mo and a as UCUM's mean month/year.
_UNIT_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
_UNIT_DAYS |= {"mo": 30.4375, "a": 365.25}
# Timing.code (HL7 v3 GTSAbbreviation, the FHIR R4 timing-abbreviation value set) per day.
_TIMING_CODES = {"QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0, "AM": 1.0, "PM": 1.0}
_TIMING_CODES |= {"QOD": 0.5, "Q1H": 24.0, "Q2H": 12.0, "Q3H": 8.0, "Q4H": 6.0, "Q6H": 4.0}
_TIMING_CODES |= {"Q8H": 3.0, "BED": 1.0, "WK": 1 / 7, "MO": 1 / 30.4375}


def _medication(
    res: Json, index: Index, problems: list[str]
) -> tuple[tuple[Coding, ...], str | None]:
    cc = res.get("medicationCodeableConcept")
    if isinstance(cc, dict):
        return codings(cc), text_of(cc)
    reference = res.get("medicationReference")
    ref = reference_of(reference)
    display = reference.get("display") if isinstance(reference, dict) else None
    display = display if isinstance(display, str) else None
    if ref is None:
        problems.append("no medicationCodeableConcept or medicationReference")
        return (), display
    med = referenced(res, ref, index, "Medication")
    if med is None:
        problems.append(f"medicationReference {ref!r} is not a Medication in this file")
        return (), display
    codes = codings(med.get("code"))
    ingredients = med.get("ingredient")
    for item in ingredients if isinstance(ingredients, list) else ():
        if isinstance(item, dict):
            codes += codings(item.get("itemCodeableConcept"))
    return codes, text_of(med.get("code")) or display


def _per_day(timing: Any) -> float | None:
    if not isinstance(timing, dict):
        return None
    repeat = timing.get("repeat")
    if isinstance(repeat, dict):
        period, unit = repeat.get("period"), repeat.get("periodUnit")
        frequency = repeat.get("frequency", 1)
        if (
            isinstance(period, int | float)
            and period > 0
            and isinstance(unit, str)
            and unit in _UNIT_DAYS
            and isinstance(frequency, int | float)
        ):
            return float(frequency) / (float(period) * _UNIT_DAYS[unit])
    code = codings(timing.get("code"))
    return _TIMING_CODES.get(code[0].code.upper()) if code else None


def _bounds(timing: Any, problems: list[str]) -> tuple[date | None, date | None]:
    if not isinstance(timing, dict) or not isinstance(timing.get("repeat"), dict):
        return None, None
    return period_of(timing["repeat"].get("boundsPeriod"), "timing.repeat.boundsPeriod", problems)


# Code systems whose route codes the route table reads (clinical/routes.yaml): SNOMED CT,
# EDQM Standard Terms, HL7 v3 RouteOfAdministration
_STANDARD_ROUTE_SYSTEMS = frozenset({
    "http://snomed.info/sct",
    "http://standardterms.edqm.eu",
    "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration",
})  # fmt: skip


def _route(cc: Any) -> tuple[Coding, ...]:
    """The route's codings. Its text ("intra-articular") is kept as a coding with no system,
    so the route table (clinical/routes.yaml) can read its words, when the route is sent
    as text only or with local codes only ("关节腔内注射" beside a hospital's own code); a
    route coded in a standard system is read by its code, as before."""
    found = codings(cc)
    if any(c.system in _STANDARD_ROUTE_SYSTEMS for c in found):
        return found
    text = cc.get("text") if isinstance(cc, dict) else None
    if not isinstance(text, str) or not text.strip():
        text = None if found else text_of(cc)
    if text and text.strip() and text not in {c.display for c in found}:
        found += (Coding("", text.strip().lower(), text),)
    return found


def medication_facts(res: Json, key: str, index: Index) -> list[Fact]:
    """MedicationRequest, MedicationStatement, MedicationAdministration, MedicationDispense."""
    status = status_of(res)
    if status in {"entered-in-error", "not-taken", "not-done"}:
        return []
    kind = res["resourceType"]
    problems: list[str] = []
    codes, text = _medication(res, index, problems)
    if kind == "MedicationAdministration":
        dosage = res.get("dosage")
        dosage = dosage if isinstance(dosage, dict) else None
        dose_q = quantity_of(dosage.get("dose")) if dosage else None
        per_day = None
    else:
        dosage = first_of(
            res.get("dosage" if kind == "MedicationStatement" else "dosageInstruction")
        )
        dose_and_rate = first_of(dosage.get("doseAndRate")) if dosage else None
        dose_q = quantity_of(dose_and_rate.get("doseQuantity")) if dose_and_rate else None
        per_day = _per_day(dosage.get("timing")) if dosage else None
    if kind == "MedicationRequest":
        start = date_of(res.get("authoredOn"), "authoredOn", problems)
        b_start, end = _bounds(dosage.get("timing") if dosage else None, problems)
        start = start or b_start
    elif kind == "MedicationDispense":
        start = date_of(res.get("whenHandedOver"), "whenHandedOver", problems)
        if start is None and "whenHandedOver" not in res:
            start = date_of(res.get("whenPrepared"), "whenPrepared", problems)
        end = None
    else:
        start, end, given = when(res, "effective", problems)
        if not given and kind == "MedicationStatement":
            start = date_of(res.get("dateAsserted"), "dateAsserted", problems)
    sites = codings_of(dosage.get("site")) if dosage else ()
    return [
        Fact(
            kind=FactKind.MEDICATION,
            resource=key,
            codes=codes,
            text=text,
            start=start,
            end=end,
            status=status,
            laterality=site_laterality(sites),
            body_site=sites,
            route=_route(dosage.get("route")) if dosage else (),
            dose=Dose(dose_q, per_day) if dose_q is not None else None,
            encounter=encounter_of(res, index),
            problems=tuple(problems),
        )
    ]


def immunization_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
    if status in {"not-done", "entered-in-error"}:
        return []
    problems: list[str] = []
    cc = res.get("vaccineCode")
    start, _, given = when(res, "occurrence", problems)
    if not given and isinstance(res.get("occurrenceString"), str):
        problems.append(f"occurrenceString {res['occurrenceString']!r} is not a date")
    sites = codings(res.get("site"))
    return [
        Fact(
            kind=FactKind.IMMUNIZATION,
            resource=key,
            codes=codings(cc),
            text=text_of(cc),
            start=start,
            status=status,
            laterality=site_laterality(sites),
            body_site=sites,
            route=codings(res.get("route")),
            encounter=encounter_of(res, index),
            problems=tuple(problems),
        )
    ]
