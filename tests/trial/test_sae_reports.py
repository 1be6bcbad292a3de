"""Serious adverse event reports: drafted and edited with optimistic locking, submitted
by the investigator's signature, never changed after; follow-ups numbered; every bad
input at its field at once with nothing stored; every write audited. Every test runs on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from trialdesk.errors import ConflictError, FieldErrors, ForbiddenError, InputError
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.signatures import Meaning, SignatureRefused, is_current
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety import sae_reports
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.clock import ClockState, study_clocks
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.safety.sae_reports import ReportInput
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.trial.store.stale import StaleError

from .conduct_helpers import enrolled, inject
from .helpers import PASSWORD, audit_rows, count
from .screening_helpers import STUDY
from .test_safety_helpers import WHEN, investigator, record, update, user

SERIOUS: dict[str, Any] = {"seriousness": ("hospitalisation",), "grade": 3, "term": "Arthritis"}
FULL = ReportInput(
    narrative="Admitted with a hot, swollen right knee two days after the injection.",
    admitted_on="2026-03-19",
    discharged_on="2026-03-24",
    tests="CRP 48 mg/L; synovial fluid culture negative",
    concomitant="paracetamol 1 g as needed",
    reporter="Dr Wang Li",
)


@pytest.fixture
def serious(store: Store) -> tuple[int, AdverseEvent]:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid, record(store, pid, **SERIOUS).event


def start(store: Store, pid: int, event: AdverseEvent, given: ReportInput = FULL,
          now: datetime = WHEN) -> SaeReport:  # fmt: skip
    with store.transaction() as session:
        return sae_reports.start_report(
            session, actor="coord", study=STUDY, enrolment_id=pid, event_id=event.id,
            given=given, now=now,
        )  # fmt: skip


def save(store: Store, pid: int, event: AdverseEvent, report: SaeReport, given: ReportInput,
         version: int | None = None) -> SaeReport:  # fmt: skip
    with store.transaction() as session:
        return sae_reports.save_report(
            session, actor="coord", study=STUDY, enrolment_id=pid, event_id=event.id,
            report_id=report.id, given=given,
            expected_version=report.version if version is None else version, now=WHEN,
        )  # fmt: skip


def submit(store: Store, pid: int, event: AdverseEvent, report: SaeReport, signer: User,
           password: str = PASSWORD, now: datetime = WHEN) -> SaeReport:  # fmt: skip
    with store.transaction() as session:
        return sae_reports.submit_report(
            session, signing=Signing(signer, password), study=STUDY, enrolment_id=pid,
            event_id=event.id, report_id=report.id, expected_version=report.version, now=now,
        )  # fmt: skip


def rows(store: Store) -> tuple[int, int, int]:
    return count(store, SaeReport), count(store, Signature), count(store, AuditRecord)


def test_a_draft_is_stored_edited_and_audited(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    report = start(store, pid, event, ReportInput(narrative="first notes"))
    assert (report.number, report.label, report.submitted) == (0, "initial report", False)
    assert report.outcome == "RECOVERED/RESOLVED"  # the event's
    saved = save(store, pid, event, report, FULL)
    assert saved.version == report.version + 1
    assert saved.admitted_on == date(2026, 3, 19) and saved.reporter == "Dr Wang Li"
    entries = [r for r in audit_rows(store) if r.entity == "sae_report"]
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[0].changes["narrative"] == [None, "first notes"]
    assert entries[1].changes["narrative"] == ["first notes", FULL.narrative]
    assert entries[1].changes["admitted_on"] == [None, "2026-03-19"]
    with pytest.raises(InputError, match="nothing changed"):
        save(store, pid, event, saved, FULL)
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_draft_changed_meanwhile_is_refused_as_stale(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    report = start(store, pid, event, ReportInput(narrative="first notes"))
    save(store, pid, event, report, FULL)
    before = rows(store)
    with pytest.raises(StaleError) as caught:
        save(store, pid, event, report, ReportInput(narrative="other"), version=report.version)
    assert caught.value.field == "version"
    assert rows(store) == before


def test_bad_input_each_at_its_field_all_at_once_nothing_stored(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    before = rows(store)
    with pytest.raises(FieldErrors) as caught:
        start(store, pid, event, ReportInput(
            narrative="x" * 20001, admitted_on="2026-04-05", discharged_on="2026-03-01",
            tests="bad\x00text", reporter="y" * 201,
        ))  # fmt: skip
    fields = caught.value.by_field
    assert set(fields) == {"narrative", "admitted_on", "discharged_on", "tests", "reporter"}
    assert "after today at the site (2026-04-02)" in fields["admitted_on"][0]
    assert "before the admission (2026-04-05)" in fields["discharged_on"][0]
    assert "control characters" in fields["tests"][0]
    with pytest.raises(FieldErrors) as caught:
        start(store, pid, event, ReportInput(admitted_on="19/03/2026", discharged_on="2026-03-20"))
    assert set(caught.value.by_field) == {"admitted_on"}
    assert "is not a date (YYYY-MM-DD)" in caught.value.by_field["admitted_on"][0]
    assert rows(store) == before


def test_hospital_dates_only_when_the_hospitalisation_criterion_is_ticked(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    event = record(store, pid, seriousness=("medically_important",), grade=3).event
    with pytest.raises(FieldErrors) as caught:
        start(store, pid, event, FULL)
    assert set(caught.value.by_field) == {"admitted_on", "discharged_on"}
    assert "not marked as requiring or prolonging hospitalisation" in str(caught.value)
    plain = record(store, pid).event  # not serious
    with pytest.raises(InputError, match="not serious") as refused:
        start(store, pid, plain, ReportInput())
    assert refused.value.field == "event"


def test_the_investigator_submits_by_signing_a_coordinator_cannot(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    report = start(store, pid, event)
    coordinator = user(store, "coord2")
    before = rows(store)
    with pytest.raises(ForbiddenError):
        submit(store, pid, event, report, coordinator)
    with pytest.raises(SignatureRefused):
        submit(store, pid, event, report, investigator(store), password="wrong password")
    assert rows(store) == before
    done = submit(store, pid, event, report, investigator(store))
    assert done.submitted_at == WHEN and done.signature is not None
    signature = done.signature
    assert signature.meaning == Meaning.SAE_REPORT.value and signature.signer == "ivy"
    assert signature.content["narrative"] == FULL.narrative
    assert signature.content["admitted_on"] == "2026-03-19"
    assert signature.content["seriousness"] == ["hospitalisation"]
    with store.read() as session:
        participant = participant_or_404(session, pid)
        stored = session.get(SaeReport, done.id)
        fresh = session.get(AdverseEvent, event.id)
        assert stored is not None and fresh is not None and stored.signature is not None
        content = sae_reports.report_content(participant, fresh, stored)
        assert is_current(stored.signature, content)
        assert audit.verify(session).ok
    (entry,) = [r for r in audit_rows(store) if r.entity == "sae_report" and r.action == "update"]
    assert entry.actor == "ivy" and "submitted and signed" in (entry.reason or "")
    assert entry.changes["signature_id"] == [None, signature.id]


def test_submission_needs_a_complete_report_every_gap_at_once(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    report = start(store, pid, event, ReportInput())
    before = rows(store)
    with pytest.raises(FieldErrors) as caught:
        submit(store, pid, event, report, investigator(store))
    assert set(caught.value.by_field) == {"narrative", "reporter", "admitted_on"}
    assert rows(store) == before


def test_a_submitted_report_never_changes(store: Store, serious: tuple[int, AdverseEvent]) -> None:
    pid, event = serious
    report = submit(store, pid, event, start(store, pid, event), investigator(store))
    before = rows(store)
    with pytest.raises(ConflictError, match="write a follow-up report"):
        save(store, pid, event, report, ReportInput(narrative="changed"))
    with pytest.raises(ConflictError, match="never changes"):
        submit(store, pid, event, report, investigator(store))
    assert rows(store) == before


def test_follow_ups_are_numbered_one_draft_at_a_time(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    initial = start(store, pid, event)
    with pytest.raises(ConflictError, match="still in draft"):
        start(store, pid, event)
    submit(store, pid, event, initial, investigator(store))
    first = start(store, pid, event, ReportInput(narrative="discharged, recovering"))
    assert (first.number, first.label) == (1, "follow-up report 1")
    submit(store, pid, event, save(store, pid, event, first, FULL), investigator(store))
    second = start(store, pid, event)
    assert (second.number, second.label) == (2, "follow-up report 2")
    with store.read() as session:
        fresh = session.get(AdverseEvent, event.id)
        assert fresh is not None
        listed = sae_reports.reports_of(session, fresh)
        assert [(r.number, r.submitted) for r in listed] == [(0, True), (1, True), (2, False)]


def test_the_clock_runs_from_seriousness_and_stops_at_the_initial_submission(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    pid, event = serious
    with store.read() as session:
        fresh = session.get(AdverseEvent, event.id)
        assert fresh is not None and fresh.serious_since == WHEN
        (clock,) = study_clocks(session, STUDY, WHEN + timedelta(hours=1))
        assert clock.state is ClockState.OPEN and clock.delta == timedelta(hours=23)
        assert clock.subject_number == participant_or_404(session, pid).subject_number
        (over,) = study_clocks(session, STUDY, WHEN + timedelta(hours=25), running_only=True)
        assert over.state is ClockState.OVERDUE and over.delta == timedelta(hours=1)
    initial = start(store, pid, event)
    submit(store, pid, event, initial, investigator(store), now=WHEN + timedelta(hours=24))
    # a follow-up in draft does not restart it
    start(store, pid, event, ReportInput(narrative="more"), now=WHEN + timedelta(hours=30))
    with store.read() as session:
        (clock,) = study_clocks(session, STUDY, WHEN + timedelta(days=2))
        assert clock.state is ClockState.MET
        assert study_clocks(session, STUDY, WHEN + timedelta(days=2), running_only=True) == []
        assert study_clocks(session, STUDY, WHEN, enrolment_id=pid + 1) == []


def test_a_downgraded_event_is_followed_up_never_first_reported(
    store: Store, serious: tuple[int, AdverseEvent]
) -> None:
    """Unticking every criterion before the initial report is submitted leaves nothing to
    report (and no clock); after it, the downgrade is reported as a follow-up."""
    pid, event = serious
    draft = start(store, pid, event)
    plain = update(store, pid, event, **{**SERIOUS, "seriousness": ()}).event
    with pytest.raises(InputError, match="no longer serious"):
        submit(store, pid, plain, draft, investigator(store))
    with store.read() as session:
        assert study_clocks(session, STUDY, WHEN) == []
    again = update(store, pid, plain, **SERIOUS).event
    submit(store, pid, again, draft, investigator(store))
    downgraded = update(
        store, pid, again, **{**SERIOUS, "seriousness": ()}, reason="not admitted after all"
    ).event
    follow = start(store, pid, downgraded, ReportInput(narrative="downgraded: not admitted"))
    complete = ReportInput(narrative="downgraded: not admitted", reporter="Dr Wang Li")
    saved = save(store, pid, downgraded, follow, complete)
    done = submit(store, pid, downgraded, saved, investigator(store))
    assert (done.number, done.submitted) == (1, True)
    with store.read() as session:
        (clock,) = study_clocks(session, STUDY, WHEN + timedelta(days=1))
        assert clock.state is ClockState.MET
