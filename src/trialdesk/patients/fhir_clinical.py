"""FHIR R4 clinical resources -> Facts: Condition, AllergyIntolerance, Observation,
DiagnosticReport, Procedure, Device, DeviceUseStatement and Encounter."""

from __future__ import annotations

from datetime import date

from trialdesk.facts.codesystems import SYSTEMS, spellings
from trialdesk.facts.laterality import laterality_of
from trialdesk.facts.record import Coding, Fact, FactKind, Quantity
from trialdesk.patients.fhir_read import Index
from trialdesk.patients.fhir_shared import (
    Json,
    encounter_of,
    referenced,
    site_laterality,
    status_of,
)
from trialdesk.patients.fhir_types import (
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

__all__ = [
    "allergy_facts",
    "condition_facts",
    "device_facts",
    "device_use_facts",
    "diagnostic_report_facts",
    "encounter_facts",
    "observation_facts",
    "procedure_facts",
]


def body_sites_of(res: Json) -> tuple[Coding, ...]:
    """``bodySite`` as codings; a site sent as text only ("右膝", "left knee") becomes a
    coding with that display and no code, so its words are read for the side and the site
    (facts/laterality.py) rather than dropped."""
    raw = res.get("bodySite")
    out = list(codings_of(raw))
    for cc in raw if isinstance(raw, list) else [raw]:
        text = cc.get("text") if isinstance(cc, dict) else None
        if isinstance(text, str) and text.strip() and not codings(cc):
            out.append(Coding("", "", text.strip()))
    return tuple(out)


def _coded_event(
    res: Json,
    key: str,
    index: Index,
    kind: FactKind,
    status: str | None,
    dates: tuple[date | None, date | None],
    problems: list[str],
) -> Fact:
    """The fact of a resource named by ``code`` at ``bodySite`` (a condition, a procedure)."""
    cc = res.get("code")
    codes = codings(cc)
    text = text_of(cc)
    sites = body_sites_of(res)
    start, end = dates
    return Fact(
        kind=kind,
        resource=key,
        codes=codes,
        text=text,
        start=start,
        end=end,
        status=status,
        laterality=laterality_of(sites + codes, text),
        body_site=sites,
        encounter=encounter_of(res, index),
        problems=tuple(problems),
    )


def _condition_like(res: Json, key: str, index: Index, kind: FactKind) -> list[Fact]:
    if code_of(res.get("verificationStatus")) in {"refuted", "entered-in-error"}:
        return []
    problems: list[str] = []
    start, _, given = when(res, "onset", problems)
    if not given:
        start = date_of(res.get("recordedDate"), "recordedDate", problems)
    a_start, a_end, _ = when(res, "abatement", problems)
    status = code_of(res.get("clinicalStatus"))
    return [_coded_event(res, key, index, kind, status, (start, a_end or a_start), problems)]


def condition_facts(res: Json, key: str, index: Index) -> list[Fact]:
    return _condition_like(res, key, index, FactKind.CONDITION)


def allergy_facts(res: Json, key: str, index: Index) -> list[Fact]:
    return _condition_like(res, key, index, FactKind.ALLERGY)


def procedure_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
    if status in {"not-done", "entered-in-error"}:
        return []
    problems: list[str] = []
    start, end, _ = when(res, "performed", problems)
    return [_coded_event(res, key, index, FactKind.PROCEDURE, status, (start, end), problems)]


# --- Observation ------------------------------------------------------------------------


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


def observation_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
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
    encounter = encounter_of(res, index)
    components = res.get("component")
    components = components if isinstance(components, list) else []
    value, value_codes, value_text, has_value = _value(res, key, problems)
    panel_only = bool(components) or bool(res.get("hasMember"))
    if not has_value and "dataAbsentReason" not in res and not panel_only:
        problems.append(f"{key} has no value")
    low, high = _ranges(res)
    sites = body_sites_of(res)
    laterality = site_laterality(sites)
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


def diagnostic_report_facts(res: Json, key: str, index: Index) -> list[Fact]:
    """A report's coded conclusion (an ECG read "abnormal", an ultrasound "synovitis") as
    a result of the report's own code. Its result Observations are read on their own; a
    report with no conclusion adds nothing to them."""
    status = status_of(res)
    if status in {"entered-in-error", "cancelled"}:
        return []
    conclusion_codes = codings_of(res.get("conclusionCode"))
    conclusion = res.get("conclusion")
    conclusion = conclusion if isinstance(conclusion, str) and conclusion else None
    if not conclusion_codes and conclusion is None:
        return []
    problems: list[str] = []
    start, end, given = when(res, "effective", problems)
    if not given:
        start = date_of(res.get("issued"), "issued", problems)
    cc = res.get("code")
    report = Fact(
        kind=FactKind.OBSERVATION,
        resource=key,
        codes=codings(cc),
        text=text_of(cc),
        start=start,
        end=end,
        status=status,
        value_codes=conclusion_codes,
        value_text=conclusion,
        encounter=encounter_of(res, index),
        problems=tuple(problems),
    )
    return [report, *_conclusion_findings(report)]


# A coded conclusion is a finding the report asserts: "Synovitis/tenosynovitis - knee"
# (SNOMED CT 287021004) on a knee ultrasound is read as that finding, present (SNOMED CT
# 52101004 |Present|, as a coordinator's "present" is entered), so a value set of findings
# matches it by code. Only codes of the systems findings are coded in are read so: a local
# code's words may name the test ("心电图正常", normal ECG) rather than a finding.
_FINDING_SYSTEMS = spellings("snomed") | spellings("icd10cm") | spellings("icd10")
_PRESENT = Coding(SYSTEMS["snomed"], "52101004", "Present")


def _conclusion_findings(report: Fact) -> list[Fact]:
    """One finding per coded conclusion, dated as the report, on the side its code or the
    report's code and text name (R4 DiagnosticReport has no bodySite)."""
    out = []
    for coding in report.value_codes:
        if coding.system not in _FINDING_SYSTEMS or not coding.code:
            continue
        out.append(
            Fact(
                kind=FactKind.OBSERVATION,
                resource=report.resource,
                codes=(coding,),
                text=coding.display,
                start=report.start,
                end=report.end,
                status=report.status,
                value_codes=(_PRESENT,),
                laterality=laterality_of((coding, *report.codes), report.text),
                encounter=report.encounter,
                problems=report.problems,
            )
        )
    return out


# --- Device, DeviceUseStatement ---------------------------------------------------------


def _device_name(device: Json) -> str | None:
    names = device.get("deviceName")
    name = first_of(names)
    if name is not None and isinstance(name.get("name"), str):
        return str(name["name"])
    return text_of(device.get("type"))


def device_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
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


def device_use_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
    if status == "entered-in-error":
        return []
    problems: list[str] = []
    ref = reference_of(res.get("device"))
    device = referenced(res, ref, index, "Device")
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
            laterality=site_laterality(sites),
            body_site=sites,
            problems=tuple(problems),
        )
    ]


# --- Encounter --------------------------------------------------------------------------


def encounter_facts(res: Json, key: str, index: Index) -> list[Fact]:
    status = status_of(res)
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
