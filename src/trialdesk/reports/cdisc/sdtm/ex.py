"""EX, Exposure (SDTMIG 3.4 §6.1.3): one record per administration, from every form record
whose items the study folder maps to EX (forms/*.yaml ``sdtm: {domain: EX, variable: ...}``).

- EXSTDTC/EXENDTC: the item mapped to EXSTDTC (a single injection starts and ends then).
- EXDOSE/EXDOSU: the item mapped to EXDOSE and its declared unit (``orresu``), e.g. "10^6
  Therapeutic Cells" (CT UNIT C71620, C187973).
- EXLAT: the item mapped to EXLAT (the declared per-participant parameter it must equal,
  when the form leaves it blank), as CT LAT (C99073) LEFT/RIGHT; EXLOC the location that
  item declares (``loc``, CT LOC C74456).
- EXROUTE (CT ROUTE C66729): an item mapped to EXROUTE; else the route the registry's arm
  or intervention text names (protocol assumption: the registry is the only place the
  study folder states it; declare an EXROUTE item to override).
- EXDOSFRQ: ONCE (CT FREQ C64576) when the form is given at one scheduled visit only.
- Items mapped to SUPPEX (``sdtm: {domain: SUPPEX, variable: QNAM}``: the release check,
  the volume, who gave it) become supplemental qualifiers of their EX record (SDTMIG 3.4
  §8.4), in ``extra["supplemental"]`` for supp.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.findings_plan import fit_label
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, Subject
from trialdesk.reports.cdisc.sdtm.supp import Qualifier
from trialdesk.reports.cdisc.sdtm.timing import dtc, epoch_on, full_date, study_day_of
from trialdesk.reports.cdisc.sdtm.trial_design import treatment_name
from trialdesk.reports.cdisc.sdtm.variables import domain_variables
from trialdesk.study.forms import Form, Item
from trialdesk.study.loader import Study

__all__ = ["ex_domain", "form_records", "route_of"]

VARIABLES = domain_variables(
    "EX",
    "STUDYID DOMAIN USUBJID EXSEQ EXSPID EXTRT EXDOSE EXDOSU EXDOSFRM EXDOSFRQ EXROUTE EXLOT "
    "EXLOC EXLAT EPOCH EXSTDTC EXENDTC EXSTDY EXENDY",
)

# CDISC CT ROUTE (C66729) submission values, sdtmct-2025-03-28, and the words a registry
# uses for them.
ROUTES = {
    "INTRA-ARTICULAR": ("C38223", r"intra-?articular"),
    "INTRAVENOUS": ("C38276", r"intravenous"),
    "SUBCUTANEOUS": ("C38299", r"subcutaneous"),
    "INTRAMUSCULAR": ("C28161", r"intramuscular"),
    "ORAL": ("C38288", r"\boral(ly)?\b"),
    "TOPICAL": ("C38304", r"\btopical(ly)?\b"),
}


def form_records(book: dict[str, Any], form_id: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(visit key, row, content) of each record of ``form_id`` in a casebook."""
    for key, content in book["forms"].items():
        visit_key, rest = key.split("/", 1)
        form, row = rest.split("#", 1)
        if form == form_id:
            yield visit_key, row, content


def _targets(form: Form) -> dict[str, Any]:
    """EX variable -> the item of ``form`` mapped to it."""
    return {i.sdtm.variable: i for i in form.items
            if i.sdtm is not None and i.sdtm.domain == "EX" and i.sdtm.variable}  # fmt: skip


def route_of(study: Study) -> str:
    arms = study.record.protocolSection.armsInterventionsModule
    texts: list[str] = []
    for a in (arms.armGroups or ()) if arms else ():
        texts += [a.label or "", a.description or ""]
    for i in (arms.interventions or ()) if arms else ():
        texts += [i.name or "", i.description or ""]
    text = " ".join(texts)
    for route, (_, pattern) in ROUTES.items():
        if re.search(pattern, text, re.IGNORECASE):
            return route
    return ""


def _frequency(study: Study, form_id: str) -> str:
    visits = [v for v in study.schedule.scheduled if form_id in v.forms] if study.schedule else []
    return "ONCE" if len(visits) == 1 and not study.forms[form_id].repeating else ""


