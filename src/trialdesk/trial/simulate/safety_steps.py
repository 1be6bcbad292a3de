"""A simulated participant's adverse events, through the safety services: each reported
some days after its onset (a phone call, the next visit) and recorded by the investigator
with their signed causality assessment, then corrected with its end date and outcome
once it has resolved. A stopping rule met on the way pauses the study, as it would; the
simulated investigator then signs the safety review that resumes it at once (a real
review takes days: a simulation has no one to turn away in between).
"""

from __future__ import annotations

from datetime import datetime

from trialdesk.trial.accounts.models import User
from trialdesk.trial.safety import events, stopping
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.simulate.adverse_events import causality_of, event_input
from trialdesk.trial.simulate.plan import Step
from trialdesk.trial.simulate.site import Candidate, Site
from trialdesk.trial.store.db import Session

__all__ = ["RESUMED", "event_step", "resolved_step"]

RESUMED = (
    "Simulated safety review: the events counted are expected local reactions to the "
    "injection, resolved or resolving; the study continues."
)


def _investigator(site: Site, session: Session) -> Signing:
    user = session.get(User, site.staff.investigator_id)
    assert user is not None
    return Signing(user, "", site.staff.check)  # the demo password, checked once


def event_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    planned = step.event
    if c.enrolment_id is None or planned is None:
        return
    signing = _investigator(site, session)
    written = events.record_adverse_event(
        session, actor=site.staff.investigator, study=site.study, enrolment_id=c.enrolment_id,
        given=event_input(planned, site.today(step.at)), now=step.at,
        causality=causality_of(planned), signing=signing,
    )  # fmt: skip
    c.adverse_events[planned.number] = written.event.id
    site.tally.adverse_events += 1
    _resume_if_paused(site, session, written, signing, step.at)


def resolved_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    planned = step.event
    if c.enrolment_id is None or planned is None or planned.number not in c.adverse_events:
        return
    event_id = c.adverse_events[planned.number]
    written = events.update_adverse_event(
        session, actor=site.staff.coordinator, study=site.study, enrolment_id=c.enrolment_id,
        event_id=event_id, given=event_input(planned, site.today(step.at)),
        expected_version=None, reason="resolved: end date and outcome", now=step.at,
    )  # fmt: skip
    site.tally.resolved_events += 1
    _resume_if_paused(site, session, written, _investigator(site, session), step.at)


def _resume_if_paused(
    site: Site, session: Session, written: events.EventWritten, signing: Signing, at: datetime
) -> None:
    if written.paused is None:
        return
    stopping.resume_study(
        session, signer=signing.signer, password=signing.password, study=site.study,
        decision=RESUMED, now=at, checked=signing.checked,
    )  # fmt: skip
    site.tally.pauses += 1
