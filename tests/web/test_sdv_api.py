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

from trial.conduct_helpers import DAY1, INJECTION, enrolled, inject, save, typical_values, visit_on
from trial.screening_helpers import STUDY
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.review.sdv_models import SdvVerification
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from webclient import Api, client_as

pytestmark = pytest.mark.usefixtures("cheap_argon2")

NCT = "NCT06947746"
DOSE = "item:D1/injection#1/dose"
ANY = "0" * 64  # a digest of the right shape
assert STUDY.schedule is not None
W24 = STUDY.schedule.visit("W24").target_date(DAY1)
assert W24 is not None


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
            response = api.post(path(pid), {"targets": [{"target": DOSE, "digest": ANY}]})
            assert response.status_code == 403, response.text
    mona = Api(app, "monitor")
    with nothing_stored(store):  # no CSRF header
        body = {"targets": [{"target": DOSE, "digest": ANY}]}
        assert mona.client.post(path(pid), json=body).status_code == 403


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
        digest = {i["target"]: i["digest"] for i in mona.get(path(pid)).json()["items"]}[DOSE]
        unknown = mona.post(
            path(pid),
            {"targets": [{"target": DOSE, "digest": digest}, {"target": "ae:99", "digest": ANY}]},
        )
        assert unknown.status_code == 422 and unknown.json()["error"]["field"] == "targets"
        assert "ae:99" in unknown.json()["error"]["message"]
        bad = mona.post(path(pid), {"targets": [{"target": DOSE, "digest": "nope"}]})
        assert bad.status_code == 422
        assert mona.get("/api/participants/999/sdv").status_code == 404
        assert mona.get("/api/sdv?study=NCT00000000").status_code == 404


def test_the_digest_shown_is_required(app: FastAPI, store: Store, pid: int) -> None:
    """The stale-write protection cannot be left out: an item posted without the digest it
    was shown with is refused (422, naming the field), even with others that carry theirs."""
    mona = Api(app, "monitor")
    items = {i["target"]: i for i in mona.get(path(pid)).json()["items"]}
    consent = next(t for t in items if t.startswith("consent:"))
    with nothing_stored(store):
        alone = mona.post(path(pid), {"targets": [{"target": DOSE}]})
        assert alone.status_code == 422, alone.text
        assert alone.json()["error"]["field"] == "targets.0.digest"
        mixed = mona.post(
            path(pid),
            {"targets": [{"target": DOSE, "digest": items[DOSE]["digest"]}, {"target": consent}]},
        )
        assert mixed.status_code == 422 and mixed.json()["error"]["field"] == "targets.1.digest"
        blank = mona.post(path(pid), {"targets": [{"target": DOSE, "digest": None}]})
        assert blank.status_code == 422 and blank.json()["error"]["field"] == "targets.0.digest"
    done = mona.post(path(pid), {"targets": [{"target": DOSE, "digest": items[DOSE]["digest"]}]})
    assert done.status_code == 200, done.text


def test_the_sample_is_listed_to_the_monitor_only(app: FastAPI, store: Store, pid: int) -> None:
    """Site staff read the critical items, the verified ones and the counts; which of the
    other items were drawn into the sample the monitor alone reads until each is verified."""
    visit_on(store, pid, "W24", W24)
    save(store, pid, "chemistry", typical_values("chemistry"), visit="W24")
    mona = Api(app, "monitor")
    watched = mona.get(path(pid)).json()
    sampled = [i for i in watched["items"] if i["need"] == "sampled"]
    assert sampled, "the draw gives this participant sampled chemistry items"
    for role in ("coordinator", "investigator"):
        seen = Api(app, role).get(path(pid)).json()
        assert {i["need"] for i in seen["items"]} == {"critical"}
        assert seen["progress"] == watched["progress"]  # the counts are everyone's
        assert seen["progress"]["sampled"]["required"] == len(sampled)
    first = sampled[0]
    done = mona.post(
        path(pid), {"targets": [{"target": first["target"], "digest": first["digest"]}]}
    )
    assert done.status_code == 200, done.text
    seen = Api(app, "coordinator").get(path(pid)).json()
    listed = [i for i in seen["items"] if i["need"] == "sampled"]
    assert [i["target"] for i in listed] == [first["target"]]
    assert listed[0]["state"] == "verified"
