"""Protocol deviations (issue 15, point 3): proposed from data built with the conduct and
screening services, gone when the data are corrected while undecided, confirmed or
dismissed by the investigator only, entered by hand, every write audited. Every test runs
on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest

from trialdesk.errors import ConflictError, FieldErrors, ForbiddenError, NotFoundError
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.conduct import visits
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.review.deviation_decisions import ManualDeviation, decide, record_deviation
from trialdesk.trial.review.deviation_kinds import Deviation
from trialdesk.trial.review.deviation_models import ProtocolDeviation
from trialdesk.trial.review.deviations import (
    counts,
    deviations_of,
    deviations_of_study,
    select_deviations,
    unresolved,
)
from trialdesk.trial.screening.models import Consent, EnteredFact
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store

from .conduct_helpers import INJECTION, LATER, enrolled, inject, save, typical_values, visit_on
from .helpers import audit_rows, count
from .screening_helpers import STUDY

W4_DAY = date(2026, 4, 13)  # day 29: week 4's target (window days 26..32 -> 04-10..04-16)
NOW = LATER  # 2026-09-30: every window of the schedule has closed


def found(store: Store, pid: int, now: datetime = NOW) -> list[Deviation]:
    with store.read() as session:
        return deviations_of(session, STUDY, participant_or_404(session, pid), now)


def kinds(store: Store, pid: int, kind: str, now: datetime = NOW) -> list[Deviation]:
    return [d for d in found(store, pid, now) if d.kind.value == kind]


SHOWN = "as shown"  # decide_as: what the page shows now (its DVTERM and stored version)


def decide_as(
    store: Store, pid: int, kind: str, what: str, decision: str, *, role: Role = Role.INVESTIGATOR,
    reason: str | None = None, severity: str | None = None, version: int | None | str = SHOWN,
    term: str | None = SHOWN,
) -> ProtocolDeviation:  # fmt: skip
    """A decision as the page sends it: on the deviation as shown now, unless given."""
    if SHOWN in (version, term):
        now = next((d for d in found(store, pid) if d.kind.value == kind and d.what == what), None)
        if version == SHOWN:
            version = now.stored.version if now is not None and now.stored else None
        if term == SHOWN:
            term = now.dvterm if now is not None else None
    assert not isinstance(version, str)
    with store.transaction() as session:
        return decide(
            session, actor="ivy", role=role, study=STUDY, enrolment_id=pid, kind=kind, what=what,
            decision=decision, reason=reason, severity=severity, expected_version=version,
            shown_term=term, now=NOW,
        )  # fmt: skip


@pytest.fixture
def pid(store: Store) -> int:
    _, (enrolment_id,) = enrolled(store)
    inject(store, enrolment_id)  # day 1: 2026-03-16, the screening date 2026-03-02
    return enrolment_id


def test_a_visit_out_of_window_is_proposed_minor_and_goes_when_corrected(
    store: Store, pid: int
) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))  # 3 days after the window closed
    (d,) = kinds(store, pid, "visit_out_of_window")
    assert (d.what, d.severity.value, d.dvstdtc, d.epoch) == ("W4", "minor", "2026-04-19", d.epoch)
    assert d.dvdecod == "VISIT OUT OF WINDOW" and d.dvcat == "VISIT SCHEDULE"
    assert "3 day(s) out of its window 2026-04-10 to 2026-04-16" in d.dvterm
    assert d.state.value == "proposed" and d.standing and d.key == f"visit_out_of_window/{pid}/W4"
    with store.transaction() as session:
        visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4", on=W4_DAY,
            today=NOW.date(), now=NOW, reason="date typed wrong",
        )  # fmt: skip
    assert kinds(store, pid, "visit_out_of_window") == []


def test_far_out_of_window_is_major(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 5, 1))  # 15 days late
    (d,) = kinds(store, pid, "visit_out_of_window")
    assert d.severity.value == "major"


def test_a_missed_visit_and_the_missing_primary_endpoint(store: Store, pid: int) -> None:
    with store.transaction() as session:
        visits.mark_missed(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W24",
            reason="moved away", now=NOW,
        )  # fmt: skip
    (missed,) = [d for d in kinds(store, pid, "visit_missed") if d.what == "W24"]
    assert missed.severity.value == "minor" and missed.dvdecod == "MISSED VISIT"
    endpoints = {d.what: d for d in kinds(store, pid, "endpoint_missing")}
    assert endpoints["teae"].severity.value == "major"  # the primary endpoint
    assert endpoints["womac_pain_change"].severity.value == "minor"
    assert "not assessed at W24: the visit was not done" in endpoints["teae"].dvterm
    visit_on(store, pid, "W24", date(2026, 8, 31))  # it took place after all: corrected
    assert [d for d in kinds(store, pid, "visit_missed") if d.what == "W24"] == []
    assert "teae" not in {d.what for d in kinds(store, pid, "endpoint_missing")}


def test_an_endpoint_item_left_empty_at_a_done_visit(store: Store, pid: int) -> None:
    visit_on(store, pid, "W24", date(2026, 8, 31))  # day 169: in window
    before = {d.what for d in kinds(store, pid, "endpoint_missing")}
    assert "womac_pain_change" in before and "teae" not in before
    assert kinds(store, pid, "endpoint_missing", datetime(2026, 9, 1, tzinfo=UTC)) == [], (
        "nothing is proposed while the window is open"
    )
    pain = {f"pain_{i}": "1" for i in range(1, 6)}
    save(store, pid, "womac", typical_values("womac", **pain), visit="W24", complete=False)
    after = {d.what for d in kinds(store, pid, "endpoint_missing")}
    assert "womac_pain_change" not in after


def test_the_injection_outside_the_baseline_window(store: Store) -> None:
    _, (enrolment_id,) = enrolled(store)
    given = {**INJECTION, "administered_at": "2026-04-05T10:00"}  # 34 days after screening
    first = save(store, enrolment_id, "injection", given, visit="D1", reason="delivered late")
    (d,) = kinds(store, enrolment_id, "injection_window")
    assert d.severity.value == "major" and d.what == "SCR" and d.dvstdtc == "2026-04-05"
    assert d.dvdecod == "TREATMENT DEVIATION" and d.epoch == "SCREENING"
    assert kinds(store, enrolment_id, "visit_out_of_window") == []
    corrected = {**INJECTION, "administered_at": "2026-03-16T10:30"}
    save(store, enrolment_id, "injection", corrected, visit="D1", reason="date typed wrong",
         version=first.version)  # fmt: skip
    assert kinds(store, enrolment_id, "injection_window") == []


def test_a_visit_before_consent_is_proposed(store: Store, pid: int) -> None:
    assert kinds(store, pid, "before_consent") == []  # consent 02-27, screening 03-02
    with store.transaction() as session:
        participant = participant_or_404(session, pid)
        participant.candidate.anchor_dates = {
            **participant.candidate.anchor_dates,
            "screening": "2026-02-25",
        }  # a screening date corrected to before consent (the store as a correction leaves it)
    (d,) = kinds(store, pid, "before_consent")
    assert d.what == "SCR" and d.severity.value == "major" and "2026-02-27" in d.dvterm
    assert d.dvdecod == "PROCEDURE BEFORE INFORMED CONSENT" and d.dvstdtc == "2026-02-25"
    with store.transaction() as session:
        participant = participant_or_404(session, pid)
        participant.candidate.anchor_dates = {
            **participant.candidate.anchor_dates,
            "screening": "2026-03-02",
        }
    assert kinds(store, pid, "before_consent") == []


def _pregnancy_after_enrolment(store: Store, pid: int) -> None:
    """No screening service enters a fact once screening has closed: the fact found after
    enrolment is written as the fact-entry service writes it, audited."""
    with store.transaction() as session:
        candidate = participant_or_404(session, pid).candidate
        row = EnteredFact(
            candidate_id=candidate.id, concept="pregnancy", on=date(2026, 2, 20),
            source_document="obstetric letter", entered_at=NOW, entered_by="coord",
        )  # fmt: skip
        session.add(row)
        session.flush()
        audit.created(session, row, actor="coord", fields={"concept": "pregnancy"},
                      reason="found after enrolment", at=NOW)  # fmt: skip


def test_a_criterion_found_not_met_after_enrolment(store: Store, pid: int) -> None:
    assert kinds(store, pid, "criterion_not_met") == []
    _pregnancy_after_enrolment(store, pid)
    (d,) = kinds(store, pid, "criterion_not_met")
    assert d.severity.value == "major" and d.dvcat == "ELIGIBILITY"
    assert d.dvstdtc == "2026-02-20" and "not met after enrolment" in d.dvterm
    with store.transaction() as session:  # the entry retracted, as retract_fact marks it
        (row,) = session.query(EnteredFact).filter_by(concept="pregnancy").all()
        row.retracted_at, row.retracted_by, row.retraction_reason = NOW, "coord", "wrong chart"
    assert kinds(store, pid, "criterion_not_met") == []


def test_confirm_and_dismiss_with_reason(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))
    visit_on(store, pid, "W8", date(2026, 5, 30))  # week 8: day 57 = 05-11, +/-7
    with pytest.raises(FieldErrors) as refused:
        decide_as(store, pid, "visit_out_of_window", "W8", "dismiss", severity="huge")
    assert set(refused.value.by_field) == {"reason", "severity"}
    assert count(store, ProtocolDeviation) == 0
    decide_as(store, pid, "visit_out_of_window", "W4", "confirm", severity="major")
    decide_as(store, pid, "visit_out_of_window", "W8", "dismiss", reason="agreed with sponsor")
    shown = {d.what: d for d in kinds(store, pid, "visit_out_of_window")}
    assert shown["W4"].state.value == "confirmed" and shown["W4"].severity.value == "major"
    assert shown["W8"].state.value == "dismissed" and shown["W8"].row is not None
    assert shown["W8"].row.reason == "agreed with sponsor"
    with pytest.raises(ConflictError):
        decide_as(store, pid, "visit_out_of_window", "W4", "dismiss", reason="changed mind")
    # a decided one stays when the data are corrected, no longer standing
    with store.transaction() as session:
        visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4", on=W4_DAY,
            today=NOW.date(), now=NOW, reason="date typed wrong",
        )  # fmt: skip
    (kept,) = [d for d in kinds(store, pid, "visit_out_of_window") if d.what == "W4"]
    assert not kept.standing and kept.state.value == "confirmed"
    with pytest.raises(NotFoundError):
        decide_as(store, pid, "visit_missed", "W4", "confirm")


def test_coordinator_cannot_decide(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))
    with pytest.raises(ForbiddenError):
        decide_as(store, pid, "visit_out_of_window", "W4", "confirm", role=Role.COORDINATOR)
    with pytest.raises(ForbiddenError):
        decide_as(store, pid, "visit_out_of_window", "W4", "confirm", role=Role.MONITOR)
    assert count(store, ProtocolDeviation) == 0


def manual(
    store: Store, pid: int, role: Role = Role.MONITOR, **given: str | None
) -> ProtocolDeviation:
    values: dict[str, str | None] = {
        "dvterm": "Knee MRI done on a 1.5 T scanner instead of 3 T", "dvcat": "ASSESSMENT",
        "severity": "minor", "dvstdtc": "2026-03-05", "visit_key": "SCR", **given,
    }  # fmt: skip
    with store.transaction() as session:
        return record_deviation(
            session, actor="mona", role=role, study=STUDY, enrolment_id=pid,
            given=ManualDeviation(**values), now=NOW,
        )  # fmt: skip


def test_manual_entry_then_decided_with_its_version(store: Store, pid: int) -> None:
    with pytest.raises(FieldErrors) as refused:
        manual(store, pid, dvterm=" ", dvcat="WHATEVER", severity="", dvstdtc="2027-01-01",
               visit_key="W99")  # fmt: skip
    assert set(refused.value.by_field) == {"dvterm", "dvcat", "severity", "dvstdtc", "visit_key"}
    assert count(store, ProtocolDeviation) == 0
    with pytest.raises(ForbiddenError):
        manual(store, pid, role=Role.ADMIN)
    row = manual(store, pid)
    assert (row.what, row.state, row.epoch, row.dvdecod) == (
        "M1",
        "proposed",
        "SCREENING",
        "ASSESSMENT",
    )
    assert manual(store, pid, dvterm="second").what == "M2"
    (m1,) = [d for d in kinds(store, pid, "manual") if d.what == "M1"]
    assert m1.standing and m1.state.value == "proposed"
    with pytest.raises(ConflictError):  # stale version
        decide_as(store, pid, "manual", "M1", "confirm", version=row.version + 1)
    decided = decide_as(store, pid, "manual", "M1", "confirm", version=row.version)
    assert decided.state == "confirmed" and decided.decided_by == "ivy"


def test_study_list_filters_counts_and_audit(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))
    manual(store, pid)
    with store.read() as session:
        everything = deviations_of_study(session, STUDY, NOW)
    assert {d.enrolment_id for d in everything} == {pid}
    assert [d.what for d in select_deviations(everything, kind="manual")] == ["M1"]
    assert select_deviations(everything, severity="major", kind="visit_out_of_window") == []
    before = counts(everything)["proposed"]
    decided = decide_as(store, pid, "visit_out_of_window", "W4", "dismiss", reason="holiday")
    with store.read() as session:
        after = counts(deviations_of_study(session, STUDY, NOW))
    assert after["proposed"] == before - 1 and after["dismissed"] == 1
    (entry,) = [
        r for r in audit_rows(store)
        if r.entity == "protocol_deviation" and r.entity_id == str(decided.id)
    ]  # fmt: skip
    assert entry.action == "create" and entry.changes["state"] == [None, "dismissed"]
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_decision_shows_what_the_data_read_now(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))
    decide_as(store, pid, "visit_out_of_window", "W4", "confirm")
    with store.transaction() as session:
        visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4",
            on=date(2026, 4, 20), today=NOW.date(), now=NOW, reason="date typed wrong",
        )  # fmt: skip
    (d,) = kinds(store, pid, "visit_out_of_window")
    assert d.state.value == "confirmed" and "3 day(s)" in d.dvterm  # as decided
    assert d.now_reads is not None and "4 day(s)" in d.now_reads
    with store.read() as session:
        assert [u.key for u in unresolved(session, STUDY, NOW) if u.kind.value == d.kind] == []


def test_two_investigators_deciding_at_once_one_wins(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def decide_one(decision: str) -> None:
        start.wait(10)
        try:
            decide_as(store, pid, "visit_out_of_window", "W4", decision, reason="seen")
            outcomes.append("stored")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide_one, args=(d,)) for d in ("confirm", "dismiss")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "stored"]
    assert count(store, ProtocolDeviation) == 1


def test_an_overdue_visit_is_proposed_as_missed(store: Store, pid: int) -> None:
    """No date and not marked missed once its window closed: the calendar's overdue."""
    open_now = datetime(2026, 4, 12, 4, 0, tzinfo=UTC)  # week 4's window 04-10..04-16
    assert [d for d in kinds(store, pid, "visit_missed", open_now) if d.what == "W4"] == []
    (d,) = [d for d in kinds(store, pid, "visit_missed") if d.what == "W4"]
    assert d.severity.value == "minor" and d.dvdecod == "MISSED VISIT"
    assert d.dvstdtc == "2026-04-16" and "window closed on 2026-04-16" in d.dvterm
    with store.transaction() as session:
        visits.mark_missed(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4",
            reason="in hospital", now=NOW,
        )  # fmt: skip
    (d,) = [d for d in kinds(store, pid, "visit_missed") if d.what == "W4"]
    assert d.dvterm.endswith("(W4) missed")  # the same deviation, marked missed now
    visit_on(store, pid, "W4", W4_DAY)
    assert [d for d in kinds(store, pid, "visit_missed") if d.what == "W4"] == []


