"""Subjects: DM against itself (SUBJID, age, death) and against the other datasets (a
disposition and an exposure record per treated subject, arms from TA)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from trialdesk.reports.cdisc.check.model import Hit, Severity, rule
from trialdesk.reports.cdisc.check.submission import Submission, number, text
from trialdesk.reports.cdisc.dataset import Value

# SDTMIG 3.2 §5.1 DM: the ARMCD values of subjects never assigned to an arm (compared
# ignoring case: the pilot writes "Scrnfail"); SDTMIG 3.4 leaves ARMCD null and says why in
# ARMNRS. ACTARMCD adds the subjects assigned but not treated, or treated off-plan.
_UNASSIGNED = {"SCRNFAIL", "NOTASSGN"}
_ACTUAL_EXEMPT = _UNASSIGNED | {"NOTTRT", "UNPLAN"}


def _assigned(row: Mapping[str, Value]) -> bool:
    armcd = text(row, "ARMCD")
    return bool(armcd) and armcd.upper() not in _UNASSIGNED and not text(row, "ARMNRS")


@rule(
    "SD1001",
    "FDAC048",
    Severity.ERROR,
    "Duplicate SUBJID",
    source="FDA Validator Rules FDAC048; SDTMIG 3.2 §5.1 DM (SUBJID unique within the study; "
    "with sites, within SITEID as USUBJID is built from both)",
)
def duplicate_subjid(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None or "SUBJID" not in dm.names:
        return
    seen: set[tuple[str, str]] = set()
    for i, row in sub.rows(dm):
        key = (text(row, "SITEID"), text(row, "SUBJID"))
        if key[1] and key in seen:
            yield Hit(dm.name, i, "SUBJID", key[1])
        seen.add(key)


@rule(
    "SD0084",
    "FDAC083",
    Severity.ERROR,
    "Negative value for AGE",
    source="FDA Validator Rules FDAC083; SDTMIG 3.2 §5.1 DM (AGE)",
)
def negative_age(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None or "AGE" not in dm.names:
        return
    for i, row in sub.rows(dm):
        age = number(row.get("AGE"))
        if age is not None and age < 0:
            yield Hit(dm.name, i, "AGE", row.get("AGE"))


@rule(
    "SD2004",
    "FDAC201",
    Severity.ERROR,
    "Missing value for DTHFL, when DTHDTC is populated",
    source="FDA Validator Rules FDAC201; SDTMIG 3.2 §5.1 DM (DTHFL, DTHDTC)",
)
def death_date_without_flag(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None or "DTHDTC" not in dm.names:
        return
    for i, row in sub.rows(dm):
        if text(row, "DTHDTC") and text(row, "DTHFL") != "Y":
            yield Hit(dm.name, i, "DTHFL", text(row, "DTHFL"))


@rule(
    "SD2005",
    "FDAC202",
    Severity.WARNING,
    "Missing value for DTHDTC, when DTHFL is populated",
    source="FDA Validator Rules FDAC202; SDTMIG 3.2 §5.1 DM (DTHFL, DTHDTC)",
)
def death_flag_without_date(sub: Submission) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    if dm is None or "DTHFL" not in dm.names:
        return
    for i, row in sub.rows(dm):
        if text(row, "DTHFL") == "Y" and not text(row, "DTHDTC"):
            yield Hit(dm.name, i, "DTHDTC", "")


def _without_record(sub: Submission, domain: str) -> Iterator[Hit]:
    dm = sub.dataset("DM")
    datasets = sub.by_domain().get(domain)
    if dm is None or not datasets:
        return
    present = {text(r, "USUBJID") for ds in datasets for r in ds.rows}
    for i, row in sub.rows(dm):
        if _assigned(row) and text(row, "USUBJID") not in present:
            yield Hit(dm.name, i, "USUBJID", text(row, "USUBJID"))


@rule(
    "SD0069",
    "FDAC052",
    Severity.WARNING,
    "No Disposition record found for subject",
    source="FDA Validator Rules FDAC052 (screen failures and subjects not assigned exempt); "
    "SDTMIG 3.2 §6.2 DS",
)
def no_disposition(sub: Submission) -> Iterator[Hit]:
    return _without_record(sub, "DS")


@rule(
    "SD0070",
    "FDAC053",
    Severity.WARNING,
    "No Exposure record found for subject",
    source="FDA Validator Rules FDAC053 (screen failures and subjects not assigned exempt); "
    "SDTMIG 3.2 §6.1 EX",
)
def no_exposure(sub: Submission) -> Iterator[Hit]:
    return _without_record(sub, "EX")


def _arm_not_in_ta(sub: Submission, variable: str, exempt: set[str]) -> Iterator[Hit]:
    dm, ta = sub.dataset("DM"), sub.dataset("TA")
    if dm is None or ta is None or variable not in dm.names:
        return
    arms = {text(r, "ARMCD") for r in ta.rows}
    for i, row in sub.rows(dm):
        value = text(row, variable)
        if value and value.upper() not in exempt and value not in arms:
            yield Hit(dm.name, i, variable, value)


@rule(
    "SD0066",
    "FDAC061",
    Severity.ERROR,
    "Invalid ARMCD",
    source="FDA Validator Rules FDAC061; SDTMIG 3.2 §7.2.1 TA (DM's ARMCD are TA's arms)",
)
def armcd_not_in_ta(sub: Submission) -> Iterator[Hit]:
    return _arm_not_in_ta(sub, "ARMCD", _UNASSIGNED)


@rule(
    "SD2002",
    "FDAC199",
    Severity.ERROR,
    "Invalid value for ACTARMCD",
    source="FDA Validator Rules FDAC199 (SCRNFAIL, NOTASSGN, NOTTRT, UNPLAN exempt); "
    "SDTMIG 3.2 §7.2.1 TA",
)
def actarmcd_not_in_ta(sub: Submission) -> Iterator[Hit]:
    return _arm_not_in_ta(sub, "ACTARMCD", _ACTUAL_EXEMPT)
