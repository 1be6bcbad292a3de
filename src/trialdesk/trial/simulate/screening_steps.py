"""Screening a simulated candidate, through the screening services: referred and dated,
consented (or not), the facts of the screening visit entered, the checklist read, the
investigator's decisions signed, and the outcome the criteria give: enrolled (then the
screening visit's forms), a screen failure, or declined.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from trialdesk.criteria.model import Kind as CriterionKind
from trialdesk.criteria.screening import CriterionResult, Status, Verdict
from trialdesk.errors import InputError
from trialdesk.trial.accounts.models import User
from trialdesk.trial.screening import candidates, consent, enrolment, facts, judgments
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import Candidate as CandidateRow
from trialdesk.trial.simulate.facts import screening_facts
from trialdesk.trial.simulate.plan import Dates, Step
from trialdesk.trial.simulate.population import Intended
from trialdesk.trial.simulate.rates import DECLINE_AFTER_SCREENING, DECLINE_BEFORE_CONSENT
from trialdesk.trial.simulate.site import CONSENT_FORM, Candidate, Site
from trialdesk.trial.store.db import Session

__all__ = ["consent_step", "screen_step"]

REVIEWED = "reviewed with the source documents at the screening visit"
REFUSED = "concerns that the person could not attend every visit, discussed with them"


def consent_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    """Referred and dated; consent signed, or a refusal."""
    p, actor = c.person, site.staff.coordinator
    row = candidates.add_candidate(
        session, actor=actor, study_id=site.study.id,
        person=candidates.NewCandidate(p.name, p.birth_date, p.sex, p.record_number),
        now=step.at, reason="referred to the simulated trial",
    )  # fmt: skip
    c.candidate_id = row.id
    site.tally.candidates += 1
    candidates.set_screening_details(
        session, study=site.study, actor=actor, candidate_id=row.id, expected_version=None,
        dates=_staff_dates(site, c.dates), parameters=dict(p.parameters), reason=None,
        now=step.at,
    )  # fmt: skip
    if p.intended is Intended.DECLINE_BEFORE_CONSENT:
        _decline(site, session, step.at, c, DECLINE_BEFORE_CONSENT)
        return
    consent.record_consent(
        session, actor=actor, candidate_id=row.id, form_version=CONSENT_FORM,
        consented_at=step.at, obtained_by=site.staff.investigator_name,
        participant_signed_on=site.today(step.at), now=step.at + timedelta(minutes=20),
    )  # fmt: skip


def _staff_dates(site: Site, dates: Dates) -> dict[str, date | None]:
    """The dates the site sets: the screening visit's anchor on the screening date, any
    other (the planned baseline) on the planned day 1."""
    anchor = site.screening_visit.anchor if site.screening_visit else None
    return {
        a.name: dates.screening if a.name == anchor else dates.day1
        for a in site.study.participant.staff
    }


def _decline(site: Site, session: Session, at: datetime, c: Candidate, reason: str) -> None:
    assert c.candidate_id is not None
    enrolment.decline(
        session, actor=site.staff.coordinator, candidate_id=c.candidate_id,
        expected_version=None, reason=reason, now=at,
    )  # fmt: skip
    c.closed = True
    site.tally.declined += 1


def screen_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    """The screening visit: its facts entered, then the outcome the criteria give."""
    if c.closed or c.candidate_id is None:
        return
    assert step.on is not None
    visit = site.screening_visit
    values = site.values_of(c, visit, step.on, step.at, screening=True) if visit else {}
    entries = screening_facts(site.study, c.person, values, step.on)
    if entries:  # typed from the visit's documents at once
        facts.add_facts(
            session, actor=site.staff.coordinator, study=site.study,
            candidate_id=c.candidate_id, entries=entries, now=step.at,
        )  # fmt: skip
        site.tally.facts += len(entries)
    if c.person.intended is Intended.DECLINE_AFTER_SCREENING:
        _decline(site, session, step.at, c, DECLINE_AFTER_SCREENING)
        return
    later = step.at + timedelta(hours=4)  # the investigator reviews in the afternoon
    row = session.get(CandidateRow, c.candidate_id)  # as the facts' entry locked it
    assert row is not None
    checklist = build_checklist(session, site.study, row, step.on)
    refused = checklist.result.verdict is Verdict.INELIGIBLE
    if not refused:
        refused = _judge(site, session, c, checklist.result.criteria, checklist.bases, later)
    decided = later + timedelta(minutes=30)
    if refused:
        enrolment.screen_fail(
            session, actor=site.staff.coordinator, study=site.study,
            candidate_id=c.candidate_id, expected_version=None, reason=None, today=step.on,
            now=decided,
        )  # fmt: skip
        c.closed = True
        site.tally.screen_failed += 1
        return
    if site.tally.enrolled >= site.target:
        _decline(site, session, decided, c, "recruitment closed: every place is taken")
        return
    try:
        enrolled = enrolment.enrol(
            session, actor=site.staff.coordinator, study=site.study,
            candidate_id=c.candidate_id, expected_version=None, today=step.on, now=decided,
        )  # fmt: skip
    except InputError as error:  # the criteria left something undecided: not enrolled
        _decline(site, session, decided, c, f"screening not completed: {error.message}"[:200])
        return
    c.enrolment_id = enrolled.id
    site.tally.enrolled += 1
    if visit is not None:  # its forms, now that there is a participant to enter them for
        site.save_visit_forms(session, c, visit, values, decided + timedelta(minutes=30))


def _judge(
    site: Site, session: Session, c: Candidate, results: Sequence[CriterionResult],
    bases: dict[str, str], now: datetime,
) -> bool:  # fmt: skip
    """The investigator decides each criterion the checklist leaves for review and signs
    them in one act, with the password checked once (the demo account's); True when a
    decision excludes the candidate (a planned E26 failure: compliance in doubt)."""
    assert c.candidate_id is not None
    decisions, refused = [], False
    for result in results:
        if result.status is not Status.NEEDS_REVIEW:
            continue
        criterion = result.criterion
        refuses = criterion.id == c.person.failure
        inclusion = criterion.kind is CriterionKind.INCLUSION
        decisions.append(
            judgments.Decision(
                criterion.id, "met" if inclusion != refuses else "not_met",
                REFUSED if refuses else REVIEWED, bases[criterion.id],
            )
        )  # fmt: skip
        refused |= refuses
    if not decisions:
        return False
    user = session.get(User, site.staff.investigator_id)
    assert user is not None
    judgments.sign_judgments(
        session, user=user, password="", study=site.study, candidate_id=c.candidate_id,
        decisions=decisions, today=site.today(now), now=now, checked=site.staff.check,
    )  # fmt: skip
    site.tally.judgments += len(decisions)
    return refused