def _screening_fact(store: Store, pid: int, concept: str, on: date) -> int:
    with store.transaction() as session:
        candidate = participant_or_404(session, pid).candidate
        row = EnteredFact(
            candidate_id=candidate.id, concept=concept, on=on, value="30", unit="U/L",
            source_document=f"lab report {on}", entered_at=datetime(2026, 3, 1, tzinfo=UTC),
            entered_by="coord",
        )  # fmt: skip
        session.add(row)
        session.flush()
        return row.id


def test_screening_facts_dated_before_consent_are_proposed_in_site_days(
    store: Store, pid: int
) -> None:
    with store.transaction() as session:
        participant = participant_or_404(session, pid)
        participant.candidate.created_at = datetime(2026, 2, 20, 2, 0, tzinfo=UTC)
        (consent,) = session.query(Consent).filter_by(candidate_id=participant.candidate.id)
        # 17:30 UTC on the 27th is 01:30 on the 28th in Shanghai: the site's consent day
        consent.consented_at = datetime(2026, 2, 27, 17, 30, tzinfo=UTC)
    assert kinds(store, pid, "before_consent") == []
    # reviewing the chart before consent is no procedure on the person
    _screening_fact(store, pid, "clinical_record_reviewed", date(2026, 2, 25))
    assert kinds(store, pid, "before_consent") == []
    _screening_fact(store, pid, "alt", date(2026, 2, 18))  # before screening: history
    _screening_fact(store, pid, "alt", date(2026, 2, 28))  # the consent's own site day
    assert kinds(store, pid, "before_consent") == []
    fact = _screening_fact(store, pid, "ast", date(2026, 2, 27))  # the UTC day of consent
    (d,) = kinds(store, pid, "before_consent")
    assert (d.what, d.dvstdtc, d.severity.value, d.epoch) == (
        "facts-2026-02-27", "2026-02-27", "major", "SCREENING",
    )  # fmt: skip
    assert "before the first informed consent on 2026-02-28" in d.dvterm and "ast" in d.dvterm
    with store.transaction() as session:  # retracted, as retract_fact marks it
        row = session.get(EnteredFact, fact)
        assert row is not None
        row.retracted_at, row.retracted_by, row.retraction_reason = NOW, "coord", "wrong chart"
    assert kinds(store, pid, "before_consent") == []


