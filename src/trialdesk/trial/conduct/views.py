"""What the participant, visit and form pages and their JSON API read: one call each, so
a page and the API cannot show different things.

A visit is named by its key as forms name it (``W4``; ``UNS#2`` for the second
unscheduled visit). Every status comes from the calendar (calendar.py, the one window
function) and every signature state from signoff.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from trialdesk.errors import NotFoundError
from trialdesk.study.forms import Form
from trialdesk.study.loader import Study
from trialdesk.study.schedule import Visit
from trialdesk.trial.conduct.calendar import CalendarRow, calendar
from trialdesk.trial.conduct.dashboard import Badges, badges_of
from trialdesk.trial.conduct.entry import entered_values, form_of
from trialdesk.trial.conduct.models import LOG, FormRecord, FormStatus
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.conduct.signoff import VisitSignatureState, visit_signature_state
from trialdesk.trial.store.db import Session

__all__ = [
    "FormView",
    "LogView",
    "ParticipantView",
    "VisitView",
    "flag_message",
    "form_view",
    "log_view",
    "participant_view",
    "visit_of_key",
    "visit_view",
]


@dataclass(frozen=True)
class LogView:
    """A log form (concomitant medications): its rows, oldest first."""

    form: Form
    rows: list[FormRecord]


@dataclass(frozen=True)
class ParticipantView:
    participant: Participant
    day1: date | None
    calendar: list[CalendarRow]
    badges: Badges
    signatures: dict[str, VisitSignatureState]  # visit key -> state, visits that took place
    logs: list[LogView]


def _participant(session: Session, study: Study, enrolment_id: int) -> Participant:
    participant = participant_or_404(session, enrolment_id)
    if participant.enrolment.study_id != study.id:
        raise NotFoundError(f"participant {enrolment_id} is not in {study.id}")
    return participant


def _log_rows(session: Session, participant: Participant, form_id: str) -> list[FormRecord]:
    return list(
        session.scalars(
            select(FormRecord)
            .where(
                FormRecord.enrolment_id == participant.id,
                FormRecord.visit_key == LOG,
                FormRecord.form_id == form_id,
            )
            .order_by(FormRecord.row)
        )
    )


def participant_view(
    session: Session, study: Study, enrolment_id: int, today: date
) -> ParticipantView:
    participant = _participant(session, study, enrolment_id)
    rows = calendar(session, study, participant, today)
    signatures = {
        r.key: visit_signature_state(session, participant, r.record)
        for r in rows
        if r.record is not None and r.record.visit_date is not None
    }
    logs = [
        LogView(form, _log_rows(session, participant, form.id))
        for form in study.forms.values()
        if form.repeating
    ]
    return ParticipantView(
        participant, participant.day1(study), rows, badges_of(rows), signatures, logs
    )


@dataclass(frozen=True)
class VisitView:
    participant: Participant
    row: CalendarRow
    forms: list[tuple[Form, FormRecord | None]]  # the forms due at the visit, in order
    signature: VisitSignatureState | None  # None: the visit has not taken place

    @property
    def visit(self) -> Visit:
        return self.row.visit

    @property
    def dated_by_anchor(self) -> bool:
        """Its date is the participant's anchor (day 1: the injection's), not typed."""
        return self.row.visit.anchor is not None

    @property
    def can_sign(self) -> bool:
        return (
            self.signature is not None
            and not self.signature.current
            and all(
                f.computed or (r is not None and r.status is FormStatus.COMPLETE)
                for f, r in self.forms
            )
        )


def visit_of_key(visit_key: str) -> tuple[str, int]:
    """``W4`` -> (``W4``, 1); ``UNS#2`` -> (``UNS``, 2): the visit and its occurrence."""
    visit_id, hashed, number = visit_key.partition("#")
    if hashed:
        if not number.isdigit() or not 1 <= int(number) <= 999:
            raise NotFoundError(f"no visit {visit_key!r}")
        return visit_id, int(number)
    return visit_id, 1


def _row(rows: list[CalendarRow], visit_key: str, participant: Participant) -> CalendarRow:
    for row in rows:
        if row.key == visit_key:
            return row
    raise NotFoundError(f"participant {participant.subject_number} has no visit {visit_key!r}")


