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

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import make_transient_to_detached

from trialdesk.study.forms import ItemRef
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.models import LOG, FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.store.db import Session

__all__ = [
    "FormValues",
    "ParticipantForms",
    "form_fields",
    "participant_forms",
    "stored_at_once",
    "stored_record",
]


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


# Built once: building a statement costs more than running it (SQLAlchemy works out its
# cache key anew for every one built), and these run on every save.
_INSERT = insert(FormRecord).returning(FormRecord.id)
_COLUMNS = tuple(c.key for c in FormRecord.__table__.columns if c.key != "id")
# what the derivations and checks read of each form: its record is loaded when a save
# changes it (stored_record), the others are not made objects of the session at all
_FORMS_OF = (
    select(
        FormRecord.id,
        FormRecord.visit_key,
        FormRecord.form_id,
        FormRecord.row,
        FormRecord.values,
        FormRecord.derived,
    )  # fmt: skip
    .where(FormRecord.enrolment_id == bindparam("enrolment_id"))
    .order_by(FormRecord.id)
)
_VISITS_OF = select(VisitRecord).where(VisitRecord.enrolment_id == bindparam("enrolment_id"))


def stored_record(session: Session, where: FormValues) -> FormRecord | None:
    """The stored record of a form, loaded the first time it is asked for (None: not
    stored yet)."""
    if where.record is None and where.record_id is not None:
        where.record = session.get(FormRecord, where.record_id)
    return where.record


def stored_at_once(session: Session, record: FormRecord) -> FormRecord:
    """A new form record written at once by an INSERT of its own, then held by the session
    as stored: its audit entry names its id, and a change made to it afterwards (its
    derived values recomputed) is an UPDATE its version counts, as for any stored record.
    One statement on the session's connection, outside the unit of work (whose flush of
    one new row costs several times more: a save writes one or two), so what the record
    points to (its visit record) is stored already."""
    record.version = 1  # what the version counter starts at (models.py)
    given = {key: getattr(record, key) for key in _COLUMNS}
    record.id = session.connection().execute(_INSERT, given).scalar_one()
    make_transient_to_detached(record)  # every attribute given is as stored
    session.add(record)
    return record


@dataclass
class FormValues:
    """One form at one visit (or a log row): the typed values and the derived ones."""

    visit_key: str
    form_id: str
    row: int
    values: dict[str, Any]
    derived: dict[str, Any] = field(default_factory=dict)
    record: FormRecord | None = None  # the stored record, once loaded (stored_record) or made
    record_id: int | None = None  # the stored record's id, loaded or not
    # the facts an edit check reads from this form, with what they were made from
    # (checks.py): made again only when that changed
    facts: tuple[Any, tuple[Any, ...]] | None = field(default=None, repr=False, compare=False)

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
    # The forms typed anew, by visit key, since every derived value was last recomputed
    # over these data (derive.recompute), and the visits dated anew (with no form, when
    # none was typed there); None: not recomputed yet (as read from the store), so every
    # one is.
    changed: dict[str, set[str]] | None = None
    # visit key -> its visit record: every one of the participant's as read, and those a
    # save made since
    visits: dict[str, VisitRecord] = field(default_factory=dict)

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
    rows = session.execute(_FORMS_OF, {"enrolment_id": participant.id})
    forms = {
        (r.visit_key, r.form_id, r.row): FormValues(
            r.visit_key, r.form_id, r.row, r.values, r.derived, record_id=r.id
        )
        for r in rows
    }
    if replacing is not None:
        key, form_id, row, values = replacing
        current = forms.get((key, form_id, row))
        forms[(key, form_id, row)] = FormValues(
            key, form_id, row, dict(values),
            dict(current.derived) if current is not None else {},
            current.record if current is not None else None,
            current.record_id if current is not None else None,
        )  # fmt: skip
    visits = list(session.scalars(_VISITS_OF, {"enrolment_id": participant.id}))
    visit_dates: dict[str, date | None] = {v.key: v.visit_date for v in visits}
    schedule = study.schedule
    if schedule is not None:
        for visit in schedule.visits:  # an anchored visit's date is its anchor's
            if visit.anchor is not None:
                on = participant.candidate.date_of(visit.anchor)
                if on is not None or visit.id in visit_dates:
                    visit_dates[visit.id] = on
    return ParticipantForms(study, forms, visit_dates, visits={v.key: v for v in visits})
