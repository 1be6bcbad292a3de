"""Visit forms: typed values converted and range-checked, every error at once, derived
scores recomputed on every write in the same transaction (across visits too), stale
edits refused, completed forms changed only with a reason, edit checks at their fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from trialdesk.clinical.disease_activity import das28_crp_exact
from trialdesk.errors import ConflictError, FieldErrors, InputError
from trialdesk.trial.conduct import derive
from trialdesk.trial.conduct.models import FormRecord, FormStatus
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.trial.store.stale import StaleError

from .conduct_helpers import enrolled, inject, save, visit_on
from .helpers import count

W4 = date(2026, 4, 13)
JOINTS = {"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20}
GLOBALS = {"patient_global": 50, "evaluator_global": 40}


def form(store: Store, key: str, form_id: str) -> FormRecord:
    with store.read() as session:
        return session.scalars(
            select(FormRecord).where(FormRecord.visit_key == key, FormRecord.form_id == form_id)
        ).one()


def scores(store: Store, key: str) -> dict[str, Any]:
    return {k: d["value"] for k, d in form(store, key, "disease_activity").derived.items()}


@pytest.fixture
def at_week_4(store: Store) -> int:
    """An injected participant whose week-4 visit took place."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "W4", W4)
    return pid


def test_das28_crp_appears_from_its_inputs_with_units_converted(
    store: Store, at_week_4: int
) -> None:
    pid = at_week_4
    save(store, pid, "joint_counts", JOINTS, visit="W4")
    save(store, pid, "acute_phase", {"crp": "1.2", "esr": 30}, units={"crp": "mg/dL"}, visit="W4")
    assert count(store, FormRecord) == 3  # injection, joints, acute phase: no score yet
    save(store, pid, "global_assessments", GLOBALS, visit="W4")
    acute = form(store, "W4", "acute_phase")
    assert acute.values["crp"] == "12"  # mg/L, the item's unit
    assert acute.entered["crp"] == {"value": "1.2", "unit": "mg/dL"}  # as typed
    found = scores(store, "W4")
    # DAS28-CRP = 0.56*sqrt(4) + 0.28*sqrt(2) + 0.36*ln(12+1) + 0.014*50 + 0.96 = 4.0994
    assert found["das28_crp"] == "4.10"
    expected = das28_crp_exact(4, 2, Decimal(12), Decimal(50))
    assert Decimal(found["das28_crp"]) == expected.quantize(Decimal("0.01"))
    assert found["cdai"] == "15.0" and found["sdai"] == "16.2"  # SDAI takes CRP in mg/dL
    derived = form(store, "W4", "disease_activity").derived["das28_crp"]
    assert derived["calculator"] == "das28_crp" and derived["version"]
    assert derived["inputs"] == {"tjc28": 4, "sjc28": 2, "crp": "12", "patient_global": "50"}
    # the EULAR response needs the baseline: it says so instead of guessing
    assert form(store, "W4", "disease_activity").derived["eular_response_crp"]["missing"] == [
        "baseline:das28_crp"
    ]


def test_a_changed_input_changes_the_score_in_the_same_write(store: Store, at_week_4: int) -> None:
    pid = at_week_4
    joints = save(store, pid, "joint_counts", JOINTS, visit="W4", complete=False)
    save(store, pid, "acute_phase", {"crp": "12", "esr": 30}, visit="W4")
    save(store, pid, "global_assessments", GLOBALS, visit="W4")
    assert scores(store, "W4")["das28_crp"] == "4.10"
    save(store, pid, "joint_counts", {**JOINTS, "tjc28": 9}, visit="W4", version=joints.version)
    assert scores(store, "W4")["das28_crp"] == "4.66"  # 0.56*sqrt(9): 4.0994 + 0.56
    with store.read() as session:
        entries = session.scalars(
            select(AuditRecord).where(AuditRecord.reason == derive.RECOMPUTED)
        ).all()
        assert entries[-1].changes["das28_crp (derived)"] == ["4.10", "4.66"]
        assert audit.verify(session).ok


def test_a_baseline_change_moves_the_week_4_response(store: Store, at_week_4: int) -> None:
    pid = at_week_4
    for key in ("D1", "W4"):
        save(store, pid, "acute_phase", {"crp": "12", "esr": 30}, visit=key)
        save(store, pid, "global_assessments", GLOBALS, visit=key)
    baseline = save(store, pid, "joint_counts", {**JOINTS, "tjc28": 20, "sjc28": 12}, visit="D1")
    save(store, pid, "joint_counts", JOINTS, visit="W4")
    assert scores(store, "D1")["eular_response_crp"] is None  # not applicable at baseline
    assert form(store, "D1", "disease_activity").derived["eular_response_crp"]["not_applicable"]
    before = scores(store, "W4")
    assert (before["das28_crp"], before["eular_response_crp"]) == ("4.10", "moderate")
    save(store, pid, "joint_counts", JOINTS, visit="D1", version=baseline.version,
         reason="wrong participant's counts copied")  # fmt: skip
    assert scores(store, "W4")["eular_response_crp"] == "none"  # no improvement any more


