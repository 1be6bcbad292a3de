"""What every SDTM record of a participant's form takes from the casebook: the subject's
identifier, the visit (VISITNUM, VISIT, VISITDY, EPOCH from the schedule), the date of
collection in site time and its study day.

Conventions shared by the CDISC helpers (issue 16): STUDYID is the study's id, USUBJID
``f"{STUDYID}-{subject number}"``; --DTC is ISO 8601 in site time (SDTMIG 3.4 Section
4.4.1, "Use of Dates in ISO 8601 Format"); --DY from ``schedule.study_day`` (Section 4.4.4:
day 1 is the day of the reference start, no day 0); VISITNUM/VISIT/EPOCH from the
schedule (Section 4.4.5, "Clinical Encounters and Visits"), as timing.py (shared with SV
and the other domains) numbers and names them, so that every domain agrees with SV.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from trialdesk.reports.cdisc.sdtm.timing import dtc, epoch_on, subject_visits
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Schedule, study_day

__all__ = ["FormKey", "Subject", "VisitInfo", "form_key", "iso_dtc", "subject_of"]


@dataclass(frozen=True)
class FormKey:
    """A casebook form's address, "VISIT/form_id#row" (``visit`` is "" for a log form)."""

    visit: str
    form_id: str
    row: int


def form_key(key: str) -> FormKey:
    visit, _, rest = key.partition("/")
    form_id, _, row = rest.partition("#")
    return FormKey(visit, form_id, int(row) if row else 1)


@dataclass(frozen=True)
class VisitInfo:
    visitnum: float
    visit: str
    visitdy: int | None
    epoch: str
    on: date | None  # the visit's date (None: not dated)
    baseline: bool  # the schedule's baseline visit (its values are taken before dosing)
    forms: tuple[str, ...] = ()  # the forms of the visit, in the schedule's order

    def form_order(self, form_id: str) -> int:
        return self.forms.index(form_id) if form_id in self.forms else len(self.forms)


@dataclass(frozen=True)
class Subject:
    """One participant's casebook as the SDTM domains read it."""

    studyid: str
    usubjid: str
    day1: date | None
    parameters: Mapping[str, Any]
    visits: Mapping[str, VisitInfo]  # by the casebook's visit key ("W4", "UNS#2")

    def study_day(self, dtc: str) -> int | None:
        """--DY of an ISO 8601 --DTC: only a complete date has one (Section 4.4.4)."""
        if self.day1 is None or len(dtc) < 10:
            return None
        try:
            on = date.fromisoformat(dtc[:10])
        except ValueError:
            return None
        return study_day(self.day1, on)


def iso_dtc(value: Any, schedule: Schedule | None) -> str:
    """A stored date or date-time as an SDTM --DTC (timing.py ``dtc``: dates as they are,
    partial ones too; instants in site time, to the minute)."""
    return dtc(None if value is None or value == "" else str(value), schedule)


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def subject_of(study: Study, book: Mapping[str, Any]) -> Subject:
    """The SDTM view of one casebook (trial/review/casebook.py ``casebooks``), its visits
    numbered and named as SV numbers them (timing.py ``subject_visits``)."""
    schedule = study.schedule
    day1 = _date(book.get("dates", {}).get(schedule.day1)) if schedule else None
    visits: dict[str, VisitInfo] = {}
    usubjid = f"{study.id}-{book['participant']}"
    if schedule is not None:
        # a visit the schedule lacks is an error naming the participant, as in SV
        for sv in subject_visits(schedule, book.get("visits", {}), usubjid=usubjid):
            visits[sv.key] = VisitInfo(
                visitnum=sv.visitnum,
                visit=sv.name,
                visitdy=sv.visitdy,
                epoch=epoch_on(schedule, day1, sv.on) if sv.on and day1 else sv.visit.epoch,
                on=sv.on,
                baseline=sv.key == schedule.baseline_visit,
                forms=sv.visit.forms,
            )
    return Subject(
        studyid=study.id,
        usubjid=usubjid,
        day1=day1,
        parameters=book.get("parameters", {}),
        visits=visits,
    )