def test_a_dismissed_deviation_whose_class_rises_is_proposed_again(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))  # 3 days out: minor
    dismissed = decide_as(store, pid, "visit_out_of_window", "W4", "dismiss", reason="holiday")
    with store.transaction() as session:  # 4 days out: minor still, the dismissal holds
        visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4",
            on=date(2026, 4, 20), today=NOW.date(), now=NOW, reason="date typed wrong",
        )  # fmt: skip
    (d,) = kinds(store, pid, "visit_out_of_window")
    assert d.state.value == "dismissed" and d.earlier is None and "4 day(s)" in (d.now_reads or "")
    with store.transaction() as session:  # 15 days out: major
        visits.record_visit(
            session, actor="coord", study=STUDY, enrolment_id=pid, visit_id="W4",
            on=date(2026, 5, 1), today=NOW.date(), now=NOW, reason="date typed wrong again",
        )  # fmt: skip
    (d,) = kinds(store, pid, "visit_out_of_window")
    assert (d.state.value, d.severity.value, d.row) == ("proposed", "major", None)
    assert d.earlier is not None and d.earlier.id == dismissed.id
    assert (d.earlier.severity, d.earlier.reason) == ("minor", "holiday")
    assert "15 day(s)" in d.dvterm and "3 day(s)" in d.earlier.dvterm
    with store.read() as session:
        assert d.key in {u.key for u in unresolved(session, STUDY, NOW)}  # the lock waits
    with pytest.raises(FieldErrors) as refused:  # its stored row's version is required
        decide_as(store, pid, "visit_out_of_window", "W4", "confirm", version=None)
    assert set(refused.value.by_field) == {"version"}
    decided = decide_as(store, pid, "visit_out_of_window", "W4", "confirm")
    assert decided.id == dismissed.id and (decided.state, decided.severity) == (
        "confirmed",
        "major",
    )
    assert "15 day(s)" in decided.dvterm
    (d,) = kinds(store, pid, "visit_out_of_window")
    assert d.state.value == "confirmed" and d.earlier is None and d.now_reads is None
    changes = [
        r.changes for r in audit_rows(store)
        if r.entity == "protocol_deviation" and r.entity_id == str(decided.id)
    ]  # fmt: skip
    assert changes[-1]["state"] == ["dismissed", "confirmed"]
    assert changes[-1]["severity"] == ["minor", "major"]


def test_a_decision_names_the_term_and_the_version_it_was_taken_on(store: Store, pid: int) -> None:
    visit_on(store, pid, "W4", date(2026, 4, 19))
    with pytest.raises(FieldErrors) as refused:
        decide_as(store, pid, "visit_out_of_window", "W4", "confirm", term=None)
    assert set(refused.value.by_field) == {"dvterm"}
    row = manual(store, pid)
    with pytest.raises(FieldErrors) as refused:
        decide_as(store, pid, "manual", "M1", "confirm", version=None, term=None)
    assert set(refused.value.by_field) == {"version"}  # a hand entry's term never moves
    assert count(store, ProtocolDeviation) == 1
    assert decide_as(store, pid, "manual", "M1", "confirm", version=row.version, term=None)
