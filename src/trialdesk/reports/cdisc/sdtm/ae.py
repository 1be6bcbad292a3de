"""AE, Adverse Events (SDTMIG 3.4 §6.2.1): one record per event the site recorded, with its
newest causality assessment (review/casebook.py).

- AETERM the verbatim term; AEDECOD the coded term, AEBODSYS and AESOC its system organ
  class (the store's coding, trial/safety/coding.py). The store codes to CTCAE v5.0 terms,
  whose MedDRA codes are lowest level terms: the term and its code go to AELLT/AELLTCD;
  AEPTCD stays null, no LLT-to-PT mapping is shipped (a MedDRA dictionary would give it).
- A condition present before day 1 that worsened after it (the event's ``baseline_grade``
  and ``worsened_on``, trial/safety/emergent.py) is an adverse event that starts when it
  worsened (SDTMIG 3.4 AE assumptions: a pre-existing condition is reported as an AE only
  when it worsens, its start the worsening): AESTDTC is ``worsened_on``, so ADaM's TRTEMFL
  (start on or after the first dose) agrees with emergent.py; the original onset and the
  grade before go to SUPPAE AEPRESDT and AEBLGR (sponsor-defined qualifiers).
- AETOXGR the CTCAE v5.0 grade; AESEV from it (CTCAE v5.0 "Grades": 1 mild, 2 moderate,
  3 severe or medically significant; protocol assumption: 4 and 5 also SEVERE), CT AESEV
  C66769.
- AESER "Y" when any seriousness criterion holds (ICH E2A II.B; SDTMIG 3.4 AE assumption 6:
  AESER and the flags AESDTH, AESLIFE, AESHOSP, AESDISAB, AESCONG, AESMIE agree), CT NY.
- AEREL: the investigator's relationship to the study product, in capitals, on the store's
  five-level scale (NCI CTEP AE reporting guidelines; sponsor-defined values, no CT code
  list); AERLPRT the relationship to the injection procedure (a study activity).
- AEACN (CT ACN C66767), AEOUT (CT OUT C66768) as recorded.
- EPOCH from the onset date (timing.py), AESTDY/AEENDY from study day 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.supp import Qualifier
from trialdesk.reports.cdisc.sdtm.timing import dtc, epoch_on, full_date, study_day_of
from trialdesk.reports.cdisc.sdtm.variables import domain_variables

__all__ = ["SERIOUSNESS", "ae_domain", "relationship", "severity"]

VARIABLES = domain_variables(
    "AE",
    "STUDYID DOMAIN USUBJID AESEQ AESPID AETERM AELLT AELLTCD AEDECOD AEPTCD AEHLT AEHLTCD "
    "AEHLGT AEHLGTCD AEBODSYS AEBDSYCD AESOC AESOCCD AESEV AESER AEACN AEREL AEOUT AESCONG "
    "AESDISAB AESDTH AESHOSP AESLIFE AESMIE AERLPRT AETOXGR EPOCH AESTDTC AEENDTC AESTDY AEENDY",
)

# the store's seriousness criteria -> SDTM flag (ICH E2A II.B)
SERIOUSNESS = {
    "death": "AESDTH",
    "life_threatening": "AESLIFE",
    "hospitalisation": "AESHOSP",
    "disability": "AESDISAB",
    "congenital_anomaly": "AESCONG",
    "medically_important": "AESMIE",
}
_SEVERITY = {1: "MILD", 2: "MODERATE", 3: "SEVERE", 4: "SEVERE", 5: "SEVERE"}
_RELATIONSHIP = {"unrelated": "NOT RELATED", "unlikely": "UNLIKELY", "possible": "POSSIBLE",
                 "probable": "PROBABLE", "definite": "DEFINITE"}  # fmt: skip


def severity(grade: int | None) -> str:
    return _SEVERITY.get(grade, "") if grade is not None else ""


def relationship(value: str | None) -> str:
    return _RELATIONSHIP.get(value or "", (value or "").upper())


def _yn(flag: Any) -> str:
    return "Y" if flag else "N"


def ae_domain(source: SdtmSource) -> Dataset:
    schedule = source.study.schedule
    rows: list[dict[str, Value]] = []
    before: list[list[tuple[str, str, str]]] = []  # each row's SUPPAE values
    for subject in source.participants():
        book = subject.casebook
        assert book is not None
        day1 = subject.day1(schedule)
        events = sorted(book["adverse_events"].values(),
                        key=lambda e: (_start(e) or "", e["sequence"]))  # fmt: skip
        for e in events:
            worsened = _worsened(e)
            start = dtc(_start(e))
            end = dtc(e.get("end_date"))
            flags = {name: _yn(e.get(key)) for key, name in SERIOUSNESS.items()}
            causality = e.get("causality") or {}
            grade = e.get("grade")
            rows.append({
                "STUDYID": source.studyid, "DOMAIN": "AE", "USUBJID": subject.usubjid,
                "AESPID": str(e["sequence"]), "AETERM": e.get("verbatim") or e.get("term") or "",
                "AELLT": e.get("term") or "", "AELLTCD": _int(e.get("meddra_code")),
                "AEDECOD": e.get("term") or "",
                "AEBODSYS": e.get("soc") or "", "AESOC": e.get("soc") or "",
                "AESEV": severity(grade), "AESER": "Y" if "Y" in flags.values() else "N",
                "AEACN": e.get("action_taken") or "",
                "AEREL": relationship(causality.get("product")),
                "AEOUT": e.get("outcome") or "", **flags,
                "AERLPRT": relationship(causality.get("procedure")),
                "AETOXGR": str(grade) if grade is not None else "",
                "EPOCH": epoch_on(schedule, day1, full_date(start)) if schedule else "",
                "AESTDTC": start, "AEENDTC": end,
                "AESTDY": study_day_of(day1, start), "AEENDY": study_day_of(day1, end),
            })  # fmt: skip
            before.append(_before_dose(e) if worsened else [])
    numbered = with_sequence(rows, "AESEQ")
    qualifiers = tuple(
        Qualifier(rdomain="AE", usubjid=str(row["USUBJID"]), idvar="AESEQ",
                  idvarval=str(row["AESEQ"]), qnam=qnam, qlabel=label, qval=value)
        for row, found in zip(numbered, before, strict=True)
        for qnam, label, value in found
    )  # fmt: skip
    return Dataset(
        name="AE", label="Adverse Events", variables=VARIABLES,
        rows=tuple(numbered), extra={"domain": "AE", "supplemental": qualifiers},
        keys=("STUDYID", "USUBJID", "AEDECOD", "AESTDTC"),
        structure="One record per adverse event per subject", dataset_class="EVENTS",
    )  # fmt: skip


def _worsened(event: Mapping[str, Any]) -> bool:
    """A condition from before day 1 that worsened: its grade before and the date it
    worsened are recorded (trial/safety/events.py)."""
    return event.get("baseline_grade") is not None and bool(event.get("worsened_on"))


def _start(event: Mapping[str, Any]) -> str | None:
    """AESTDTC's source: the worsening of a pre-existing condition, else the onset."""
    return event.get("worsened_on") if _worsened(event) else event.get("onset_date")


# SUPPAE of a worsened pre-existing condition (sponsor-defined QNAMs, QLABEL <= 40)
def _before_dose(event: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    out = [("AEBLGR", "Grade Before Worsening", str(event["baseline_grade"]))]
    if event.get("onset_date"):
        out.insert(0, ("AEPRESDT", "Onset of Pre-existing Condition",
                       dtc(event["onset_date"])))  # fmt: skip
    return out


def _int(code: Any) -> int | None:
    try:
        return int(code) if code not in (None, "") else None
    except ValueError:
        return None
