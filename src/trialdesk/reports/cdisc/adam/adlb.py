"""ADLB, the laboratory analysis dataset (BDS, ADaMIG v1.3 §3.3), from SDTM LB and ADSL.

A parameter per LBTESTCD (PARAMCD the test code, PARAM the test with its standard unit);
AVAL the standard result (LBSTRESN); analysis visits from the schedule's windows
(bds.windows_from_schedule); ABLFL the last value on or before the first dose; BASE, CHG,
PCHG. Toxicity: ATOXGR is the CTCAE v5.0 grade SDTM carries (LBTOXGR, graded by
trialdesk.clinical.ctcae when the value was stored), BTOXGR the baseline's, and the shift
from BTOXGR to the worst post-baseline ATOXGR (SHIFT1, on the record flagged ANL02FL):
the "lab shifts by CTCAE grade" table reads those records. ANRLO/ANRHI/ANRIND copy the
standard reference range and its indicator (LBSTNRLO, LBSTNRHI, LBNRIND), BNRIND the
baseline's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from trialdesk.reports.cdisc.adam.bds import AnalysisWindow, derive_base, derive_shift
from trialdesk.reports.cdisc.adam.findings import bds_rows, parameters_of
from trialdesk.reports.cdisc.adam.variables import date_formats, variables
from trialdesk.reports.cdisc.dataset import Dataset, Value

__all__ = ["ADLB_VARIABLES", "adlb"]

ADLB_VARIABLES = (
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "TRTP", "TRTA", "TRTSDT", "SAFFL", "PARAMCD",
    "PARAM", "PARAMN", "AVAL", "AVALC", "AVALU", "ADT", "ADY", "VISIT", "VISITNUM", "AVISIT",
    "AVISITN", "AWRANGE", "AWTARGET", "AWTDIFF", "AWLO", "AWHI", "AWU", "ABLFL", "BASE",
    "CHG", "PCHG", "ANRLO", "ANRHI", "ANRIND", "BNRIND", "ATOXGR", "BTOXGR", "SHIFT1",
    "ANL01FL", "ANL02FL", "SRCDOM", "SRCVAR", "SRCSEQ",
)  # fmt: skip

_KEPT = frozenset(ADLB_VARIABLES)

# SDTM LB variable -> ADLB variable, copied as is (SDTMIG 3.4 §6.3 LB; ADaMIG v1.3 §3.3.6)
_COPIED = {"LBSTNRLO": "ANRLO", "LBSTNRHI": "ANRHI", "LBNRIND": "ANRIND", "LBTOXGR": "ATOXGR"}


def adlb(
    lb: Dataset,
    adsl: Dataset,
    windows: Sequence[AnalysisWindow],
) -> Dataset:
    """ADLB from LB and ADSL (see the module)."""
    records = lb.records()
    subjects: Mapping[Value, Mapping[str, Value]] = {r["USUBJID"]: r for r in adsl.records()}
    rows = bds_rows(records, "LB", parameters_of(records, "LB"), subjects, windows, extra=_COPIED)
    for row in rows:  # grades are text in SDTM ("2"); a blank grade is none, not grade 0
        grade = row.get("ATOXGR")
        row["ATOXGR"] = "" if grade is None or grade == "" else str(grade).removesuffix(".0")
    derive_base(rows, source="ATOXGR", target="BTOXGR", in_place=True)  # bds_rows's: ours
    derive_base(rows, source="ANRIND", target="BNRIND", in_place=True)
    derive_shift(rows, in_place=True)
    return Dataset(
        name="ADLB",
        label="Laboratory Analysis Dataset",
        variables=variables(ADLB_VARIABLES),
        rows=tuple({k: v for k, v in r.items() if k in _KEPT} for r in rows),
        keys=("STUDYID", "USUBJID", "PARAMCD", "AVISITN", "ADT", "SRCSEQ"),
        structure="One record per subject per parameter per analysis date",
        dataset_class="BASIC DATA STRUCTURE",
        extra={"display_formats": date_formats(ADLB_VARIABLES)},
    )
