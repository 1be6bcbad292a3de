"""FHIR R4 resources -> Facts.

One mapper per resource type. A mapper returns the facts a resource gives (none when its
status says it did not happen or was entered in error) and never raises for odd content:
wrong types count as absent, and an unparseable date leaves ``start`` None with a
``problems`` entry that names the field and the value.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from trialdesk.clinical.laterality import laterality_of
from trialdesk.patients.fhir_read import (
    Index,
    code_of,
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
from trialdesk.patients.record import Coding, Dose, Fact, FactKind, Quantity

__all__ = ["DIRECTORY_TYPES", "MAPPERS", "SUBJECT_FIELD"]

Json = dict[str, Any]
Mapper = Callable[[Json, str, Index], list[Fact]]

#: Where each mapped resource type names its patient (FHIR R4).
SUBJECT_FIELD: dict[str, str] = {
    "AllergyIntolerance": "patient",
    "Condition": "subject",
    "Consent": "patient",
    "Device": "patient",  # optional: a Device without a patient is not about anyone
    "DeviceUseStatement": "subject",
    "Encounter": "subject",
    "Immunization": "patient",
    "MedicationAdministration": "subject",
    "MedicationDispense": "subject",
    "MedicationRequest": "subject",
    "MedicationStatement": "subject",
    "Observation": "subject",
    "Procedure": "subject",
    "ResearchSubject": "individual",
}

#: Resources about no patient: a file holding only these is not missing its Patient.
DIRECTORY_TYPES = frozenset(
    {
        "Organization",
        "Practitioner",
        "PractitionerRole",
        "Location",
        "HealthcareService",
        "Endpoint",
        "Medication",
        "Substance",
        "ResearchStudy",
        "OperationOutcome",
    }
)


# Timing.repeat.periodUnit (UCUM units of time) in days; mo and a as UCUM's mean month/year.
_UNIT_DAYS = {"s": 1 / 86400, "min": 1 / 1440, "h": 1 / 24, "d": 1.0, "wk": 7.0}
_UNIT_DAYS |= {"mo": 30.4375, "a": 365.25}
# Timing.code (HL7 v3 GTSAbbreviation, the FHIR R4 timing-abbreviation value set) per day.
_TIMING_CODES = {"QD": 1.0, "BID": 2.0, "TID": 3.0, "QID": 4.0, "AM": 1.0, "PM": 1.0}
_TIMING_CODES |= {"QOD": 0.5, "Q1H": 24.0, "Q2H": 12.0, "Q3H": 8.0, "Q4H": 6.0, "Q6H": 4.0}
_TIMING_CODES |= {"Q8H": 3.0, "BED": 1.0, "WK": 1 / 7, "MO": 1 / 30.4375}


def _status(resource: Json) -> str | None:
    status = resource.get("status")
    return status.lower() if isinstance(status, str) else None


def _encounter(res: Json, index: Index) -> str | None:
    ref = reference_of(res.get("encounter")) or reference_of(res.get("context"))
    if ref is None:
        return None
    key = index.resolve(ref)
    if key is not None:
        return key
    if ref.startswith("urn:"):
        return "Encounter/" + ref.rsplit(":", 1)[-1]
    return "Encounter/" + ref.split("/_history/", 1)[0].rstrip("/").rsplit("/", 1)[-1]


# --- mappers ----------------------------------------------------------------------------


def _condition_like(res: Json, key: str, index: Index, kind: FactKind) -> list[Fact]:
    if code_of(res.get("verificationStatus")) in {"refuted", "entered-in-error"}:
        return []
    problems: list[str] = []
    cc = res.get("code")
    codes = codings(cc)
    text = text_of(cc)
    start, _, given = when(res, "onset", problems)
    if not given:
        start = date_of(res.get("recordedDate"), "recordedDate", problems)
    a_start, a_end, _ = when(res, "abatement", problems)
    end = a_end or a_start
    sites = codings_of(res.get("bodySite"))
    status = code_of(res.get("clinicalStatus"))
    return [
        Fact(
            kind=kind,
            resource=key,
            codes=codes,
            text=text,
            start=start,
            end=end,
            status=status,
            laterality=laterality_of(sites + codes, text),
            body_site=sites,
            encounter=_encounter(res, index),
            problems=tuple(problems),
        )
    ]


def _condition(res: Json, key: str, index: Index) -> list[Fact]:
    return _condition_like(res, key, index, FactKind.CONDITION)


def _allergy(res: Json, key: str, index: Index) -> list[Fact]:
    return _condition_like(res, key, index, FactKind.ALLERGY)


def _value(
    holder: Json, what: str, problems: list[str]
) -> tuple[Quantity | None, tuple[Coding, ...], str | None, bool]:
    """value, value_codes, value_text and whether any value[x] is present."""
    q = holder.get("valueQuantity")
    if q is not None:
        quantity = quantity_of(q)
        if quantity is None:
            problems.append(f"{what} valueQuantity has no number")
        return quantity, (), None, True
    cc = holder.get("valueCodeableConcept")
    if cc is not None:
        return None, codings(cc), text_of(cc), True
    for name in ("valueString", "valueDateTime", "valueTime"):
        value = holder.get(name)
        if isinstance(value, str):
            return None, (), value, True
    value = holder.get("valueBoolean")
    if isinstance(value, bool):
        return None, (), "true" if value else "false", True
    value = holder.get("valueInteger")
    if isinstance(value, int) and not isinstance(value, bool):
        return Quantity(float(value), None), (), None, True
    for name in ("valueRange", "valueRatio", "valuePeriod", "valueSampledData"):
        if holder.get(name) is not None:
            problems.append(f"{what} {name} is not read")
            return None, (), None, True
    absent = holder.get("dataAbsentReason")
    if absent is not None:
        problems.append(f"{what} has no value ({text_of(absent) or code_of(absent) or 'absent'})")
    return None, (), None, False


def _ranges(holder: Json) -> tuple[Quantity | None, Quantity | None]:
    rr = first_of(holder.get("referenceRange"))
    if rr is None:
        return None, None
    return quantity_of(rr.get("low")), quantity_of(rr.get("high"))


def _interpretation(holder: Json) -> tuple[str, ...]:
    return tuple(c.code for c in codings_of(holder.get("interpretation")))


def _observation(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status in {"entered-in-error", "cancelled"}:
        return []
    dated: list[str] = []  # date problems, shared with the components
    cc = res.get("code")
    codes = codings(cc)
    text = text_of(cc)
    start, end, given = when(res, "effective", dated)
    if not given:
        start = date_of(res.get("issued"), "issued", dated)
    problems = list(dated)
    encounter = _encounter(res, index)
    components = res.get("component")
    components = components if isinstance(components, list) else []
    value, value_codes, value_text, has_value = _value(res, key, problems)
    panel_only = bool(components) or bool(res.get("hasMember"))
    if not has_value and "dataAbsentReason" not in res and not panel_only:
        problems.append(f"{key} has no value")
    low, high = _ranges(res)
    sites = codings_of(res.get("bodySite"))
    laterality = laterality_of(sites, None) if sites else None
    facts = [
        Fact(
            kind=FactKind.OBSERVATION,
            resource=key,
            codes=codes,
            text=text,
            start=start,
            end=end,
            status=status,
            value=value,
            value_codes=value_codes,
            value_text=value_text,
            reference_low=low,
            reference_high=high,
            interpretation=_interpretation(res),
            laterality=laterality,
            body_site=sites,
            encounter=encounter,
            problems=tuple(problems),
        )
    ]
    panel = text or (codes[0].code if codes else "observation")
    for n, comp in enumerate(components):
        if not isinstance(comp, dict) or not isinstance(comp.get("code"), dict):
            continue
        c_problems = list(dated)
        what = f"{key} component {n + 1}"
        c_value, c_codes, c_text, c_has = _value(comp, what, c_problems)
        if not c_has and "dataAbsentReason" not in comp:
            c_problems.append(f"{what} has no value")
        c_low, c_high = _ranges(comp)
        label = text_of(comp["code"]) or "component"
        facts.append(
            Fact(
                kind=FactKind.OBSERVATION,
                resource=key,
                codes=codings(comp["code"]),
                text=f"{label} (component of {panel})",
                start=start,
                end=end,
                status=status,
                value=c_value,
                value_codes=c_codes,
                value_text=c_text,
                reference_low=c_low,
                reference_high=c_high,
                interpretation=_interpretation(comp),
                laterality=laterality,
                body_site=sites,
                encounter=encounter,
                problems=tuple(c_problems),
            )
        )
    return facts


def _contained(res: Json, ref: str) -> Json | None:
    contained = res.get("contained")
    for c in contained if isinstance(contained, list) else ():
        if isinstance(c, dict) and c.get("id") == ref[1:]:
            return c
    return None


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
    if ref.startswith("#"):
        med = _contained(res, ref)
    else:
        target = index.resolve(ref)
        med = index.get(target) if target and target.startswith("Medication/") else None
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


def _medication_fact(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
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
            laterality=laterality_of(sites, None) if sites else None,
            body_site=sites,
            route=codings(dosage.get("route")) if dosage else (),
            dose=Dose(dose_q, per_day) if dose_q is not None else None,
            encounter=_encounter(res, index),
            problems=tuple(problems),
        )
    ]


def _procedure(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status in {"not-done", "entered-in-error"}:
        return []
    problems: list[str] = []
    cc = res.get("code")
    codes, text = codings(cc), text_of(cc)
    start, end, _ = when(res, "performed", problems)
    sites = codings_of(res.get("bodySite"))
    return [
        Fact(
            kind=FactKind.PROCEDURE,
            resource=key,
            codes=codes,
            text=text,
            start=start,
            end=end,
            status=status,
            laterality=laterality_of(sites + codes, text),
            body_site=sites,
            encounter=_encounter(res, index),
            problems=tuple(problems),
        )
    ]


def _immunization(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
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
            laterality=laterality_of(sites, None) if sites else None,
            body_site=sites,
            route=codings(res.get("route")),
            encounter=_encounter(res, index),
            problems=tuple(problems),
        )
    ]


def _device_name(device: Json) -> str | None:
    names = device.get("deviceName")
    name = first_of(names)
    if name is not None and isinstance(name.get("name"), str):
        return str(name["name"])
    return text_of(device.get("type"))


def _device(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status == "entered-in-error":
        return []
    return [
        Fact(
            kind=FactKind.DEVICE,
            resource=key,
            codes=codings(res.get("type")),
            text=_device_name(res),
            status=status,
        )
    ]


def _device_use(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status == "entered-in-error":
        return []
    problems: list[str] = []
    ref = reference_of(res.get("device"))
    if ref is not None and ref.startswith("#"):
        device = _contained(res, ref)
    else:
        target = index.resolve(ref) if ref else None
        device = index.get(target) if target and target.startswith("Device/") else None
    if device is None:
        problems.append(f"device {ref!r} is not a Device in this file")
    start, end, given = when(res, "timing", problems)
    if not given:
        start = date_of(res.get("recordedOn"), "recordedOn", problems)
    sites = codings(res.get("bodySite"))
    codes = codings(device.get("type")) if device else ()
    return [
        Fact(
            kind=FactKind.DEVICE,
            resource=key,
            codes=codes,
            text=_device_name(device) if device else None,
            start=start,
            end=end,
            status=status,
            laterality=laterality_of(sites, None) if sites else None,
            body_site=sites,
            problems=tuple(problems),
        )
    ]


def _encounter_fact(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status in {"entered-in-error", "cancelled"}:
        return []
    problems: list[str] = []
    types = res.get("type")
    start, end = period_of(res.get("period"), "period", problems)
    cls = codings(res.get("class"))
    hospitalization = res.get("hospitalization")
    discharge = (
        codings(hospitalization.get("dischargeDisposition"))
        if isinstance(hospitalization, dict)
        else ()
    )
    return [
        Fact(
            kind=FactKind.ENCOUNTER,
            resource=key,
            codes=codings_of(types),
            text=text_of(types),
            start=start,
            end=end,
            status=status,
            value_codes=discharge,  # hospitalization.dischargeDisposition
            encounter_class=cls[0].code if cls else None,
            problems=tuple(problems),
        )
    ]


def _consent(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status == "entered-in-error":
        return []
    problems: list[str] = []
    scope = res.get("scope")
    category = res.get("category")
    start = date_of(res.get("dateTime"), "dateTime", problems)
    provision = res.get("provision")
    end = None
    decision = None
    if isinstance(provision, dict):
        p_start, end = period_of(provision.get("period"), "provision.period", problems)
        start = start or p_start
        decision = provision.get("type") if isinstance(provision.get("type"), str) else None
    return [
        Fact(
            kind=FactKind.CONSENT,
            resource=key,
            codes=codings(scope) + codings_of(category),
            text=text_of(category) or text_of(scope),
            start=start,
            end=end,
            status=status,
            value_text=decision,  # provision.type: permit / deny
            problems=tuple(problems),
        )
    ]


def _research_subject(res: Json, key: str, index: Index) -> list[Fact]:
    status = _status(res)
    if status == "entered-in-error":
        return []
    problems: list[str] = []
    start, end = period_of(res.get("period"), "period", problems)
    study = res.get("study")
    ref = reference_of(study)
    text = study.get("display") if isinstance(study, dict) else None
    codes: tuple[Coding, ...] = ()
    target = index.resolve(ref) if ref else None
    found = index.get(target) if target and target.startswith("ResearchStudy/") else None
    if found is not None:
        title = found.get("title")
        text = title if isinstance(title, str) else text
        ids = found.get("identifier")
        for ident in ids if isinstance(ids, list) else ():
            if isinstance(ident, dict) and isinstance(ident.get("value"), str):
                system = ident.get("system")
                codes += (Coding(system if isinstance(system, str) else "", ident["value"]),)
    return [
        Fact(
            kind=FactKind.STUDY,
            resource=key,
            codes=codes,
            text=text if isinstance(text, str) else ref,
            start=start,
            end=end,
            status=status,
            value_text=target or ref,  # the ResearchStudy
            problems=tuple(problems),
        )
    ]


MAPPERS: dict[str, Mapper] = {
    "AllergyIntolerance": _allergy,
    "Condition": _condition,
    "Consent": _consent,
    "Device": _device,
    "DeviceUseStatement": _device_use,
    "Encounter": _encounter_fact,
    "Immunization": _immunization,
    "MedicationAdministration": _medication_fact,
    "MedicationDispense": _medication_fact,
    "MedicationRequest": _medication_fact,
    "MedicationStatement": _medication_fact,
    "Observation": _observation,
    "Procedure": _procedure,
    "ResearchSubject": _research_subject,
}
