"""Internal names kept off what staff read (walkthrough D20): the 403 sentence, the error
page, the JSON body errors, the fact form's messages, entered facts and their units."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.accounts.roles import Permission, Role
from trialdesk.web.role_words import ACTIONS, ROLE_NAMES
from webclient import Api, csrf_token, sign_in

STUDY = "NCT06947746"


def visible(html: str) -> str:
    """The page's text as read: no tags, no attribute values."""
    body = html.split("<main", 1)[1] if "<main" in html else html
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def test_every_role_and_permission_has_words_in_both_languages() -> None:
    assert set(ROLE_NAMES) == set(Role)
    assert set(ACTIONS) == set(Permission)
    for text in [*ROLE_NAMES.values(), *ACTIONS.values()]:
        assert text.en and text.zh_cn and "_" not in text.en


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        ("en", "Your role (administrator) may not see the screening candidates."),
        ("zh-CN", "您的角色（管理员）不能查看筛选候选人。"),
    ],
)
def test_a_refused_page_says_the_role_and_the_action(
    app: FastAPI, lang: str, sentence: str
) -> None:
    with TestClient(app, follow_redirects=False) as client:
        sign_in(client, "admin")
        page = client.get(f"/staff/candidates?lang={lang}")
    assert page.status_code == 403
    text = visible(page.text)
    assert sentence in text, text
    assert "view_candidates" not in text and "forbidden" not in text
    assert ("Error 403" if lang == "en" else "错误 403") in text


def test_a_refused_api_call_says_it_too_in_the_one_error_shape(app: FastAPI) -> None:
    refused = Api(app, "admin").get("/api/candidates")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "forbidden"  # the code stays for programs
    assert error["message"] == "Your role (administrator) may not see the screening candidates."


def test_the_error_page_shows_no_code_name(client: TestClient) -> None:
    page = client.get("/nowhere")
    text = visible(page.text)
    assert page.status_code == 404 and "Error 404" in text
    assert "not_found" not in text
    assert 'data-code="not_found"' in page.text  # still in the markup, for support


@pytest.mark.parametrize(
    ("raw", "line", "column"),
    [
        (b'{"study": "NCT06947746", "name": }', 1, 34),
        (b'{\n  "study": "x",\n  "name" "y"\n}', 3, 10),
    ],
)
def test_a_body_that_is_not_json_is_placed_by_line_and_column(
    app: FastAPI, raw: bytes, line: int, column: int
) -> None:
    api = Api(app, "coordinator")
    refused = api.client.post(
        "/api/candidates",
        content=raw,
        headers={**api.headers, "content-type": "application/json"},
    )
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["field"] == "body"
    assert f"line {line}, column {column}" in error["message"], error
    assert "not valid JSON" in error["message"] and "decode" not in error["message"]


def test_every_wrong_field_of_a_body_is_named_at_once(app: FastAPI) -> None:
    refused = Api(app, "coordinator").post(
        "/api/candidates", {"study": 5, "name": ["x"], "sex": "x", "extra": 1}
    )
    assert refused.status_code == 422
    fields = {e["field"] for e in refused.json()["error"]["errors"]}
    assert {"study", "name", "sex", "extra"} <= fields


def _candidate(api: Api) -> int:
    added = api.post("/api/candidates", {"study": STUDY, "name": "Wang Fang"})
    assert added.status_code == 201, added.text
    cid: int = added.json()["id"]
    return cid


def _fact(client: TestClient, cid: int, **fields: Any) -> Any:
    token = csrf_token(client, f"/staff/candidates/{cid}?concept={fields['concept']}")
    data = {"csrf_token": token, "form": "fact", "on": "2026-12-01", "source_document": "lab"}
    return client.post(f"/staff/candidates/{cid}/facts", data=data | fields)


def test_fact_form_messages_name_fields_in_words(app: FastAPI) -> None:
    api = Api(app, "coordinator")
    cid = _candidate(api)
    refused = _fact(api.client, cid, concept="alt", value="<5", unit="mg")
    text = visible(refused.text)
    assert refused.status_code == 422
    assert "value: value" not in text.lower() and "cannot convert" not in text
    censored = api.post(
        f"/api/candidates/{cid}/facts",
        {"concept": "alt", "on": "2026-12-01", "value": "<5", "unit": "U/L",
         "source_document": "lab"},
    )  # fmt: skip
    message = censored.json()["error"]["message"]
    assert message.startswith("The value must be the measured number for "), message
    wrong_unit = api.post(
        f"/api/candidates/{cid}/facts",
        {"concept": "alt", "on": "2026-12-01", "value": "35", "unit": "mg",
         "source_document": "lab"},
    )  # fmt: skip
    message = wrong_unit.json()["error"]["message"]
    assert "cannot convert" not in message and " for alt" not in message, message
    assert message.startswith("The unit 'mg' cannot be converted to U/L"), message


def test_entered_facts_show_titles_and_units_as_printed(app: FastAPI) -> None:
    api = Api(app, "coordinator")
    cid = _candidate(api)
    for body in (
        {"concept": "body_weight", "value": "61", "unit": "kg"},
        {"concept": "wbc", "value": "6.1", "unit": "10*9/L"},
        {"concept": "womac_pain", "value": "6.5"},
    ):
        added = api.post(
            f"/api/candidates/{cid}/facts", body | {"on": "2026-12-01", "source_document": "x"}
        )
        assert added.status_code == 201, added.text
    page = api.client.get(f"/staff/candidates/{cid}")
    facts = visible(page.text.split('id="facts"', 1)[1].split("</section>", 1)[0])
    assert "Body weight" in facts and "body_weight" not in facts, facts
    assert "6.1 ×10⁹/L" in facts and "10*9/L" not in facts, facts
    assert "{score}" not in facts
    checklist = visible(page.text.split('id="facts"', 1)[0])
    assert "10*9/L" not in checklist and "{score}" not in checklist
