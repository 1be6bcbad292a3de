"""Source data verification (trial/review/sdv*.py), on SQLite and PostgreSQL: the plan
selects the critical items in full and samples the others deterministically near the
stated rate; verifying stores what was verified, and any later change un-verifies it;
progress counts; only the monitor verifies; every write is audited in the chain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from trialdesk.errors import ConflictError, FieldErrors, ForbiddenError
from trialdesk.study.sdv_file import sample_draw
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.review import sdv
from trialdesk.trial.review.sdv import Shown, State
from trialdesk.trial.review.sdv_models import SdvVerification
from trialdesk.trial.review.sdv_plan import Need, Target, TargetKind
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.screening import enrolment, facts
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .conduct_helpers import DAY1, inject, save, visit_on
from .helpers import NOW
from .screening_helpers import (
    STUDY,
    TODAY,
    date_and_consent,
    ex01_copies,
    import_candidates,
    prepare_study,
    sign_all,
)
from .test_safety_helpers import record, update

JOINTS = {"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20}
AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
assert STUDY.schedule is not None and STUDY.sdv is not None
PLAN = STUDY.sdv
W24 = STUDY.schedule.visit("W24").target_date(DAY1)
assert W24 is not None


def correct(store: Store, pid: int, **values: object) -> None:
    """A correction of the week-24 joint counts, from the form as stored."""
    with store.read() as session:
        version = session.scalars(
            select(FormRecord.version).where(
                FormRecord.enrolment_id == pid, FormRecord.form_id == "joint_counts"
            )
        ).one()
    save(store, pid, "joint_counts", {**JOINTS, **values}, visit="W24", version=version,
         reason="corrected from the source")  # fmt: skip


def states(store: Store, pid: int) -> dict[str, sdv.ItemState]:
    with store.read() as session:
        _, found = sdv.participant_states(session, STUDY, pid)
        return {s.target.key: s for s in found}


def verify(
    store: Store,
    pid: int,
    *keys: str,
    role: Role = Role.MONITOR,
    digests: dict[str, str] | None = None,
) -> None:
    shown = [Shown(k, (digests or {}).get(k)) for k in keys]
    with store.transaction() as session:
        sdv.verify(
            session, actor="mona", role=role, study=STUDY, enrolment_id=pid, targets=shown, now=AT
        )


@pytest.fixture
def participant(store: Store) -> int:
    """An injected participant with a week-24 visit: joint counts and vital signs entered,
    and an adverse event recorded."""
    investigator = prepare_study(store)
    (candidate,) = import_candidates(store, ex01_copies(1), "one.json")
    date_and_consent(store, candidate)
    with store.transaction() as session:  # an entered screening fact (eligibility evidence)
        facts.add_fact(
            session, actor="coord", study=STUDY, candidate_id=candidate, now=NOW,
            entry=FactEntry("alt", TODAY, value="30", unit="U/L", source_document="lab report"),
        )  # fmt: skip
    sign_all(store, investigator, candidate)
    with store.transaction() as session:
        pid = enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=candidate, expected_version=None,
            today=TODAY, now=NOW,
        ).id  # fmt: skip
    inject(store, pid)
    visit_on(store, pid, "W24", W24)
    save(
        store, pid, "joint_counts", {"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20}, visit="W24"
    )
    save(store, pid, "vital_signs", {"sysbp": 120, "diabp": 80, "pulse": 70, "temp": "36.6"},
         visit="W24", complete=False)  # fmt: skip
    record(store, pid)
    return pid


def test_the_plan_requires_the_critical_data_in_full(store: Store, participant: int) -> None:
    found = states(store, participant)
    subject = _subject(store, participant)
    need = {k: s.target.need for k, s in found.items()}
    kinds = {s.target.kind for s in found.values() if s.target.need is Need.CRITICAL}
    # consent, eligibility facts and judgments, the adverse event: all critical
    assert {TargetKind.CONSENT, TargetKind.FACT, TargetKind.JUDGMENT, TargetKind.ADVERSE_EVENT,
            TargetKind.ITEM} <= kinds  # fmt: skip
    assert all(n is Need.CRITICAL for k, n in need.items() if not k.startswith("item:"))
    # the injection form, whole
    injection = [k for k in need if k.startswith("item:D1/injection#1/")]
    assert len(injection) >= 10 and all(need[k] is Need.CRITICAL for k in injection)
    # the joint counts at week 24 feed an endpoint: critical; derived items are no target
    for item in ("tjc28", "sjc28", "tjc68", "sjc66"):
        assert need[f"item:W24/joint_counts#1/{item}"] is Need.CRITICAL
    assert not any(k.startswith("item:W24/disease_activity") for k in need)
    # vital signs feed no endpoint: sampled or not required, as the hash draws
    for item in ("sysbp", "diabp", "pulse", "temp"):
        key = f"item:W24/vital_signs#1/{item}"
        drawn = sample_draw(PLAN.seed, STUDY.id, subject, "W24", "vital_signs", 1, item)
        assert need[key] is (Need.SAMPLED if drawn < 0.2 else None)


def _subject(store: Store, pid: int) -> str:
    with store.read() as session:
        return sdv.participant_states(session, STUDY, pid)[0].subject_number


def test_the_sample_is_deterministic_and_near_its_rate() -> None:
    plan = PLAN
    assert plan.rate_percent == 20
    keys = [(f"01-{n:03d}", v, f, i) for n in range(40) for v in ("W1", "W4", "W8")
            for f in ("vital_signs", "chemistry") for i in ("a", "b", "c", "d", "e")]  # fmt: skip
    drawn = [plan.sampled(STUDY.id, s, v, f, 1, i) for s, v, f, i in keys]
    again = [plan.sampled(STUDY.id, s, v, f, 1, i) for s, v, f, i in reversed(keys)]
    assert drawn == list(reversed(again))  # the same draw, whatever the order
    share = sum(drawn) / len(drawn)  # 1,200 draws: 20% +- 3 standard errors (1.2%)
    assert 0.164 < share < 0.236, share
    # not biased to the first rows: the first and the last half sample alike
    half = len(drawn) // 2
    assert abs(sum(drawn[:half]) - sum(drawn[half:])) < 0.08 * half
    # another seed, another draw
    other = replace(plan, seed="another")
    assert [other.sampled(STUDY.id, s, v, f, 1, i) for s, v, f, i in keys] != drawn


def test_verify_then_a_change_unverifies(store: Store, participant: int) -> None:
    key = "item:W24/joint_counts#1/tjc28"
    assert states(store, participant)[key].state is State.UNVERIFIED
    verify(store, participant, key)
    shown = states(store, participant)[key]
    assert shown.state is State.VERIFIED
    assert shown.verification is not None
    assert shown.verification.content == shown.target.content  # exactly what was shown
    assert shown.verification.content["value"] in ("4", 4)
    assert shown.verification.digest == shown.target.digest
    correct(store, participant, tjc28=5)
    changed = states(store, participant)[key]
    assert changed.state is State.CHANGED  # derived on read: never stale
    assert changed.verification is not None and changed.verification.content["value"] in ("4", 4)
    # the others of the form did not change: still verified only if verified
    assert states(store, participant)["item:W24/joint_counts#1/sjc28"].state is State.UNVERIFIED
    verify(store, participant, key)  # verified again
    assert states(store, participant)[key].state is State.VERIFIED


def test_an_adverse_event_is_verified_as_a_whole(store: Store, participant: int) -> None:
    (ae,) = [
        s for s in states(store, participant).values() if s.target.kind is TargetKind.ADVERSE_EVENT
    ]
    verify(store, participant, ae.target.key)
    assert states(store, participant)[ae.target.key].state is State.VERIFIED
    with store.read() as session:
        event = session.get(AdverseEvent, ae.target.record_id)
        assert event is not None
    update(store, participant, event, grade=3)
    assert states(store, participant)[ae.target.key].state is State.CHANGED


def test_many_at_once_and_progress(store: Store, participant: int) -> None:
    before = {k: s for k, s in states(store, participant).items()}
    required = [s for s in before.values() if s.target.need is not None]
    critical = [s for s in required if s.target.need is Need.CRITICAL]
    with store.read() as session:
        overall, each = sdv.study_progress(session, STUDY)
    assert overall.critical.required == len(critical) and overall.critical.verified == 0
    assert overall.sampled.required == len(required) - len(critical)
    assert not overall.met
    form = [k for k in before if k.startswith("item:D1/injection#1/")]
    verify(store, participant, *form)  # a whole form in one act
    with store.read() as session:
        overall, ((_, mine),) = sdv.study_progress(session, STUDY)
    assert mine.critical.verified == len(form) and mine.critical.changed == 0
    assert mine.critical.pending == len(critical) - len(form)
    verify(store, participant, *(s.target.key for s in required))
    with store.read() as session:
        overall, _ = sdv.study_progress(session, STUDY)
    assert overall.met and overall.critical.percent == 100


def test_a_coordinator_cannot_verify_and_nothing_is_stored(store: Store, participant: int) -> None:
    key = "item:W24/joint_counts#1/tjc28"
    for role in (Role.COORDINATOR, Role.INVESTIGATOR, Role.ADMIN):
        with pytest.raises(ForbiddenError):
            verify(store, participant, key, role=role)
    with store.read() as session:
        assert session.scalars(select(SdvVerification)).all() == []


def test_bad_targets_are_named_all_at_once_nothing_stored(store: Store, participant: int) -> None:
    with pytest.raises(FieldErrors) as refused:
        verify(store, participant, "item:W24/joint_counts#1/tjc28", "item:W99/x#1/y", "ae:999999")
    assert [e.message for e in refused.value.errors] == [
        "no item item:W99/x#1/y of this participant",
        "no item ae:999999 of this participant",
    ]
    with pytest.raises(FieldErrors):
        verify(store, participant)
    with store.read() as session:
        assert session.scalars(select(SdvVerification)).all() == []


def test_a_change_made_while_the_monitor_looked_is_refused(store: Store, participant: int) -> None:
    key = "item:W24/joint_counts#1/tjc28"
    shown = states(store, participant)[key].target.digest
    correct(store, participant, tjc28=6)
    with pytest.raises(ConflictError):
        verify(store, participant, key, digests={key: shown})
    verify(store, participant, key, digests={key: states(store, participant)[key].target.digest})
    assert states(store, participant)[key].state is State.VERIFIED


def test_every_write_is_audited_and_the_chain_verifies(store: Store, participant: int) -> None:
    key = "item:W24/joint_counts#1/tjc28"
    verify(store, participant, key)
    verify(store, participant, key)  # as it stands already: nothing to write
    correct(store, participant, tjc28=7)
    verify(store, participant, key)
    with store.read() as session:
        rows = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.entity == "sdv_verification")
            .order_by(AuditRecord.id)
        ).all()
        assert [(r.action, r.actor) for r in rows] == [("create", "mona"), ("update", "mona")]
        assert rows[0].changes["target"] == [None, key]
        assert "digest" in rows[1].changes
        assert audit.verify(session).ok


def test_targets_have_one_shape() -> None:
    t = Target("consent:1", TargetKind.CONSENT, Need.CRITICAL, {"form_version": "1.0"})
    assert t.digest == Target("consent:1", TargetKind.CONSENT, None, {"form_version": "1.0"}).digest


def test_a_verified_value_blanked_since_stays_listed_as_changed(
    store: Store, participant: int
) -> None:
    """A value cleared after it was verified is a change too: the item stays listed (and
    counted, when the plan requires it), changed since verification, with nothing now."""
    key = "item:W24/vital_signs#1/pulse"
    verify(store, participant, key)
    assert states(store, participant)[key].state is State.VERIFIED
    with store.read() as session:
        version = session.scalars(
            select(FormRecord.version).where(
                FormRecord.enrolment_id == participant, FormRecord.form_id == "vital_signs"
            )
        ).one()
    save(store, participant, "vital_signs", {"sysbp": 120, "diabp": 80, "temp": "36.6"},
         visit="W24", complete=False, version=version)  # fmt: skip
    gone = states(store, participant)[key]
    assert gone.state is State.CHANGED
    assert gone.target.content == {} and gone.target.item_id == "pulse"
    assert gone.verification is not None and gone.verification.content["value"] in ("70", 70)
