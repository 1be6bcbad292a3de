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
from trialdesk.study.forms import Form, Item, ItemRef
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.form_data import (
    FormValues,
    ParticipantForms,
    form_fields,
    participant_forms,
    stored_at_once,
    stored_record,
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

# compute_item's results are kept by the item's plan and the values it read: the
# calculators are pure functions of their inputs, and a recompute (every visit, on every
# write) reads most values unchanged. Cleared when it grows too big.
# The first save of a visit computes every visit of the participant again, weeks after
# the last, so what everyone else's saves kept meanwhile must fit: a participant has
# about 60 by week 24 (~1 KB each), and the 1,000 participants of benchmarks/simulate.py
# touch some 20,000 in the 12 weeks between a participant's last two visits.
_RESULTS_MAX = 40_000

_Key = tuple[str, str, int]  # a form at a visit (or a log row): visit key, form id, row


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


class _Plan:
    """How one derived item of a study is computed: its calculator, and for each input
    the item that feeds it with that item's unit and concept (worked out once)."""

    def __init__(self, study: Study, form: Form, item: Item) -> None:
        assert item.derived is not None
        self.calculator: Calculator = CALCULATORS[item.derived.calculator]
        self.constants = dict(item.derived.constants)
        self.reads_baseline = any(r.baseline for _, r in item.derived.inputs)
        self.inputs: list[tuple[str, ItemRef, Item | None]] = []
        for name, ref in item.derived.inputs:
            source_form = study.forms.get(ref.form or form.id)
            source = None
            if source_form is not None:
                source = next((i for i in source_form.items if i.id == ref.item), None)
            self.inputs.append((name, ref, source))


class _Plans:
    """A study's plans, and the forms with derived items due at each of its visits."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], _Plan] = {}
        self.forms: dict[str, list[Form]] = {}
        self.reads: dict[str, tuple[frozenset[str], frozenset[str]]] = {}
        self.derived: dict[str, tuple[tuple[Item, _Plan], ...]] = {}
        self.ordered: dict[str, bool] = {}


class _Kept:
    """compute_item's results by their key, the newest ``_RESULTS_MAX`` or more: when
    full, what is kept becomes the older half, read (and kept again) until the next time
    (clearing everything at once would drop what the recompute in course asks again)."""

    def __init__(self) -> None:
        self.new: dict[tuple[object, ...], dict[str, Any]] = {}
        self.old: dict[tuple[object, ...], dict[str, Any]] = {}

    def get(self, key: tuple[object, ...]) -> dict[str, Any] | None:
        found = self.new.get(key)
        if found is None:
            found = self.old.get(key)
            if found is not None:
                self.put(key, found)
        return found

    def put(self, key: tuple[object, ...], value: dict[str, Any]) -> None:
        if len(self.new) >= _RESULTS_MAX:
            self.old, self.new = self.new, {}
        self.new[key] = value

    def clear(self) -> None:
        self.new.clear()
        self.old.clear()


_PLANS: dict[int, tuple[Study, _Plans]] = {}
_RESULTS = _Kept()


def _plans(study: Study) -> _Plans:
    cached = _PLANS.get(id(study))
    if cached is None or cached[0] is not study:  # the study, not another at its address
        cached = _PLANS[id(study)] = (study, _Plans())
    return cached[1]


def _plan(study: Study, form: Form, item: Item) -> _Plan:
    plans = _plans(study).items
    found = plans.get((form.id, item.id))
    if found is None:
        found = plans[(form.id, item.id)] = _Plan(study, form, item)
    return found


def _derived_items(study: Study, form: Form) -> tuple[tuple[Item, _Plan], ...]:
    """The form's derived items in their order, each with its plan (worked out once)."""
    plans = _plans(study)
    found = plans.derived.get(form.id)
    if found is None:
        found = plans.derived[form.id] = tuple((i, _plan(study, form, i)) for i in form.derived)
    return found


def _ordered(study: Study, form: Form) -> bool:
    """Whether each derived item of the form reads, of its own form at its own visit, only
    typed items and derived items before it: then one computation of the form, item after
    item, gives what computing it again would (its own values moving makes it no stale)."""
    plans = _plans(study)
    found = plans.ordered.get(form.id)
    if found is None:
        place = {item.id: n for n, (item, _) in enumerate(_derived_items(study, form))}
        found = all(
            place.get(ref.item, -1) < n
            for n, (_, plan) in enumerate(_derived_items(study, form))
            for _, ref, _ in plan.inputs
            if not ref.baseline and ref.form in (None, form.id)
        )
        plans.ordered[form.id] = found
    return found


def compute_item(
    study: Study, data: ParticipantForms, where: FormValues, form: Form, item: Item
) -> dict[str, Any]:
    """One derived item's stored form: ``{"value", "calculator", "version", "inputs"}``,
    with ``missing`` (the inputs not entered yet) or ``error`` (a FactError's message)
    when no value could be computed."""
    assert item.derived is not None
    return _compute(data, where, form.id, _plan(study, form, item))


def _compute(
    data: ParticipantForms, where: FormValues, form_id: str, plan: _Plan
) -> dict[str, Any]:
    if plan.reads_baseline and where.visit_key == data.baseline_key():
        # a change from baseline at the baseline visit itself says nothing
        return _record(plan.calculator, {}, not_applicable=True)
    raws = [
        where.value(ref.item)  # an item of the same form: the form itself
        if ref.form is None and not ref.baseline
        else data.resolve(ref, where.visit_key, form_id, where.row)
        for _, ref, _ in plan.inputs
    ]
    key = (plan, tuple(map(type, raws)), tuple(raws))  # 1, 1.0 and True are not one key
    try:
        found = _RESULTS.get(key)
    except TypeError:  # a value that cannot be a key (none is stored so): not kept
        return _computed(plan, raws)
    if found is None:
        found = _computed(plan, raws)
        _RESULTS.put(key, found)
    copy = dict(found)
    copy["inputs"] = dict(found["inputs"])
    if "missing" in found:
        copy["missing"] = list(found["missing"])
    return copy


def _computed(plan: _Plan, raws: list[Any]) -> dict[str, Any]:
    calculator = plan.calculator
    # the values the study fixes for the calculator (WOMAC's response format) come with
    # the items' values
    inputs: dict[str, Any] = dict(plan.constants)
    missing: list[str] = []
    for (name, ref, source), raw in zip(plan.inputs, raws, strict=True):
        spec = calculator.inputs[name]
        if raw is None:
            if not spec.optional:
                missing.append(str(ref))
            continue
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
    visit_id = visit_key.split("#", 1)[0]
    known = _plans(study).forms
    found = known.get(visit_id)
    if found is None:
        found = known[visit_id] = _due_derived(study, visit_id)
    return found


def _due_derived(study: Study, visit_id: str) -> list[Form]:
    schedule = study.schedule
    if schedule is None:
        return []
    try:
        visit = schedule.visit(visit_id)
    except KeyError:
        return []
    return [f for f in (study.forms.get(fid) for fid in visit.forms) if f and f.derived]


class _Ticks:
    """One recompute's clock: when each form was last computed, and when each form's
    derived values last moved (by visit key and form, as ``changed`` names them). A form
    computed in this recompute none of whose inputs moved since would be computed again
    to the same values: a later pass skips it (only what moved since can move it)."""

    def __init__(self) -> None:
        self.now = 0
        self.done: dict[_Key, int] = {}
        self.moved: dict[tuple[str, str], int] = {}


def _compute_form(
    study: Study, data: ParticipantForms, where: FormValues, form: Form, moved: set[_Key],
    ticks: _Ticks,
) -> bool:  # fmt: skip
    ticks.now += 1
    start = ticks.now
    changed = False
    derived = where.derived
    for item, plan in _derived_items(study, form):
        new = _compute(data, where, form.id, plan)
        if derived.get(item.id) != new:
            derived[item.id] = new
            changed = True
    at = (where.visit_key, where.form_id, where.row)
    ticks.done[at] = start
    if changed:
        moved.add(at)
        ticks.now += 1
        ticks.moved[(where.visit_key, where.form_id)] = ticks.now
        if _ordered(study, form):  # its own values moving leave it as computed
            ticks.done[at] = ticks.now
    return changed


def _reads(study: Study, form: Form) -> tuple[frozenset[str], frozenset[str]]:
    """The forms a form's derived items read at their own visit (the form itself among
    them: its typed values, its other derived items), and those they read at baseline."""
    plans = _plans(study)
    found = plans.reads.get(form.id)
    if found is None:
        same: set[str] = {form.id}
        baseline: set[str] = set()
        for item in form.derived:
            assert item.derived is not None
            for _, ref in item.derived.inputs:
                (baseline if ref.baseline else same).add(ref.form or form.id)
        found = plans.reads[form.id] = (frozenset(same), frozenset(baseline))
    return found


def _stale(
    study: Study, data: ParticipantForms, where: FormValues, form: Form,
    changed: dict[str, set[str]] | None,
) -> bool:  # fmt: skip
    """Whether a form's derived values may move: some form they read changed since every
    derived value was computed over ``data`` (``changed``: by visit key, the forms typed
    anew or whose derived values moved since; None: nothing computed yet, as read from
    the store: then every value is, whatever computed it before). A derived value is a
    function of what it reads alone, so one whose inputs did not change is as computed."""
    if changed is None:
        return True
    same, baseline = _reads(study, form)
    here = changed.get(where.visit_key)
    if here and not same.isdisjoint(here):
        return True
    key = data.baseline_key()
    there = changed.get(key) if key is not None else None
    return there is not None and not baseline.isdisjoint(there)


def _due(
    study: Study, data: ParticipantForms, where: FormValues, form: Form,
    changed: dict[str, set[str]] | None, ticks: _Ticks,
) -> bool:  # fmt: skip
    """Whether a form is to be computed in this pass: :func:`_stale` the first time in
    this recompute, then only when a form it reads moved since it was computed."""
    done = ticks.done.get((where.visit_key, where.form_id, where.row))
    if done is None:
        return _stale(study, data, where, form, changed)
    same, baseline = _reads(study, form)
    moved = ticks.moved
    key = where.visit_key
    if any(moved.get((key, f), 0) > done for f in same):
        return True
    base = data.baseline_key()
    return base is not None and any(moved.get((base, f), 0) > done for f in baseline)


def _visits_to_pass(data: ParticipantForms, changed: dict[str, set[str]] | None) -> list[str]:
    """The visits whose derived forms a pass looks at, in the order they took place: every
    one at first (``changed`` None) or when a baseline form changed (every visit may read
    it); else those with a change (a derived item reads its own visit and the baseline
    alone), which are also the only ones that can lack their derived forms' values."""
    keys = data.visit_keys()
    baseline = data.baseline_key()
    if changed is None or (baseline is not None and changed.get(baseline)):
        return keys
    return [key for key in keys if key in changed]


def _pass(
    study: Study, data: ParticipantForms, moved: set[_Key], changed: dict[str, set[str]] | None,
    ticks: _Ticks,
) -> bool:  # fmt: skip
    """Compute every derived item once over ``data`` (skipping the forms none of whose
    inputs changed); True when anything moved (each form whose derived values moved is
    added to ``moved``, and to ``changed`` for the forms computed after it)."""
    result = False
    for key in _visits_to_pass(data, changed):
        for form in _derived_forms(study, key):
            where = data.at(key, form.id)
            if where is None:
                where = FormValues(key, form.id, 1, {})
                data.forms[(key, form.id, 1)] = where
            elif not _due(study, data, where, form, changed, ticks):
                continue
            if _compute_form(study, data, where, form, moved, ticks):
                result = True
                if changed is not None:
                    changed.setdefault(key, set()).add(form.id)
    baseline = data.baseline_key()
    if changed is not None and LOG not in changed and not changed.get(baseline or ""):
        return result  # the log forms read the log and the baseline alone
    for (key, form_id, _row), where in list(data.forms.items()):
        log_form = study.forms.get(form_id)
        if key == LOG and log_form is not None and log_form.derived:
            if not _due(study, data, where, log_form, changed, ticks):
                continue
            if _compute_form(study, data, where, log_form, moved, ticks):
                result = True
                if changed is not None:
                    changed.setdefault(key, set()).add(form_id)
    return result


def recompute(
    session: Session,
    study: Study,
    participant: Participant,
    *,
    actor: str,
    now: datetime,
    data: ParticipantForms | None = None,
) -> None:
    """Recompute and store every derived value of the participant (caller holds the lock).
    ``data``: the participant's forms as stored now, when the caller holds them (a save
    that keeps them up to date: entry.py); read from the store otherwise. They are kept
    up to date here too (the records made, the derived values stored)."""
    if data is None:
        data = participant_forms(session, study, participant)
    moved: set[_Key] = set()
    changed = None if data.changed is None else {k: set(v) for k, v in data.changed.items()}
    ticks = _Ticks()
    for _ in range(_MAX_PASSES):
        if not _pass(study, data, moved, changed, ticks):
            break
    data.changed = {}  # every derived value is now as its inputs give it
    # Only a form whose derived values moved can need its record made or changed: one
    # that did not was stored as computed (or had nothing to show) when it last moved.
    for (key, form_id, row), where in data.forms.items() if moved else ():
        if (key, form_id, row) not in moved:
            continue
        if where.record is None and where.record_id is None:
            if not any(d.get("value") is not None for d in where.derived.values()):
                continue  # nothing to show yet: no empty record
            form = study.forms[form_id]
            complete = settled(where.derived)
            only_derived = all(i.derived is not None for i in form.items)
            made = FormRecord(
                enrolment_id=participant.id,
                visit_record_id=visit.id if (visit := data.visits.get(key)) else None,
                visit_key=key, form_id=form_id, row=row,
                status=FormStatus.COMPLETE if complete and only_derived else FormStatus.INCOMPLETE,
                values={}, entered={}, derived=dict(where.derived), flags={}, updated_at=now,
                updated_by=actor,
            )  # fmt: skip
            where.record, where.record_id = stored_at_once(session, made), made.id
            audit.created(
                session, made, actor=actor, fields=form_fields(made), reason=RECOMPUTED, at=now
            )
            continue
        record = stored_record(session, where)
        if record is None or record.derived == where.derived:
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
