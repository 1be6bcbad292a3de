"""Adverse events proposed by lab grades, through the JSON API and the page: the same
proposals for both, read by anyone who may see safety data, decided by the investigator
only (CSRF on the page's forms and the API's writes); every refusal stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import enrolled, inject, save, visit_on
from trialdesk.trial.safety.models import AdverseEvent
from trialdesk.trial.safety.proposal_models import AeProposalDecision
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord, Base
from webclient import Api, client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")

TABLES: tuple[type[Base], ...] = (AdverseEvent, AeProposalDecision, AuditRecord)
KEY = {
    "visit_key": "W4", "form_id": "chemistry", "item_id": "alt",
    "term": "Alanine aminotransferase increased", "grade": 2,
}  # fmt: skip


def rows(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


@contextmanager
def nothing_stored(store: Store) -> Iterator[None]:
    before = rows(store)
    yield
    assert rows(store) == before
    with store.read() as session:
        assert audit.verify(session).ok


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    """Injected on 2026-03-16 with ALT 30 U/L (ULN 40); 130 U/L at week 4: grade 2."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    for visit, alt in (("D1", "30"), ("W4", "130")):
        if visit == "W4":
            visit_on(store, pid, "W4", date(2026, 4, 13))
        values = {"alt": alt, "alt_lln": "7", "alt_uln": "40"}
        save(store, pid, "chemistry", values, visit=visit, complete=False)
    return pid


def path(pid: int) -> str:
    return f"/api/participants/{pid}/ae-proposals"


def test_the_api_lists_the_proposal_with_its_prefill(app: FastAPI, pid: int) -> None:
    for role in ("coordinator", "monitor", "investigator"):
        response = Api(app, role).get(path(pid))
        assert response.status_code == 200, response.text
        (found,) = response.json()["proposals"]
        assert response.json()["ungraded"] == []
        assert {k: found[k] for k in KEY} == KEY
        assert found["state"] == "open" and found["standing"] and not found["changed_since"]
        assert (found["value"], found["unit"], found["baseline_grade"]) == ("130", "U/L", 0)
        assert found["label"] == {"en": "ALT", "zh-CN": "丙氨酸氨基转移酶（ALT）"}
        assert found["prefill"]["onset"] == "2026-04-13" and found["prefill"]["grade"] == 2
    assert Api(app, "admin").get(path(pid)).status_code == 403
    assert client_as(app, None).get(path(pid)).status_code == 401


def test_only_the_investigator_decides(app: FastAPI, store: Store, pid: int) -> None:
    for role in ("coordinator", "monitor"):
        api = Api(app, role)  # signing in is audited: before the count
        with nothing_stored(store):
            response = api.post(path(pid) + "/decisions", {**KEY, "decision": "confirm"})
            assert response.status_code == 403, response.text


def test_dismiss_needs_a_reason_and_confirm_records_one_event(
    app: FastAPI, store: Store, pid: int
) -> None:
    ivy = Api(app, "investigator")
    with nothing_stored(store):
        response = ivy.post(path(pid) + "/decisions", {**KEY, "decision": "dismiss"})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["field"] == "reason"
    with nothing_stored(store):  # no CSRF header: refused
        bare = ivy.client.post(path(pid) + "/decisions", json={**KEY, "decision": "confirm"})
        assert bare.status_code == 403
    with nothing_stored(store):
        gone = ivy.post(path(pid) + "/decisions", {**KEY, "grade": 3, "decision": "confirm"})
        assert gone.status_code == 404
    with nothing_stored(store):  # decided on a value other than the one stored now
        other = ivy.post(path(pid) + "/decisions", {**KEY, "decision": "confirm", "value": "131"})
        assert other.status_code == 409 and "now 130" in other.json()["error"]["message"]
    body = {**KEY, "decision": "confirm", "value": "130", "event": {"verbatim": "ALT rise"}}
    response = ivy.post(path(pid) + "/decisions", body)
    assert response.status_code == 201, response.text
    decided = response.json()
    assert decided["state"] == "confirm" and decided["decision"]["adverse_event_id"]
    assert decided["decision"]["decided_by"] == "investigator" and decided["prefill"] is None
    with store.read() as session:
        (event,) = session.scalars(select(AdverseEvent)).all()
    assert (event.verbatim, event.term, event.grade) == (
        "ALT rise", "Alanine aminotransferase increased", 2,
    )  # fmt: skip
    with nothing_stored(store):
        again = ivy.post(path(pid) + "/decisions", {**KEY, "decision": "dismiss", "reason": "x"})
        assert again.status_code == 409


