"""SE, Subject Elements (SDTMIG 3.4 §5.3): the elements of the arm (trial_design.py) each
person passed through, with the dates they started and ended. The first element starts at
informed consent; the element of day 1 starts with the injection (RFSTDTC); each later one
on its first study day; an element ends when the next starts (SDTMIG 3.4 SE assumptions),
the last at the end of participation (open while the participant is still taking part).
A screen failure has the first element only, ending on the screening outcome's date."""

from __future__ import annotations

from datetime import date

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.dm import exposure_start
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.timing import study_day_of
from trialdesk.reports.cdisc.sdtm.trial_design import elements
from trialdesk.reports.cdisc.sdtm.variables import domain_variables
from trialdesk.study.schedule import date_of_day

__all__ = ["se_domain"]

VARIABLES = domain_variables(
    "SE", "STUDYID DOMAIN USUBJID SESEQ ETCD ELEMENT TAETORD EPOCH SESTDTC SEENDTC SESTDY SEENDY"
)


def _start(day1: date | None, first_day: int, injection: str) -> str:
    if day1 is None:
        return ""
    if first_day == 1 and injection:
        return injection
    return date_of_day(day1, first_day).isoformat()


def se_domain(source: SdtmSource) -> Dataset:
    study = source.study
    found = elements(study)
    rows: list[dict[str, Value]] = []
    for subject in source.subjects if found else ():
        s = subject.screened
        day1 = subject.day1(study.schedule)
        injection = exposure_start(source, subject)
        starts = [s.consented_on.isoformat() if s.consented_on else ""]
        starts += [_start(day1, e.first_day, injection) for e in found[1:]]
        book = subject.casebook or {}
        ended = (book.get("disposition") or {}).get("ended_on") or ""
        if not subject.enrolled:
            ended = s.outcome_on.isoformat() if s.outcome_on else ""
        for i, e in enumerate(found):
            start = starts[i]
            if not start or (ended and start[:10] > ended):
                break  # not reached (yet)
            nxt = starts[i + 1] if i + 1 < len(found) else ""
            end = nxt if nxt and (not ended or nxt[:10] <= ended) else ended
            if not subject.enrolled:
                end = ended
            rows.append({
                "STUDYID": source.studyid, "DOMAIN": "SE", "USUBJID": subject.usubjid,
                "ETCD": e.etcd, "ELEMENT": e.name, "TAETORD": e.order, "EPOCH": e.epoch,
                "SESTDTC": start, "SEENDTC": end,
                "SESTDY": study_day_of(day1, start), "SEENDY": study_day_of(day1, end),
            })  # fmt: skip
            if not subject.enrolled:
                break
    return Dataset(
        name="SE", label="Subject Elements", variables=VARIABLES,
        rows=tuple(with_sequence(rows, "SESEQ")), keys=("STUDYID", "USUBJID", "ETCD", "SESTDTC"),
        structure="One record per actual Element per subject", dataset_class="SPECIAL PURPOSE",
    )  # fmt: skip
