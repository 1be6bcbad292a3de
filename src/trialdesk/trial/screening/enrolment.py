"""Screening outcomes: screen failure, declined, enrolment and withdrawal.

Enrolment takes a place with one conditional UPDATE on the study's site row
(``enrolled < target``) inside the enrolling transaction. On SQLite the transaction holds
the write lock from BEGIN IMMEDIATE; on PostgreSQL the UPDATE locks the row and a second
enrolment re-checks the condition after the first commits. Either way no number of
concurrent requests can take more places than the target, and the database's CHECK
constraint stands behind it. Subject numbers are ``<site>-<sequence>`` (e.g. ``01-001``)
from a sequence that only grows, so a number is never reused.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, tzinfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from trialdesk.criteria.screening import Verdict
from trialdesk.errors import ConflictError, InputError
from trialdesk.study.loader import Study
from trialdesk.trial.screening.candidates import candidate_or_404, check_version, fields_of
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.consent import current_form, latest_consent
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Enrolment, StudySite
from trialdesk.trial.screening.outcome_dates import outcome_day, outcome_instant
from trialdesk.trial.store import audit, holds
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "EnrolmentFull",
    "SITE_CODE_ENV",
    "decline",
    "enrol",
    "enrolment_of",
    "places",
    "screen_fail",
    "withdraw",
]

SITE_CODE_ENV = "TRIALDESK_SITE_CODE"
DEFAULT_SITE_CODE = "01"


class EnrolmentFull(ConflictError):
    def __init__(self, target: int) -> None:
        super().__init__(
            f"enrolment is full: all {target} places of this study are taken", field="enrol"
        )


def site_code() -> str:
    code = os.environ.get(SITE_CODE_ENV, DEFAULT_SITE_CODE).strip()
    if not code.isalnum() or len(code) > 8:
        raise InputError(f"{SITE_CODE_ENV} must be up to 8 letters or digits", field=SITE_CODE_ENV)
    return code


def _site(session: Session, study: Study) -> StudySite:
    """The study's site row, created on first use (concurrent creators do not conflict)."""
    target = study.target_enrollment
    if target is None or target < 1:
        raise InputError(
            f"{study.id} has no target enrolment in its registry record", field="enrol"
        )
    values = {
        "study_id": study.id,
        "site_code": site_code(),
        "target": target,
        "enrolled": 0,
        "last_sequence": 0,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(pg_insert(StudySite).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(StudySite).values(values).on_conflict_do_nothing())
    site = session.get(StudySite, study.id, populate_existing=True)
    assert site is not None
    return site


def enrolment_of(session: Session, candidate_id: int) -> Enrolment | None:
    """The candidate's enrolment, if they were enrolled (withdrawn ones keep theirs)."""
    return session.scalars(select(Enrolment).where(Enrolment.candidate_id == candidate_id)).first()


def places(session: Session, study: Study) -> tuple[int, int]:
    """(taken, target) for the study at this site."""
    site = session.get(StudySite, study.id)
    target = study.target_enrollment or 0
    return (site.enrolled if site else 0), (site.target if site else target)


def _close(
    session: Session,
    candidate: Candidate,
    *,
    actor: str,
    status: CandidateStatus,
    reason: str,
    failed: list[str],
    now: datetime,
    note: str | None = None,
    at: datetime | None = None,
) -> None:
    """Close screening; ``reason`` goes to the audit trail, ``note`` (what staff wrote,
    when it adds to the status and criteria) to the screening log; ``at``: when the
    outcome took effect (``now`` unless back-dated), the audit entry is written ``now``."""
    before = fields_of(candidate)
    candidate.status = status
    candidate.outcome_reason = note
    candidate.failed_criteria = failed
    candidate.outcome_at = at or now
    candidate.outcome_by = actor
    audit.updated(
        session,
        candidate,
        actor=actor,
        before=before,
        after=fields_of(candidate),
        reason=reason,
        at=now,
        action=audit.Action(status.value),  # the screening log's outcome names the entry
    )


def _outcome_at(candidate: Candidate, on: date | None, now: datetime, zone: tzinfo) -> datetime:
    """When a screen failure or decline took effect: not on a site date before the
    candidate was added, nor at an instant before it (a back-dated outcome on the day they
    were added is stored at their adding, not at the midnight before it)."""
    added = candidate.created_at.astimezone(zone).date()
    if outcome_day(on, now, zone) < added:
        raise InputError(f"is before the candidate was added ({added.isoformat()})", field="on")
    return outcome_instant(on, now, zone, not_before=candidate.created_at)


def _screening(session: Session, candidate_id: int, expected_version: int | None) -> Candidate:
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    check_version(candidate, expected_version)
    if candidate.status is not CandidateStatus.SCREENING:
        raise InputError(f"screening is already closed ({candidate.status.value})", field="status")
    return candidate


def screen_fail(
    session: Session,
    *,
    actor: str,
    study: Study,
    candidate_id: int,
    expected_version: int | None,
    reason: str | None,
    today: date,
    now: datetime,
    on: date | None = None,
    zone: tzinfo = UTC,
) -> Candidate:
    """Close screening as a screen failure, with the criteria the engine found excluding;
    ``on``: the site date it took effect (default: today at the site)."""
    now = as_utc(now)
    outcome_day(on, now, zone)  # a date in the future or before 1900: refused first
    candidate = _screening(session, candidate_id, expected_version)
    at = _outcome_at(candidate, on, now, zone)
    checklist = build_checklist(session, study, candidate, today)
    failed = [r.criterion.id for r in checklist.result.criteria if r.excludes]
    if not failed:
        raise InputError(
            "the checklist shows no criterion that excludes this candidate: record "
            "'declined' if they will not take part",
            field="outcome",
        )
    note = " ".join((reason or "").split()) or None
    _close(
        session,
        candidate,
        actor=actor,
        status=CandidateStatus.SCREEN_FAILED,
        reason=note or f"excluded by {', '.join(failed)}",
        failed=failed,
        now=now,
        note=note,
        at=at,
    )
    return candidate


def decline(
    session: Session,
    *,
    actor: str,
    candidate_id: int,
    expected_version: int | None,
    reason: str | None,
    now: datetime,
    on: date | None = None,
    zone: tzinfo = UTC,
) -> Candidate:
    """Close screening without enrolment for a reason other than the criteria; ``on``:
    the site date it took effect (default: today at the site)."""
    now = as_utc(now)
    outcome_day(on, now, zone)  # a date in the future or before 1900: refused first
    candidate = _screening(session, candidate_id, expected_version)
    at = _outcome_at(candidate, on, now, zone)
    why = reason_text(reason)
    _close(
        session,
        candidate,
        actor=actor,
        status=CandidateStatus.DECLINED,
        reason=why,
        failed=[],
        now=now,
        note=why,
        at=at,
    )
    return candidate


def enrol(
    session: Session,
    *,
    actor: str,
    study: Study,
    candidate_id: int,
    expected_version: int | None,
    today: date,
    now: datetime,
    on: date | None = None,
    zone: tzinfo = UTC,
) -> Enrolment:
    """Enrol an eligible, consented candidate into a free place; refused while the study
    is paused by a stopping rule (store/holds.py), naming the rule. ``on``: the site date
    of enrolment (default: today at the site), not before the consent's site date."""
    now = as_utc(now)
    day = outcome_day(on, now, zone)  # a date in the future or before 1900: refused first
    candidate = _screening(session, candidate_id, expected_version)
    checklist = build_checklist(session, study, candidate, today)
    verdict = checklist.result.verdict
    if verdict is not Verdict.ELIGIBLE:
        raise InputError(
            f"the checklist verdict is {verdict.value.replace('_', ' ')}, not eligible",
            field="enrol",
        )
    signed = latest_consent(session, candidate.id)
    if signed is None:
        raise InputError("no informed consent on file", field="enrol")
    consented_on = signed.consented_at.astimezone(zone).date()
    if day < consented_on:
        # ICH E6(R3) 2.8: nothing trial-specific before consent, enrolment least of all
        raise InputError(f"is before the consent ({consented_on.isoformat()})", field="on")
    # not at an instant before the consent, on its day either
    at = outcome_instant(on, now, zone, not_before=signed.consented_at)
    form = current_form(session, study.id, today)
    if form is not None and signed.form_version != form.version:
        raise InputError(
            f"the consent on file is on form {signed.form_version}; the current form is "
            f"{form.version}: re-consent first",
            field="enrol",
        )
    site = _site(session, study)
    taken = session.execute(
        update(StudySite)
        .where(StudySite.study_id == study.id, StudySite.enrolled < StudySite.target)
        .values(enrolled=StudySite.enrolled + 1, last_sequence=StudySite.last_sequence + 1)
        .returning(StudySite.last_sequence, StudySite.site_code)
    ).one_or_none()
    if taken is None:
        raise EnrolmentFull(site.target)
    # After the place-taking UPDATE: on PostgreSQL it waited for an adverse event write
    # holding the site row (trial/safety/stopping.py), so a pause that write placed is seen.
    holds.refuse_if_paused(session, study.id, "enrolment", field="enrol")
    sequence, code = taken
    row = Enrolment(
        candidate_id=candidate.id,
        study_id=study.id,
        subject_number=f"{code}-{sequence:03d}",
        enrolled_at=at,
        enrolled_by=actor,
    )
    session.add(row)
    session.flush()
    _close(
        session, candidate, actor=actor, status=CandidateStatus.ENROLLED,
        reason=f"enrolled as {row.subject_number}", failed=[], now=now, at=at,
    )  # fmt: skip
    audit.created(
        session,
        row,
        actor=actor,
        fields={
            "candidate_id": candidate.id,
            "study_id": study.id,
            "subject_number": row.subject_number,
        },
        reason=f"place {sequence} of {site.target}",
        at=now,
    )
    return row


def withdraw(
    session: Session,
    *,
    actor: str,
    candidate_id: int,
    expected_version: int | None,
    withdrawn_on: date,
    reason: str | None,
    now: datetime,
    today: date | None = None,
    zone: tzinfo = UTC,
) -> Enrolment:
    """Record a participant's withdrawal; the enrolment and everything before it stay.
    ``today``: the site's date (the conduct half judges every date on it), else the date
    at ``zone`` (UTC unless given); ``withdrawn_on`` is stored as the start of that site day."""
    now = as_utc(now)
    why = reason_text(reason)
    candidate = candidate_or_404(session, candidate_id, for_update=True)
    check_version(candidate, expected_version)
    if candidate.status is not CandidateStatus.ENROLLED:
        raise InputError(
            f"only an enrolled participant can withdraw ({candidate.status.value})", field="status"
        )
    row = session.scalars(select(Enrolment).where(Enrolment.candidate_id == candidate.id)).one()
    if withdrawn_on > (today or now.astimezone(zone).date()):
        raise InputError("is in the future", field="withdrawn_on")
    if withdrawn_on < row.enrolled_at.astimezone(zone).date():
        raise InputError("is before the enrolment date", field="withdrawn_on")
    row.withdrawn_at = datetime.combine(withdrawn_on, time.min, tzinfo=zone).astimezone(UTC)
    row.withdrawn_by = actor
    row.withdrawal_reason = why
    _close(
        session,
        candidate,
        actor=actor,
        status=CandidateStatus.WITHDRAWN,
        reason=why,
        failed=[],
        now=now,
        note=why,
    )
    audit.event(
        session,
        row,
        audit.Action.WITHDRAW,
        actor=actor,
        changes={"withdrawn_at": (None, row.withdrawn_at), "withdrawal_reason": (None, why)},
        reason=why,
        at=now,
    )
    return row
