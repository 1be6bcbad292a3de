"""SV, Subject Visits (SDTMIG 3.4 §5.4): one record per visit of each participant as the
casebook holds it: VISITNUM/VISIT/VISITDY from the schedule (timing.py), SVPRESP "Y" for a
planned visit, SVOCCUR "Y" or "N" with SVREASOC the reason a missed visit did not take
place (SDTMIG 3.4 SV assumptions: planned visits that did not occur may be represented),
an unscheduled visit with SVUPDES. A screen failure's record is their screening visit."""

from __future__ import annotations

from datetime import date

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.timing import (
    SubjectVisit,
    screening_visit,
    study_day_of,
    subject_visits,
)
from trialdesk.reports.cdisc.sdtm.trial_design import ascii_text
from trialdesk.reports.cdisc.sdtm.variables import domain_variables
from trialdesk.study.schedule import VisitKind

__all__ = ["sv_domain"]

VARIABLES = domain_variables(
    "SV",
    "STUDYID DOMAIN USUBJID VISITNUM VISIT SVPRESP SVOCCUR SVREASOC VISITDY SVSTDTC SVENDTC "
    "SVSTDY SVENDY SVUPDES",
)


def sv_domain(source: SdtmSource) -> Dataset:
    schedule = source.study.schedule
    rows: list[dict[str, Value]] = []
    errors: list[TrialdeskError] = []
    for subject in source.subjects if schedule is not None else ():
        assert schedule is not None
        book = subject.casebook
        day1 = subject.day1(schedule)
        if book is not None:
            try:
                visits = subject_visits(schedule, book["visits"], usubjid=subject.usubjid)
            except FieldErrors as e:  # every participant's, at once
                errors += e.errors
                continue
        else:
            visits = screening_visit(schedule, subject.screened.screened_on)
        for v in visits:
            rows.append(_row(source.studyid, subject.usubjid, v, day1))
    if errors:
        raise FieldErrors(errors, resource="SV")
    return Dataset(
        name="SV", label="Subject Visits", variables=VARIABLES, rows=tuple(rows),
        keys=("STUDYID", "USUBJID", "VISITNUM"),
        structure="One record per subject per actual visit",
        dataset_class="SPECIAL PURPOSE",
    )  # fmt: skip


def _row(studyid: str, usubjid: str, v: SubjectVisit, day1: date | None) -> dict[str, Value]:
    on = v.on.isoformat() if v.on else ""
    unscheduled = v.visit.kind is VisitKind.UNSCHEDULED
    day = study_day_of(day1, on) if on else None
    return {
        "STUDYID": studyid, "DOMAIN": "SV", "USUBJID": usubjid, "VISITNUM": v.visitnum,
        "VISIT": v.name, "SVPRESP": "" if unscheduled else "Y",
        "SVOCCUR": "N" if v.on is None else ("" if unscheduled else "Y"),
        "SVREASOC": ascii_text(v.missed_reason or "")[:200] if v.on is None else "",
        "VISITDY": v.visitdy, "SVSTDTC": on, "SVENDTC": on, "SVSTDY": day, "SVENDY": day,
        "SVUPDES": v.visit.name.en if unscheduled else "",
    }  # fmt: skip
