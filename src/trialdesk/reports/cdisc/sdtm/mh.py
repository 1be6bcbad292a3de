"""MH, Medical History (SDTMIG 3.4 §6.2.5): the conditions on each person's screening
record (the FHIR upload and the facts the coordinator entered, trial/review/extract.py),
started on or before the screening date. MHTERM the condition as the record names it (not
dictionary-coded: MHDECOD is left null until a MedDRA dictionary is loaded); MHDTC the
screening date; MHENRTPT/MHENTPT: an active condition is ONGOING at the screening date
(CT STENRF C66728); EPOCH the first epoch (screening)."""

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
    for subject in source.subjects:
        s = subject.screened
        day1 = subject.day1(schedule)
        on = s.screened_on.isoformat() if s.screened_on else ""
        for h in sorted(s.history, key=lambda h: (h.start.isoformat() if h.start else "", h.term)):
            ongoing = h.end is None and (h.status or "active") == "active"
            rows.append({
                "STUDYID": source.studyid, "DOMAIN": "MH", "USUBJID": subject.usubjid,
                "MHSPID": h.resource[:200], "MHTERM": ascii_text(h.term)[:200], "MHDECOD": "",
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
