"""Dates, study days, visits and epochs as every SDTM domain here writes them.

- --DTC: ISO 8601, partial where partial (SDTMIG 3.4 §4.4.2), in site time (study/windows.py).
- --DY: study/schedule.py ``study_day`` (day 1 = the day-1 anchor, the injection; no day 0;
  SDTMIG 3.4 §4.4.4); only for a complete date.
- VISITNUM, VISIT, VISITDY: the study's schedule (schedule.yaml). An unscheduled visit
  (``UNS``, ``UNS#2``) is numbered after the visit before it, x.01, x.02 ... x.99 (SDTMIG
  3.4 §4.4.5: unplanned visits get a VISITNUM that places them in time; VISITDY null).
  A casebook visit the schedule does not have is an error naming the participant and the
  visit (the study folder changed under the data), for SV and the Findings alike.
- EPOCH: the epoch of the schedule's visits the date falls in: each epoch starts on the
  first day of its first visit's window and lasts until the next begins (SDTMIG 3.4
  §4.1.3.1, EPOCH from the element the observation falls in); before the first, the first.
  A record taken before the dose on day 1 falls in the element before day 1's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.study.schedule import Schedule, Visit, VisitKind, study_day
from trialdesk.study.windows import site_time

__all__ = [
    "Epoch",
    "SubjectVisit",
    "dtc",
    "epoch_before_day1",
    "epoch_on",
    "epochs",
    "full_date",
    "study_day_of",
    "subject_visits",
    "screening_visit",
    "visit_label",
]


def dtc(value: date | datetime | str | None, schedule: Schedule | None = None) -> str:
    """An ISO 8601 --DTC value; a date-time in site time, to the minute (as entered)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if "T" in value:
            return dtc(datetime.fromisoformat(value), schedule)
        return value  # a date, complete or partial, as stored
    if isinstance(value, datetime):
        return site_time(schedule, value).strftime("%Y-%m-%dT%H:%M")
    return value.isoformat()


def full_date(value: str | None) -> date | None:
    """The date of a --DTC value when its date part is complete, else None."""
    if not value or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def study_day_of(day1: date | None, value: str | None) -> int | None:
    """--DY of a --DTC value: None unless both day 1 and the date are complete."""
    on = full_date(value)
    return study_day(day1, on) if day1 is not None and on is not None else None


def visit_label(visit: Visit) -> str:
    """VISIT: the visit's English name in capitals (as the pilot writes "WEEK 24")."""
    return visit.name.en.upper()


@dataclass(frozen=True)
class SubjectVisit:
    key: str  # the casebook's visit key: W4, UNS#2
    visit: Visit
    visitnum: float
    name: str  # VISIT
    visitdy: int | None
    on: date | None
    missed_reason: str | None


# at most 99 unscheduled visits after one visit: x.01 to x.99
_UNSCHEDULED = 99


def subject_visits(
    schedule: Schedule, visits: Mapping[str, Mapping[str, Any]], *, usubjid: str = ""
) -> list[SubjectVisit]:
    """A casebook's visits with their SDTM numbers, in the order of time (missed ones in the
    schedule's order): unscheduled visits numbered after the visit before them.

    Raises:
        FieldErrors: visits the schedule does not have, or more than 99 unscheduled visits
            after one, each naming the participant (``usubjid``) and the visit.
    """
    known: list[SubjectVisit] = []
    unscheduled: list[tuple[str, Visit, date | None, str | None]] = []
    ids = {v.id for v in schedule.visits}
    errors: list[TrialdeskError] = [
        InputError(f"{usubjid}: visit {key} is not in the study's schedule (schedule.yaml): "
                   "the casebook cannot be placed in SDTM", field=f"{usubjid}.VISIT.{key}")
        for key in visits if key.split("#")[0] not in ids
    ]  # fmt: skip
    if errors:
        raise FieldErrors(errors, resource=usubjid or "casebook")
    for key, record in visits.items():
        visit = schedule.visit(key.split("#")[0])
        on = date.fromisoformat(record["date"]) if record.get("date") else None
        if visit.kind is VisitKind.UNSCHEDULED:
            unscheduled.append((key, visit, on, record.get("missed_reason")))
            continue
        known.append(
            SubjectVisit(key, visit, float(visit.visitnum), visit_label(visit), visit.day, on,
                         record.get("missed_reason"))
        )  # fmt: skip
    placed = sorted(known, key=lambda v: v.visitnum)
    counts: dict[float, int] = {}
    for key, visit, on, missed in sorted(unscheduled, key=lambda u: (u[2] or date.max, u[0])):
        before = [v for v in placed if v.on is not None and on is not None and v.on <= on
                  and v.visit.kind is not VisitKind.UNSCHEDULED]  # fmt: skip
        base = max((v.visitnum for v in before), default=0.0)
        n = counts[base] = counts.get(base, 0) + 1
        if n > _UNSCHEDULED:
            raise FieldErrors([InputError(
                f"{usubjid}: more than {_UNSCHEDULED} unscheduled visits after VISITNUM "
                f"{base:g}: x.01 to x.99 cannot number them", field=f"{usubjid}.VISIT.{key}",
            )], resource=usubjid or "casebook")  # fmt: skip
        number = round(base + n / 100, 2)
        name = f"{visit_label(visit)} {number:g}"
        placed.append(SubjectVisit(key, visit, number, name, None, on, missed))
    return sorted(placed, key=lambda v: v.visitnum)


