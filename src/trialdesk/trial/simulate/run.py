"""Running a simulated trial into a store: staff accounts and the consent form, then
every candidate's steps in the order of time up to the as-of date (run in order, the
store fills as a site's would: subject numbers follow enrolment, the audit trail
follows the calendar).

Deterministic: the same study, seed, number of participants and as-of date give the
same store contents (the passwords' salts and the accounts' creation times aside). No
wall clock is read: every service is given the simulated moment of its step.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from trialdesk.errors import ConflictError, InputError
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today, site_zone
from trialdesk.trial.accounts.models import User
from trialdesk.trial.screening import consent
from trialdesk.trial.screening.models import Candidate as CandidateRow
from trialdesk.trial.simulate.adverse_events import EventRates, event_rates
from trialdesk.trial.simulate.commits import quick_commits
from trialdesk.trial.simulate.follow_up_steps import (
    day1_step,
    end_step,
    forms_step,
    missed_step,
    visit_step,
)
from trialdesk.trial.simulate.plan import Dates, Kind, Step, accrual, candidate_dates, steps_of
from trialdesk.trial.simulate.population import Intended, draw_person, intended_of
from trialdesk.trial.simulate.rates import CALENDAR, RATES, Rates
from trialdesk.trial.simulate.safety_steps import event_step, resolved_step
from trialdesk.trial.simulate.screening_steps import consent_step, screen_step
from trialdesk.trial.simulate.site import CONSENT_FORM, Candidate, Site, Tally
from trialdesk.trial.simulate.staff import COORDINATOR, INVESTIGATOR, Staff, demo_staff
from trialdesk.trial.store.db import Session, Store

__all__ = ["Progress", "Simulation", "simulate"]

Progress = Callable[[int, int], None]  # (steps done, steps to do)

_STEPS: dict[Kind, Callable[[Site, Session, Step, Candidate], None]] = {
    Kind.CONSENT: consent_step,
    Kind.SCREEN: screen_step,
    Kind.DAY1: day1_step,
    Kind.VISIT: visit_step,
    Kind.FORMS: forms_step,
    Kind.MISSED: missed_step,
    Kind.END: end_step,
    Kind.EVENT: event_step,
    Kind.EVENT_RESOLVED: resolved_step,
}


@dataclass(frozen=True)
class Simulation:
    """What was simulated, for the command to report."""

    study_id: str
    seed: int
    as_of: date
    requested: int
    target: int | None  # the study's enrolment target (its registry record)
    enrolling: int  # min(requested, target)
    staff: Staff
    tally: Tally
    notes: tuple[str, ...] = field(default=())

    @property
    def enrolled(self) -> int:
        return self.tally.enrolled


def _check_empty(store: Store, study: Study) -> None:
    """A simulated trial goes into a store of its own: none of the study's candidates yet,
    and no staff but the demo accounts (whose password is published: never beside real
    accounts and data)."""
    demo = (COORDINATOR[0], INVESTIGATOR[0])
    with store.read() as session:
        found = session.scalar(
            select(func.count()).select_from(CandidateRow).where(CandidateRow.study_id == study.id)
        )
        staff = session.scalar(
            select(func.count()).select_from(User).where(User.username.not_in(demo))
        )
    if found:
        raise ConflictError(
            f"the store already holds {found} candidate(s) of {study.id}: simulate into an "
            "empty store (another --database-url)",
            field="--database-url",
        )
    if staff:
        raise ConflictError(
            f"the store has {staff} staff account(s): a simulated trial, with its demo "
            "accounts, goes into a store of its own (another --database-url)",
            field="--database-url",
        )


def _register_consent_form(store: Store, study: Study, staff: Staff, first: date) -> None:
    """Consent form version 1.0, in effect a month before the first screening."""
    effective = first - timedelta(days=30)
    at = datetime.combine(effective, time(9), tzinfo=site_zone(study.schedule))
    with store.transaction() as session:
        if consent.form_versions(session, study.id):
            return
        consent.add_form_version(
            session, actor=staff.coordinator, study_id=study.id, version=CONSENT_FORM,
            effective_on=effective, now=at,
        )  # fmt: skip


def _candidates(
    study: Study, seed: int, enrolling: int, as_of: date, rates: Rates
) -> list[Candidate]:
    """Enough candidates for ``enrolling`` participants, their screening dates spread
    over the accrual period in the order they come."""
    assert study.schedule is not None
    intended: list[Intended] = []
    while sum(i is Intended.ENROL for i in intended) < enrolling:
        intended.append(intended_of(seed, len(intended), rates))
    first, last = accrual(study.schedule, as_of)
    span = (last - first).days
    out = []
    for index, meant in enumerate(intended):
        screening = first + timedelta(days=round(index * span / max(len(intended) - 1, 1)))
        dates = candidate_dates(random.Random(f"{seed}/{index}/dates"), screening)
        person = draw_person(study, seed, index, dates.consent, meant, rates)
        out.append(Candidate(person, dates))
    return out


def _replacement(
    study: Study, seed: int, index: int, today: date, as_of: date, rates: Rates
) -> Candidate | None:
    """Another candidate, screened soon, for an intended participant the criteria
    refused; None when they could not be screened by ``as_of``."""
    rng = random.Random(f"{seed}/{index}/dates")
    consent_on = today + timedelta(days=rng.randint(1, 7))
    screening = consent_on + timedelta(days=rng.randint(*CALENDAR.consent_before_screening))
    if screening > as_of:
        return None
    day1 = screening + timedelta(days=rng.randint(*CALENDAR.screening_before_day1))
    person = draw_person(study, seed, index, consent_on, Intended.ENROL, rates)
    return Candidate(person, Dates(consent_on, screening, day1))


def simulate(
    store: Store,
    study: Study,
    *,
    participants: int,
    seed: int,
    as_of: date,
    progress: Progress | None = None,
    rates: Rates = RATES,
    events: EventRates | None = None,
) -> Simulation:
    """Simulate ``participants`` enrolled (at most the study's target) and their trial up
    to ``as_of`` (the site's date) into ``store``; their adverse events at ``events``'s
    rates (by default adverse_events.yaml's, from published comparable studies)."""
    if study.schedule is None:
        raise InputError(f"{study.id} has no visit schedule: nothing to simulate", field="--study")
    if participants < 1:
        raise InputError("must be at least 1", field="--participants")
    target = study.target_enrollment
    if target is None or target < 1:
        raise InputError(f"{study.id} has no enrolment target in its registry record",
                         field="--participants")  # fmt: skip
    _check_empty(store, study)
    events = events if events is not None else event_rates()
    enrolling = min(participants, target)
    notes = [f"adverse events: a simulation assumption, at the rates of {events.source}"]
    if participants > target:
        notes.append(
            f"{participants} participants asked for, but {study.id}'s enrolment target "
            f"(ctgov.json) is {target}: {target} enrolled"
        )
    with quick_commits(store):
        staff = demo_staff(store)
        tally = _run(store, study, staff, seed, enrolling, as_of, progress, rates, events)
    if tally.enrolled < enrolling:
        notes.append(
            f"only {tally.enrolled} of {enrolling} enrolled by {as_of.isoformat()}: "
            f"{tally.replaced} intended participant(s) were refused by the criteria and "
            "not all could be replaced in time"
        )
    return Simulation(study.id, seed, as_of, participants, target, enrolling, staff, tally,
                      tuple(notes))  # fmt: skip


def _run(
    store: Store, study: Study, staff: Staff, seed: int, enrolling: int, as_of: date,
    progress: Progress | None, rates: Rates, events: EventRates,
) -> Tally:  # fmt: skip
    """Every candidate's steps up to ``as_of``, in the order of time, one transaction each."""
    assert study.schedule is not None
    cands = _candidates(study, seed, enrolling, as_of, rates)
    _register_consent_form(store, study, staff, min(c.dates.consent for c in cands))
    tally = Tally()
    site = Site(study, staff, enrolling, tally, rates)
    schedule = study.schedule
    queue: list[Step] = []
    for c in cands:
        for step in steps_of(schedule, c.person, c.dates, rates, event_rates=events):
            if site_today(schedule, step.at) <= as_of:
                queue.append(step)
    heapq.heapify(queue)
    total, done = len(queue), 0
    while queue:
        step = heapq.heappop(queue)
        c = cands[step.index]
        with store.transaction() as session:  # one step, one transaction
            _STEPS[step.kind](site, session, step, c)
        done += 1
        if c.closed and c.person.intended is Intended.ENROL and step.kind is Kind.SCREEN:
            extra = _replacement(
                study, seed, len(cands), site_today(schedule, step.at), as_of, rates
            )
            if extra is not None:
                tally.replaced += 1
                cands.append(extra)
                for later in steps_of(
                    schedule, extra.person, extra.dates, rates, event_rates=events
                ):
                    if site_today(schedule, later.at) <= as_of:
                        heapq.heappush(queue, later)
                        total += 1
        if progress is not None:
            progress(done, total)
    return tally