def visit_view(
    session: Session,
    study: Study,
    enrolment_id: int,
    visit_key: str,
    today: date,
    *,
    with_signature: bool = True,
) -> VisitView:
    """A visit with its forms and, unless not asked for (``with_signature``: a form's page
    or save, which show no signature), the state of its signature, which digests every
    form of the visit."""
    participant = _participant(session, study, enrolment_id)
    rows = calendar(session, study, participant, today)
    row = _row(rows, visit_key, participant)
    records: dict[str, FormRecord] = {}
    if row.record is not None or row.date is not None:
        for r in session.scalars(
            select(FormRecord).where(
                FormRecord.enrolment_id == participant.id, FormRecord.visit_key == row.key
            )
        ):
            records[r.form_id] = r
    forms = [(form_of(study, f), records.get(f)) for f in row.visit.forms]
    signature = (
        visit_signature_state(session, participant, row.record)
        if with_signature and row.record is not None and row.record.visit_date is not None
        else None
    )
    return VisitView(participant, row, forms, signature)


@dataclass(frozen=True)
class FormView:
    participant: Participant
    form: Form
    row: CalendarRow | None  # the visit; None for a log form's row
    record: FormRecord | None
    shown: dict[str, Any]  # the values as typed, to fill the form again
    rows: tuple[FormRecord, ...] = ()  # a log form: all its rows

    @property
    def version(self) -> int | None:
        return self.record.version if self.record is not None else None

    def derived(self, item_id: str) -> dict[str, Any] | None:
        return self.record.derived.get(item_id) if self.record is not None else None

    def flags(self, item_id: str, locale: str = "en") -> list[str]:
        """What a value kept on the form asks the site to confirm, in words."""
        if self.record is None:
            return []
        return [flag_message(self.form, f, locale) for f in self.record.flags.get(item_id, [])]

    def unit(self, item_id: str) -> str | None:
        """The unit the value was typed in (the item's own when not typed otherwise)."""
        typed = self.record.entered.get(item_id) if self.record is not None else None
        if typed and typed.get("unit"):
            return str(typed["unit"])
        return self.form.item(item_id).unit


def flag_message(form: Form, flag: dict[str, Any], locale: str = "en") -> str:
    if flag.get("kind") == "check":
        for check in form.checks:
            if check.id == flag.get("check"):
                return check.message.get(locale)
        return f"edit check {flag.get('check')} raised a query"
    if flag.get("kind") == "expected_range":
        low, high, unit = flag.get("low"), flag.get("high"), flag.get("unit") or ""
        low_text = "…" if low is None else f"{low:g}"
        high_text = "…" if high is None else f"{high:g}"
        if locale == "zh-CN":
            return f"超出预期范围（{low_text}–{high_text} {unit}）：请确认".replace(" ）", "）")
        bounds = f"{low_text} to {high_text} {unit}".strip()
        return f"outside the expected range ({bounds}): confirm it"
    return str(flag)


def form_view(
    session: Session, study: Study, enrolment_id: int, visit_key: str, form_id: str, today: date
) -> FormView:
    """A form at a visit, as entered so far (nothing yet: an empty form)."""
    visit = visit_view(session, study, enrolment_id, visit_key, today, with_signature=False)
    for form, record in visit.forms:
        if form.id == form_id:
            return FormView(visit.participant, form, visit.row, record, entered_values(record))
    raise NotFoundError(f"{visit.visit.name} has no form {form_id!r}")


def log_view(
    session: Session, study: Study, enrolment_id: int, form_id: str, row: int | None
) -> FormView:
    """A row of a log form (``row`` None: a new row)."""
    participant = _participant(session, study, enrolment_id)
    form = form_of(study, form_id)
    if not form.repeating:
        raise NotFoundError(f"{form.title} is entered at visits, not as a log")
    rows = _log_rows(session, participant, form.id)
    record = None
    if row is not None:
        found = [r for r in rows if r.row == row]
        if not found:
            raise NotFoundError(f"{form.title} has no row {row}")
        record = found[0]
    return FormView(participant, form, None, record, entered_values(record), tuple(rows))