def test_impossible_values_are_refused_at_their_fields(store: Store, at_week_4: int) -> None:
    pid = at_week_4
    before = count(store, FormRecord)
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "joint_counts", {**JOINTS, "tjc28": 29, "sjc28": "2.5"}, visit="W4")
    assert "29 is impossible: it must be 0 to 28" in refused.value.by_field["tjc28"][0]
    assert "whole number" in refused.value.by_field["sjc28"][0]
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "acute_phase", {"crp": "-1", "esr": 30}, visit="W4")
    assert "impossible" in refused.value.by_field["crp"][0]
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "acute_phase", {"crp": "5", "esr": 30}, units={"crp": "mmol/L"},
             visit="W4")  # fmt: skip
    assert "cannot convert" in refused.value.by_field["crp"][0]
    assert count(store, FormRecord) == before


def test_the_28_joint_count_cannot_exceed_the_68(store: Store, at_week_4: int) -> None:
    with pytest.raises(FieldErrors) as refused:
        save(store, at_week_4, "joint_counts", {**JOINTS, "tjc68": 3, "sjc66": 1}, visit="W4")
    assert set(refused.value.by_field) == {"tjc28", "tjc68", "sjc28", "sjc66"}
    assert "among the 68" in refused.value.by_field["tjc68"][0]


def test_a_warning_check_keeps_the_value_and_flags_it(store: Store, at_week_4: int) -> None:
    record = save(store, at_week_4, "acute_phase", {"crp": "0.5", "esr": 60}, visit="W4")
    assert record.values == {"crp": "0.5", "esr": 60}
    assert {"kind": "check", "check": "crp_in_mg_dl"} in record.flags["crp"]


def test_outside_the_expected_range_is_kept_and_flagged(store: Store, at_week_4: int) -> None:
    record = save(store, at_week_4, "acute_phase", {"crp": "400", "esr": 30}, visit="W4")
    assert record.values["crp"] == "400"
    assert record.flags["crp"][0]["kind"] == "expected_range"


def test_forms_need_the_visit_and_the_visit_needs_day_1(store: Store) -> None:
    _, (pid,) = enrolled(store)
    with pytest.raises(InputError, match="record the injection first"):
        visit_on(store, pid, "W4", W4)
    with pytest.raises(InputError, match="not recorded yet"):
        save(store, pid, "joint_counts", JOINTS, visit="W4")
    inject(store, pid)
    with pytest.raises(InputError, match="before day 1"):
        visit_on(store, pid, "W4", date(2026, 3, 10))
    with pytest.raises(InputError, match="not a form of"):
        visit_on(store, pid, "W2", date(2026, 3, 31))
        save(store, pid, "joint_counts", JOINTS, visit="W2")


def test_a_stale_form_is_refused_and_the_second_editor_told_to_reload(
    store: Store, at_week_4: int
) -> None:
    pid = at_week_4
    first = save(store, pid, "acute_phase", {"crp": "12", "esr": 30}, visit="W4", complete=False)
    save(store, pid, "acute_phase", {"crp": "13", "esr": 30}, visit="W4", version=first.version,
         complete=False)  # fmt: skip
    with pytest.raises(StaleError, match="reload"):
        save(store, pid, "acute_phase", {"crp": "14", "esr": 30}, visit="W4",
             version=first.version, complete=False)  # fmt: skip
    with pytest.raises(ConflictError, match="already entered"):
        save(store, pid, "acute_phase", {"crp": "14", "esr": 30}, visit="W4", complete=False)
    assert form(store, "W4", "acute_phase").values["crp"] == "13"


def test_completing_needs_every_required_item_and_a_completed_form_a_reason(
    store: Store, at_week_4: int
) -> None:
    pid = at_week_4
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "acute_phase", {"crp": "12"}, visit="W4")
    assert refused.value.by_field == {"esr": ["is required to mark the form complete"]}
    draft = save(store, pid, "acute_phase", {"crp": "12"}, visit="W4", complete=False)
    assert draft.status is FormStatus.INCOMPLETE
    done = save(store, pid, "acute_phase", {"crp": "12", "esr": 30}, visit="W4",
                version=draft.version)  # fmt: skip
    assert done.status is FormStatus.COMPLETE
    with pytest.raises(FieldErrors) as refused:
        save(store, pid, "acute_phase", {"crp": "15", "esr": 30}, visit="W4", version=done.version)
    assert "reason" in refused.value.by_field
    save(store, pid, "acute_phase", {"crp": "15", "esr": 30}, visit="W4", version=done.version,
         reason="lab report amended")  # fmt: skip
    with store.read() as session:
        last = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.entity == "form_record")
            .order_by(AuditRecord.id.desc())
        ).first()
        assert last is not None and last.reason == "lab report amended"
        assert last.changes["crp"] == ["12", "15"]


def test_a_derived_item_cannot_be_typed(store: Store, at_week_4: int) -> None:
    with pytest.raises(InputError, match="computed by the server"):  # a form of scores only
        save(store, at_week_4, "disease_activity", {"das28_crp": "2.0"}, visit="W4")


def test_a_failure_mid_save_leaves_nothing_half_written(
    store: Store, at_week_4: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = at_week_4
    save(store, pid, "joint_counts", JOINTS, visit="W4")
    save(store, pid, "global_assessments", GLOBALS, visit="W4")
    before = (count(store, FormRecord), count(store, AuditRecord))

    def killed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("process killed")

    monkeypatch.setattr(derive, "recompute", killed)
    with pytest.raises(RuntimeError):
        save(store, pid, "acute_phase", {"crp": "12", "esr": 30}, visit="W4")
    assert (count(store, FormRecord), count(store, AuditRecord)) == before
    with store.read() as session:
        assert audit.verify(session).ok
