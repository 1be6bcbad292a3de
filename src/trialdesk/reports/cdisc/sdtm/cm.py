"""CM, Concomitant/Prior Medications (SDTMIG 3.4 Section 6.1, Interventions), from the
study's log form of medications: one record per row (a medication course at one dose:
SDTMIG 3.4 Section 3.2.1, "One record per recorded intervention occurrence or constant-
dosing interval per subject"), each item placed by its SDTM target's ``variable``; items
targeting SUPPCM become supplemental qualifiers (supp.py, Section 8.4).

Values: dates as ISO 8601 (Section 4.4.1); study days from day 1 (Section 4.4.4); choice
codes are the CDISC submission values the form declares (ROUTE C66729, FREQ C71113, UNIT
C71620), sponsor-defined ones upper-cased; a "yes" for CMENRF (ongoing at the end of the
study) is "AFTER": the course ends after the study reference period (Section 4.4.7, Use
of Relative Timing Variables; CDISC STENRF C66728).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.dataset import Dataset, Value, Variable, with_sequence
from trialdesk.reports.cdisc.sdtm.findings_context import form_key, iso_dtc, subject_of
from trialdesk.reports.cdisc.sdtm.findings_plan import fit_label
from trialdesk.reports.cdisc.sdtm.findings_values import coded, item_value, number_of
from trialdesk.reports.cdisc.sdtm.supp import Qualifier
from trialdesk.study.forms import Form, Item, ItemType
from trialdesk.study.loader import Study

__all__ = ["CM_VARIABLES", "cm_domain"]


def _v(
    name: str,
    label: str,
    data_type: str = "text",
    role: str = "Record Qualifier",
    core: str = "Perm",
    codelist: str | None = None,
    origin: str = "Collected",
) -> Variable:
    return Variable(name, label, data_type, role, codelist, origin, core)  # fmt: skip


# SDTMIG 3.4 Section 6.1, the CM table, in its order (the variables trialdesk can fill)
CM_VARIABLES: tuple[Variable, ...] = (
    _v("STUDYID", "Study Identifier", role="Identifier", core="Req", origin="Assigned"),
    _v(
        "DOMAIN",
        "Domain Abbreviation",
        role="Identifier",
        core="Req",
        codelist="C66734",
        origin="Assigned",
    ),
    _v("USUBJID", "Unique Subject Identifier", role="Identifier", core="Req", origin="Assigned"),
    _v("CMSEQ", "Sequence Number", "integer", role="Identifier", core="Req", origin="Derived"),
    _v("CMSPID", "Sponsor-Defined Identifier", role="Identifier", origin="Assigned"),
    _v("CMTRT", "Reported Name of Drug, Med, or Therapy", role="Topic", core="Req"),
    _v("CMDECOD", "Standardized Medication Name", role="Synonym Qualifier"),
    _v("CMCAT", "Category for Medication", role="Grouping Qualifier"),
    _v("CMSCAT", "Subcategory for Medication", role="Grouping Qualifier"),
    _v("CMINDC", "Indication"),
    _v("CMCLAS", "Medication Class", role="Variable Qualifier"),
    _v("CMDOSE", "Dose per Administration", "float"),
    _v("CMDOSTXT", "Dose Description"),
    _v("CMDOSU", "Dose Units", role="Variable Qualifier", codelist="C71620"),
    _v("CMDOSFRM", "Dose Form", role="Variable Qualifier", codelist="C66726"),
    _v("CMDOSFRQ", "Dosing Frequency per Interval", codelist="C71113"),
    _v("CMDOSTOT", "Total Daily Dose", "float"),
    _v("CMROUTE", "Route of Administration", role="Variable Qualifier", codelist="C66729"),
    _v("CMADJ", "Reason for Dose Adjustment"),
    _v("CMRSDISC", "Reason the Intervention Was Discontinued"),
    _v("CMSTDTC", "Start Date/Time of Medication", "partialDatetime", role="Timing"),
    _v("CMENDTC", "End Date/Time of Medication", "partialDatetime", role="Timing"),
    _v("CMSTDY", "Study Day of Start of Medication", "integer", role="Timing", origin="Derived"),
    _v("CMENDY", "Study Day of End of Medication", "integer", role="Timing", origin="Derived"),
    _v("CMSTRF", "Start Relative to Reference Period", role="Timing", codelist="C66728"),
    _v("CMENRF", "End Relative to Reference Period", role="Timing", codelist="C66728"),
)
_NUMERIC = {v.name for v in CM_VARIABLES if v.kind == "Num"}


def _cm_value(variable: str, item: Item, raw: Any, study: Study) -> Value:
    if variable in _NUMERIC:
        number = number_of(raw)
        return float(number) if number is not None else None
    if variable == "CMENRF" and isinstance(raw, bool):
        return "AFTER" if raw else None  # ongoing at the end of the study (module docs)
    if item.type in (ItemType.DATE, ItemType.DATETIME):
        return iso_dtc(raw, study.schedule)
    if isinstance(raw, bool):
        return coded(raw)
    if item.type is ItemType.CHOICE:
        sponsor = item.sdtm is not None and item.sdtm.sponsor_defined
        return coded(raw) if sponsor else str(raw)  # CT submission values as declared
    return str(raw)


def _log_forms(study: Study) -> list[Form]:
    return [
        f for f in study.forms.values()
        if any(i.sdtm is not None and i.sdtm.domain in ("CM", "SUPPCM") for i in f.items)
    ]  # fmt: skip


def cm_domain(study: Study, casebooks: Sequence[Mapping[str, Any]]) -> Dataset:
    """CM from every form whose items target CM (the concomitant-medications log), with
    the SUPPCM qualifiers in ``extra["supplemental"]``."""
    forms = {f.id: f for f in _log_forms(study)}
    known = {v.name for v in CM_VARIABLES}
    unknown: list[TrialdeskError] = [
        InputError(f"forms/{f.id}.yaml item {i.id}: CM has no variable {i.sdtm.variable} "
                   "(SDTMIG 3.4 CM; a non-standard one goes to SUPPCM)", field="sdtm")
        for f in forms.values() for i in f.items
        if i.sdtm is not None and i.sdtm.domain == "CM" and i.sdtm.variable not in known
    ]  # fmt: skip
    if unknown:
        raise FieldErrors(unknown, resource=f"{study.id} forms")
    found: list[tuple[tuple[Any, ...], dict[str, Value], list[tuple[Item, str]]]] = []
    for book in casebooks:
        subject = subject_of(study, book)
        for text, content in book.get("forms", {}).items():
            key = form_key(text)
            form = forms.get(key.form_id)
            if form is None:
                continue
            row: dict[str, Value] = {
                "STUDYID": subject.studyid,
                "DOMAIN": "CM",
                "USUBJID": subject.usubjid,
                "CMSPID": str(key.row),
            }
            supplemental: list[tuple[Item, str]] = []
            for item in form.items:
                t, raw = item.sdtm, item_value(content, item)
                if t is None or t.variable is None or raw is None or raw == "":
                    continue
                if t.domain == "CM":
                    row[t.variable] = _cm_value(t.variable, item, raw, study)
                elif t.domain == "SUPPCM":
                    supplemental.append((item, str(_cm_value("", item, raw, study))))
            if not row.get("CMTRT"):
                continue  # a row without its topic (SDTMIG: CMTRT is required)
            for dtc, dy in (("CMSTDTC", "CMSTDY"), ("CMENDTC", "CMENDY")):
                row[dy] = subject.study_day(str(row.get(dtc) or ""))
            order = (subject.usubjid, str(row.get("CMSTDTC") or ""), key.form_id, key.row)
            found.append((order, row, supplemental))
    found.sort(key=lambda f: f[0])
    rows = with_sequence([row for _, row, _ in found], "CMSEQ")
    qualifiers = tuple(
        Qualifier(
            rdomain="CM", usubjid=str(row["USUBJID"]), idvar="CMSEQ",
            idvarval=str(row["CMSEQ"]), qnam=str(item.sdtm.variable),
            qlabel=fit_label(item.sdtm.test or item.label.en), qval=value,
            qorig="DERIVED" if item.derived is not None else "CRF",
        )
        for row, (_, _, supplemental) in zip(rows, found, strict=True)
        for item, value in supplemental
        if item.sdtm is not None
    )  # fmt: skip
    present = {k for row in rows for k, v in row.items() if v is not None and v != ""}
    variables = tuple(v for v in CM_VARIABLES if v.core in ("Req", "Exp") or v.name in present)
    names = {v.name for v in variables}
    return Dataset(
        name="CM",
        label="Concomitant/Prior Medications",
        variables=variables,
        rows=tuple({k: v for k, v in row.items() if k in names} for row in rows),
        keys=tuple(k for k in ("STUDYID", "USUBJID", "CMTRT", "CMSTDTC") if k in names),
        structure="One record per recorded intervention occurrence or constant-dosing "
        "interval per subject",
        dataset_class="INTERVENTIONS",
        extra={"domain": "CM", "supplemental": qualifiers,
               "sponsor_defined": sorted(
                   str(i.sdtm.variable) for f in forms.values() for i in f.items
                   if i.sdtm is not None and i.sdtm.sponsor_defined)},
    )  # fmt: skip
