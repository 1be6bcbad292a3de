"""The lock room through the JSON API: the lock refused (409 ``lock_refused``) with every
blocker and nothing stored; casebooks read with their digests and signed by the
investigator as read; a freeze refuses entry (409 ``frozen``) until it is thawed; once
locked, a write answers 409 ``study_locked`` and reads go on."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import enrolled, inject
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from webclient import PASSWORD, Api

pytestmark = pytest.mark.usefixtures("cheap_argon2")

VISIT_DATE = "/api/participants/{pid}/visits/W4/date"


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def _entries(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def test_the_lock_is_refused_with_every_blocker(app: FastAPI, store: Store, pid: int) -> None:
    manager = Api(app, "data_manager")
    state = manager.get("/api/lock").json()
    assert state["locked"] is False
    kinds = {b["kind"] for b in state["blockers"]}
    assert {"sdv_not_met", "unsigned_casebooks"} <= kinds
    before = _entries(store)
    refused = manager.post("/api/lock", {"password": PASSWORD})
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "lock_refused"
    assert "casebook" in refused.json()["error"]["message"]
    assert _entries(store) == before
    assert Api(app, "investigator").post("/api/lock", {"password": PASSWORD}).status_code == 403


def test_casebooks_are_signed_as_read(app: FastAPI, store: Store, pid: int) -> None:
    investigator = Api(app, "investigator")
    (book,) = investigator.get("/api/casebooks").json()
    assert book["signed"] is False and book["lapsed"] is False
    stale = investigator.post(
        "/api/casebooks/signature",
        {"casebooks": [{"enrolment_id": pid, "digest": "0" * 64}], "password": PASSWORD},
    )
    assert stale.status_code == 409, stale.text
    missing = investigator.post(
        "/api/casebooks/signature", {"casebooks": [{"enrolment_id": pid}], "password": PASSWORD}
    )
    assert missing.status_code == 422
    signed = investigator.post(
        "/api/casebooks/signature",
        {"casebooks": [{"enrolment_id": pid, "digest": book["digest"]}], "password": PASSWORD},
    )
    assert signed.status_code == 200, signed.text
    (after,) = signed.json()
    assert after["signed"] is True and after["signature"]["meaning"] == "casebook approval"
    coordinator = Api(app, "coordinator")
    assert (
        coordinator.post(
            "/api/casebooks/signature",
            {"casebooks": [{"enrolment_id": pid, "digest": book["digest"]}], "password": PASSWORD},
        ).status_code
        == 403
    )
    # a change lapses it, visibly
    dated = coordinator.put(VISIT_DATE.format(pid=pid), {"date": "2026-04-13"})
    assert dated.status_code == 200, dated.text
    (lapsed,) = investigator.get("/api/casebooks").json()
    assert lapsed["signed"] is False and lapsed["lapsed"] is True


def test_a_freeze_refuses_entry_until_thawed(app: FastAPI, store: Store, pid: int) -> None:
    manager, coordinator = Api(app, "data_manager"), Api(app, "coordinator")
    made = manager.post(f"/api/participants/{pid}/freezes", {"target": "", "reason": "clean"})
    assert made.status_code == 200, made.text
    refused = coordinator.put(VISIT_DATE.format(pid=pid), {"date": "2026-04-13"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "frozen"
    assert coordinator.post(f"/api/participants/{pid}/freezes", {"target": ""}).status_code == 403
    thawed = manager.post(
        f"/api/participants/{pid}/freezes/{made.json()['id']}/thaw", {"reason": "a correction"}
    )
    assert thawed.status_code == 200 and thawed.json() == []
    assert coordinator.put(VISIT_DATE.format(pid=pid), {"date": "2026-04-13"}).status_code == 200


def test_once_locked_writes_answer_study_locked(app: FastAPI, store: Store, pid: int) -> None:
    with store.transaction() as session:
        audit.set_study_locked(session, "NCT06947746", True)
    coordinator = Api(app, "coordinator")
    refused = coordinator.put(VISIT_DATE.format(pid=pid), {"date": "2026-04-13"})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "study_locked"
    assert coordinator.get(f"/api/participants/{pid}").status_code == 200
    # locked on the head with no lock on record: shown as not what the record says
    state = coordinator.get("/api/lock").json()
    assert state["locked"] is False and state["enforced"] is False


def test_the_lock_room_reads_in_chinese_and_english(app: FastAPI, store: Store, pid: int) -> None:
    """The room's texts come from the catalogue: a Chinese browser reads Chinese, with the
    blockers named in it, and ?lang=en switches back."""
    from fastapi.testclient import TestClient

    from webclient import sign_in

    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "data_manager")
        chinese = client.get("/staff/lock", headers={"accept-language": "zh-CN"}).text
        assert (
            "签署与数据库锁定" in chinese
            and "未关闭的质疑" in chinese
            or "阻碍锁定的事项" in chinese
        )
        assert "Sign-off and database lock" not in chinese
        english = client.get("/staff/lock?lang=en").text
        assert "Sign-off and database lock" in english and "签署与数据库锁定" not in english
