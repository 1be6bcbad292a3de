"""Helpers for the conduct tests: enrolled participants made through the screening
services, then the injection and visit forms through the conduct services."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from trialdesk.trial.conduct import entry, visits
from trialdesk.trial.conduct.entry import FormEntry
from trialdesk.trial.conduct.models import FormRecord, VisitRecord
from trialdesk.trial.screening import enrolment
from trialdesk.trial.store.db import Store

from .helpers import NOW
from .screening_helpers import STUDY, TODAY, eligible_candidates, prepare_study

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY1 = date(2026, 3, 16)  # the examples' planned baseline: day -14 is the screening date
INJECTED_AT = datetime(2026, 3, 16, 10, 30, tzinfo=SHANGHAI)
LATER = datetime(2026, 9, 30, 9, 0, tzinfo=UTC)  # after week 24: every visit can be dated

INJECTION = {
    "administered_at": "2026-03-16T10:30",
    "knee": "right",
    "product_lot": "HISC-2026-007",
    "release_checked": True,
    "dose": "50",
    "volume": "5",
    "given_by": "Dr. Lin Zhao",
    "pre_sysbp": 128, "pre_diabp": 78, "pre_pulse": 72, "pre_temp": "36.6",
    "post_sysbp": 126, "post_diabp": 80, "post_pulse": 74, "post_temp": "36.7",
    "immediate_reaction": False,
}  # fmt: skip


def enrolled(store: Store, n: int = 1, start: int = 1) -> tuple[int, list[int]]:
    """``n`` enrolled participants; (the investigator's user id, their enrolment ids)."""
    investigator = prepare_study(store)
    return investigator, enrol(store, investigator, n, start)


def enrol(store: Store, investigator: int, n: int, start: int = 1) -> list[int]:
    ids = []
    for cid in eligible_candidates(store, investigator, n, start):
        with store.transaction() as session:
            row = enrolment.enrol(
                session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
                today=TODAY, now=NOW,
            )  # fmt: skip
            ids.append(row.id)
    return ids


def save(
    store: Store,
    enrolment_id: int,
    form_id: str,
    values: Mapping[str, object],
    *,
    visit: str | None = None,
    complete: bool = True,
    units: Mapping[str, str] | None = None,
    version: int | None = None,
    reason: str | None = None,
    now: datetime = LATER,
    row: int | None = None,
) -> FormRecord:
    with store.transaction() as session:
        return entry.save_form(
            session, actor="coord", study=STUDY, enrolment_id=enrolment_id, form_id=form_id,
            entry=FormEntry(values, units or {}, complete), now=now, visit_id=visit,
            expected_version=version, reason=reason, row=row,
        )  # fmt: skip


def inject(store: Store, enrolment_id: int, **changes: object) -> FormRecord:
    return save(store, enrolment_id, "injection", {**INJECTION, **changes}, visit="D1")


def visit_on(store: Store, enrolment_id: int, visit_id: str, on: date) -> VisitRecord:
    with store.transaction() as session:
        return visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=enrolment_id, visit_id=visit_id,
            on=on, today=LATER.date(), now=LATER,
        )  # fmt: skip


def typical_values(form_id: str, **given: object) -> dict[str, object]:
    """Plausible values for every required item of a form (mid expected range, the first
    choice), so a test can complete a visit's forms it is not about; ``given`` overrides."""
    form = STUDY.forms[form_id]
    values: dict[str, object] = {}
    for item in form.items:
        if item.derived is not None or not item.required or item.id in given:
            continue
        if item.parameter is not None:
            values[item.id] = "right"  # the examples' target knee
        elif item.choices:
            values[item.id] = item.choices[0].code
        elif item.type.value == "boolean":
            values[item.id] = False
        elif item.type.value in ("integer", "decimal"):
            low = item.expected_low if item.expected_low is not None else item.minimum or 0
            high = item.expected_high if item.expected_high is not None else item.maximum or low
            middle = (low + high) / 2
            values[item.id] = round(middle) if item.type.value == "integer" else f"{middle:.1f}"
        elif item.type.value == "date":
            values[item.id] = DAY1.isoformat()
        elif item.type.value == "datetime":
            values[item.id] = INJECTION["administered_at"]
        else:
            values[item.id] = "as recorded"
    return {**values, **given}
