"""The conduct room's pages: the dashboard, a participant's calendar, a visit, its forms;
a form saved from the page computes its scores on the server, a refused one shows every
message at its item and stores nothing, a signed visit's signature lapses visibly."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trial.conduct_helpers import enrolled, inject, save, typical_values
from trial.screening_helpers import STUDY
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from webclient import client_as, csrf_token


@pytest.fixture
def participant(store: Store) -> int:
    _, (pid,) = enrolled(store)
    return pid


def _post(client: TestClient, path: str, data: dict[str, Any], page: str | None = None) -> Any:
    token = csrf_token(client, page or path)
    return client.post(path, data={**data, "csrf_token": token})


def _items(values: dict[str, Any]) -> dict[str, Any]:
    return {f"item.{k}": v for k, v in values.items()}


def test_the_dashboard_and_calendar_show_a_new_participant(app: FastAPI, participant: int) -> None:
    client = client_as(app, "monitor")
    page = client.get("/staff/participants")
    assert page.status_code == 200
    assert 'data-count="due"' in page.text and "not injected" in page.text
    calendar = client.get(f"/staff/participants/{participant}")
    assert calendar.status_code == 200
    assert "Week 24" in calendar.text and "awaiting day 1" in calendar.text
    assert "protocol assumption" in calendar.text
    chinese = client.get(f"/staff/participants/{participant}?lang=zh-CN")
    assert "第24周" in chinese.text
    assert "第24周" in client.get(f"/staff/participants/{participant}").text  # remembered
    # a monitor reads but does not write: no forms to post
    assert "End of participation" in calendar.text and 'action="/staff/participants' not in (
        calendar.text
    )


def test_the_injection_from_its_page_sets_day_1(app: FastAPI, participant: int) -> None:
    client = client_as(app, "coordinator")
    path = f"/staff/participants/{participant}/visits/D1/forms/injection"
    assert client.get(path).status_code == 200
    values = {
        "administered_at": "2026-03-16T10:30", "knee": "right", "product_lot": "HISC-1",
        "release_checked": "yes", "dose": "50", "volume": "5", "given_by": "Dr. Lin",
        "pre_sysbp": "128", "pre_diabp": "78", "pre_pulse": "72", "pre_temp": "36.6",
        "post_sysbp": "126", "post_diabp": "80", "post_pulse": "74", "post_temp": "36.7",
        "immediate_reaction": "no",
    }  # fmt: skip
    done = _post(client, path, {**_items(values), "complete": "1"})
    assert done.status_code == 303, done.text
    calendar = client.get(f"/staff/participants/{participant}").text
    assert "2026-03-16" in calendar and "awaiting day 1" not in calendar


def test_a_refused_form_shows_every_error_and_stores_nothing(
    app: FastAPI, store: Store, participant: int
) -> None:
    inject(store, participant)
    client = client_as(app, "coordinator")
    date_path = f"/staff/participants/{participant}/visits/W4/date"
    page = f"/staff/participants/{participant}/visits/W4"
    early = _post(client, date_path, {"visit_date": "2026-03-01"}, page)
    assert early.status_code == 422 and "before day 1" in early.text
    assert _post(client, date_path, {"visit_date": "2026-04-13"}, page).status_code == 303
    path = f"{page}/forms/joint_counts"
    with store.read() as session:
        before = session.query(FormRecord).count()
    refused = _post(client, path, {**_items({"tjc28": "29", "sjc28": "-1"}), "complete": "0"})
    assert refused.status_code == 422
    assert refused.text.count('class="field-error"') == 2  # both items, at once
    assert "Nothing was stored" in refused.text
    assert 'value="29"' in refused.text  # what was typed is kept to correct
    with store.read() as session:
        assert session.query(FormRecord).count() == before
        assert audit.verify(session).ok


def test_scores_appear_and_a_signature_lapses_on_change(
    app: FastAPI, store: Store, participant: int
) -> None:
    inject(store, participant)
    coordinator = client_as(app, "coordinator")
    visit = f"/staff/participants/{participant}/visits/W4"
    assert (
        _post(coordinator, f"{visit}/date", {"visit_date": "2026-04-13"}, visit).status_code == 303
    )
    entered = {
        "joint_counts": {"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20},
        "acute_phase": {"crp": "1.2", "esr": 30},
        "global_assessments": {"patient_global": 50, "evaluator_global": 40},
    }
    for form_id, values in entered.items():
        data = {**_items(values), "complete": "1"}
        if form_id == "acute_phase":
            data["unit.crp"] = "mg/dL"
        saved = _post(coordinator, f"{visit}/forms/{form_id}", data)
        assert saved.status_code == 303, saved.text
    scores = coordinator.get(f"{visit}/forms/disease_activity").text
    assert re.search(r'data-item="das28_crp"><strong class="derived-value">4.10<', scores)
    # the other forms of the visit, entered through the services
    for form_id, values in _other_w4_forms().items():
        save(store, participant, form_id, values, visit="W4")
    investigator = client_as(app, "investigator")
    page = investigator.get(visit).text
    with store.read() as session:
        rows = [(r.form_id, r.status.value, r.visit_key) for r in session.query(FormRecord)]
    assert "Sign the visit" in page, rows
    reviewed = re.search(r'name="reviewed" value="([0-9a-f]{64})"', page)
    assert reviewed
    signing = {"password": "correct horse battery staple", "reviewed": reviewed.group(1)}
    signed = _post(investigator, f"{visit}/signature", signing, visit)
    assert signed.status_code == 303, signed.text
    assert ">signed<" in investigator.get(visit).text
    # a coordinator cannot sign
    assert _post(coordinator, f"{visit}/signature", {"password": "x"}, visit).status_code == 403
    # a change to a complete form needs a reason; then the score moves and the signature lapses
    form_page = coordinator.get(f"{visit}/forms/joint_counts").text
    version = re.search(r'name="version" value="(\d+)"', form_page)
    assert version
    change = {**_items({**entered["joint_counts"], "tjc28": 9}), "complete": "1",
              "version": version.group(1)}  # fmt: skip
    no_reason = _post(coordinator, f"{visit}/forms/joint_counts", change)
    assert no_reason.status_code == 422 and "give the reason" in no_reason.text
    change["reason"] = "recount at source verification"
    assert _post(coordinator, f"{visit}/forms/joint_counts", change).status_code == 303
    scores = coordinator.get(f"{visit}/forms/disease_activity").text
    assert re.search(r'data-item="das28_crp"><strong class="derived-value">4.66<', scores)
    page = investigator.get(visit).text
    assert "signature lapsed" in page and "Sign the visit" in page
    # the page read before the change does not sign the data as they are now
    refused = _post(investigator, f"{visit}/signature", signing, visit)
    assert refused.status_code == 409 and "changed by someone else" in refused.text
    # a stale copy of the form is told to reload
    stale = _post(coordinator, f"{visit}/forms/joint_counts", change)
    assert stale.status_code == 409 and "reload" in stale.text.lower()


def _other_w4_forms() -> dict[str, dict[str, Any]]:
    done = ("joint_counts", "acute_phase", "global_assessments", "disease_activity")
    return {f: typical_values(f) for f in STUDY.schedule.visit("W4").forms if f not in done}
