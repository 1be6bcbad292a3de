"""Adverse events proposed by lab grades (issue 14, point 4): computed from the stored
form values (never stale), decided by the investigator only (confirm records exactly one
adverse event through the event service; dismiss needs a reason), every decision audited.
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from trialdesk.errors import ConflictError, FieldErrors, ForbiddenError, NotFoundError
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.events import events_of
from trialdesk.trial.safety.lab_grades import lab_grades
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.safety.proposal_models import AeProposalDecision
from trialdesk.trial.safety.proposals import Proposal, ProposalKey, decide, proposals_of
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store

from .conduct_helpers import enrolled, inject, save, visit_on
from .helpers import audit_rows, count
from .screening_helpers import STUDY

W4 = date(2026, 4, 13)
WHEN = datetime(2026, 4, 14, 2, 0, tzinfo=UTC)
ALT_W4 = ProposalKey("W4", "chemistry", "alt", "Alanine aminotransferase increased", 2)


def chemistry(store: Store, pid: int, visit: str, alt: str, **kw: object) -> None:
    values = {"alt": alt, "alt_lln": "7", "alt_uln": "40"}
    save(store, pid, "chemistry", values, visit=visit, complete=False, **kw)  # type: ignore[arg-type]


def haematology(store: Store, pid: int, visit: str, plat: str, **kw: object) -> None:
    values = {"plt": plat, "plt_lln": "150", "plt_uln": "350"}
    save(store, pid, "haematology", values, visit=visit, complete=False, **kw)  # type: ignore[arg-type]


def proposals(store: Store, pid: int) -> list[Proposal]:
    with store.read() as session:
        return proposals_of(session, STUDY, participant_or_404(session, pid))


def decide_as(
    store: Store, pid: int, decision: str, *, key: ProposalKey = ALT_W4, actor: str = "ivy",
    role: Role = Role.INVESTIGATOR, reason: str | None = None, event: EventInput | None = None,
) -> AeProposalDecision:  # fmt: skip
    with store.transaction() as session:
        return decide(
            session, actor=actor, role=role, study=STUDY, enrolment_id=pid, key=key,
            decision=decision, reason=reason, event=event, now=WHEN,
        )  # fmt: skip


@pytest.fixture
def pid(store: Store) -> int:
    """A participant injected on day 1 (2026-03-16) with a normal ALT then (30 U/L, ULN 40)
    and an ALT of 130 U/L at week 4 (3.25 x ULN: grade 2)."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    chemistry(store, pid, "D1", "30")
    visit_on(store, pid, "W4", W4)
    chemistry(store, pid, "W4", "130")
    return pid


def test_a_new_grade_after_baseline_is_proposed_with_its_baseline(store: Store, pid: int) -> None:
    (found,) = proposals(store, pid)
    assert found.key == ALT_W4 and found.state == "open" and not found.changed_since
    assert (found.value, found.unit, found.visit_date) == ("130", "U/L", W4)
    assert found.baseline_grade == 0
    assert "3.25 x ULN" in found.rule and "CTCAE v5.0" in found.rule
    with store.read() as session:
        graded = lab_grades(session, STUDY, participant_or_404(session, pid))
    baseline = next(g for g in graded if g.visit_key == "D1")
    assert baseline.grade is not None and baseline.grade.grade == 0
    assert not baseline.after_baseline and not baseline.proposes
    assert count(store, AdverseEvent) == 0  # a proposal never creates an event by itself


def test_an_equal_grade_is_not_proposed_and_baseline_is_never(store: Store) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    haematology(store, pid, "D1", "140")  # grade 1 at baseline: not an event of the study
    visit_on(store, pid, "W4", W4)
    haematology(store, pid, "W4", "130")  # grade 1 again
    assert proposals(store, pid) == []
    haematology(store, pid, "W4", "70", version=1)  # < 75 x 10^9/L: grade 2, worse than baseline
    (found,) = proposals(store, pid)
    assert (found.key.term, found.key.grade, found.baseline_grade) == (
        "Platelet count decreased", 2, 1,
    )  # fmt: skip


def test_an_abnormal_baseline_grades_against_the_baseline(store: Store) -> None:
    # ALT 60 at baseline (> ULN 40): CTCAE's "if baseline was abnormal" column, grade 1 from
    # 1.5 x baseline; 89 U/L is 1.48 x baseline (grade 0), 181 U/L is > 3.0 x baseline.
    _, (pid,) = enrolled(store)
    inject(store, pid)
    chemistry(store, pid, "D1", "60")
    visit_on(store, pid, "W4", W4)
    chemistry(store, pid, "W4", "89")
    assert proposals(store, pid) == []
    chemistry(store, pid, "W4", "181", version=1)
    (found,) = proposals(store, pid)
    assert (found.key.grade, found.baseline_grade) == (2, 1)
    assert "x baseline" in found.rule and "abnormal" in found.rule