@dataclass(frozen=True)
class Epoch:
    name: str  # CDISC EPOCH (C99079 submission value)
    first_day: int  # study day it starts (its first visit's window start)
    last_day: int | None  # the day before the next epoch; the last: the schedule's end
    visits: tuple[Visit, ...]


# the epochs of the schedules met last, by identity (a Schedule holds dicts: it cannot be
# hashed); every record's EPOCH asks for them, so they are worked out once per schedule
_EPOCHS: dict[int, tuple[Schedule, tuple[Epoch, ...]]] = {}
_EPOCHS_KEPT = 8


def epochs(schedule: Schedule) -> list[Epoch]:
    """The schedule's epochs in the order of its scheduled visits."""
    return list(_kept_epochs(schedule))


def _kept_epochs(schedule: Schedule) -> tuple[Epoch, ...]:
    kept = _EPOCHS.get(id(schedule))
    if kept is None or kept[0] is not schedule:
        if len(_EPOCHS) >= _EPOCHS_KEPT:
            _EPOCHS.clear()
        kept = _EPOCHS[id(schedule)] = (schedule, tuple(_epochs(schedule)))
    return kept[1]


def _epochs(schedule: Schedule) -> list[Epoch]:
    groups: list[tuple[str, list[Visit]]] = []
    for v in schedule.scheduled:
        if groups and groups[-1][0] == v.epoch:
            groups[-1][1].append(v)
        else:
            groups.append((v.epoch, [v]))
    starts = [_start(vs[0]) for _, vs in groups]
    out = []
    for i, (name, vs) in enumerate(groups):
        nxt = starts[i + 1] if i + 1 < len(groups) else None
        last = (nxt - 1 if nxt != 1 else -1) if nxt is not None else schedule.last_day
        out.append(Epoch(name, starts[i], last, tuple(vs)))
    return out


def _start(v: Visit) -> int:
    if v.first_day is not None:
        return v.first_day
    return v.day if v.day is not None else 1


def epoch_on(schedule: Schedule, day1: date | None, on: date | None) -> str:
    """EPOCH of a date for a participant whose day 1 is ``day1``; before day 1 is set (a
    screen failure), the first epoch."""
    found = _kept_epochs(schedule)
    if not found:
        return ""
    if day1 is None or on is None:
        return found[0].name if day1 is None else ""
    day = study_day(day1, on)
    current = found[0].name
    for e in found[1:]:
        if day >= e.first_day:
            current = e.name
    return current


def epoch_before_day1(schedule: Schedule, day1: date) -> str:
    """EPOCH of a record taken on day 1 before the dose: that of study day -1, the element
    before day 1's (there is no day 0)."""
    return epoch_on(schedule, day1, day1 - timedelta(days=1))


def screening_visit(schedule: Schedule, on: date | None) -> list[SubjectVisit]:
    """The schedule's first visit, when its date is an anchor (screening), on ``on``: the
    one visit of a person who has no casebook (a screen failure)."""
    first = schedule.scheduled[0] if schedule.scheduled else None
    if first is None or first.anchor is None or first.anchor == schedule.day1 or on is None:
        return []
    return [SubjectVisit(first.id, first, float(first.visitnum), visit_label(first), first.day,
                         on, None)]  # fmt: skip
