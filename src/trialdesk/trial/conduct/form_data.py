"""A participant's entered forms as the derivations and edit checks read them: each form's
typed and derived values at each visit, with the visit's date.

A save is judged on the data as they will be: :func:`participant_forms` can stand the
form being saved in for what is stored, before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from trialdesk.study.forms import ItemRef
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.models import LOG, FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.store.db import Session

__all__ = ["FormValues", "ParticipantForms", "form_fields", "participant_forms"]


def form_fields(record: FormRecord) -> dict[str, Any]:
    """A form record's audited fields: its status, each typed value (and what was typed,
    when another unit), each derived value. The audit trail shows one line per item."""
    fields: dict[str, Any] = {"status": record.status.value}
    if record.visit_key != LOG or record.row != 1:
        fields["where"] = f"{record.visit_key or 'log'}/{record.form_id}#{record.row}"
    fields.update(record.values)
    for item, typed in record.entered.items():
        fields[f"{item} as typed"] = f"{typed['value']} {typed['unit']}"
    for item, d in record.derived.items():
        fields[f"{item} (derived)"] = d.get("value")
    return fields


@dataclass
class FormValues:
    """One form at one visit (or a log row): the typed values and the derived ones."""

    visit_key: str
    form_id: str
    row: int
    values: dict[str, Any]
    derived: dict[str, Any] = field(default_factory=dict)
    record: FormRecord | None = None

    def value(self, item: str) -> Any:
        if item in self.values:
            return self.values[item]
        d = self.derived.get(item)
        return d.get("value") if d else None


@dataclass
class ParticipantForms:
    study: Study
    forms: dict[tuple[str, str, int], FormValues]
    visit_dates: dict[str, date | None]  # visit key -> the date it took place

    def at(self, visit_key: str, form_id: str, row: int = 1) -> FormValues | None:
        return self.forms.get((visit_key, form_id, row))

    def baseline_key(self) -> str | None:
        schedule = self.study.schedule
        return schedule.baseline_visit if schedule is not None else None

    def resolve(self, ref: ItemRef, visit_key: str, form_id: str, row: int = 1) -> Any:
        """The value an item reference names, seen from a form at ``visit_key``."""
        key = self.baseline_key() if ref.baseline else visit_key
        if key is None:
            return None
        where = self.at(key, ref.form or form_id, row if ref.form is None else 1)
        return where.value(ref.item) if where is not None else None

    def visit_keys(self) -> list[str]:
        """The visits with forms or a date, in the order they took place."""
        keys = {k for k, _, _ in self.forms if k != LOG} | set(self.visit_dates)
        return sorted(keys, key=lambda k: (self.visit_dates.get(k) or date.max, k))


def participant_forms(
    session: Session,
    study: Study,
    participant: Participant,
    *,
    replacing: tuple[str, str, int, Mapping[str, Any]] | None = None,
) -> ParticipantForms:
    """Everything entered for the participant; ``replacing`` = (visit key, form, row,
    values) stands in for that form's stored values (a save being judged)."""
    records = session.scalars(
        select(FormRecord).where(FormRecord.enrolment_id == participant.id).order_by(FormRecord.id)
    )
    forms = {
        (r.visit_key, r.form_id, r.row): FormValues(
            r.visit_key, r.form_id, r.row, dict(r.values), dict(r.derived), r
        )
        for r in records
    }
    if replacing is not None:
        key, form_id, row, values = replacing
        current = forms.get((key, form_id, row))
        forms[(key, form_id, row)] = FormValues(
            key, form_id, row, dict(values),
            dict(current.derived) if current is not None else {},
            current.record if current is not None else None,
        )  # fmt: skip
    visits = session.scalars(select(VisitRecord).where(VisitRecord.enrolment_id == participant.id))
    visit_dates: dict[str, date | None] = {v.key: v.visit_date for v in visits}
    schedule = study.schedule
    if schedule is not None:
        for visit in schedule.visits:  # an anchored visit's date is its anchor's
            if visit.anchor is not None:
                on = participant.candidate.date_of(visit.anchor)
                if on is not None or visit.id in visit_dates:
                    visit_dates[visit.id] = on
    return ParticipantForms(study, forms, visit_dates)
