"""What the submission exports read from the trial store, as plain data.

One read service for the CDISC package (reports/cdisc/, which may not touch the store):
each participant's casebook (review/casebook.py, the same content an investigator signs),
and beside it what the casebook does not hold but the tabulation needs: the person's sex
and birth date, the informed consent, the screening outcome with the eligibility engine's
per-criterion results as they stood at screening, the confirmed protocol deviations and
the medical history on the screening record. Everyone consented whose screening closed
without enrolment is read too, with how it closed (``Screened.closing_decod``,
``Screened.arm_null_reason``): screen failures (refused by the criteria; SDTMIG 3.4 DM
ARMNRS "SCREEN FAILURE", and IE) and those who declined after consenting (DM ARMNRS "NOT
ASSIGNED", DS their reason), so DM, DS and ADSL count every consented person the CONSORT
diagram counts as excluded.

PROTOCOL ASSUMPTION (SDTMIG 3.4 is silent on a data cut during screening): a consented
candidate still in screening at the data cut is not read. Their screening has no outcome
yet, so DM could give no ARMNRS (they are neither a screen failure nor "not assigned": they
may yet be) and DS no disposition event; the CONSORT diagram shows them as "in screening".

Nothing here is an ORM object: the exports see values, so a report cannot lazy-load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from trialdesk.criteria.model import Kind
from trialdesk.facts.record import FactKind
from trialdesk.gc_pause import cycle_collection_paused
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.conduct.participants import list_participants
from trialdesk.trial.review.casebook import casebooks
from trialdesk.trial.review.deviation_kinds import State
from trialdesk.trial.review.deviation_models import ProtocolDeviation
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.checklist_rows import CandidateRows, candidate_rows
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Consent, StudySite
from trialdesk.trial.store.db import Session

__all__ = [
    "CriterionOutcome",
    "DecidedDeviation",
    "HistoryItem",
    "Screened",
    "TrialExtract",
    "trial_extract",
]


@dataclass(frozen=True)
class CriterionOutcome:
    """One criterion as the engine judged it at screening (signed judgments applied)."""

    id: str  # "I4", "E12"
    inclusion: bool
    status: str  # met, not_met, unknown, needs_review
    excludes: bool  # this criterion alone made the person ineligible
    attested_by: str | None = None  # the investigator whose signed judgment decided it


@dataclass(frozen=True)
class HistoryItem:
    """A condition on the screening record (the candidate's medical history)."""

    term: str
    code: str | None  # "system|code" of the first coding
    start: date | None
    end: date | None
    status: str | None  # active, resolved, ...
    resource: str


@dataclass(frozen=True)
class DecidedDeviation:
    """A protocol deviation the data manager or investigator confirmed."""

    id: int
    term: str
    decod: str | None
    category: str
    severity: str  # major | minor
    start: str | None  # ISO 8601 date
    epoch: str | None
    visit_key: str | None


# How a consented candidate's screening closed without enrolment, in CDISC terms: the
# DS disposition decode (CT NCOMPLT C66727) and DM's reason for a null arm (CT ARMNULRS
# C142179, SDTMIG 3.4 DM ARMNRS). A screen failure failed the criteria (NCOMPLT "SCREEN
# FAILURE"). A decline is closed "for a reason other than the criteria"
# (screening/enrolment.py decline: the person's choice, recruitment closed, screening not
# completed): PROTOCOL ASSUMPTION, NCOMPLT "OTHER" with the recorded reason as DSTERM
# (the free-text reason is not mapped to a narrower term), and ARMNRS "NOT ASSIGNED"
# (SDTMIG 3.4 DM: not assigned to an arm for a reason other than screen failure).
_CLOSED: dict[str, tuple[str, str]] = {
    CandidateStatus.SCREEN_FAILED.value: ("SCREEN FAILURE", "SCREEN FAILURE"),
    CandidateStatus.DECLINED.value: ("OTHER", "NOT ASSIGNED"),
}


@dataclass(frozen=True)
class Screened:
    """A consented candidate: an enrolled participant, or one whose screening closed
    without enrolment (a screen failure, or declined after consenting)."""

    candidate_id: int
    subject_number: str | None  # None: a screen failure (never enrolled)
    sex: str | None
    birth_date: date | None
    consented_on: date | None  # the first informed consent, site date
    screened_on: date | None  # the screening anchor
    enrolled_on: date | None
    status: str  # CandidateStatus value
    outcome_on: date | None  # the day the screening outcome was recorded
    outcome_reason: str | None
    criteria: tuple[CriterionOutcome, ...]
    history: tuple[HistoryItem, ...]
    deviations: tuple[DecidedDeviation, ...]
    casebook: dict[str, Any] | None  # review/casebook.py's content; None if never enrolled

    @property
    def closing_decod(self) -> str | None:
        """DS DSDECOD of a screening closed without enrolment (None: enrolled); its
        DSTERM is ``outcome_reason`` where one was recorded."""
        closed = _CLOSED.get(self.status) if self.subject_number is None else None
        return closed[0] if closed else None

    @property
    def arm_null_reason(self) -> str | None:
        """DM ARMNRS of a person never assigned to the arm (None: enrolled)."""
        closed = _CLOSED.get(self.status) if self.subject_number is None else None
        return closed[1] if closed else None


@dataclass(frozen=True)
class TrialExtract:
    study_id: str
    site_code: str | None
    # enrolled (subject-number order), then the consented not enrolled (candidate order)
    subjects: tuple[Screened, ...]

    @property
    def casebooks(self) -> list[dict[str, Any]]:
        return [s.casebook for s in self.subjects if s.casebook is not None]


@cycle_collection_paused()  # a whole trial's rows: nothing the cycle collector could free
def trial_extract(session: Session, study: Study, *, screening: bool = True) -> TrialExtract:
    """Everything the exports read about ``study``'s participants and the consented
    candidates whose screening closed without enrolment (screen failures, declined).
    ``screening``: re-run the eligibility engine on each record as it stood at screening
    (for IE); off, the per-criterion results are left empty (faster)."""
    participants = list_participants(session, study.id)
    books = casebooks(session, participants)
    failed = list(
        session.scalars(
            select(Candidate)
            .where(Candidate.study_id == study.id)
            .where(Candidate.status.in_([CandidateStatus(s) for s in _CLOSED]))
            .order_by(Candidate.id)
        )
    )
    candidates = [p.candidate for p in participants] + failed
    first_consent = _first_consents(session, study, [c.id for c in candidates])
    # screened means consented: a decline before consent is in the screening log only
    failed = [c for c in failed if c.id in first_consent]
    deviations = _deviations(session, [p.id for p in participants])
    # what each checklist reads, one query per table for everyone (not one per person)
    rows = candidate_rows(session, [c.id for c in candidates]) if screening else {}
    subjects: list[Screened] = []
    for p in participants:
        subjects.append(
            _screened(
                session, study, p.candidate, first_consent.get(p.candidate.id),
                subject_number=p.subject_number,
                enrolled_on=site_today(study.schedule, p.enrolment.enrolled_at),
                deviations=deviations.get(p.id, ()), casebook=books[p.id],
                rows=rows.get(p.candidate.id) if screening else None,
            )
        )  # fmt: skip
    for c in failed:
        subjects.append(
            _screened(session, study, c, first_consent[c.id], subject_number=None,
                      enrolled_on=None, deviations=(), casebook=None,
                      rows=rows.get(c.id) if screening else None)
        )  # fmt: skip
    site = session.scalar(select(StudySite.site_code).where(StudySite.study_id == study.id))
    return TrialExtract(study.id, site, tuple(subjects))


def _screened(
    session: Session,
    study: Study,
    candidate: Candidate,
    consented_on: date | None,
    *,
    subject_number: str | None,
    enrolled_on: date | None,
    deviations: Sequence[DecidedDeviation],
    casebook: dict[str, Any] | None,
    rows: CandidateRows | None,
) -> Screened:
    """``rows``: the person's checklist rows (checklist_rows.py) to re-run the eligibility
    engine on; None: not screened (no per-criterion results)."""
    screened_on = candidate.date_of(_screening_anchor(study))
    outcome_on = site_today(study.schedule, candidate.outcome_at) if candidate.outcome_at else None
    criteria: tuple[CriterionOutcome, ...] = ()
    history: tuple[HistoryItem, ...] = ()
    if rows is not None:
        # judged on the screening date, as the site saw it then (the outcome's day when no
        # screening date was set)
        on = screened_on or outcome_on or consented_on
        if on is not None:
            checklist = build_checklist(session, study, candidate, on, rows)
            criteria = tuple(
                CriterionOutcome(
                    r.criterion.id, r.criterion.kind is Kind.INCLUSION, r.status.value,
                    r.excludes, r.attested.by if r.attested is not None else None,
                )
                for r in checklist.result.criteria
            )  # fmt: skip
            history = tuple(
                HistoryItem(
                    term=f.label,
                    code=f"{f.codes[0].system}|{f.codes[0].code}" if f.codes else None,
                    start=f.start, end=f.end, status=f.status, resource=f.resource,
                )
                for f in checklist.record.facts
                if f.kind is FactKind.CONDITION and (f.start is None or f.start <= on)
            )  # fmt: skip
    return Screened(
        candidate_id=candidate.id,
        subject_number=subject_number,
        sex=candidate.sex,
        birth_date=candidate.birth_date,
        consented_on=consented_on,
        screened_on=screened_on,
        enrolled_on=enrolled_on,
        status=candidate.status.value,
        outcome_on=outcome_on,
        outcome_reason=candidate.outcome_reason,
        criteria=criteria,
        history=history,
        deviations=tuple(deviations),
        casebook=casebook,
    )


def _screening_anchor(study: Study) -> str:
    """The anchor whose date is the screening visit's (the schedule's first visit)."""
    schedule = study.schedule
    first = schedule.scheduled[0] if schedule is not None and schedule.scheduled else None
    return first.anchor if first is not None and first.anchor else "screening"


def _first_consents(session: Session, study: Study, candidate_ids: list[int]) -> dict[int, date]:
    """Each candidate's first informed consent, as the site's date."""
    if not candidate_ids:
        return {}
    first: dict[int, date] = {}
    rows = session.scalars(select(Consent).where(Consent.candidate_id.in_(candidate_ids)))
    for c in rows:
        on = site_today(study.schedule, c.consented_at)
        if c.candidate_id not in first or on < first[c.candidate_id]:
            first[c.candidate_id] = on
    return first


def _deviations(session: Session, enrolment_ids: list[int]) -> dict[int, list[DecidedDeviation]]:
    if not enrolment_ids:
        return {}
    out: dict[int, list[DecidedDeviation]] = {}
    rows = session.scalars(
        select(ProtocolDeviation)
        .where(ProtocolDeviation.enrolment_id.in_(enrolment_ids))
        .where(ProtocolDeviation.state == State.CONFIRMED.value)
        .order_by(ProtocolDeviation.id)
    )
    for d in rows:
        out.setdefault(d.enrolment_id, []).append(
            DecidedDeviation(
                d.id, d.dvterm, d.dvdecod, d.dvcat, d.severity, d.dvstdtc, d.epoch, d.visit_key
            )
        )
    return out
