"""Adverse events in a simulated trial: which participants have them, planned from the
published rates in adverse_events.yaml (a simulation assumption, with its sources), and
each as staff type it (safety_steps.py records them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from trialdesk.clinical.ctcae_terms import require_term
from trialdesk.errors import FieldErrors, InputError, StudyError, TrialdeskError
from trialdesk.trial.safety.causality import CausalityInput
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.terms import ActionTaken, Outcome, Relationship, Seriousness

__all__ = [
    "EventRate",
    "EventRates",
    "PlannedEvent",
    "causality_of",
    "event_input",
    "event_rates",
    "planned_events",
]

RATES_FILE = Path(__file__).with_name("adverse_events.yaml")


class EventRate(BaseModel):
    """One adverse event term: the share of participants who have it at least once, the
    distribution of its grade, when it starts and how long it lasts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str
    verbatim: dict[str, str]
    rate: float = Field(ge=0.0, le=1.0)
    grades: dict[int, float]
    onset_days: tuple[int, int]  # days after the injection (0: the day of it)
    duration_days: tuple[int, int]
    relationship: Relationship
    expected: bool
    serious_rate: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _consistent(self) -> EventRate:
        try:
            defined = require_term(self.term).defined_grades
        except InputError as unknown:
            raise ValueError(unknown.message) from None
        if set(self.grades) - set(defined):
            raise ValueError(f"grades {sorted(set(self.grades) - set(defined))} are not "
                             f"defined for {self.term} in CTCAE v5.0")  # fmt: skip
        if abs(sum(self.grades.values()) - 1.0) > 1e-9:
            raise ValueError("the grade shares must sum to 1")
        for name in ("onset_days", "duration_days"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be [low, high] with 0 <= low <= high")
        if "en" not in self.verbatim:
            raise ValueError("the verbatim term needs its English text")
        return self


class EventRates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    assumption: bool
    events: tuple[EventRate, ...]


@cache
def event_rates(path: Path = RATES_FILE) -> EventRates:
    """The rates file, checked: every problem at its field, with the file named."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        return EventRates.model_validate(raw)
    except ValidationError as refused:
        problems: list[TrialdeskError] = [
            StudyError(e["msg"], file=str(path), field=".".join(map(str, e["loc"])))
            for e in refused.errors()
        ]
        raise FieldErrors(problems, resource=str(path)) from None
    except (OSError, yaml.YAMLError) as refused:
        raise StudyError(str(refused), file=str(path)) from None


@dataclass(frozen=True)
class PlannedEvent:
    """An adverse event one participant will have, as the site will come to know it."""

    number: int  # among the participant's planned events
    rate: EventRate
    grade: int
    onset: date
    ends: date
    serious: bool


def planned_events(
    rates: EventRates, seed: str, day1: date, stops_on: date | None
) -> list[PlannedEvent]:
    """Each term drawn on its own (the published rates are per term), deterministic for
    the participant's seed; none begins once participation has stopped."""
    rng = random.Random(f"{seed}/adverse-events")
    planned: list[PlannedEvent] = []
    for rate in rates.events:
        if rng.random() >= rate.rate:
            continue
        grades = sorted(rate.grades)
        grade = rng.choices(grades, weights=[rate.grades[g] for g in grades])[0]
        onset = day1 + timedelta(days=rng.randint(*rate.onset_days))
        ends = onset + timedelta(days=rng.randint(*rate.duration_days))
        serious = rng.random() < rate.serious_rate
        if stops_on is not None and onset >= stops_on:
            continue
        planned.append(PlannedEvent(len(planned) + 1, rate, grade, onset, ends, serious))
    return planned


def event_input(planned: PlannedEvent, known_on: date) -> EventInput:
    """The event as staff type it on ``known_on``: resolved by then, with its end date."""
    resolved = planned.ends <= known_on
    return EventInput(
        verbatim=planned.rate.verbatim["en"],
        term=planned.rate.term,
        onset=planned.onset.isoformat(),
        end=planned.ends.isoformat() if resolved else None,
        grade=planned.grade,
        seriousness=[Seriousness.HOSPITALISATION.value] if planned.serious else [],
        action_taken=ActionTaken.NOT_APPLICABLE.value,  # the product was given once, before
        outcome=(Outcome.RECOVERED if resolved else Outcome.NOT_RECOVERED).value,
    )


def causality_of(planned: PlannedEvent) -> CausalityInput:
    """The investigator's assessment: the rates file's attribution, to the product and to
    the injection alike (the studies do not tell them apart)."""
    relationship = planned.rate.relationship.value
    return CausalityInput(relationship, relationship, planned.rate.expected)
