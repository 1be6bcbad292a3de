"""Source data verification through the JSON API: the study's and a participant's
progress, read by the study team and the monitor alike; items verified by the monitor
only (CSRF on writes), each as it was shown; a change un-verifies it; every refusal
stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import INJECTION, enrolled, inject, save
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.review.sdv_models import SdvVerification
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from webclient import Api, client_as

pytestmark = pytest.mark.usefixtures("cheap_argon2")

NCT = "NCT06947746"
DOSE = "item:D1/injection#1/dose"


def rows(store: Store) -> tuple[int, int]:
    with store.read() as session:
        return (
            session.scalar(select(func.count()).select_from(SdvVerification)) or 0,
            session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
        )


@contextmanager
def nothing_stored(store: Store) -> Iterator[None]:
    before = rows(store)
    yield
    assert rows(store) == before
    with store.read() as session:
        assert audit.verify(session).ok


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def path(pid: int) -> str:
    return f"/api/participants/{pid}/sdv"


def test_progress_is_read_by_the_team_and_the_monitor(app: FastAPI, pid: int) -> None:
    for role in ("coordinator", "monitor", "investigator"):
        one = Api(app, role).get(path(pid))
        assert one.status_code == 200, one.text
        body = one.json()
        items = {i["target"]: i for i in body["items"]}
        assert items[DOSE]["need"] == "critical" and items[DOSE]["state"] == "unverified"
        assert items[DOSE]["content"]["value"] == "50" and items[DOSE]["content"]["unit"]
        assert items[DOSE]["label"]["en"] and items[DOSE]["label"]["zh-CN"]
        assert any(t.startswith("consent:") for t in items)
        critical = body["progress"]["critical"]
        assert critical["required"] == len([i for i in items.values() if i["need"] == "critical"])
        study = Api(app, role).get(f"/api/sdv?study={NCT}")
        assert study.status_code == 200, study.text
        assert study.json()["plan"]["rate_percent"] == 20 and study.json()["plan"]["assumption"]
        assert study.json()["overall"] == study.json()["participants"][0]["progress"]
        assert study.json()["overall"]["critical"] == critical
    assert Api(app, "admin").get(path(pid)).status_code == 403
    assert client_as(app, None).get(path(pid)).status_code == 401


def test_only_the_monitor_verifies(app: FastAPI, store: Store, pid: int) -> None:
    for role in ("coordinator", "investigator", "admin"):
        api = Api(app, role)
        with nothing_stored(store):
            response = api.post(path(pid), {"targets": [{"target": DOSE}]})
            assert response.status_code == 403, response.text
    mona = Api(app, "monitor")
    with nothing_stored(store):  # no CSRF header
        assert mona.client.post(path(pid), json={"targets": [{"target": DOSE}]}).status_code == 403


def test_verify_many_then_a_change_unverifies(app: FastAPI, store: Store, pid: int) -> None:
    mona = Api(app, "monitor")
    items = {i["target"]: i for i in mona.get(path(pid)).json()["items"]}
    injection = [t for t in items if t.startswith("item:D1/injection#1/")]
    shown = [{"target": t, "digest": items[t]["digest"]} for t in injection]
    response = mona.post(path(pid), {"targets": shown})
    assert response.status_code == 200, response.text
    after = {i["target"]: i for i in response.json()["items"]}
    assert all(after[t]["state"] == "verified" for t in injection)
    assert after[DOSE]["verified_by"] == "monitor"
    assert response.json()["progress"]["critical"]["verified"] == len(injection)
    with store.read() as session:
        version = session.scalars(
            select(FormRecord.version).where(FormRecord.form_id == "injection")
        ).one()
    save(store, pid, "injection", {**INJECTION, "dose": "45"}, visit="D1", version=version,
         reason="the source says 45")  # fmt: skip
    changed = {i["target"]: i for i in mona.get(path(pid)).json()["items"]}[DOSE]
    assert changed["state"] == "changed"
    assert changed["content"]["value"] == "45" and changed["verified_content"]["value"] == "50"
    progress = mona.get(path(pid)).json()["progress"]["critical"]
    assert progress["changed"] == 1 and progress["verified"] == len(injection) - 1
    with nothing_stored(store):  # verified on the old digest: it changed meanwhile
        stale = mona.post(
            path(pid), {"targets": [{"target": DOSE, "digest": items[DOSE]["digest"]}]}
        )
        assert stale.status_code == 409, stale.text
    again = mona.post(path(pid), {"targets": [{"target": DOSE, "digest": changed["digest"]}]})
    assert again.status_code == 200
    assert {i["target"]: i for i in again.json()["items"]}[DOSE]["state"] == "verified"


def test_bad_input_is_refused_and_nothing_stored(app: FastAPI, store: Store, pid: int) -> None:
    mona = Api(app, "monitor")
    with nothing_stored(store):
        empty = mona.post(path(pid), {"targets": []})
        assert empty.status_code == 422
        unknown = mona.post(path(pid), {"targets": [{"target": DOSE}, {"target": "ae:99"}]})
        assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "targets"
        assert "ae:99" in unknown.json()["error"]["message"]
        bad = mona.post(path(pid), {"targets": [{"target": DOSE, "digest": "nope"}]})
        assert bad.status_code == 422
        assert mona.get("/api/participants/999/sdv").status_code == 404
        assert mona.get("/api/sdv?study=NCT00000000").status_code == 404