def page(pid: int) -> str:
    return f"/staff/participants/{pid}/proposals"


def test_the_page_shows_forms_to_the_investigator_only(app: FastAPI, pid: int) -> None:
    ivy = client_as(app, "investigator")
    shown = ivy.get(page(pid))
    assert shown.status_code == 200, shown.text
    assert "Alanine aminotransferase increased, grade 2" in shown.text
    assert 'name="decision" value="confirm"' in shown.text and "2026-04-13" in shown.text
    chinese = ivy.get(page(pid) + "?lang=zh-CN")
    assert "提示的不良事件" in chinese.text and "待决定" in chinese.text
    coordinator = client_as(app, "coordinator").get(page(pid))
    assert coordinator.status_code == 200
    assert 'name="decision"' not in coordinator.text
    assert "Only the investigator" in coordinator.text
    section = ivy.get(page(pid) + "/section")
    assert section.status_code == 200 and 'id="ae-proposals"' in section.text
    assert "<html" not in section.text


def _form(token: str, **more: Any) -> dict[str, Any]:
    return {"csrf_token": token, **{k: str(v) for k, v in KEY.items()}, **more}


def test_the_page_dismisses_with_a_reason(app: FastAPI, store: Store, pid: int) -> None:
    ivy = client_as(app, "investigator")
    token = csrf_token(ivy, page(pid))
    with nothing_stored(store):
        missing = ivy.post(page(pid), data=_form(token, decision="dismiss", reason=""))
        assert missing.status_code == 422
        assert "give a reason" in missing.text
    with nothing_stored(store):
        forged = ivy.post(page(pid), data=_form("forged", decision="dismiss", reason="lab error"))
        assert forged.status_code == 403
    coordinator = client_as(app, "coordinator")
    theirs = csrf_token(coordinator, page(pid))
    with nothing_stored(store):
        refused = coordinator.post(page(pid), data=_form(theirs, decision="dismiss", reason="x"))
        assert refused.status_code == 403
    done = ivy.post(page(pid), data=_form(token, decision="dismiss", reason="haemolysed"))
    assert done.status_code == 303 and done.headers["location"] == page(pid)
    after = ivy.get(page(pid))
    assert "dismissed" in after.text and "haemolysed" in after.text
    assert rows(store)["adverse_event"] == 0


def test_the_page_confirms_with_the_prefill_edited(app: FastAPI, store: Store, pid: int) -> None:
    ivy = client_as(app, "investigator")
    token = csrf_token(ivy, page(pid))
    with nothing_stored(store):
        # CTCAE v5.0 prints no grade 5 for ALT increased: refused at the grade field
        bad = ivy.post(page(pid), data=_form(token, decision="confirm", event_grade="5"))
        assert bad.status_code == 422, bad.text
        assert 'id="f-event_grade-1-error"' in bad.text and "no grade 5" in bad.text
    done = ivy.post(
        page(pid), data=_form(token, decision="confirm", event_onset="2026-04-12", event_grade="2")
    )
    assert done.status_code == 303, done.text
    with store.read() as session:
        (event,) = session.scalars(select(AdverseEvent)).all()
    assert event.onset_date == "2026-04-12" and event.recorded_by == "investigator"
    assert f"adverse event #{event.id}" in ivy.get(page(pid)).text


def test_a_value_that_cannot_be_graded_is_shown_not_dropped(
    app: FastAPI, store: Store, pid: int
) -> None:
    # week 4's AST without its report's ULN: graded nothing, proposes nothing, listed
    values = {"alt": "130", "alt_lln": "7", "alt_uln": "40", "ast": "90"}
    save(store, pid, "chemistry", values, visit="W4", complete=False, version=1)
    listed = Api(app, "monitor").get(path(pid)).json()
    (ungraded,) = listed["ungraded"]
    assert (ungraded["visit_key"], ungraded["item_id"], ungraded["value"]) == ("W4", "ast", "90")
    assert "ULN" in ungraded["problem"]
    assert len(listed["proposals"]) == 1
    shown = client_as(app, "investigator").get(page(pid)).text
    assert 'id="ae-ungraded"' in shown and "without the laboratory&#39;s ULN" in shown
