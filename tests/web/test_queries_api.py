"""Queries through the JSON API: a monitor raises and closes, the site answers (by
explaining, or by correcting the datum through the form's own route), an edit check
raises its own query when the form is saved; every refusal in the one error shape, with
the pages' permissions, and nothing stored by a refused change."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import enrolled, inject, save, visit_on
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.trial.store.query_records import DataQuery, QueryMessage
from webclient import Api

pytestmark = pytest.mark.usefixtures("cheap_argon2")

ITEM = {"kind": "item", "visit": "W4", "form": "acute_phase", "item": "crp"}


@pytest.fixture
def pid(store: Store) -> int:
    _, (enrolment_id,) = enrolled(store)
    inject(store, enrolment_id)
    visit_on(store, enrolment_id, "W4", date(2026, 4, 13))
    save(store, enrolment_id, "acute_phase", {"crp": "5", "esr": 30}, visit="W4")
    return enrolment_id


def rows(store: Store) -> tuple[int, int, int]:
    with store.read() as session:
        return (
            session.scalar(select(func.count()).select_from(DataQuery)) or 0,
            session.scalar(select(func.count()).select_from(QueryMessage)) or 0,
            session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
        )


def test_raise_answer_close_with_each_role_s_permissions(
    app: FastAPI, store: Store, pid: int
) -> None:
    monitor, coordinator = Api(app, "monitor"), Api(app, "coordinator")
    made = monitor.post(f"/api/participants/{pid}/queries", {"target": ITEM, "text": "5 mg/L?"})
    assert made.status_code == 201, made.text
    q: dict[str, Any] = made.json()
    assert (q["state"], q["origin"], q["target"]["key"]) == (
        "open",
        "monitor",
        f"item:{pid}:W4:acute_phase:1:crp",
    )
    assert q["datum"] == {"value": "5"} and q["age_days"] == 0
    path = f"/api/queries/{q['id']}"
    refused = coordinator.post(f"/api/participants/{pid}/queries", {"target": ITEM, "text": "x"})
    assert refused.status_code == 403
    assert coordinator.post(path + "/close", {"version": q["version"]}).status_code == 403
    assert (
        monitor.post(path + "/replies", {"text": "me", "version": q["version"]}).status_code == 403
    )
    answered = coordinator.post(
        path + "/replies", {"text": "As reported.", "version": q["version"]}
    )
    assert answered.status_code == 201, answered.text
    assert answered.json()["state"] == "answered"
    stale = coordinator.post(path + "/replies", {"text": "again", "version": q["version"]})
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    assert answered.json()["now"] == {"value": "5"}
    closed = monitor.post(path + "/close", {
        "text": "Fine.", "version": answered.json()["version"], "datum": answered.json()["digest"],
    })  # fmt: skip
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    late = coordinator.post(
        path + "/replies", {"text": "more", "version": closed.json()["version"]}
    )
    assert late.status_code == 409 and late.json()["error"]["field"] == "state"
    thread = monitor.get(path).json()["messages"]
    assert [(m["kind"], m["author"]) for m in thread] == [
        ("raise", "monitor"),
        ("answer", "coordinator"),
        ("close", "monitor"),
    ]
    assert Api(app, "admin").get("/api/queries").status_code == 403
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_check_query_and_a_correction_through_the_form_route(
    app: FastAPI, store: Store, pid: int
) -> None:
    coordinator, monitor = Api(app, "coordinator"), Api(app, "monitor")
    form = f"/api/participants/{pid}/visits/W4/forms/acute_phase"
    version = coordinator.get(form).json()["version"]
    saved = coordinator.put(
        form, {"values": {"crp": "0.5", "esr": 60}, "complete": True, "version": version,
               "reason": "re-read from the lab report"},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    (q,) = monitor.get(f"/api/participants/{pid}/queries").json()
    assert (q["origin"], q["check_id"], q["raised_by"]) == ("check", "crp_in_mg_dl", "system")
    assert q["check_message"]["zh-CN"].startswith("CRP低于1 mg/L")
    path = f"/api/queries/{q['id']}"
    early = coordinator.post(
        path + "/replies", {"text": "fixed", "correction": True, "version": q["version"]}
    )
    assert early.status_code == 422 and early.json()["error"]["field"] == "correction"
    fixed = coordinator.put(
        form, {"values": {"crp": "5", "esr": 60}, "complete": True,
               "version": saved.json()["version"], "reason": "entered in mg/dL"},
    )  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    assert monitor.get(path).json()["state"] == "open"  # the correction closes nothing
    replied = coordinator.post(
        path + "/replies", {"text": "5 mg/L.", "correction": True, "version": q["version"]}
    )
    assert replied.status_code == 201, replied.text
    last = replied.json()["messages"][-1]
    assert (last["kind"], last["form_version"]) == ("correction", fixed.json()["version"])
    counts = monitor.get("/api/queries/counts").json()
    assert (counts["open"], counts["answered"]) == (0, 1)
    assert counts["participants"][0]["enrolment_id"] == pid
    listed = monitor.get("/api/queries", params={"state": "answered", "kind": "item"}).json()
    assert [x["id"] for x in listed] == [q["id"]]
    assert monitor.get("/api/queries", params={"state": "open"}).json() == []


def test_bad_input_is_refused_all_at_once_and_stores_nothing(
    app: FastAPI, store: Store, pid: int
) -> None:
    monitor = Api(app, "monitor")
    before = rows(store)
    bad = monitor.post(
        f"/api/participants/{pid}/queries",
        {"target": {"kind": "item", "visit": "W4", "form": "acute_phase"}, "text": " "},
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["error"]["errors"]}
    assert fields == {"item", "text"}
    gone = monitor.post(
        f"/api/participants/{pid}/queries", {"target": {"kind": "adverse_event",
                                                        "adverse_event": 999}, "text": "?"},
    )  # fmt: skip
    assert gone.status_code == 422 and gone.json()["error"]["field"] == "adverse_event"
    assert (
        monitor.post("/api/queries/999/close", {"version": 1, "datum": "0" * 64}).status_code == 404
    )
    assert monitor.post(f"/api/participants/{pid}/queries", {"target": ITEM}).status_code == 422
    assert rows(store) == before


def test_a_close_on_a_value_changed_since_it_was_shown_is_refused(
    app: FastAPI, store: Store, pid: int
) -> None:
    """The monitor closes on what they were shown of the target; the site's reply is not
    refused by a change of the item (the query's version does not move with it)."""
    monitor, coordinator = Api(app, "monitor"), Api(app, "coordinator")
    q = monitor.post(f"/api/participants/{pid}/queries", {"target": ITEM, "text": "5?"}).json()
    path = f"/api/queries/{q['id']}"
    looked = monitor.get(path).json()
    assert looked["now"] == {"value": "5"} and len(looked["digest"]) == 64
    form = f"/api/participants/{pid}/visits/W4/forms/acute_phase"
    changed = coordinator.put(form, {
        "values": {"crp": "50", "esr": 30}, "complete": True,
        "version": coordinator.get(form).json()["version"], "reason": "transcription error",
    })  # fmt: skip
    assert changed.status_code == 200, changed.text
    before = rows(store)
    refused = monitor.post(
        path + "/close", {"version": looked["version"], "datum": looked["digest"]}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["field"] == "version"
    assert "reload the page" in refused.json()["error"]["message"]
    missing = monitor.post(path + "/close", {"version": looked["version"]})
    assert missing.status_code == 422 and missing.json()["error"]["field"] == "datum"
    assert rows(store) == before
    # the site's reply on the version it read before the change is taken
    replied = coordinator.post(path + "/replies", {"text": "Now 50.", "version": q["version"]})
    assert replied.status_code == 201, replied.text
    again = monitor.get(path).json()
    assert again["now"] == {"value": "50"} and again["digest"] != looked["digest"]
    closed = monitor.post(path + "/close", {"version": again["version"], "datum": again["digest"]})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert closed.json()["now"] is None and closed.json()["digest"] is None
