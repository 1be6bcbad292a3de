"""MH, Medical History (SDTMIG 3.4 §6.2.5): the conditions on each person's screening
record (the FHIR upload and the facts the coordinator entered, trial/review/extract.py),
started on or before the screening date. MHTERM the condition as the record names it (not
dictionary-coded: MHDECOD is left null until a MedDRA dictionary is loaded); MHDTC the
screening date; MHENRTPT/MHENTPT: an active condition is ONGOING at the screening date
(CT STENRF C66728); EPOCH the first epoch (screening).

- MHSPID: the condition's place on the screening record (1, 2, ...), not the hospital
  record's resource id ("Condition/abc"), which would link the dataset to the chart.
- PROTOCOL ASSUMPTION: MH holds the participants' history only. A screen failure's
  conditions were read from the hospital record to judge eligibility; what excluded them
  is in IE (and DS, DM), and their chart history is not submitted (SDTMIG 3.4 DM allows
  screen failures' data, it does not require it; data minimisation)."""

from __future__ import annotations

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.timing import epochs, study_day_of
from trialdesk.reports.cdisc.sdtm.trial_design import ascii_text
from trialdesk.reports.cdisc.sdtm.variables import domain_variables

__all__ = ["mh_domain"]

VARIABLES = domain_variables(
    "MH",
    "STUDYID DOMAIN USUBJID MHSEQ MHSPID MHTERM MHDECOD EPOCH MHDTC MHSTDTC MHENDTC MHDY "
    "MHENRTPT MHENTPT",
)


def mh_domain(source: SdtmSource) -> Dataset:
    schedule = source.study.schedule
    found = epochs(schedule) if schedule is not None else []
    rows: list[dict[str, Value]] = []
    for subject in source.participants():
        s = subject.screened
        day1 = subject.day1(schedule)
        on = s.screened_on.isoformat() if s.screened_on else ""
        placed = sorted(
            enumerate(s.history, start=1),
            key=lambda p: (p[1].start.isoformat() if p[1].start else "", p[1].term),
        )
        for place, h in placed:
            ongoing = h.end is None and (h.status or "active") == "active"
            rows.append({
                "STUDYID": source.studyid, "DOMAIN": "MH", "USUBJID": subject.usubjid,
                "MHSPID": str(place), "MHTERM": ascii_text(h.term)[:200], "MHDECOD": "",
                "EPOCH": found[0].name if found else "", "MHDTC": on,
                "MHSTDTC": h.start.isoformat() if h.start else "",
                "MHENDTC": h.end.isoformat() if h.end else "", "MHDY": study_day_of(day1, on),
                "MHENRTPT": "ONGOING" if ongoing and on else "",
                "MHENTPT": on if ongoing and on else "",
            })  # fmt: skip
    return Dataset(
        name="MH", label="Medical History", variables=VARIABLES,
        rows=tuple(with_sequence(rows, "MHSEQ")), keys=("STUDYID", "USUBJID", "MHTERM", "MHSTDTC"),
        structure="One record per medical history event per subject", dataset_class="EVENTS",
    )  # fmt: skip
