"""Walkthrough D6: the staff's add-candidate form reports every mistake in one answer, each
at its field, in the reader's language; the API names them all too."""

from __future__ import annotations

from fastapi import FastAPI

from webclient import Api, client_as, csrf_token

NCT = "NCT06947746"


def test_three_mistakes_in_one_answer(app: FastAPI) -> None:
    client = client_as(app, "coordinator")
    form = {
        "csrf_token": csrf_token(client, "/staff/candidates"), "form": "add", "study": NCT,
        "name": "", "birth_date": "2030-01-01", "record_number": "#bad id!",
    }  # fmt: skip
    refused = client.post("/staff/candidates", data=form)
    assert refused.status_code == 422
    page = refused.text
    for message in (
        "Enter the person&#39;s full name.",
        "The birth date cannot be in the future: enter a date up to today.",
        "Enter the hospital record number with letters, digits and . _ / - only",
    ):
        assert page.count(message) == 2, message  # in the summary and at the field
    for field in ("name", "birth_date", "record_number"):
        assert f'id="f-{field}-error"' in page
    zh = client.post("/staff/candidates?lang=zh-CN", data=form).text
    assert "请输入此人的全名。" in zh and "出生日期不能晚于今天" in zh


def test_the_api_names_every_field(app: FastAPI) -> None:
    api = Api(app, "coordinator")
    body = {"study": NCT, "name": " ", "birth_date": "1899-01-01", "record_number": "#"}
    refused = api.post("/api/candidates", body)
    assert refused.status_code == 422, refused.text
    fields = [e["field"] for e in refused.json()["error"]["errors"]]
    assert fields == ["name", "birth_date", "record_number"]
