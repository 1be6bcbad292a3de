"""What the SDTM domains are built from: the study (its folder is the protocol) and, per
consented person, the trial store's extract (trial/review/extract.py): the casebook of
each participant, and beside it demographics, consent, screening results and decided
deviations. A domain builder takes an SdtmSource and returns a Dataset; tests build a
source from hand-made casebooks, no store needed.

Identifiers (shared by every CDISC helper): STUDYID is the study's id; USUBJID is
"{STUDYID}-{subject number}". A screen failure has no subject number: SUBJID is
"SF-{candidate id:03d}" (protocol assumption: the screening log's candidate number stands
for the screening number the site would assign; SDTMIG 3.4 DM lets screen failures be
submitted with ARMNRS "SCREEN FAILURE").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trialdesk.study.loader import Study
from trialdesk.study.schedule import Schedule
from trialdesk.trial.review.extract import Screened, TrialExtract

__all__ = ["SdtmSource", "Subject", "source_of"]


@dataclass(frozen=True)
class Subject:
    """One person in DM: the extract's record with the identifiers worked out."""

    subjid: str
    usubjid: str
    screened: Screened

    @property
    def casebook(self) -> dict[str, Any] | None:
        return self.screened.casebook

    @property
    def enrolled(self) -> bool:
        return self.screened.subject_number is not None

    def day1(self, schedule: Schedule | None) -> date | None:
        """Study day 1 (the day-1 anchor's date, once the injection is recorded)."""
        book = self.casebook
        if book is None or schedule is None:
            return None
        value = book.get("dates", {}).get(schedule.day1)
        return date.fromisoformat(value) if value else None


@dataclass(frozen=True)
class SdtmSource:
    study: Study
    subjects: tuple[Subject, ...]  # participants in subject-number order, then screen failures
    site_id: str  # SITEID
    created: datetime  # when the export was made (Dataset-JSON's creation time)

    @property
    def studyid(self) -> str:
        return self.study.id

    @property
    def casebooks(self) -> list[dict[str, Any]]:
        """The participants' casebooks (review/casebook.py), for the findings builders."""
        return [s.casebook for s in self.subjects if s.casebook is not None]

    def participants(self) -> list[Subject]:
        return [s for s in self.subjects if s.casebook is not None]


def usubjid(study_id: str, subjid: str) -> str:
    return f"{study_id}-{subjid}"


def subject_of(study_id: str, screened: Screened) -> Subject:
    subjid = screened.subject_number or f"SF-{screened.candidate_id:03d}"
    return Subject(subjid, usubjid(study_id, subjid), screened)


def source_of(
    study: Study, extract: TrialExtract | Sequence[Screened], *, created: datetime,
    site_id: str | None = None,
) -> SdtmSource:  # fmt: skip
    """The source for ``study`` from the store's extract (or the people it would hold)."""
    people = extract.subjects if isinstance(extract, TrialExtract) else tuple(extract)
    site = site_id or (extract.site_code if isinstance(extract, TrialExtract) else None)
    subjects = tuple(subject_of(study.id, s) for s in people)
    return SdtmSource(study, subjects, site or _site_from_subjects(subjects), created)


def _site_from_subjects(subjects: tuple[Subject, ...]) -> str:
    """The site code as subject numbers carry it ("01-003": site 01), else "01"."""
    for s in subjects:
        number = s.screened.subject_number
        if number and "-" in number:
            return number.split("-")[0]
    return "01"
