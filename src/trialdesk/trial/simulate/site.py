"""A simulated site: what its staff need at hand for every step (the study, the demo
accounts, what is counted), the candidates it screens, and the one way it types a
visit's forms (through ``save_forms``: every form read, checked, stored, audited and its
scores recomputed, as from the page). The steps themselves: screening_steps.py and
follow_up_steps.py, each one transaction.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from trialdesk.study.forms import Form
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Schedule, Visit
from trialdesk.study.windows import site_time, site_today
from trialdesk.trial.conduct.entry import FormEntry, save_forms
from trialdesk.trial.simulate.plan import Dates
from trialdesk.trial.simulate.population import Person
from trialdesk.trial.simulate.rates import RATES, Rates
from trialdesk.trial.simulate.roles import roles_of
from trialdesk.trial.simulate.staff import Staff
from trialdesk.trial.simulate.values import Moment, VisitValues
from trialdesk.trial.store.db import Session

__all__ = ["CONSENT_FORM", "Candidate", "Site", "Tally"]

CONSENT_FORM = "1.0"  # the consent form version a simulated store registers


@dataclass
class Candidate:
    person: Person
    dates: Dates
    candidate_id: int | None = None
    enrolment_id: int | None = None
    closed: bool = False  # screening ended without enrolment
    adverse_events: dict[int, int] = field(default_factory=dict)  # planned number -> id


@dataclass
class Tally:
    """What the simulation stored, counted as it went."""

    candidates: int = 0
    screen_failed: int = 0
    declined: int = 0
    enrolled: int = 0
    injected: int = 0
    completed: int = 0
    ended_early: Counter[str] = field(default_factory=Counter)
    visits: int = 0
    missed: int = 0
    forms: int = 0
    facts: int = 0
    judgments: int = 0
    replaced: int = 0  # intended participants the criteria refused after all
    adverse_events: int = 0
    resolved_events: int = 0  # corrected with their end date and outcome
    pauses: int = 0  # stopping rules met, each resumed by a signed safety review


def _first_forms(schedule: Schedule) -> dict[str, frozenset[str]]:
    """Per visit, the forms first due at it (a measure taken once: the height)."""
    seen: set[str] = set()
    first: dict[str, frozenset[str]] = {}
    for visit in schedule.visits:
        first[visit.id] = frozenset(f for f in visit.forms if f not in seen)
        seen.update(visit.forms)
    return first


class Site:
    def __init__(
        self, study: Study, staff: Staff, target: int, tally: Tally, rates: Rates = RATES
    ) -> None:
        assert study.schedule is not None
        self.study = study
        self.schedule: Schedule = study.schedule
        self.staff = staff
        self.target = target  # how many to enrol
        self.tally = tally
        self.rates = rates
        self.roles = roles_of(study)
        self.first = _first_forms(self.schedule)
        # the screening visit: dated by a staff anchor, before day 1 (SCR)
        self.screening_visit = next(
            (v for v in self.schedule.scheduled if v.anchor is not None and (v.last_day or 0) < 1),
            None,
        )
        self.sets_day1 = {a.form for a in study.participant.forms if a.name == self.schedule.day1}
        self._typed: dict[str, list[Form]] = {}  # forms_of, by visit id

    def today(self, at: datetime) -> date:
        return site_today(self.schedule, at)

    def forms_of(self, visit: Visit) -> list[Form]:
        """The forms staff type at a visit: a form that sets day 1 first, none of the
        forms the server computes whole (the disease-activity scores). Worked out once a
        visit: every participant's visit asks twice."""
        found = self._typed.get(visit.id)
        if found is None:
            forms = [self.study.forms[f] for f in visit.forms if f in self.study.forms]
            typed = [f for f in forms if not f.repeating and not f.computed]
            found = self._typed[visit.id] = sorted(typed, key=lambda f: f.id not in self.sets_day1)
        return found

    def values_of(
        self, c: Candidate, visit: Visit, on: date, at: datetime, *, screening: bool = False
    ) -> dict[str, dict[str, Any]]:
        """The values of the visit's forms, form by form."""
        day1 = None
        if visit.id == self.schedule.baseline_visit:  # injected shortly before it is entered
            day1 = site_time(self.schedule, at) - timedelta(minutes=45)
        days = None if screening else (on - c.dates.day1).days
        moment = Moment(visit.id, on, site_time(self.schedule, at), days, self.first[visit.id])
        drawn = VisitValues(
            c.person, self.roles, moment, screening=screening,
            staff=self.staff.investigator_name, day1=day1, rates=self.rates,
        )  # fmt: skip
        return {f.id: drawn.form(f) for f in self.forms_of(visit)}

    def save_visit_forms(
        self, session: Session, c: Candidate, visit: Visit, values: dict[str, dict[str, Any]],
        now: datetime,
    ) -> None:  # fmt: skip
        """The visit's forms, typed at once (one lock, one read of the participant's data),
        each marked complete."""
        assert c.enrolment_id is not None
        forms = [(f.id, FormEntry(values[f.id], complete=True)) for f in self.forms_of(visit)]
        save_forms(
            session, actor=self.staff.coordinator, study=self.study,
            enrolment_id=c.enrolment_id, visit_id=visit.id, forms=forms, now=now,
        )  # fmt: skip
        self.tally.forms += len(forms)
