"""Following a simulated participant, through the conduct services: the injection and
day 1's forms, each visit recorded (its forms then, or some days later) or recorded as
missed, completion at the last visit, or an early end with its termination visit.
"""

from __future__ import annotations

from datetime import timedelta

from trialdesk.trial.conduct import disposition, visits
from trialdesk.trial.simulate.plan import Step, termination_visit
from trialdesk.trial.simulate.site import Candidate, Site
from trialdesk.trial.store.db import Session

__all__ = ["day1_step", "end_step", "forms_step", "missed_step", "visit_step"]


def day1_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    """The injection (its form sets day 1) and the baseline visit's other forms."""
    if c.enrolment_id is None or step.visit is None or step.on is None:
        return
    visit = site.schedule.visit(step.visit)
    site.save_visit_forms(session, c, visit, site.values_of(c, visit, step.on, step.at), step.at)
    site.tally.injected += 1


def visit_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    if c.enrolment_id is None or step.visit is None or step.on is None:
        return
    visits.record_visit(
        session, actor=site.staff.coordinator, study=site.study,
        enrolment_id=c.enrolment_id, visit_id=step.visit, on=step.on,
        today=site.today(step.at), now=step.at,
    )  # fmt: skip
    site.tally.visits += 1
    if step.with_forms:  # else entered some days later (a FORMS step)
        forms_step(site, session, step, c)


def forms_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    """A visit's forms; after the last visit's, participation is completed."""
    if c.enrolment_id is None or step.visit is None or step.on is None:
        return
    visit = site.schedule.visit(step.visit)
    values = site.values_of(c, visit, step.on, step.at)
    site.save_visit_forms(session, c, visit, values, step.at + timedelta(hours=2))
    if step.completes:
        disposition.end_participation(
            session, actor=site.staff.coordinator, study=site.study,
            enrolment_id=c.enrolment_id, term=disposition.EndTerm.COMPLETED,
            ended_on=step.on, reason=None, now=step.at + timedelta(hours=3),
        )  # fmt: skip
        site.tally.completed += 1


def missed_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    if c.enrolment_id is None or step.visit is None:
        return
    visits.mark_missed(
        session, actor=site.staff.coordinator, study=site.study,
        enrolment_id=c.enrolment_id, visit_id=step.visit, reason=step.reason, now=step.at,
    )  # fmt: skip
    site.tally.missed += 1


def end_step(site: Site, session: Session, step: Step, c: Candidate) -> None:
    """Participation ended early, in its CDISC term; the termination visit's forms."""
    if c.enrolment_id is None or step.on is None or step.term is None:
        return
    visit = termination_visit(site.schedule) if step.termination_visit else None
    disposition.end_participation(
        session, actor=site.staff.coordinator, study=site.study,
        enrolment_id=c.enrolment_id, term=step.term, ended_on=step.on, reason=step.reason,
        now=step.at, termination_visit_on=step.on if visit is not None else None,
    )  # fmt: skip
    site.tally.ended_early[step.term] += 1
    if visit is not None:
        values = site.values_of(c, visit, step.on, step.at)
        site.save_visit_forms(session, c, visit, values, step.at + timedelta(minutes=30))
