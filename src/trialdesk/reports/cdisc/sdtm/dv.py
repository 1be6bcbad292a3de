"""DV, Protocol Deviations (SDTMIG 3.4 §6.2.4): one record per deviation the site decided
and confirmed (trial/review/deviation_decisions.py); proposed and dismissed ones are not
deviations. DVTERM as shown when decided, DVDECOD and DVCAT as the store classed it (no
CDISC CT code list: sponsor-defined), EPOCH as recorded, DVSTDY from study day 1. The
store's major/minor severity has no SDTMIG 3.4 DV variable (a SUPPDV qualifier)."""

from __future__ import annotations

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.timing import study_day_of
from trialdesk.reports.cdisc.sdtm.trial_design import ascii_text
from trialdesk.reports.cdisc.sdtm.variables import domain_variables

__all__ = ["dv_domain"]

VARIABLES = domain_variables(
    "DV", "STUDYID DOMAIN USUBJID DVSEQ DVSPID DVTERM DVDECOD DVCAT EPOCH DVSTDTC DVSTDY"
)


def dv_domain(source: SdtmSource) -> Dataset:
    rows: list[dict[str, Value]] = []
    for subject in source.participants():
        day1 = subject.day1(source.study.schedule)
        for d in sorted(subject.screened.deviations, key=lambda d: (d.start or "", d.id)):
            rows.append({
                "STUDYID": source.studyid, "DOMAIN": "DV", "USUBJID": subject.usubjid,
                "DVSPID": str(d.id), "DVTERM": ascii_text(d.term)[:200],
                "DVDECOD": (d.decod or "").upper(), "DVCAT": d.category.upper(),
                "EPOCH": d.epoch or "", "DVSTDTC": d.start or "",
                "DVSTDY": study_day_of(day1, d.start),
            })  # fmt: skip
    return Dataset(
        name="DV", label="Protocol Deviations", variables=VARIABLES,
        rows=tuple(with_sequence(rows, "DVSEQ")), keys=("STUDYID", "USUBJID", "DVTERM", "DVSTDTC"),
        structure="One record per protocol deviation", dataset_class="EVENTS",
    )  # fmt: skip
