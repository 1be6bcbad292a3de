"""The injection: day 1 of the study, recorded once, after consent and enrolment, inside
the screening window (or with the reason for the deviation); every error at once and
nothing stored when anything is wrong; corrections kept in the audit trail."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from trialdesk.errors import ConflictError, FieldErrors
from trialdesk.study.windows import VisitStatus
from trialdesk.trial.conduct.calendar import calendar
from trialdesk.trial.conduct.models import FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.screening.models import Candidate
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .conduct_helpers import DAY1, INJECTION, LATER, enrolled, inject, save
from .helpers import count
from .screening_helpers import STUDY


def nothing_written(store: Store, before: dict[str, int]) -> None:
    assert {m.__tablename__: count(store, m) for m in (FormRecord, VisitRecord, AuditRecord)} == (
        before
    )
    with store.read() as session:
        assert audit.verify(session).ok


def counts(store: Store) -> dict[str, int]:
    return {m.__tablename__: count(store, m) for m in (FormRecord, VisitRecord, AuditRecord)}


def test_the_injection_sets_day_1_and_opens_the_calendar(store: Store) -> None:
    _, (pid,) = enrolled(store)
    record = inject(store, pid)
    assert record.values["administered_at"] == "2026-03-16T10:30:00+08:00"  # site time
    with store.read() as session:
        participant = participant_or_404(session, pid)
        assert participant.day1(STUDY) == DAY1
        rows = {r.key: r for r in calendar(session, STUDY, participant, date(2026, 4, 11))}
    assert rows["SCR"].date == date(2026, 3, 2) and rows["SCR"].status.done
    assert rows["D1"].status is VisitStatus.DONE_IN_WINDOW
    assert rows["W4"].target == date(2026, 4, 13)  # day 29
    assert rows["W4"].window == (date(2026, 4, 10), date(2026, 4, 16))
    assert rows["W4"].status is VisitStatus.OPEN
    assert rows["W8"].status is VisitStatus.UPCOMING
    assert rows["D2"].status is VisitStatus.OVERDUE  # day 2 +1, not recorded


def test_a_second_injection_is_refused(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    before = counts(store)
    with pytest.raises(ConflictError, match="already entered"):
        inject(store, pid, administered_at="2026-03-17T09:00")
    nothing_written(store, before)


def test_every_error_at_once_and_nothing_stored(store: Store) -> None:
    _, (pid,) = enrolled(store)
    before = counts(store)
    with pytest.raises(FieldErrors) as refused:
        inject(store, pid, knee="left", dose="0", pre_sysbp="high", surprise="x")
    fields = refused.value.by_field
    assert set(fields) == {"knee", "dose", "pre_sysbp", "surprise"}
    assert "target knee (right)" in fields["knee"][0]
    assert "impossible" in fields["dose"][0] and "10*6{cells}" in fields["dose"][0]
    nothing_written(store, before)


def test_before_consent_or_enrolment_is_refused(store: Store) -> None:
    _, (pid,) = enrolled(store)
    before = counts(store)
    with pytest.raises(FieldErrors) as refused:
        inject(store, pid, administered_at="2026-02-20T10:00")
    messages = refused.value.by_field["administered_at"]
    assert any("before the informed consent was signed (2026-02-27)" in m for m in messages)
    assert any("before enrolment (2026-03-02)" in m for m in messages)
    nothing_written(store, before)


def test_outside_the_screening_window_needs_the_reason(store: Store) -> None:
    _, (pid,) = enrolled(store)
    before = counts(store)
    with pytest.raises(FieldErrors) as refused:  # screening on 2026-03-02 is day -34
        inject(store, pid, administered_at="2026-04-05T10:00")
    assert "outside its window (days -28 to -1)" in refused.value.by_field["reason"][0]
    nothing_written(store, before)
    record = save(
        store, pid, "injection", {**INJECTION, "administered_at": "2026-04-05T10:00"},
        visit="D1", reason="product release delayed by the manufacturer",
    )  # fmt: skip
    assert record.id is not None
    with store.read() as session:
        trail = session.scalars(select(AuditRecord).where(AuditRecord.entity == "candidate")).all()
        assert trail[-1].reason == "product release delayed by the manufacturer"
        assert trail[-1].changes["day1_date"] == [None, "2026-04-05"]


def test_a_correction_moves_day_1_with_its_reason(store: Store) -> None:
    _, (pid,) = enrolled(store)
    first = inject(store, pid)
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "injection", {**INJECTION, "administered_at": "2026-03-17T09:00"},
             visit="D1", version=first.version)  # fmt: skip
    assert "reason" in refused.value.by_field
    save(store, pid, "injection", {**INJECTION, "administered_at": "2026-03-17T09:00"},
         visit="D1", version=first.version, reason="transcription error")  # fmt: skip
    with store.read() as session:
        participant = participant_or_404(session, pid)
        assert participant.day1(STUDY) == date(2026, 3, 17)
        d1 = session.scalars(select(VisitRecord).where(VisitRecord.visit_id == "D1")).one()
        assert d1.visit_date == date(2026, 3, 17)  # the anchored visit follows its anchor
        changes = [
            r.changes
            for r in session.scalars(select(AuditRecord).order_by(AuditRecord.id))
            if r.entity == "form_record" and r.reason == "transcription error"
        ]
        assert changes and changes[0]["administered_at"] == [
            "2026-03-16T10:30:00+08:00",
            "2026-03-17T09:00:00+08:00",
        ]
        assert session.get(Candidate, participant.candidate.id) is not None


def test_the_future_is_refused_in_site_time(store: Store) -> None:
    _, (pid,) = enrolled(store)
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "injection", {**INJECTION, "administered_at": "2026-10-01T08:00"},
             visit="D1", now=LATER)  # fmt: skip
    assert "in the future" in refused.value.by_field["administered_at"][0]
