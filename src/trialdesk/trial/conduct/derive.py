"""Derived scores: computed on the server from their inputs on every write, in the same
transaction, and stored with the inputs they were computed from and the calculator's
version. Nothing else writes a derived value, so none can go stale.

:func:`recompute` runs after every change to a participant's forms. It recomputes every
derived item of every visit (a change at baseline moves the week-24 EULAR response),
creates the record of a form whose items are all derived (the disease-activity scores)
once it has something to show, and audits every value that moved.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from trialdesk.clinical.calculators import CALCULATORS, Calculator
from trialdesk.clinical.checks import MissingValueError
from trialdesk.clinical.units import convert
from trialdesk.errors import FactError, UnitError
from trialdesk.study.forms import Form, Item
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.calendar import visit_records
from trialdesk.trial.conduct.form_data import (
    FormValues,
    ParticipantForms,
    form_fields,
    participant_forms,
)
from trialdesk.trial.conduct.item_values import decimal_text
from trialdesk.trial.conduct.models import LOG, FormRecord, FormStatus
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session

__all__ = ["RECOMPUTED", "compute_item", "recompute", "settled"]

RECOMPUTED = "recomputed from its inputs"  # the audit reason of a derived value that moved

# Derived items may read derived items (EULAR response reads the DAS28 at baseline and
# now): each pass sees the one before, and a chain is at most this deep.
_MAX_PASSES = 5


def _input_value(value: Any, item: Item | None, unit: str | None, analyte: str | None) -> Any:
    """A stored value as a calculator input takes it: numbers as Decimal in the input's
    unit (converted from the item's own unit), other values as stored."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | str):
        return value
    if item is None or item.unit is None or unit is None or item.unit == unit:
        return Decimal(value) if item is not None and item.unit is not None else value
    number = Decimal(value)
    offset = convert(0.0, item.unit, unit, analyte)
    scale = convert(1.0, item.unit, unit, analyte) - offset
    return number * Decimal(repr(scale)) + Decimal(repr(offset))


def _stored(result: Decimal | int | str) -> Any:
    """A calculator's result as stored: a decimal keeps the places it is reported to
    (DAS28 3.10, not 3.1)."""
    return format(result, "f") if isinstance(result, Decimal) else result


def compute_item(
    study: Study, data: ParticipantForms, where: FormValues, form: Form, item: Item
) -> dict[str, Any]:
    """One derived item's stored form: ``{"value", "calculator", "version", "inputs"}``,
    with ``missing`` (the inputs not entered yet) or ``error`` (a FactError's message)
    when no value could be computed."""
    assert item.derived is not None
    calculator: Calculator = CALCULATORS[item.derived.calculator]
    if where.visit_key == data.baseline_key() and any(r.baseline for _, r in item.derived.inputs):
        # a change from baseline at the baseline visit itself says nothing
        return _record(calculator, {}, not_applicable=True)
    inputs: dict[str, Any] = {}
    missing: list[str] = []
    for name, ref in item.derived.inputs:
        raw = data.resolve(ref, where.visit_key, form.id, where.row)
        spec = calculator.inputs[name]
        if raw is None:
            if not spec.optional:
                missing.append(str(ref))
            continue
        source_form = study.forms.get(ref.form or form.id)
        source = source_form.item(ref.item) if source_form is not None else None
        try:
            inputs[name] = _input_value(raw, source, spec.unit, source.concept if source else None)
        except UnitError as exc:  # the loader refuses such units; a guard, not a path
            return _record(calculator, inputs, error=exc.message)
    if missing:
        return _record(calculator, inputs, missing=missing)
    try:
        result = calculator.compute(inputs)
    except MissingValueError as exc:  # too few answers to score (WOMAC, HAQ-DI)
        return _record(calculator, inputs, missing=[exc.field or exc.message])
    except FactError as exc:
        return _record(calculator, inputs, error=str(exc))
    return _record(calculator, inputs, value=_stored(result))


def _record(
    calculator: Calculator,
    inputs: Mapping[str, Any],
    *,
    value: Any = None,
    missing: list[str] | None = None,
    error: str | None = None,
    not_applicable: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "value": value,
        "calculator": calculator.name,
        "version": calculator.version,
        "inputs": {k: decimal_text(v) if isinstance(v, Decimal) else v for k, v in inputs.items()},
    }
    if missing:
        out["missing"] = missing
    if error:
        out["error"] = error
    if not_applicable:
        out["not_applicable"] = True
    return out


def settled(derived: Mapping[str, Any]) -> bool:
    """Every derived value computed (or not applicable at this visit)."""
    return all(d.get("value") is not None or d.get("not_applicable") for d in derived.values())


def _derived_forms(study: Study, visit_key: str) -> list[Form]:
    """The forms due at a visit that have derived items."""
    schedule = study.schedule
    if schedule is None:
        return []
    visit_id = visit_key.split("#", 1)[0]
    try:
        visit = schedule.visit(visit_id)
    except KeyError:
        return []
    return [f for f in (study.forms.get(fid) for fid in visit.forms) if f and f.derived]


def _compute_form(study: Study, data: ParticipantForms, where: FormValues, form: Form) -> bool:
    moved = False
    for item in form.derived:
        new = compute_item(study, data, where, form, item)
        if where.derived.get(item.id) != new:
            where.derived[item.id] = new
            moved = True
    return moved


def _pass(study: Study, data: ParticipantForms) -> bool:
    """Compute every derived item once over ``data``; True when anything moved."""
    moved = False
    for key in data.visit_keys():
        for form in _derived_forms(study, key):
            where = data.at(key, form.id)
            if where is None:
                where = FormValues(key, form.id, 1, {})
                data.forms[(key, form.id, 1)] = where
            moved |= _compute_form(study, data, where, form)
    for (key, form_id, _row), where in list(data.forms.items()):
        log_form = study.forms.get(form_id)
        if key == LOG and log_form is not None and log_form.derived:
            moved |= _compute_form(study, data, where, log_form)
    return moved


def recompute(
    session: Session, study: Study, participant: Participant, *, actor: str, now: datetime
) -> None:
    """Recompute and store every derived value of the participant (caller holds the lock)."""
    data = participant_forms(session, study, participant)
    for _ in range(_MAX_PASSES):
        if not _pass(study, data):
            break
    visits = {v.key: v for v in visit_records(session, participant.id)}
    for (key, form_id, row), where in data.forms.items():
        record = where.record
        if record is None:
            if not any(d.get("value") is not None for d in where.derived.values()):
                continue  # nothing to show yet: no empty record
            form = study.forms[form_id]
            complete = settled(where.derived)
            only_derived = all(i.derived is not None for i in form.items)
            record = FormRecord(
                enrolment_id=participant.id,
                visit_record_id=visits[key].id if key in visits else None,
                visit_key=key, form_id=form_id, row=row,
                status=FormStatus.COMPLETE if complete and only_derived else FormStatus.INCOMPLETE,
                values={}, entered={}, derived=where.derived, flags={}, updated_at=now,
                updated_by=actor,
            )  # fmt: skip
            session.add(record)
            session.flush()
            audit.created(
                session, record, actor=actor, fields=form_fields(record), reason=RECOMPUTED,
                at=now,
            )  # fmt: skip
            continue
        if record.derived == where.derived:
            continue
        before = form_fields(record)
        record.derived = dict(where.derived)
        declared = study.forms.get(form_id)
        if declared is not None and all(i.derived is not None for i in declared.items):
            done = settled(record.derived)
            record.status = FormStatus.COMPLETE if done else FormStatus.INCOMPLETE
        record.updated_at = now
        audit.updated(
            session, record, actor=actor, before=before, after=form_fields(record),
            reason=RECOMPUTED, at=now,
        )  # fmt: skip
