"""Source data verification (trial/review/sdv*.py), on SQLite and PostgreSQL: the plan
selects the critical items in full and samples the others deterministically near the
stated rate; verifying stores what was verified, and any later change un-verifies it;
progress counts; only the monitor verifies; every write is audited in the chain."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

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

from .conduct_helpers import DAY1, enrol, enrolled, inject, save, typical_values, visit_on
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


def test_a_blanked_item_is_verified_again_as_absent(store: Store, participant: int) -> None:
    """A verified item blanked since is verified again against the source (which no longer
    holds it either): the plan can be met again, and a value entered later un-verifies it."""
    key = "item:W24/vital_signs#1/pulse"
    verify(store, participant, key)
    version = _version(store, participant, "vital_signs")
    save(store, participant, "vital_signs", {"sysbp": 120, "diabp": 80, "temp": "36.6"},
         visit="W24", complete=False, version=version)  # fmt: skip
    gone = states(store, participant)[key]
    assert gone.state is State.CHANGED
    verify(store, participant, key, digests={key: gone.target.digest})
    assert states(store, participant)[key].state is State.VERIFIED
    version = _version(store, participant, "vital_signs")
    save(store, participant, "vital_signs", {"sysbp": 120, "diabp": 80, "pulse": 71},
         visit="W24", complete=False, version=version)  # fmt: skip
    back = states(store, participant)[key]
    assert back.state is State.CHANGED and back.target.content["value"] in ("71", 71)


def blank_tjc28(store: Store, pid: int) -> None:
    values = {k: v for k, v in JOINTS.items() if k != "tjc28"}
    save(store, pid, "joint_counts", values, visit="W24", complete=False,
         version=_version(store, pid, "joint_counts"), reason="not in the source")  # fmt: skip


def _version(store: Store, pid: int, form_id: str) -> int:
    with store.read() as session:
        return session.scalars(
            select(FormRecord.version).where(
                FormRecord.enrolment_id == pid, FormRecord.form_id == form_id
            )
        ).one()


def test_a_blanked_item_keeps_the_need_it_had(store: Store, participant: int) -> None:
    """Blanked after a verification, an item is required as it was where it is: critical
    stays critical, one outside the sample stays not required (it was verified without
    being required: blanking it must not make the plan unmeetable)."""
    found = states(store, participant)
    subject = _subject(store, participant)
    vitals = {i: f"item:W24/vital_signs#1/{i}" for i in ("sysbp", "diabp", "pulse", "temp")}
    verify(store, participant, "item:W24/joint_counts#1/tjc28", *vitals.values())
    version = _version(store, participant, "vital_signs")
    save(store, participant, "vital_signs", {}, visit="W24", complete=False, version=version)
    blank_tjc28(store, participant)
    after = states(store, participant)
    assert after["item:W24/joint_counts#1/tjc28"].target.need is Need.CRITICAL
    for item, key in vitals.items():
        drawn = sample_draw(PLAN.seed, STUDY.id, subject, "W24", "vital_signs", 1, item) < 0.2
        assert after[key].state is State.CHANGED
        assert after[key].target.need is found[key].target.need
        assert after[key].target.need is (Need.SAMPLED if drawn else None)


def test_study_progress_is_each_page_in_a_fixed_number_of_statements(store: Store) -> None:
    """The study's progress counts what each participant's page counts (verified,
    changed, blanked since, verified without being required), in as many statements
    for three participants as for two."""
    investigator, pids = enrolled(store, 2)
    for pid in pids:
        inject(store, pid)
        visit_on(store, pid, "W24", W24)
        save(store, pid, "chemistry", typical_values("chemistry"), visit="W24")
        save(store, pid, "joint_counts", JOINTS, visit="W24")
    first, second = pids
    every = states(store, first)
    verify(store, first, *(k for k, s in every.items() if s.target.need is not None))
    mine = states(store, second)
    sampled = sorted(k for k, s in mine.items() if s.target.need is Need.SAMPLED)
    spare = sorted(k for k, s in mine.items() if s.target.need is None)
    assert sampled and spare, "the draw gives the second participant both"
    verify(store, second, "item:W24/joint_counts#1/tjc28", "item:W24/joint_counts#1/sjc28",
           sampled[0], spare[0])  # fmt: skip
    correct(store, second, tjc28=9)  # changed since
    version = _version(store, second, "chemistry")
    form, item = sampled[0].split("/")[1].split("#")[0], sampled[0].rsplit("/", 1)[1]
    assert form == "chemistry"
    blanked = {k: v for k, v in typical_values("chemistry").items() if k != item}
    save(store, second, "chemistry", blanked, visit="W24", complete=False, version=version,
         reason="not done")  # fmt: skip

    def read() -> tuple[sdv.Progress, list[tuple[object, sdv.Progress]], int]:
        statements: list[str] = []

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(store.engine, "before_cursor_execute", seen)
        try:
            with store.read() as session:
                overall, each = sdv.study_progress(session, STUDY)
        finally:
            event.remove(store.engine, "before_cursor_execute", seen)
        return overall, list(each), len(statements)

    overall, each, two = read()
    pages = {pid: sdv.progress_of(list(states(store, pid).values())) for pid in pids}
    assert [(p.id, g) for p, g in each] == [(pid, pages[pid]) for pid in pids]  # type: ignore[attr-defined]
    assert pages[first].met and not pages[second].met
    assert pages[second].critical.changed == 1 and pages[second].sampled.changed == 1
    total = sdv.Progress()
    for g in pages.values():
        total.add(g)
    assert overall == total and not overall.met
    (third,) = enrol(store, investigator, 1, start=3)
    inject(store, third)
    _, each, three = read()
    assert len(each) == 3 and three == two  # no statement per participant or per form


def test_the_sample_is_drawn_per_form_as_per_item() -> None:
    """``sampled_items`` (a form's items at once) draws exactly what ``sampled`` and the
    documented key (seed, study, subject, visit, form, row, item joined by U+001F, SHA-256,
    the first 8 bytes over 2**64) draw: the sample cannot move under stored verifications."""
    items = [f"item{n}" for n in range(200)]
    for subject, visit, row in (("01-001", "W4", 1), ("01-002", "", 3), ("患者", "W4#2", 1)):
        each = {i for i in items if PLAN.sampled(STUDY.id, subject, visit, "chemistry", row, i)}
        assert PLAN.sampled_items(STUDY.id, subject, visit, "chemistry", row, items) == each
        for i in items[:20]:
            key = "\x1f".join((PLAN.seed, STUDY.id, subject, visit, "chemistry", str(row), i))
            head = hashlib.sha256(key.encode("utf-8")).digest()[:8]
            assert sample_draw(PLAN.seed, STUDY.id, subject, visit, "chemistry", row, i) == (
                int.from_bytes(head, "big") / 2**64
            )


def test_the_sample_is_shown_to_the_monitor_only(store: Store, participant: int) -> None:
    """Site staff see the critical items and those verified (changed since or not); the
    items drawn into the sample and not verified are the monitor's to know."""
    found = list(states(store, participant).values())
    sampled = [s for s in found if s.target.need is Need.SAMPLED]
    assert sampled, "the fixture's participant has sampled items"
    assert sdv.shown_to(Role.MONITOR, found) == found
    for role in (Role.COORDINATOR, Role.INVESTIGATOR):
        shown = {s.target.key for s in sdv.shown_to(role, found)}
        assert not shown & {s.target.key for s in sampled}
        assert shown == {s.target.key for s in found if s.target.need is Need.CRITICAL}
    verify(store, participant, sampled[0].target.key)
    again = list(states(store, participant).values())
    shown = {s.target.key for s in sdv.shown_to(Role.COORDINATOR, again)}
    assert sampled[0].target.key in shown  # verified: the site may know it
    assert not shown & {s.target.key for s in sampled[1:]}


def test_without_a_plan_nothing_is_required(store: Store, participant: int) -> None:
    """A study without sdv.yaml requires nothing, not even an item verified and blanked."""
    bare = replace(STUDY, sdv=None)
    verify(store, participant, "item:W24/joint_counts#1/tjc28")
    blank_tjc28(store, participant)
    with store.read() as session:
        overall, _ = sdv.study_progress(session, bare)
        _, found = sdv.participant_states(session, bare, participant)
    assert overall.met and overall.critical.required == overall.sampled.required == 0
    assert all(s.target.need is None for s in found)
