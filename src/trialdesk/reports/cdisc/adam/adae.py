"""ADAE, the adverse-event analysis dataset (ADaM OCCDS v1.1), from SDTM AE and ADSL.

One record per AE record. Dates: ASTDT/AENDT from AESTDTC/AEENDTC with the imputation of
``AdaeRules`` (dates.py); ASTDY/AENDY relative to TRTSDT. TRTEMFL by
occds.treatment_emergent, on dates, not times, as the adverse-event pages judge it
(trial/safety/emergent.py: an event on day 1 counts). ATOXGR is the collected CTCAE grade
(AETOXGR); the worst-grade flags fall back to AESEV where no grade is collected. RELGR1
groups AEREL (occds.relationship_group).

The relationship to the procedure (the injection, a study activity that is not the
product): SDTM AE's AERLPRT, the investigator's signed causality to the procedure
(sdtm/ae.py, trial/safety/causality.py), is carried as it is, and grouped as AEREL is in
RLPRTGR1, "Pooled Procedure Causality Group 1" (sponsor-defined; ADaMIG 1.3 names a
grouping of a variable *GRy, its name shortened to 8 characters as RELGR1 is AEREL's).
Both are kept only where AE has AERLPRT: a study that does not collect it (the CDISC
pilot) has no column that would call every event related to a procedure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from trialdesk.reports.cdisc.adam.dates import (
    StartRule,
    analysis_day,
    impute_end,
    impute_start,
)
from trialdesk.reports.cdisc.adam.occds import (
    flag_first,
    flag_worst,
    grade_number,
    relationship_group,
    treatment_emergent,
)
from trialdesk.reports.cdisc.adam.variables import date_formats, variables
from trialdesk.reports.cdisc.dataset import Dataset, Value

__all__ = [
    "ADAE_VARIABLES",
    "PILOT_RULES",
    "PROCEDURE_RELATIONSHIP",
    "AdaeRules",
    "adae",
    "adae_rows",
]

Row = dict[str, Value]

ADAE_VARIABLES = (
    "STUDYID", "USUBJID", "SUBJID", "SITEID", "TRTA", "SAFFL", "TRTSDT", "TRTEDT", "AESEQ",
    "AETERM", "AEDECOD", "AEBODSYS", "AESTDTC", "AEENDTC", "ASTDT", "ASTDTF", "ASTDY",
    "AENDT", "AENDTF", "AENDY", "ADURN", "ADURU", "AESER", "AESEV", "AETOXGR", "ATOXGR",
    "ATOXGRN", "AEREL", "RELGR1", "AEACN", "AEOUT", "TRTEMFL", "AOCCFL", "AOCCSFL",
    "AOCCPFL", "AOCCIFL", "AOCPIFL",
)  # fmt: skip
# the relationship to the procedure and its group, after RELGR1: only where AE collects it
PROCEDURE_RELATIONSHIP = ("AERLPRT", "RLPRTGR1")

_FROM_ADSL = ("SUBJID", "SITEID", "SAFFL", "TRTSDT", "TRTEDT")


@dataclass(frozen=True)
class AdaeRules:
    """The analysis rules of ADAE. trialdesk's defaults are admiral's conservative ones;
    ``PILOT_RULES`` are the CDISC pilot's (adam define.xml, ADAE.ASTDT/AENDT/TRTEMFL).

    ``end_window``: days after the last dose within which an event still counts as
    emergent (None: any time after the first dose, as the study's TEAE endpoint runs
    from the injection through the week-24 visit, endpoints.yaml). ``initial_grade``:
    the AE variable holding the grade before treatment, for worsening (none in SDTM AE:
    a condition that worsened is recorded as a new event from the day it worsened)."""

    start: StartRule = StartRule.CONSERVATIVE
    impute_end: bool = True
    missing_start_emergent: bool = True
    end_window: int | None = None
    initial_grade: str | None = None


PILOT_RULES = AdaeRules(start=StartRule.DAY_ONLY, impute_end=False, missing_start_emergent=False)


def adae_rows(
    ae: Sequence[Mapping[str, Value]],
    subjects: Mapping[Value, Mapping[str, Value]],
    rules: AdaeRules,
) -> list[Row]:
    """ADAE's rows before the occurrence flags: dates, days, TRTEMFL, ATOXGR, RELGR1 and
    RLPRTGR1 (the relationship to the procedure grouped as AEREL is).

    >>> adsl = {"S-1": {"TRTSDT": 24167, "TRTEDT": 24167, "TRT01A": "hiSC", "SAFFL": "Y"}}
    >>> ae = [{"USUBJID": "S-1", "AESEQ": 1, "AESTDTC": "2026-03", "AEENDTC": "2026-03-04",
    ...        "AETOXGR": "2", "AEREL": "POSSIBLE", "AERLPRT": "UNLIKELY"}]
    >>> r = adae_rows(ae, adsl, AdaeRules())[0]
    >>> r["ASTDT"], r["ASTDTF"], r["ASTDY"], r["AENDY"], r["ADURN"], r["TRTEMFL"], r["RELGR1"]
    (24167, 'D', 1, 3, 3, 'Y', 'RELATED')
    >>> r["RLPRTGR1"]
    'NOT RELATED'
    >>> adae_rows(ae, adsl, PILOT_RULES)[0]["ASTDT"]  # the pilot: the 1st of the month
    24166
    """
    out: list[Row] = []
    for event in ae:
        subject = subjects.get(event.get("USUBJID"), {})
        first = _int(subject.get("TRTSDT"))
        last = _int(subject.get("TRTEDT"))
        end = impute_end(str(event.get("AEENDTC") or ""), impute=rules.impute_end)
        start = impute_start(
            str(event.get("AESTDTC") or ""), rules.start, first_dose=first, end=end.value
        )
        grade = grade_number(event.get("AETOXGR"))
        initial = grade_number(event.get(rules.initial_grade)) if rules.initial_grade else None
        emergent = treatment_emergent(
            start.value,
            first,
            end=end.value,
            last_dose=last,
            end_window=rules.end_window,
            missing_start_emergent=rules.missing_start_emergent,
            initial_grade=initial,
            grade=grade,
        )
        duration = (
            end.value - start.value + 1
            if start.value is not None and end.value is not None
            else None
        )
        row: Row = dict(event)
        row.update({name: subject.get(name) for name in _FROM_ADSL})
        row.update(
            {
                "TRTA": subject.get("TRT01A") or "",
                "ASTDT": start.value,
                "ASTDTF": start.flag,
                "ASTDY": analysis_day(start.value, first),
                "AENDT": end.value,
                "AENDTF": end.flag,
                "AENDY": analysis_day(end.value, first),
                "ADURN": duration,
                "ADURU": "DAY" if duration is not None else "",
                "ATOXGR": "" if grade is None else str(grade),
                "ATOXGRN": grade,
                "RELGR1": relationship_group(event.get("AEREL")),
                "RLPRTGR1": relationship_group(event.get("AERLPRT")),
                "TRTEMFL": "" if emergent is None else ("Y" if emergent else "N"),
            }
        )
        out.append(row)
    return out


def _int(value: Value) -> int | None:
    return int(value) if isinstance(value, (int, float)) else None


def adae(ae: Dataset, adsl: Dataset, rules: AdaeRules | None = None) -> Dataset:
    """ADAE from AE and ADSL, with the occurrence flags of the pilot's define.xml (first
    treatment-emergent occurrence overall, per SOC, per SOC and PT) and the worst-grade
    flags (per subject, per subject and PT: ADaM OCCDS v1.1 AOCCIFL and its PT kin)."""
    subjects = {r.get("USUBJID"): r for r in adsl.records()}
    rows = adae_rows(ae.records(), subjects, rules or AdaeRules())
    rows = flag_first(rows, "AOCCFL", by=["USUBJID"])
    rows = flag_first(rows, "AOCCSFL", by=["USUBJID", "AEBODSYS"])
    rows = flag_first(rows, "AOCCPFL", by=["USUBJID", "AEBODSYS", "AEDECOD"])
    graded = any(r.get("ATOXGR") for r in rows)
    grade = "ATOXGR" if graded else "AESEV"
    rows = flag_worst(rows, "AOCCIFL", by=["USUBJID"], grade=grade)
    rows = flag_worst(rows, "AOCPIFL", by=["USUBJID", "AEDECOD"], grade=grade)
    keep = list(ADAE_VARIABLES)
    if "AERLPRT" in ae.names:
        at = keep.index("RELGR1") + 1
        keep[at:at] = PROCEDURE_RELATIONSHIP
    return Dataset(
        name="ADAE",
        label="Adverse Events Analysis Dataset",
        variables=variables(keep),
        rows=tuple({k: v for k, v in r.items() if k in keep} for r in rows),
        keys=("STUDYID", "USUBJID", "AESEQ"),
        structure="One record per adverse event record",
        dataset_class="OCCURRENCE DATA STRUCTURE",
        extra={"display_formats": date_formats(keep)},
    )
