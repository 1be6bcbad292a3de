"""Erasing a lead from the lead page and the JSON API (issue 18 point 4, walkthrough D8),
and the thanks page's promise, which the erasure makes true, in English and Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from typer.testing import CliRunner

from trialdesk.cli.trial import audit_app
from trialdesk.trial.screening import leads
from trialdesk.trial.store.db import Store
from webclient import Api, client_as, csrf_token

NCT = "NCT06947746"
NAME, EMAIL = "Wendeline Oksvik", "w.oksvik@example.org"


def _lead(store: Store) -> int:
    with store.transaction() as session:
        lead = leads.store_lead(
            session, study_id=NCT, contact=leads.LeadContact(NAME, EMAIL),
            answers={"age": "52"}, outcome={"verdict": "may_be_eligible"}, consent_text="ok",
            consented=True, now=datetime.now(UTC),
        )  # fmt: skip
        return lead.id


def test_the_lead_page_erases_on_a_confirmed_request(app: FastAPI, store: Store) -> None:
    lead_id = _lead(store)
    client = client_as(app, "coordinator")
    page = client.get(f"/staff/leads/{lead_id}")
    assert f'action="/staff/leads/{lead_id}/erase"' in page.text
    token = csrf_token(client, f"/staff/leads/{lead_id}")
    form = {"csrf_token": token, "reason": "asked by phone", "version": "1"}
    unconfirmed = client.post(f"/staff/leads/{lead_id}/erase", data=form)
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    assert NAME in client.get(f"/staff/leads/{lead_id}").text  # nothing erased
    done = client.post(f"/staff/leads/{lead_id}/erase", data={**form, "confirm": "yes"})
    assert done.status_code == 303, done.text
    tomb = client.get(f"/staff/leads/{lead_id}")
    assert tomb.status_code == 200 and 'id="lead-erased"' in tomb.text
    assert NAME not in tomb.text and EMAIL not in tomb.text
    assert f"/staff/leads/{lead_id}/" not in tomb.text  # no form left: nothing more to do
    listed = client.get("/staff/leads")
    assert "(erased)" in listed.text and NAME not in listed.text
    zh = client.get(f"/staff/leads/{lead_id}?lang=zh-CN")
    assert "已应本人要求删除" in zh.text


def test_the_api_erases_and_answers_409_for_study_data_or_twice(app: FastAPI, store: Store) -> None:
    coordinator = Api(app, "coordinator")
    lead_id = _lead(store)
    erased = coordinator.post(f"/api/leads/{lead_id}/erase", {"reason": "by e-mail"})
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["lead"]["status"] == "erased" and body["lead"]["name"] == ""
    assert body["lead"]["email"] is None and body["lead"]["answers"] == {}
    assert body["copies_in_trail"] is False and body["audit_entry"] > 0
    again = coordinator.post(f"/api/leads/{lead_id}/erase", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "lead_erased"
    taken = _lead(store)
    assert coordinator.post(f"/api/leads/{taken}/candidate", {}).status_code == 201
    refused = coordinator.post(f"/api/leads/{taken}/erase", {})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert error["code"] == "lead_is_study_data" and "study data" in error["message"]
    assert coordinator.get(f"/api/leads/{taken}").json()["name"] == NAME
    page = client_as(app, "coordinator").get(f"/staff/leads/{taken}")
    assert 'id="erase-refused"' in page.text and f"/leads/{taken}/erase" not in page.text


def test_a_lead_becoming_a_candidate_twice_is_a_conflict(app: FastAPI, store: Store) -> None:
    coordinator = Api(app, "coordinator")
    lead_id = _lead(store)
    assert coordinator.post(f"/api/leads/{lead_id}/candidate", {}).status_code == 201
    again = coordinator.post(f"/api/leads/{lead_id}/candidate", {})
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_only_who_manages_leads_may_erase(app: FastAPI, store: Store) -> None:
    lead_id = _lead(store)
    monitor = Api(app, "monitor")
    assert monitor.post(f"/api/leads/{lead_id}/erase", {}).status_code == 403
    admin_page = client_as(app, "admin").get(f"/staff/leads/{lead_id}")
    assert f"/leads/{lead_id}/erase" not in admin_page.text


def test_the_data_check_passes_after_an_erasure(
    app: FastAPI, store: Store, tmp_path: object
) -> None:
    lead_id = _lead(store)
    assert Api(app, "coordinator").post(f"/api/leads/{lead_id}/erase", {}).status_code == 200
    url = store.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(audit_app, ["verify", "--data", "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "data match their history" in result.output


def test_the_thanks_page_promises_what_the_erasure_does(app: FastAPI) -> None:
    client = client_as(app, None)
    en = client.get(f"/studies/{NCT}/self-check/thanks?ref=ABCD-EFGH")
    promise = re.search(r'id="deletion-promise">([^<]+)<', en.text)
    assert promise and "as long as your screening has not begun" in promise.group(1)
    assert "kept as the law requires for research records" in promise.group(1)
    zh = client.get(
        f"/studies/{NCT}/self-check/thanks?ref=ABCD-EFGH", headers={"accept-language": "zh-CN"}
    )
    assert "在筛选开始之前，他们会删除您的姓名、联系方式和答案" in zh.text
    assert "感谢您" in zh.text and "ABCD-EFGH" in zh.text