def test_confirm_records_exactly_one_event_prefilled(store: Store, pid: int) -> None:
    decided = decide_as(store, pid, "confirm")
    with store.read() as session:
        (event,) = events_of(session, participant_or_404(session, pid))
    assert decided.adverse_event_id == event.id and decided.decided_by == "ivy"
    assert (event.term, event.grade, event.onset_date) == (
        "Alanine aminotransferase increased", 2, "2026-04-13",
    )  # fmt: skip
    assert event.recorded_by == "ivy" and "130 U/L at W4" in event.verbatim
    (shown,) = proposals(store, pid)
    assert shown.state == "confirm" and shown.decision is not None
    assert shown.decision.adverse_event_id == event.id and not shown.changed_since
    with pytest.raises(ConflictError):
        decide_as(store, pid, "confirm")
    assert count(store, AdverseEvent) == 1


def test_the_investigator_may_edit_the_prefill(store: Store, pid: int) -> None:
    edited = EventInput(verbatim="ALT rise, asymptomatic", onset="2026-04-12")
    decide_as(store, pid, "confirm", event=edited)
    with store.read() as session:
        (event,) = events_of(session, participant_or_404(session, pid))
    assert (event.verbatim, event.onset_date, event.grade) == (
        "ALT rise, asymptomatic", "2026-04-12", 2,
    )  # fmt: skip


def test_a_bad_edit_is_refused_whole(store: Store, pid: int) -> None:
    with pytest.raises(FieldErrors) as caught:
        decide_as(store, pid, "confirm", event=EventInput(grade=9, onset="2026-13-01"))
    assert {"grade", "onset"} <= set(caught.value.by_field)
    assert count(store, AdverseEvent) == 0 and count(store, AeProposalDecision) == 0


def test_dismiss_needs_a_reason(store: Store, pid: int) -> None:
    for reason in (None, "  "):
        with pytest.raises(FieldErrors) as caught:
            decide_as(store, pid, "dismiss", reason=reason)
        assert list(caught.value.by_field) == ["reason"]
    with pytest.raises(FieldErrors) as bad:
        decide_as(store, pid, "maybe")
    assert "decision" in bad.value.by_field
    assert count(store, AeProposalDecision) == 0
    decided = decide_as(store, pid, "dismiss", reason="haemolysed sample, repeat normal")
    assert decided.adverse_event_id is None and decided.reason == "haemolysed sample, repeat normal"
    assert count(store, AdverseEvent) == 0
    (shown,) = proposals(store, pid)
    assert shown.state == "dismiss"


def test_a_coordinator_or_monitor_is_refused(store: Store, pid: int) -> None:
    for role in (Role.COORDINATOR, Role.MONITOR, Role.ADMIN):
        with pytest.raises(ForbiddenError):
            decide_as(store, pid, "confirm", actor="coord", role=role)
    assert count(store, AdverseEvent) == 0 and count(store, AeProposalDecision) == 0


def test_a_corrected_value_removes_an_undecided_proposal(store: Store, pid: int) -> None:
    chemistry(store, pid, "W4", "38", reason="transcription error", version=1)
    assert proposals(store, pid) == []
    with pytest.raises(NotFoundError):
        decide_as(store, pid, "confirm")


def test_a_decided_proposal_stays_with_the_value_changed_since(store: Store, pid: int) -> None:
    decide_as(store, pid, "dismiss", reason="lab error")
    chemistry(store, pid, "W4", "38", reason="transcription error", version=1)
    (shown,) = proposals(store, pid)
    assert shown.decision is not None and shown.state == "dismiss"
    assert not shown.standing and shown.changed_since and shown.value == "130"
    # worse still: a new proposal (grade 3) beside the decided one
    chemistry(store, pid, "W4", "250", reason="repeat result", version=2)
    states = {(p.key.grade, p.state, p.changed_since) for p in proposals(store, pid)}
    assert states == {(2, "dismiss", True), (3, "open", False)}


def test_decisions_are_audited_and_the_chain_verifies(store: Store, pid: int) -> None:
    decided = decide_as(store, pid, "confirm", reason="confirmed on repeat")
    (entry,) = [
        r for r in audit_rows(store)
        if r.entity == "ae_proposal_decision" and r.entity_id == str(decided.id)
    ]  # fmt: skip
    assert entry.action == "create" and entry.actor == "ivy"
    assert entry.changes["decision"] == [None, "confirm"]
    assert entry.changes["adverse_event_id"] == [None, decided.adverse_event_id]
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_value_corrected_within_the_grade_since_it_was_shown_is_refused(
    store: Store, pid: int
) -> None:
    shown = proposals(store, pid)[0].value  # 130
    chemistry(store, pid, "W4", "140", reason="repeat result", version=1)  # still grade 2
    with pytest.raises(ConflictError) as caught, store.transaction() as session:
        decide(
            session, actor="ivy", role=Role.INVESTIGATOR, study=STUDY, enrolment_id=pid,
            key=ALT_W4, decision="confirm", shown_value=shown, now=WHEN,
        )  # fmt: skip
    assert "now 140" in caught.value.message
    assert count(store, AdverseEvent) == 0
    with store.transaction() as session:
        decided = decide(
            session, actor="ivy", role=Role.INVESTIGATOR, study=STUDY, enrolment_id=pid,
            key=ALT_W4, decision="confirm", shown_value="140.0", now=WHEN,
        )  # fmt: skip
    assert decided.value == "140" and decided.adverse_event_id is not None
