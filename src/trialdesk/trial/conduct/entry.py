"""Saving a case report form: every path that writes a form's values (the page, the API,
the simulator, an import, a correction) comes through :func:`save_form`, or through
:func:`save_forms` for several new forms of one visit at once, each saved the same way.

In one transaction, holding the participant's lock: each typed value is read by its
item (type, unit, plausible range), the edit checks are run on the visit's data as they
will be, and when anything is wrong every error is reported at once and nothing is
stored. Otherwise the values are stored, the dates the form sets (the injection's day
is day 1) are set, and every derived score of the participant is recomputed and stored
(derive.py): a stale score cannot exist. A value changed on a completed form needs a
reason; the audit trail keeps the old value beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from trialdesk.errors import ConflictError, FieldErrors, InputError, NotFoundError, TrialdeskError
from trialdesk.study.forms import Form
from trialdesk.study.loader import Study
from trialdesk.trial.conduct import derive
from trialdesk.trial.conduct.checks import run_checks
from trialdesk.trial.conduct.form_data import (
    FormValues,
    ParticipantForms,
    form_fields,
    participant_forms,
    stored_at_once,
    stored_record,
)
from trialdesk.trial.conduct.freeze import active_freezes, refuse_if_frozen
from trialdesk.trial.conduct.item_values import ItemValue, read_item
from trialdesk.trial.conduct.models import LOG, DataFreeze, FormRecord, FormStatus, VisitRecord
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.conduct.set_dates import DateSetting, apply_dates, dates_set_by
from trialdesk.trial.conduct.visits import fields_of as visit_fields
from trialdesk.trial.conduct.visits import scheduled_visit
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.query_records import CheckSeen, raise_from_checks
from trialdesk.trial.store.stale import StaleError, check_version
from trialdesk.trial.store.text import REASON_MAX, plain_text
from trialdesk.trial.store.values import as_utc

__all__ = ["FormEntry", "form_of", "form_record", "save_form", "save_forms"]


@dataclass(frozen=True)
class FormEntry:
    """What was typed into a form: ``values`` by item id (blank or absent: not given),
    ``units`` for the values typed in another unit than the item's, and whether the
    form is to be marked complete. What is sent replaces what was stored."""

    values: Mapping[str, object]
    units: Mapping[str, str] = field(default_factory=dict)
    complete: bool = False


def form_of(study: Study, form_id: str) -> Form:
    form = study.forms.get(form_id)
    if form is None:
        raise NotFoundError(f"{study.id} has no form {form_id!r}")
    return form


def form_record(
    session: Session, enrolment_id: int, visit_key: str, form_id: str, row: int = 1
) -> FormRecord | None:
    return session.scalars(
        select(FormRecord).where(
            FormRecord.enrolment_id == enrolment_id,
            FormRecord.visit_key == visit_key,
            FormRecord.form_id == form_id,
            FormRecord.row == row,
        )
    ).one_or_none()


def _visit_of(
    study: Study, participant: Participant, visit_id: str, occurrence: int, form: Form,
    setting: list[DateSetting], known: dict[tuple[str, int], VisitRecord],
) -> VisitRecord:  # fmt: skip
    """The visit the form is entered at: it must have taken place (or take place now, for
    the visit whose date this form sets: the injection's). ``known``: every visit record
    of the participant, read with their forms (the participant is locked) and kept up to
    date as saves make them."""
    visit = scheduled_visit(study, visit_id)
    if form.id not in visit.forms:
        raise InputError(f"{form.title} is not a form of {visit.name}", field="form")
    record = known.get((visit_id, occurrence))
    if visit.anchor is not None:
        sets_it = any(s.anchor == visit.anchor for s in setting)  # blank: refused in _save
        if participant.candidate.date_of(visit.anchor) is None and not sets_it:
            raise InputError(
                f"{visit.name} takes place on the participant's {visit.anchor} date, which "
                "is not set yet",
                field="visit",
            )
        if record is None:  # anchored visits are recorded with their first form (below)
            record = VisitRecord(enrolment_id=participant.id, visit_id=visit_id,
                                 occurrence=occurrence)  # fmt: skip
        return record
    if record is None or record.visit_date is None:
        what = "was recorded as not done" if record is not None else "is not recorded yet"
        raise InputError(
            f"{visit.name} {what}: record the date it took place first", field="visit_date"
        )
    return record


def _read(
    study: Study, form: Form, entry: FormEntry, participant: Participant, now: datetime
) -> tuple[dict[str, ItemValue], list[TrialdeskError]]:
    """Every item read; every error kept, so they are all reported at once."""
    errors: list[TrialdeskError] = []
    known = {i.id for i in form.items}
    for name in sorted(set(entry.values) | set(entry.units)):
        if name not in known:
            errors.append(InputError(f"{form.id} has no item {name!r}", field=name))
    read: dict[str, ItemValue] = {}
    for item in form.items:
        try:
            value = read_item(
                item, entry.values.get(item.id), entry.units.get(item.id),
                schedule=study.schedule, now=now, parameters=participant.candidate.parameters,
            )  # fmt: skip
        except TrialdeskError as exc:
            errors.append(exc)
            continue
        if value is not None:
            read[item.id] = value
    if entry.complete:
        for item in form.items:
            wrong = any(e.field == item.id for e in errors)
            if item.required and item.derived is None and item.id not in read and not wrong:
                errors.append(InputError("is required to mark the form complete", field=item.id))
    return read, errors


def save_form(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    form_id: str,
    entry: FormEntry,
    now: datetime,
    visit_id: str | None = None,
    occurrence: int = 1,
    row: int | None = None,
    expected_version: int | None = None,
    reason: str | None = None,
) -> FormRecord:
    """Store one form of one participant at one visit (``visit_id``), or a row of a log
    form (``row``: None adds one). A form already entered is changed only by who read its
    ``expected_version``; anything else is told to reload."""
    now = as_utc(now)
    held = _held(session, study, enrolment_id)
    return _save(
        session, actor=actor, study=study, held=held, form_id=form_id, entry=entry, now=now,
        visit_id=visit_id, occurrence=occurrence, row=row, expected_version=expected_version,
        reason=reason,
    )  # fmt: skip


def save_forms(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    visit_id: str,
    forms: Sequence[tuple[str, FormEntry]],
    now: datetime,
    occurrence: int = 1,
) -> list[FormRecord]:
    """Store several forms of one visit not entered before, in order, in the caller's
    transaction: each exactly as :func:`save_form` stores it (read, checked on the data
    as they will be, stored, audited, every derived value recomputed), with the
    participant locked and their forms read once for all of them (a whole visit typed at
    once: the simulator, an import). The first refused raises, and the caller's
    transaction is to be rolled back."""
    now = as_utc(now)
    held = _held(session, study, enrolment_id)
    return [
        _save(
            session,
            actor=actor,
            study=study,
            held=held,
            form_id=form_id,
            entry=entry,
            now=now,
            visit_id=visit_id,
            occurrence=occurrence,
            row=None,
            expected_version=None,
            reason=None,
        )
        for form_id, entry in forms
    ]


@dataclass
class _Held:
    """A participant locked for saving forms, with what is read once for all of them:
    everything entered, and their visit records by (visit, occurrence)."""

    participant: Participant
    data: ParticipantForms
    visits: dict[tuple[str, int], VisitRecord]
    freezes: list[DataFreeze]  # what of their data is frozen (conduct/freeze.py)


def _held(session: Session, study: Study, enrolment_id: int) -> _Held:
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    data = participant_forms(session, study, participant)
    visits = {(v.visit_id, v.occurrence): v for v in data.visits.values()}
    return _Held(participant, data, visits, active_freezes(session, participant.id))


def _save(
    session: Session,
    *,
    actor: str,
    study: Study,
    held: _Held,
    form_id: str,
    entry: FormEntry,
    now: datetime,
    visit_id: str | None,
    occurrence: int,
    row: int | None,
    expected_version: int | None,
    reason: str | None,
) -> FormRecord:
    """One form saved; what ``held`` holds is kept up to date."""
    participant, data = held.participant, held.data
    form = form_of(study, form_id)
    if form.computed:
        raise InputError(
            f"{form.title} is computed by the server from the visit's forms: nothing to enter",
            field="form",
        )
    why = plain_text(reason, "reason", REASON_MAX, one_line=True)
    read, errors = _read(study, form, entry, participant, now)
    setting = dates_set_by(study, form, read)
    for blank in setting:  # even a draft: the visit it dates exists from that date on
        unset = participant.candidate.date_of(blank.anchor) is None
        if blank.day is None and unset and not any(e.field == blank.item for e in errors):
            needed = f"is needed to save this form, even incomplete: it dates {blank.anchor}"
            errors.append(InputError(needed, field=blank.item))

    visit_record: VisitRecord | None = None
    if form.repeating:
        visit_key = LOG
        if row is None:
            last = session.scalar(
                select(func.max(FormRecord.row)).where(
                    FormRecord.enrolment_id == participant.id, FormRecord.form_id == form.id
                )
            )
            row = (last or 0) + 1
    else:
        if visit_id is None:
            raise InputError(f"{form.title} is entered at a visit: name it", field="visit")
        visit_record = _visit_of(
            study, participant, visit_id, occurrence, form, setting, held.visits
        )
        visit_key = visit_record.key
        row = 1
    refuse_if_frozen(
        session, participant, visit_key=visit_key, form_id=form.id, freezes=held.freezes
    )
    key = (visit_key, form.id, row)
    stored = data.forms.get(key)  # as form_record() would read it: data holds every record
    existing = stored_record(session, stored) if stored is not None else None
    what = f"{form.title} at {visit_key or 'the log'}"
    if existing is None and expected_version is not None:
        raise StaleError(what)  # it was there when the form was opened: gone since
    if existing is not None:
        if expected_version is None:
            raise ConflictError(
                f"{form.title} is already entered (by {existing.updated_by}): reload it to "
                "change it",
                field="form",
            )
        check_version(existing, expected_version, what)

    new_values = {k: v.value for k, v in read.items()}
    if (
        existing is not None
        and existing.status is FormStatus.COMPLETE
        and existing.values != new_values
        and why is None
    ):
        errors.append(InputError("give the reason for changing a completed form", field="reason"))
    at = len(errors)  # where the problems of the dates it sets are reported (below)
    # the save is judged on the data as they will be: this form's new values in place
    dates = dict(data.visit_dates)
    data.forms[key] = FormValues(
        visit_key, form.id, row, dict(new_values),
        dict(stored.derived) if stored is not None else {},
        existing, existing.id if existing is not None else None,
    )  # fmt: skip
    for moved in setting:  # the visit this form dates (the injection's) is judged on its new date
        for v in study.schedule.visits if study.schedule is not None else ():
            if v.anchor == moved.anchor and moved.day is not None:
                data.visit_dates[v.id] = moved.day
    seen: dict[str, CheckSeen] = {}
    failed, warnings = run_checks(study, form, data, participant, visit_key, seen=seen)
    errors.extend(failed)
    try:  # the dates it sets are looked at once: with the other problems, or as they are set
        if errors:
            errors[at:at] = apply_dates(session, study, participant, setting, why, now,
                                        dry_run=True)  # fmt: skip
        else:  # set now unless they have problems (then nothing is)
            errors = apply_dates(session, study, participant, setting, why, now, dry_run=False,
                                 actor=actor)  # fmt: skip
    except Exception:  # a study paused by a stopping rule refuses the injection
        _restore(data, key, stored, dates)
        raise
    if errors:
        _restore(data, key, stored, dates)
        raise FieldErrors(errors, resource=f"form {form.id}")
    if data.changed is not None:  # what the recompute below looks at again
        data.changed.setdefault(visit_key, set()).add(form.id)
        for moved_key, on in data.visit_dates.items():  # a visit this form dates
            if moved_key not in dates or dates[moved_key] != on:
                data.changed.setdefault(moved_key, set())

    flags = {k: [v.flag] for k, v in read.items() if v.flag is not None}
    for item_id, flag in warnings:
        flags.setdefault(item_id, []).append(flag)
    entered = {k: v.entered for k, v in read.items() if v.entered is not None}
    status = FormStatus.COMPLETE if entry.complete else FormStatus.INCOMPLETE

    if visit_record is not None and visit_record.id is None:
        visit_record.recorded_at, visit_record.recorded_by = now, actor
        anchor = scheduled_visit(study, visit_record.visit_id).anchor
        visit_record.visit_date = participant.candidate.date_of(anchor) if anchor else None
        session.add(visit_record)
        session.flush()
        held.visits[(visit_record.visit_id, visit_record.occurrence)] = visit_record
        data.visits[visit_record.key] = visit_record
        audit.created(
            session, visit_record, actor=actor, fields=visit_fields(visit_record), reason=why,
            at=now,
        )  # fmt: skip
    if existing is None:
        record = FormRecord(
            enrolment_id=participant.id,
            visit_record_id=visit_record.id if visit_record is not None else None,
            visit_key=visit_key, form_id=form.id, row=row, status=status, values=new_values,
            entered=entered, derived={}, flags=flags, updated_at=now, updated_by=actor,
        )  # fmt: skip
        stored_at_once(session, record)
        audit.created(session, record, actor=actor, fields=form_fields(record), reason=why, at=now)
    else:
        record = existing
        before = form_fields(record)
        record.values, record.entered, record.flags = new_values, entered, flags
        record.status, record.updated_at, record.updated_by = status, now, actor
        audit.updated(
            session, record, actor=actor, before=before, after=form_fields(record), reason=why,
            at=now,
        )  # fmt: skip
    data.forms[key].record, data.forms[key].record_id = record, record.id
    raise_from_checks(
        session, study_id=study.id, enrolment_id=participant.id, visit_key=visit_key,
        form_id=form.id, row=row, flags=flags, values=new_values, actor=actor, now=now,
        messages={c.id: c.message.en for c in form.checks if c.severity == "warning"},
        seen=seen,
    )  # fmt: skip  # a failing warning check is a query, in this transaction
    derive.recompute(session, study, participant, actor=actor, now=now, data=data)
    return record


def _restore(
    data: ParticipantForms,
    key: tuple[str, str, int],
    stored: FormValues | None,
    dates: dict[str, date | None],
) -> None:
    """Put back what a refused save stood in for (the caller may go on with ``data``)."""
    if stored is None:
        del data.forms[key]
    else:
        data.forms[key] = stored
    data.visit_dates.clear()
    data.visit_dates.update(dates)


def entered_values(record: FormRecord | None) -> dict[str, Any]:
    """A stored form's values as a form shows them again (what was typed, in its unit)."""
    if record is None:
        return {}
    shown = dict(record.values)
    for item_id, typed in record.entered.items():
        shown[item_id] = typed["value"]
    return shown