def _supplemental(form: Form) -> list[Item]:
    return [i for i in form.items
            if i.sdtm is not None and i.sdtm.domain == "SUPPEX" and i.sdtm.variable]  # fmt: skip


def ex_domain(source: SdtmSource) -> Dataset:
    study = source.study
    schedule = study.schedule
    exposure_forms = {fid: _targets(f) for fid, f in study.forms.items() if _targets(f)}
    registry_route = route_of(study)
    rows: list[dict[str, Value]] = []
    extras: list[list[tuple[Item, str]]] = []  # each row's SUPPEX values
    for subject in source.participants():
        book = subject.casebook
        assert book is not None
        day1 = subject.day1(schedule)
        for form_id, targets in exposure_forms.items():
            for _, row, content in form_records(book, form_id):
                rows.append(_row(source, subject, form_id, targets, row, content,
                                 registry_route, day1))  # fmt: skip
                values = content.get("values", {})
                extras.append([
                    (i, str(values[i.id])) for i in _supplemental(study.forms[form_id])
                    if values.get(i.id) not in (None, "")
                ])  # fmt: skip
    rows = with_sequence(rows, "EXSEQ")
    qualifiers = tuple(
        Qualifier(
            rdomain="EX", usubjid=str(row["USUBJID"]), idvar="EXSEQ", idvarval=str(row["EXSEQ"]),
            qnam=str(item.sdtm.variable), qlabel=fit_label(item.sdtm.test or item.label.en),
            qval=_qval(item, value), qorig="DERIVED" if item.derived is not None else "CRF",
        )
        for row, found in zip(rows, extras, strict=True)
        for item, value in found
        if item.sdtm is not None
    )  # fmt: skip
    return Dataset(
        name="EX", label="Exposure", variables=VARIABLES, rows=tuple(rows),
        keys=("STUDYID", "USUBJID", "EXTRT", "EXSTDTC"),
        structure="One record per constant dosing interval per subject",
        dataset_class="INTERVENTIONS", extra={"domain": "EX", "supplemental": qualifiers},
    )  # fmt: skip


def _qval(item: Item, value: str) -> str:
    """A SUPPEX value as text: a flag as Y/N (CT NY), a number with its declared unit."""
    if value in ("True", "False"):
        return "Y" if value == "True" else "N"
    unit = item.sdtm.orresu if item.sdtm is not None else None
    return f"{value} {unit}" if unit else value


def _row(
    source: SdtmSource, subject: Subject, form_id: str, targets: dict[str, Any],
    row: str, content: dict[str, Any], registry_route: str, day1: date | None,
) -> dict[str, Value]:  # fmt: skip
    study = source.study
    values = content.get("values", {})

    def value(variable: str) -> Any:
        item = targets.get(variable)
        return values.get(item.id) if item is not None else None

    start = dtc(value("EXSTDTC"), study.schedule)
    lat_item = targets.get("EXLAT")
    lat = value("EXLAT")
    if not lat and lat_item is not None and lat_item.parameter:
        lat = (subject.casebook or {}).get("parameters", {}).get(lat_item.parameter)
    dose, unit_item = value("EXDOSE"), targets.get("EXDOSE")
    route = value("EXROUTE") or registry_route
    out: dict[str, Value] = {
        "STUDYID": source.studyid, "DOMAIN": "EX", "USUBJID": subject.usubjid,
        "EXSPID": f"{form_id}#{row}", "EXTRT": treatment_name(study),
        "EXDOSE": float(dose) if dose not in (None, "") else None,
        "EXDOSU": unit_item.sdtm.orresu if unit_item is not None and unit_item.sdtm else "",
        "EXDOSFRQ": _frequency(study, form_id), "EXROUTE": str(route).upper(),
        "EXLOT": str(value("EXLOT") or ""),
        "EXLOC": (lat_item.sdtm.loc or "") if lat_item is not None and lat_item.sdtm else "",
        "EXLAT": str(lat or "").upper(), "EPOCH": epoch_on(study.schedule, day1, full_date(start))
        if study.schedule else "",
        "EXSTDTC": start, "EXENDTC": start, "EXSTDY": study_day_of(day1, start),
        "EXENDY": study_day_of(day1, start),
    }  # fmt: skip
    return out
