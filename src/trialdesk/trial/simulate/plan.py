"""Each simulated candidate's timeline: the steps a site takes with them, each at its own
moment, from consent to the end of participation, laid out from the study's schedule
(visit days and windows) before anything is stored. run.py takes every candidate's
steps in the order of time, so the store fills as a site's would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from trialdesk.study.schedule import Schedule, Visit, VisitKind
from trialdesk.study.windows import site_zone
from trialdesk.trial.simulate.adverse_events import EventRates, PlannedEvent, planned_events
from trialdesk.trial.simulate.population import Intended, Person
from trialdesk.trial.simulate.rates import (
    CALENDAR,
    DISCONTINUATION_REASONS,
    MISSED_REASONS,
    RATES,
    Calendar,
    Rates,
)

__all__ = ["Dates", "Kind", "Step", "accrual", "candidate_dates", "steps_of"]


class Kind(StrEnum):
    CONSENT = "consent"  # referred, dates booked, consent (or a refusal)
    SCREEN = "screen"  # screening visit: facts, checklist, judgments, the outcome
    DAY1 = "day1"  # the injection and the day-1 forms
    VISIT = "visit"  # a follow-up visit took place (its forms too, unless entered later)
    FORMS = "forms"  # a visit's forms entered some days after it
    MISSED = "missed"  # a visit recorded as not done
    END = "end"  # participation ended early (with the early termination visit)
    EVENT = "event"  # an adverse event reported and recorded, its causality signed
    EVENT_RESOLVED = "event_resolved"  # its end date and outcome, once it resolved


@dataclass(frozen=True, order=True)
class Step:
    at: datetime  # UTC: when the site does it
    index: int  # the candidate
    seq: int  # its order among the candidate's steps
    kind: Kind = field(compare=False)
    visit: str | None = field(default=None, compare=False)
    on: date | None = field(default=None, compare=False)  # the visit's date, the end date
    completes: bool = field(default=False, compare=False)  # the last visit: completed
    term: str | None = field(default=None, compare=False)  # an early end's CDISC term
    reason: str | None = field(default=None, compare=False)
    termination_visit: bool = field(default=False, compare=False)
    with_forms: bool = field(default=False, compare=False)  # a visit's forms entered too
    event: PlannedEvent | None = field(default=None, compare=False)  # EVENT, EVENT_RESOLVED


@dataclass(frozen=True)
class Dates:
    consent: date
    screening: date
    day1: date


def accrual(schedule: Schedule, as_of: date, calendar: Calendar = CALENDAR) -> tuple[date, date]:
    """The first and last screening dates: screening runs over one and a half follow-ups
    and ends a few weeks before ``as_of``, so at ``as_of`` some participants have
    completed and others are in follow-up."""
    follow_up = max((v.last_day or 0) for v in schedule.scheduled)  # the last window's end
    last = as_of - timedelta(days=calendar.accrual_ends_before)
    first = last - timedelta(days=round(follow_up * calendar.accrual_per_follow_up))
    return first, last


def candidate_dates(rng: random.Random, screening: date, calendar: Calendar = CALENDAR) -> Dates:
    consent = screening - timedelta(days=rng.randint(*calendar.consent_before_screening))
    day1 = screening + timedelta(days=rng.randint(*calendar.screening_before_day1))
    return Dates(consent, screening, day1)


def _at(schedule: Schedule, day: date, hour: int, minute: int = 0) -> datetime:
    """A site wall-clock moment, in UTC."""
    local = datetime.combine(day, time(hour, minute), tzinfo=site_zone(schedule))
    return local.astimezone(UTC)


def _follow_up(schedule: Schedule) -> list[Visit]:
    return sorted(
        (v for v in schedule.scheduled if v.anchor is None and v.day is not None),
        key=lambda v: v.day or 0,
    )


def steps_of(
    schedule: Schedule,
    person: Person,
    dates: Dates,
    rates: Rates = RATES,
    calendar: Calendar = CALENDAR,
    event_rates: EventRates | None = None,
) -> list[Step]:
    """Every step of one candidate, whatever the as-of date (run.py stops at it); with
    ``event_rates``, their adverse events too."""
    rng = random.Random(f"{person.seed}/plan")
    i = person.index
    steps = [
        Step(_at(schedule, dates.consent, 9, rng.randint(0, 50)), i, 0, Kind.CONSENT),
        Step(
            _at(schedule, dates.screening, 10, rng.randint(0, 50)),
            i,
            1,
            Kind.SCREEN,
            on=dates.screening,
        ),  # fmt: skip
    ]
    if person.intended is not Intended.ENROL:
        return steps
    steps.append(Step(_at(schedule, dates.day1, 11, rng.randint(0, 50)), i, 2, Kind.DAY1,
                      visit=schedule.baseline_visit, on=dates.day1))  # fmt: skip
    ended_on, term, stops_on = _ending(person, dates.day1, rng)
    visits = _follow_up(schedule)
    previous = dates.day1
    completed = False
    for visit in visits:
        window = visit.window_dates(dates.day1)
        target = visit.target_date(dates.day1)
        assert window is not None and target is not None
        noticed = window[1] + timedelta(days=rng.randint(*calendar.missed_noticed_after))
        if stops_on is not None and window[0] >= stops_on:
            if term != "LOST TO FOLLOW-UP":
                break  # not due any more once participation ended
            if ended_on is not None and noticed < ended_on:  # the site still expected them
                steps.append(Step(_at(schedule, noticed, 17), i, len(steps), Kind.MISSED,
                                  visit=visit.id, reason="could not be reached"))  # fmt: skip
            continue
        roll = rng.random()
        if visit is not visits[-1] and roll < rates.missed_visit:
            if ended_on is None or noticed < ended_on:
                steps.append(Step(_at(schedule, noticed, 17), i, len(steps), Kind.MISSED,
                                  visit=visit.id, reason=rng.choice(MISSED_REASONS)))  # fmt: skip
            continue
        if roll < rates.missed_visit + rates.late_visit:
            on = window[1] + timedelta(days=rng.randint(*calendar.late_by))
        else:
            half = (window[1] - window[0]).days / 2
            on = target + timedelta(days=round(rng.triangular(-half, half, 0)))
            on = min(max(on, window[0]), window[1])
        on = max(on, previous + timedelta(days=1))
        if stops_on is not None and on >= stops_on:
            continue  # they stopped coming before it (lost) or ended before it
        previous = on
        completes = visit is visits[-1]
        completed |= completes  # the last visit came before the planned early end
        lag = rng.randint(*calendar.entry_lag_days) if rng.random() < rates.entry_lag else 0
        steps.append(Step(_at(schedule, on, 9, rng.randint(0, 50)), i, len(steps), Kind.VISIT,
                          visit=visit.id, on=on, completes=completes and not lag,
                          with_forms=not lag))  # fmt: skip
        if lag:
            steps.append(Step(_at(schedule, on + timedelta(days=lag), 15), i, len(steps),
                              Kind.FORMS, visit=visit.id, on=on, completes=completes,
                              with_forms=True))  # fmt: skip
    if event_rates is not None:
        last = ended_on if ended_on is not None and not completed else previous
        steps.extend(
            _event_steps(schedule, event_rates, person, dates.day1, stops_on, last, len(steps))
        )
    if ended_on is not None and term is not None and not completed:
        visit_at_end = term != "LOST TO FOLLOW-UP" and (
            term != "WITHDRAWAL BY SUBJECT" or rng.random() < 0.6
        )
        ended_on = max(ended_on, previous)
        steps.append(Step(_at(schedule, ended_on, 16), i, len(steps), Kind.END, on=ended_on,
                          term=term, reason=rng.choice(DISCONTINUATION_REASONS[term]),
                          termination_visit=visit_at_end))  # fmt: skip
    return steps


def _event_steps(
    schedule: Schedule, rates: EventRates, person: Person, day1: date, stops_on: date | None,
    last: date, seq: int,
) -> list[Step]:  # fmt: skip
    """Each planned adverse event reported 0 to 2 days after its onset, in the afternoon
    (after the injection, on day 1), and corrected once resolved (the day after); neither
    after the participant's last contact with the site (``last``)."""
    rng = random.Random(f"{person.seed}/adverse-event-steps")
    steps: list[Step] = []
    for planned in planned_events(rates, str(person.seed), day1, stops_on):
        reported = planned.onset + timedelta(days=rng.randint(0, 2))
        if reported > last:
            continue
        steps.append(Step(_at(schedule, reported, 15, rng.randint(0, 50)), person.index,
                          seq + len(steps), Kind.EVENT, event=planned))  # fmt: skip
        resolved = planned.ends + timedelta(days=1)
        if planned.ends > reported and resolved <= last:
            steps.append(Step(_at(schedule, resolved, 16, rng.randint(0, 50)), person.index,
                              seq + len(steps), Kind.EVENT_RESOLVED, event=planned))  # fmt: skip
    return steps


def _ending(
    person: Person, day1: date, rng: random.Random
) -> tuple[date | None, str | None, date | None]:
    """(the date participation ends early, its term, the date visits stop): a participant
    lost to follow-up stops coming weeks before the site gives up on them."""
    if person.discontinue is None:
        return None, None, None
    term, day = person.discontinue
    stops = day1 + timedelta(days=day - 1)
    if term == "LOST TO FOLLOW-UP":
        return stops + timedelta(days=rng.randint(45, 75)), term, stops
    return stops, term, stops


def termination_visit(schedule: Schedule) -> Visit | None:
    return next((v for v in schedule.visits if v.kind is VisitKind.EARLY_TERMINATION), None)
