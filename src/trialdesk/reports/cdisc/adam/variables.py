"""ADaM variable metadata: name, label, define.xml data type and origin.

Labels are the CDISC pilot's (adam_cdiscpilot01 define.xml, ADaM 2.1 / ADaMIG 1.0) for the
variables it shares, so the two read alike; the others are ADaMIG v1.3 (ADSL §3.2, BDS
§3.3) and ADaM OCCDS v1.1 labels. Numeric dates (*DT, *DTM) are integers shown with the
SAS formats of ``DISPLAY_FORMATS`` (dates.py), listed per dataset in ``Dataset.extra``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from trialdesk.reports.cdisc.adam.dates import DISPLAY_FORMATS
from trialdesk.reports.cdisc.dataset import Variable

__all__ = ["METADATA", "date_formats", "variables"]

# name -> (label, define.xml DataType, origin)
METADATA: dict[str, tuple[str, str, str]] = {
    # identifiers and subject-level (ADSL)
    "STUDYID": ("Study Identifier", "text", "Predecessor"),
    "USUBJID": ("Unique Subject Identifier", "text", "Predecessor"),
    "SUBJID": ("Subject Identifier for the Study", "text", "Predecessor"),
    "SITEID": ("Study Site Identifier", "text", "Predecessor"),
    "AGE": ("Age", "integer", "Predecessor"),
    "AGEU": ("Age Units", "text", "Predecessor"),
    "SEX": ("Sex", "text", "Predecessor"),
    "RACE": ("Race", "text", "Predecessor"),
    "ETHNIC": ("Ethnicity", "text", "Predecessor"),
    "COUNTRY": ("Country", "text", "Predecessor"),
    "ARM": ("Description of Planned Arm", "text", "Predecessor"),
    "ARMCD": ("Planned Arm Code", "text", "Predecessor"),
    "ACTARM": ("Description of Actual Arm", "text", "Predecessor"),
    "ACTARMCD": ("Actual Arm Code", "text", "Predecessor"),
    "RFSTDTC": ("Subject Reference Start Date/Time", "text", "Predecessor"),
    "RFENDTC": ("Subject Reference End Date/Time", "text", "Predecessor"),
    "RFICDTC": ("Date/Time of Informed Consent", "text", "Predecessor"),
    "DTHFL": ("Subject Death Flag", "text", "Predecessor"),
    "TRT01P": ("Planned Treatment for Period 01", "text", "Derived"),
    "TRT01A": ("Actual Treatment for Period 01", "text", "Derived"),
    "TRTP": ("Planned Treatment", "text", "Derived"),
    "TRTA": ("Actual Treatment", "text", "Derived"),
    "TRTSDT": ("Date of First Exposure to Treatment", "integer", "Derived"),
    "TRTSDTM": ("Datetime of First Exposure to Treatment", "integer", "Derived"),
    "TRTEDT": ("Date of Last Exposure to Treatment", "integer", "Derived"),
    "TRTEDTM": ("Datetime of Last Exposure to Treatment", "integer", "Derived"),
    "TRTDURD": ("Total Treatment Duration (Days)", "integer", "Derived"),
    "ITTFL": ("Intent-To-Treat Population Flag", "text", "Derived"),
    "SAFFL": ("Safety Population Flag", "text", "Derived"),
    "FASFL": ("Full Analysis Set Population Flag", "text", "Derived"),
    "EOSSTT": ("End of Study Status", "text", "Derived"),
    "EOSDT": ("End of Study Date", "integer", "Derived"),
    "DCSREAS": ("Reason for Discontinuation from Study", "text", "Derived"),
    # occurrences (ADAE)
    "AESEQ": ("Sequence Number", "integer", "Predecessor"),
    "AETERM": ("Reported Term for the Adverse Event", "text", "Predecessor"),
    "AEDECOD": ("Dictionary-Derived Term", "text", "Predecessor"),
    "AEBODSYS": ("Body System or Organ Class", "text", "Predecessor"),
    "AESTDTC": ("Start Date/Time of Adverse Event", "text", "Predecessor"),
    "AEENDTC": ("End Date/Time of Adverse Event", "text", "Predecessor"),
    "AESER": ("Serious Event", "text", "Predecessor"),
    "AESEV": ("Severity/Intensity", "text", "Predecessor"),
    "AETOXGR": ("Standard Toxicity Grade", "text", "Predecessor"),
    "AEREL": ("Causality", "text", "Predecessor"),
    "AEACN": ("Action Taken with Study Treatment", "text", "Predecessor"),
    "AEOUT": ("Outcome of Adverse Event", "text", "Predecessor"),
    "ASTDT": ("Analysis Start Date", "integer", "Derived"),
    "ASTDTF": ("Analysis Start Date Imputation Flag", "text", "Derived"),
    "ASTDY": ("Analysis Start Relative Day", "integer", "Derived"),
    "AENDT": ("Analysis End Date", "integer", "Derived"),
    "AENDTF": ("Analysis End Date Imputation Flag", "text", "Derived"),
    "AENDY": ("Analysis End Relative Day", "integer", "Derived"),
    "ADURN": ("AE Duration (N)", "integer", "Derived"),
    "ADURU": ("AE Duration Units", "text", "Derived"),
    "TRTEMFL": ("Treatment Emergent Analysis Flag", "text", "Derived"),
    "ATOXGR": ("Analysis Toxicity Grade", "text", "Derived"),
    "ATOXGRN": ("Analysis Toxicity Grade (N)", "integer", "Derived"),
    "RELGR1": ("Pooled Causality Group 1", "text", "Derived"),
    # the relationship to the procedure (SDTMIG 3.4 AE label) and its group (sponsor-defined)
    "AERLPRT": ("Rel of AE to Non-Dev-Rel Study Activity", "text", "Predecessor"),
    "RLPRTGR1": ("Pooled Procedure Causality Group 1", "text", "Derived"),
    "AOCCFL": ("1st Occurrence of Any AE Flag", "text", "Derived"),
    "AOCCSFL": ("1st Occurrence of SOC Flag", "text", "Derived"),
    "AOCCPFL": ("1st Occurrence of Preferred Term Flag", "text", "Derived"),
    "AOCCIFL": ("1st Max Sev./Int. Occurrence Flag", "text", "Derived"),
    "AOCPIFL": ("1st Max Sev./Int. Occur Within PT Flag", "text", "Derived"),
    # BDS (ADLB, the efficacy dataset)
    "PARAMCD": ("Parameter Code", "text", "Assigned"),
    "PARAM": ("Parameter", "text", "Assigned"),
    "PARAMN": ("Parameter (N)", "integer", "Assigned"),
    "PARCAT1": ("Parameter Category 1", "text", "Assigned"),
    "AVAL": ("Analysis Value", "float", "Derived"),
    "AVALC": ("Analysis Value (C)", "text", "Derived"),
    "AVALU": ("Analysis Value Unit", "text", "Derived"),
    "ADT": ("Analysis Date", "integer", "Derived"),
    "ADY": ("Analysis Relative Day", "integer", "Derived"),
    "VISIT": ("Visit Name", "text", "Predecessor"),
    "VISITNUM": ("Visit Number", "float", "Predecessor"),
    "AVISIT": ("Analysis Visit", "text", "Derived"),
    "AVISITN": ("Analysis Visit (N)", "float", "Derived"),
    "ABLFL": ("Baseline Record Flag", "text", "Derived"),
    "BASE": ("Baseline Value", "float", "Derived"),
    "CHG": ("Change from Baseline", "float", "Derived"),
    "PCHG": ("Percent Change from Baseline", "float", "Derived"),
    "ANL01FL": ("Analysis Record Flag 01", "text", "Derived"),
    "ANL02FL": ("Analysis Record Flag 02", "text", "Derived"),
    "DTYPE": ("Derivation Type", "text", "Derived"),
    "AWRANGE": ("Analysis Window Valid Relative Range", "text", "Derived"),
    "AWTARGET": ("Analysis Window Target", "integer", "Derived"),
    "AWTDIFF": ("Analysis Window Diff from Target", "integer", "Derived"),
    "AWLO": ("Analysis Window Beginning Timepoint", "integer", "Derived"),
    "AWHI": ("Analysis Window Ending Timepoint", "integer", "Derived"),
    "AWU": ("Analysis Window Unit", "text", "Derived"),
    "ANRLO": ("Analysis Normal Range Lower Limit", "float", "Derived"),
    "ANRHI": ("Analysis Normal Range Upper Limit", "float", "Derived"),
    "ANRIND": ("Analysis Reference Range Indicator", "text", "Derived"),
    "BNRIND": ("Baseline Reference Range Indicator", "text", "Derived"),
    "BTOXGR": ("Baseline Toxicity Grade", "text", "Derived"),
    "SHIFT1": ("Shift 1", "text", "Derived"),
    "SRCDOM": ("Source Data", "text", "Derived"),
    "SRCVAR": ("Source Variable", "text", "Derived"),
    "SRCSEQ": ("Source Sequence Number", "integer", "Derived"),
}

# variables holding numeric dates and datetimes
_DATES = {"TRTSDT", "TRTEDT", "EOSDT", "ASTDT", "AENDT", "ADT"}
_DATETIMES = {"TRTSDTM", "TRTEDTM"}


def variables(
    names: Iterable[str], *, origins: Mapping[str, str] | None = None
) -> tuple[Variable, ...]:
    """The Variables of ``names`` in that order, from ``METADATA``; an unknown name is an
    error naming it."""
    unknown = [n for n in names if n not in METADATA]
    if unknown:
        raise KeyError(f"no ADaM metadata for {unknown} (reports/cdisc/adam/variables.py)")
    out = []
    for name in names:
        label, data_type, origin = METADATA[name]
        out.append(Variable(name, label, data_type, origin=(origins or {}).get(name, origin)))
    return tuple(out)


def date_formats(names: Sequence[str]) -> dict[str, str]:
    """The SAS display format of each numeric date variable among ``names``."""
    formats = {n: DISPLAY_FORMATS["date"] for n in names if n in _DATES}
    formats.update({n: DISPLAY_FORMATS["datetime"] for n in names if n in _DATETIMES})
    return formats
