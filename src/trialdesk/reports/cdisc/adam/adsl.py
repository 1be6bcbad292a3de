"""ADSL, the subject-level analysis dataset, from SDTM DM, EX and DS (ADaMIG v1.3 §3.2).

One record per subject of DM, screen failures included (ITTFL "N"), so the report can
count everyone DM counts. Populations, a PROTOCOL ASSUMPTION for the site to confirm (the
registry defines none; trialdesk research notes, conduct-anchors.md §5.3):
- ITTFL: assigned to an arm (DM.ARMCD not blank, not SCRNFAIL/NOTASSGN, and ARMNRS not
  SCREEN FAILURE/NOT ASSIGNED: a participant enrolled but not yet injected, ARMNRS
  "ASSIGNED, NOT TREATED", is assigned); the CDISC pilot's rule ("Y if ARMCD ne ' '",
  adam define.xml ADSL.ITTFL). An assigned participant with no end of study is ONGOING.
- SAFFL: ITTFL = "Y" and treated (TRTSDT known): the pilot's rule (ADSL.SAFFL), all
  injected participants for a single-injection study.
- FASFL: SAFFL = "Y" with a baseline and at least one post-baseline value of an efficacy
  parameter (set from the efficacy dataset by :func:`derive_fasfl`; the pilot's EFFFL is
  the same idea: "at least one record ... with VISITNUM>3").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trialdesk.reports.cdisc.adam.dates import to_sas_date, to_sas_datetime
from trialdesk.reports.cdisc.adam.variables import date_formats, variables
from trialdesk.reports.cdisc.dataset import Dataset, Value

__all__ = [
    "ADSL_VARIABLES",
    "adsl",
    "derive_fasfl",
    "end_of_study",
    "population_flags",
    "treatment_dates",
]

Row = dict[str, Value]

ADSL_VARIABLES = (
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC",
    "COUNTRY", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "TRT01P", "TRT01A", "RFSTDTC",
    "RFENDTC", "RFICDTC", "TRTSDT", "TRTSDTM", "TRTEDT", "TRTEDTM", "TRTDURD", "ITTFL",
    "SAFFL", "FASFL", "EOSSTT", "EOSDT", "DCSREAS", "DTHFL",
)  # fmt: skip

_DM_COPIED = (
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC",
    "COUNTRY", "ARM", "ARMCD", "ACTARM", "ACTARMCD", "RFSTDTC", "RFENDTC", "RFICDTC", "DTHFL",
)  # fmt: skip

# SDTMIG 3.4 DM: the ARMCD values of a subject never assigned to an arm (CDISC CT ARMNRS
# C142179 replaces them in 3.4, older data carry the codes; NOTTRT was an assigned subject
# not treated, so it is not among them)
_NOT_ASSIGNED = {"", "SCRNFAIL", "NOTASSGN"}
# ARMNRS (CT C142179 ARMNULRS) values of a subject never assigned; "ASSIGNED, NOT TREATED"
# and "UNPLANNED TREATMENT" are of assigned subjects
_NOT_ASSIGNED_REASONS = {"SCREEN FAILURE", "NOT ASSIGNED"}


def _valid_dose(row: Mapping[str, Value]) -> bool:
    """A record of treatment given: a dose above zero, or zero of a placebo (admiral's
    ADSL template: EXDOSE > 0 | (EXDOSE == 0 & str_detect(EXTRT, "PLACEBO"))). A record
    without EXDOSE (a dose recorded as text) counts when it has a start date."""
    dose = row.get("EXDOSE")
    if isinstance(dose, (int, float)):
        return dose > 0 or (dose == 0 and "PLACEBO" in str(row.get("EXTRT", "")).upper())
    return bool(row.get("EXSTDTC"))


def treatment_dates(ex: Sequence[Mapping[str, Value]]) -> dict[Value, Row]:
    """TRTSDT(M), TRTEDT(M) per subject from EX: the first EXSTDTC and the last EXENDTC
    (EXSTDTC where no end is recorded) of the valid doses (admiral derive_vars_merged with
    the ADSL template's filter; the pilot: "EX.EXENDTC on the subject's last EX record").
    A partial date gives no date (ADaMIG: treatment dates are not imputed here).

    >>> ex = [{"USUBJID": "S-001", "EXDOSE": 2.0, "EXSTDTC": "2026-03-02T10:15", "EXENDTC": ""}]
    >>> d = treatment_dates(ex)["S-001"]
    >>> d["TRTSDT"] == d["TRTEDT"] == 24167, d["TRTDURD"]
    (True, 1)
    """
    first: dict[Value, tuple[int, str]] = {}
    last: dict[Value, tuple[int, str]] = {}
    for row in ex:
        if not _valid_dose(row):
            continue
        subject = row.get("USUBJID")
        start_text = str(row.get("EXSTDTC") or "")
        end_text = str(row.get("EXENDTC") or "") or start_text
        start, end = to_sas_date(start_text), to_sas_date(end_text)
        if start is not None and (subject not in first or start < first[subject][0]):
            first[subject] = (start, start_text)
        if end is not None and (subject not in last or end > last[subject][0]):
            last[subject] = (end, end_text)
    out: dict[Value, Row] = {}
    for subject in first.keys() | last.keys():
        begin, finish = first.get(subject), last.get(subject)
        out[subject] = {
            "TRTSDT": begin[0] if begin else None,
            "TRTSDTM": to_sas_datetime(begin[1]) if begin else None,
            "TRTEDT": finish[0] if finish else None,
            "TRTEDTM": to_sas_datetime(finish[1]) if finish else None,
            "TRTDURD": finish[0] - begin[0] + 1 if begin and finish else None,
        }
    return out


def end_of_study(ds: Sequence[Mapping[str, Value]]) -> dict[Value, Row]:
    """EOSSTT, EOSDT, DCSREAS per subject from the last DS disposition event (DSCAT
    "DISPOSITION EVENT", SDTMIG 3.4 §6.2 DS): COMPLETED, or DISCONTINUED with DCSREAS its
    DSDECOD (CDISC CT C66727 NCOMPLT); a subject without one is ONGOING (admiral's
    format_eosstt; ADaMIG v1.3 EOSSTT "COMPLETED", "DISCONTINUED", "ONGOING").

    >>> ds = [{"USUBJID": "S-1", "DSCAT": "DISPOSITION EVENT",
    ...        "DSDECOD": "WITHDRAWAL BY SUBJECT", "DSSTDTC": "2026-05-01"}]
    >>> e = end_of_study(ds)["S-1"]
    >>> e["EOSSTT"], e["DCSREAS"], e["EOSDT"]
    ('DISCONTINUED', 'WITHDRAWAL BY SUBJECT', 24227)
    """
    last: dict[Value, Mapping[str, Value]] = {}
    for row in ds:
        if str(row.get("DSCAT", "")).upper() != "DISPOSITION EVENT":
            continue
        subject = row.get("USUBJID")
        if subject not in last or str(row.get("DSSTDTC") or "") >= str(
            last[subject].get("DSSTDTC") or ""
        ):
            last[subject] = row
    out: dict[Value, Row] = {}
    for subject, row in last.items():
        decod = str(row.get("DSDECOD") or "").upper()
        completed = decod == "COMPLETED"
        out[subject] = {
            "EOSSTT": "COMPLETED" if completed else "DISCONTINUED",
            "EOSDT": to_sas_date(str(row.get("DSSTDTC") or "")),
            "DCSREAS": "" if completed else decod,
        }
    return out


def population_flags(dm_row: Mapping[str, Value], trtsdt: Value) -> Row:
    """ITTFL and SAFFL of one subject (the module's protocol assumption).

    >>> population_flags({"ARMCD": "HISC"}, 24167), population_flags({"ARMCD": "SCRNFAIL"}, None)
    ({'ITTFL': 'Y', 'SAFFL': 'Y'}, {'ITTFL': 'N', 'SAFFL': 'N'})
    >>> population_flags({"ARMCD": "HISC", "ARMNRS": "ASSIGNED, NOT TREATED"}, None)
    {'ITTFL': 'Y', 'SAFFL': 'N'}
    """
    armcd = str(dm_row.get("ARMCD") or "").strip().upper()
    reason = str(dm_row.get("ARMNRS") or "").strip().upper()
    assigned = armcd not in _NOT_ASSIGNED and reason not in _NOT_ASSIGNED_REASONS
    treated = assigned and trtsdt is not None
    return {"ITTFL": "Y" if assigned else "N", "SAFFL": "Y" if treated else "N"}


def adsl(sdtm: Mapping[str, Dataset]) -> Dataset:
    """ADSL from DM (required), EX and DS (optional: without them nobody is treated or
    ended). FASFL is "N" until :func:`derive_fasfl` sets it from the efficacy dataset."""
    dm = sdtm["DM"].records()
    doses = treatment_dates(sdtm["EX"].records() if "EX" in sdtm else [])
    ends = end_of_study(sdtm["DS"].records() if "DS" in sdtm else [])
    rows: list[Row] = []
    for subject in dm:
        key = subject["USUBJID"]
        dates = doses.get(key, {})
        row: Row = {name: subject.get(name) for name in _DM_COPIED if name in subject}
        row["TRT01P"] = subject.get("ARM") or ""
        row["TRT01A"] = subject.get("ACTARM") or ""
        row.update(dates)
        row.update(population_flags(subject, dates.get("TRTSDT")))
        row["FASFL"] = "N"
        row.update(ends.get(key, {"EOSSTT": "ONGOING" if row["ITTFL"] == "Y" else ""}))
        rows.append(row)
    return Dataset(
        name="ADSL",
        label="Subject-Level Analysis Dataset",
        variables=variables(ADSL_VARIABLES),
        rows=tuple(rows),
        keys=("STUDYID", "USUBJID"),
        structure="One record per subject",
        dataset_class="SUBJECT LEVEL ANALYSIS DATASET",
        extra={"display_formats": date_formats(ADSL_VARIABLES)},
    )


def derive_fasfl(adsl_dataset: Dataset, efficacy: Sequence[Mapping[str, Value]]) -> Dataset:
    """ADSL with FASFL = "Y" for safety-population subjects with a baseline record and a
    post-baseline change (CHG) in the efficacy rows (the module's protocol assumption).

    >>> from trialdesk.reports.cdisc.dataset import Variable
    >>> names = (Variable("USUBJID", ""), Variable("SAFFL", ""), Variable("FASFL", ""))
    >>> base = Dataset("ADSL", "", names, ({"USUBJID": "1", "SAFFL": "Y"},
    ...                                    {"USUBJID": "2", "SAFFL": "Y"}))
    >>> eff = [{"USUBJID": "1", "PARAMCD": "P", "ABLFL": "Y"},
    ...        {"USUBJID": "1", "PARAMCD": "P", "CHG": -1.0},
    ...        {"USUBJID": "2", "PARAMCD": "P", "ABLFL": "Y"}]
    >>> [r["FASFL"] for r in derive_fasfl(base, eff).rows]
    ['Y', 'N']
    """
    baseline = {(r.get("USUBJID"), r.get("PARAMCD")) for r in efficacy if r.get("ABLFL") == "Y"}
    changed = {
        r.get("USUBJID")
        for r in efficacy
        if isinstance(r.get("CHG"), (int, float))
        and (r.get("USUBJID"), r.get("PARAMCD")) in baseline
    }
    rows = [
        {**r, "FASFL": "Y" if r.get("SAFFL") == "Y" and r.get("USUBJID") in changed else "N"}
        for r in adsl_dataset.rows
    ]
    return adsl_dataset.with_rows(rows)
