"""The date an irreversible screening outcome takes effect, and what to warn of.

Staff record an outcome on the site's calendar (study/windows.py ``site_zone``): the date
defaults to today at the site and may be earlier (a late entry), never later. Enrolling
after the planned baseline date, or after the screening visit's window closed, is allowed
but warned of on the confirmation step (issue 17, D10).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo
from typing import Literal

from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.study.schedule import date_of_day
from trialdesk.trial.screening.models import Candidate
from trialdesk.trial.store.values import as_utc

__all__ = [
    "EARLIEST",
    "OutcomeWarning",
    "outcome_day",
    "outcome_instant",
    "outcome_warnings",
    "planned_day1_anchor",
]


# Dates before 1900 are typing errors (as a candidate's dates are: entry_values.py), and
# year 1 would not even fit a site day's start in UTC east of Greenwich (OverflowError).
EARLIEST = date(1900, 1, 1)


def outcome_day(on: date | None, now: datetime, zone: tzinfo = UTC) -> date:
    """The site date an outcome takes effect: ``on``, or the site's today when not given.
    A date after the site's today, or before 1900, is refused (field ``on``)."""
    today = now.astimezone(zone).date()
    if on is None:
        return today
    if on < EARLIEST:
        raise InputError(f"{on.isoformat()} is before 1900", field="on")
    if on > today:
        raise InputError(f"is in the future (today at the site is {today.isoformat()})", field="on")
    return on


def outcome_instant(
    on: date | None, now: datetime, zone: tzinfo = UTC, not_before: datetime | None = None
) -> datetime:
    """When an outcome took effect: ``now`` when ``on`` is the site's today (or not given);
    for an earlier site date, the start of that day at the site, or ``not_before`` (the
    consent's or the candidate's own instant) when that is later the same day: enrolled
    "on" the consent day is enrolled after the consent, not at the midnight before it.
    The audit entry keeps when it was recorded either way (ICH E6(R3) 2.12: a late entry
    shows when it was made). A date after the site's today or before 1900 is refused."""
    day = outcome_day(on, now, zone)
    if on is None or day == now.astimezone(zone).date():
        return now
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    return max(start, as_utc(not_before)) if not_before is not None else start


WarningKind = Literal["baseline_passed", "baseline_not_set", "screening_window_closed"]


@dataclass(frozen=True)
class OutcomeWarning:
    """Why an enrolment on a date deserves a second look (it is not refused): the page words
    it in the reader's language from ``kind`` and ``dates``."""

    kind: WarningKind
    dates: tuple[date, ...] = ()


def planned_day1_anchor(study: Study) -> str | None:
    """The date the site sets for the planned day 1: the last staff anchor the study
    declares (NCT06947746: ``baseline``, the planned injection date, participant.yaml).
    Protocol assumption: the participant file orders its staff dates, the planned day 1
    last; a study that sets none gets no warning."""
    staff = study.participant.staff
    return staff[-1].name if len(staff) > 1 else None


def outcome_warnings(study: Study, candidate: Candidate, on: date) -> list[OutcomeWarning]:
    """What to warn of when enrolling ``candidate`` on the site date ``on``: the planned
    baseline not set or already passed, or the screening visit's window (schedule.yaml:
    days -28..-1 before day 1 for NCT06947746) closed before ``on``."""
    anchor = planned_day1_anchor(study)
    if anchor is None:
        return []
    planned = candidate.date_of(anchor)
    if planned is None:
        return [OutcomeWarning("baseline_not_set")]
    warnings = []
    if planned < on:
        warnings.append(OutcomeWarning("baseline_passed", (planned,)))
    screening = next(
        (v for v in (study.schedule.visits if study.schedule else ()) if v.epoch == "SCREENING"),
        None,
    )
    if screening is not None and screening.last_day is not None:
        first = screening.first_day if screening.first_day is not None else screening.last_day
        opens, closes = date_of_day(planned, first), date_of_day(planned, screening.last_day)
        if closes < on:
            warnings.append(OutcomeWarning("screening_window_closed", (opens, closes)))
    return warnings
