"""The numbers a CONSORT flow diagram shows: enrolment counted from a study's screening
log, and what happened after it from the conduct records (followup.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from trialdesk.reports.consort.followup import FollowUpCounts, follow_up_of
from trialdesk.study.loader import Study
from trialdesk.trial.screening.models import CandidateStatus
from trialdesk.trial.screening.screening_log import LogRow, screening_log
from trialdesk.trial.store.db import Session

__all__ = ["ConsortCounts", "consort_counts", "consort_of"]


@dataclass(frozen=True)
class ConsortCounts:
    """One study's screening log reduced to the numbers the diagram shows."""

    study_id: str
    assessed: int  # candidates assessed for eligibility
    excluded_by_reason: tuple[tuple[str, int], ...]  # (reason label, count), largest first
    declined: int  # declined to participate / no consent
    other_excluded: int  # other reasons (e.g. withdrawn before enrolment)
    in_screening: int  # still being screened (no outcome yet)
    enrolled: int
    withdrawn_after_enrolment: int
    target: int | None  # the study's target enrolment
    # allocation, follow-up and analysis: None for a screening-only study (no schedule)
    follow_up: FollowUpCounts | None = None

    @property
    def excluded(self) -> int:
        """Everyone who left before enrolment, whatever the reason."""
        return sum(n for _, n in self.excluded_by_reason) + self.declined + self.other_excluded

    def check(self) -> None:
        """Refuse counts that would draw a diagram that does not add up."""
        fields = {
            "assessed": self.assessed,
            "declined": self.declined,
            "other_excluded": self.other_excluded,
            "in_screening": self.in_screening,
            "enrolled": self.enrolled,
            "withdrawn_after_enrolment": self.withdrawn_after_enrolment,
        }
        if self.target is not None:
            fields["target"] = self.target
        for label, n in self.excluded_by_reason:
            fields[f"excluded for {label!r}"] = n
        for name, n in fields.items():
            if n < 0:
                raise ValueError(f"{self.study_id}: {name} is negative ({n})")
        if self.withdrawn_after_enrolment > self.enrolled:
            raise ValueError(
                f"{self.study_id}: withdrawn after enrolment ({self.withdrawn_after_enrolment})"
                f" exceeds enrolled ({self.enrolled})"
            )
        total = self.excluded + self.in_screening + self.enrolled
        if self.assessed != total:
            raise ValueError(
                f"{self.study_id}: assessed ({self.assessed}) != excluded ({self.excluded})"
                f" + in screening ({self.in_screening}) + enrolled ({self.enrolled}) = {total}"
            )
        if self.follow_up is not None:
            self.follow_up.check(self.study_id)
            if self.follow_up.allocated != self.enrolled:
                raise ValueError(
                    f"{self.study_id}: allocated ({self.follow_up.allocated})"
                    f" != enrolled ({self.enrolled})"
                )


def consort_counts(rows: list[LogRow], study: Study) -> ConsortCounts:
    """The diagram's numbers from every row of the study's screening log."""
    by_status = Counter(r.outcome for r in rows)
    reasons: Counter[str] = Counter()
    for r in rows:
        if r.outcome == CandidateStatus.SCREEN_FAILED.value:
            # Each screen failure counted once, under the first criterion that excluded it
            # (protocol order), as CONSORT's "not meeting inclusion criteria" box does.
            first = r.failed_criteria[0] if r.failed_criteria else "?"
            criterion = study.criteria.get(first)
            kind = (
                "inclusion not met"
                if criterion and criterion.kind.value == "inclusion"
                else "exclusion met"
            )
            reasons[f"{first} ({kind})"] += 1
    enrolled = (
        by_status[CandidateStatus.ENROLLED.value] + by_status[CandidateStatus.WITHDRAWN.value]
    )
    counts = ConsortCounts(
        study_id=study.id,
        assessed=len(rows),
        excluded_by_reason=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        declined=by_status[CandidateStatus.DECLINED.value],
        other_excluded=0,
        in_screening=by_status[CandidateStatus.SCREENING.value],
        enrolled=enrolled,
        withdrawn_after_enrolment=by_status[CandidateStatus.WITHDRAWN.value],
        target=study.target_enrollment,
    )
    counts.check()
    return counts


def consort_of(session: Session, study: Study, as_of: date | None = None) -> ConsortCounts:
    """The diagram's numbers from the study's whole screening log (never a filtered one)
    and, for a study with a schedule, its participants as of the site's day ``as_of``
    (today by default)."""
    counts = consort_counts(screening_log(session, study.id), study)
    follow_up = follow_up_of(session, study, as_of)
    if follow_up is None:
        return counts
    counts = replace(counts, follow_up=follow_up)
    counts.check()
    return counts
