"""The numbers a CONSORT flow diagram shows: enrolment counted from a study's screening
log, and what happened after it from the conduct records (followup.py).

Once the study's target enrolment is reached, no one still in screening can be enrolled:
they leave the "still in screening" box for "Excluded: other reasons", split into those
the checklist finds eligible ("eligible, not enrolled (target reached)") and the rest
("screening stopped (target reached)"), so an eligible person turned away for want of a
place is counted as such (walkthrough D27)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from trialdesk.reports.consort.followup import FollowUpCounts, follow_up_of
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.screening.candidates import list_candidates
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import CandidateStatus
from trialdesk.trial.screening.screening_log import LogRow, screening_log
from trialdesk.trial.store.db import Session

__all__ = [
    "ELIGIBLE_TARGET_REACHED",
    "STOPPED_TARGET_REACHED",
    "ConsortCounts",
    "consort_counts",
    "consort_of",
    "target_reached",
]

ELIGIBLE_TARGET_REACHED = "Eligible, not enrolled (target reached)"
STOPPED_TARGET_REACHED = "Screening stopped (target reached)"


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
    # what the other reasons are, (label, count): they add up to other_excluded
    other_by_reason: tuple[tuple[str, int], ...] = ()

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
        for label, n in self.other_by_reason:
            fields[f"other reason {label!r}"] = n
        for name, n in fields.items():
            if n < 0:
                raise ValueError(f"{self.study_id}: {name} is negative ({n})")
        if self.withdrawn_after_enrolment > self.enrolled:
            raise ValueError(
                f"{self.study_id}: withdrawn after enrolment ({self.withdrawn_after_enrolment})"
                f" exceeds enrolled ({self.enrolled})"
            )
        if self.other_by_reason and sum(n for _, n in self.other_by_reason) != self.other_excluded:
            raise ValueError(
                f"{self.study_id}: other reasons ({self.other_by_reason}) do not add up to "
                f"{self.other_excluded}"
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


def consort_counts(
    rows: list[LogRow], study: Study, verdicts: Mapping[int, str] | None = None
) -> ConsortCounts:
    """The diagram's numbers from every row of the study's screening log. Once the target
    is reached, those still in screening are other exclusions, eligible or not by
    ``verdicts`` (candidate id → the checklist's verdict; module doc)."""
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
    in_screening = by_status[CandidateStatus.SCREENING.value]
    other: Counter[str] = Counter()
    if target_reached(enrolled, study.target_enrollment):
        for r in rows:
            if r.outcome == CandidateStatus.SCREENING.value:
                eligible = (verdicts or {}).get(r.candidate_id) == "eligible"
                other[ELIGIBLE_TARGET_REACHED if eligible else STOPPED_TARGET_REACHED] += 1
        in_screening = 0
    counts = ConsortCounts(
        study_id=study.id,
        assessed=len(rows),
        excluded_by_reason=tuple(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        declined=by_status[CandidateStatus.DECLINED.value],
        other_excluded=sum(other.values()),
        other_by_reason=tuple(
            (label, other[label])
            for label in (ELIGIBLE_TARGET_REACHED, STOPPED_TARGET_REACHED)
            if other[label]
        ),
        in_screening=in_screening,
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
    rows = screening_log(session, study.id)
    counts = consort_counts(rows, study, _verdicts_if_full(session, study, rows, as_of))
    follow_up = follow_up_of(session, study, as_of)
    if follow_up is None:
        return counts
    counts = replace(counts, follow_up=follow_up)
    counts.check()
    return counts


def target_reached(enrolled: int, target: int | None) -> bool:
    """Every place taken (a withdrawal does not give its place back)."""
    return target is not None and target > 0 and enrolled >= target


def _verdicts_if_full(
    session: Session, study: Study, rows: list[LogRow], as_of: date | None
) -> dict[int, str]:
    """The checklist's verdict of each candidate still in screening, once the study is
    full (the only time they are needed: judging is the engine's work, not free)."""
    taken = sum(
        r.outcome in (CandidateStatus.ENROLLED.value, CandidateStatus.WITHDRAWN.value) for r in rows
    )
    if not target_reached(taken, study.target_enrollment):
        return {}
    day = as_of or site_today(study.schedule, datetime.now(UTC))
    return {
        candidate.id: build_checklist(session, study, candidate, day).result.verdict.value
        for candidate in list_candidates(session, study.id, CandidateStatus.SCREENING)
    }
