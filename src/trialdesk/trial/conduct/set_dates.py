"""The participant's dates a form sets (participant.yaml ``set_by: form``): the injection
form's date and time is study day 1.

Day 1 is refused while the study is paused by a stopping rule (store/holds.py; a
correction of a day 1 already set is no injection, and is allowed), before the informed
consent was signed and before enrolment, after participation ended, and after a follow-up
visit already recorded; a day 1 that puts an anchored visit (screening: days -28 to -1)
outside its window needs a reason, for it is a protocol deviation. A date already set is
changed only with a reason, and the change moves every window computed from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.study.forms import Form
from trialdesk.study.loader import Study
from trialdesk.study.schedule import VisitKind, study_day
from trialdesk.study.windows import site_today
from trialdesk.trial.conduct.item_values import ItemValue
from trialdesk.trial.conduct.models import VisitRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.screening.candidates import fields_of
from trialdesk.trial.screening.consent import latest_consent
from trialdesk.trial.store import audit, holds
from trialdesk.trial.store.db import Session

__all__ = ["DateSetting", "apply_dates", "dates_set_by"]


@dataclass(frozen=True)
class DateSetting:
    anchor: str
    item: str  # the form item that records it
    day: date | None  # None: the item was left blank


def dates_set_by(study: Study, form: Form, read: Mapping[str, ItemValue]) -> list[DateSetting]:
    """The anchors this form sets, with the site date its items give them."""
    out = []
    for anchor in study.participant.anchors.values():
        if anchor.set_by != "form" or anchor.form != form.id or anchor.item is None:
            continue
        value = read.get(anchor.item)
        day = date.fromisoformat(str(value.value)[:10]) if value is not None else None
        out.append(DateSetting(anchor.name, anchor.item, day))
    return out


def _day1_problems(
    session: Session, study: Study, participant: Participant, s: DateSetting, day: date,
    reason: str | None,
) -> list[TrialdeskError]:  # fmt: skip
    problems: list[TrialdeskError] = []
    consent = latest_consent(session, participant.candidate.id)
    if consent is None:
        problems.append(InputError("no informed consent on file", field=s.item))
    elif day < consent.participant_signed_on:
        problems.append(
            InputError(
                f"{day.isoformat()} is before the informed consent was signed "
                f"({consent.participant_signed_on.isoformat()})",
                field=s.item,
            )
        )
    enrolled_on = site_today(study.schedule, participant.enrolment.enrolled_at)
    if day < enrolled_on:
        problems.append(
            InputError(
                f"{day.isoformat()} is before enrolment ({enrolled_on.isoformat()})", field=s.item
            )
        )
    if participant.ended_on is not None and day > participant.ended_on:
        problems.append(
            InputError(
                f"{day.isoformat()} is after participation ended "
                f"({participant.ended_on.isoformat()})",
                field=s.item,
            )
        )
    schedule = study.schedule
    if schedule is None:
        return problems
    follow_up = {v.id for v in schedule.visits if v.anchor is None}
    earliest = session.scalars(
        select(VisitRecord)
        .where(
            VisitRecord.enrolment_id == participant.id,
            VisitRecord.visit_id.in_(follow_up),
            VisitRecord.visit_date.is_not(None),
        )
        .order_by(VisitRecord.visit_date)
        .limit(1)
    ).first()
    if earliest is not None and earliest.visit_date is not None and earliest.visit_date < day:
        problems.append(
            InputError(
                f"{day.isoformat()} is after visit {earliest.key} "
                f"({earliest.visit_date.isoformat()}), which comes after day 1",
                field=s.item,
            )
        )
    for visit in schedule.visits:
        if visit.anchor in (None, s.anchor) or visit.kind is not VisitKind.SCHEDULED:
            continue
        on = participant.candidate.date_of(visit.anchor)
        if on is None or visit.first_day is None or visit.last_day is None:
            continue
        n = study_day(day, on)
        if not visit.first_day <= n <= visit.last_day and reason is None:
            problems.append(
                InputError(
                    f"puts {visit.name} ({on.isoformat()}) on day {n}, outside its window "
                    f"(days {visit.first_day} to {visit.last_day}): give the reason, it "
                    "is a protocol deviation",
                    field="reason",
                )
            )
    return problems


def apply_dates(
    session: Session,
    study: Study,
    participant: Participant,
    settings: list[DateSetting],
    reason: str | None,
    now: datetime,
    *,
    dry_run: bool,
    actor: str = "",
) -> list[TrialdeskError]:
    """The problems of setting these dates (``dry_run``), or set them (audited on the
    candidate, with the anchored visits' dates following)."""
    candidate = participant.candidate
    problems: list[TrialdeskError] = []
    changes: dict[str, str | None] = {}
    for s in settings:
        old = candidate.date_of(s.anchor)
        if s.day == old:
            continue
        if s.day is None:
            if old is not None:
                problems.append(
                    InputError(
                        f"{s.anchor} is set ({old.isoformat()}): it cannot be blanked", field=s.item
                    )
                )
            continue
        if old is not None and reason is None:
            problems.append(
                InputError(
                    f"changes the {s.anchor} date from {old.isoformat()}: give the reason",
                    field="reason",
                )
            )
        if study.schedule is not None and s.anchor == study.schedule.day1:
            if old is None:  # the injection itself; correcting its date stays possible
                holds.refuse_if_paused(session, study.id, "the injection", field=s.item)
            problems.extend(_day1_problems(session, study, participant, s, s.day, reason))
        changes[s.anchor] = s.day.isoformat()
    if dry_run or problems or not changes:
        return problems
    before = fields_of(candidate)
    candidate.anchor_dates = {**candidate.anchor_dates, **changes}
    audit.updated(
        session, candidate, actor=actor, before=before, after=fields_of(candidate),
        reason=reason, at=now,
    )  # fmt: skip
    _follow_anchored_visits(session, study, participant, set(changes), reason, actor, now)
    return []


def _follow_anchored_visits(
    session: Session, study: Study, participant: Participant, anchors: set[str],
    reason: str | None, actor: str, now: datetime,
) -> None:  # fmt: skip
    """An anchored visit already recorded takes its anchor's new date."""
    schedule = study.schedule
    if schedule is None:
        return
    for visit in schedule.visits:
        if visit.anchor not in anchors:
            continue
        records = session.scalars(
            select(VisitRecord).where(
                VisitRecord.enrolment_id == participant.id, VisitRecord.visit_id == visit.id
            )
        )
        for record in records:
            new = participant.candidate.date_of(visit.anchor) if visit.anchor else None
            if record.visit_date != new:
                before = {"visit_date": record.visit_date}
                record.visit_date = new
                audit.updated(
                    session, record, actor=actor, before=before, after={"visit_date": new},
                    reason=reason, at=now,
                )  # fmt: skip
