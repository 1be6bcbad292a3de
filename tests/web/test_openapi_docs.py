"""The OpenAPI document says what the API covers, tag by tag, and signed-in staff read it
in Swagger UI served from this machine (walkthrough D28)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.web.openapi_docs import DESCRIPTION, TAGS
from trialdesk.web.rooms.dashboard import api_docs
from webclient import client_as


def _used_tags(spec: dict[str, object]) -> set[str]:
    paths = spec["paths"]
    assert isinstance(paths, dict)
    return {t for ops in paths.values() for op in ops.values() for t in op.get("tags", [])}


def test_every_tag_is_described_and_every_description_is_used(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    described = {t["name"] for t in spec["tags"]}
    assert described == _used_tags(spec) == {t["name"] for t in TAGS}
    assert all(t["description"].strip() for t in spec["tags"])


def test_the_description_names_every_staff_area(client: TestClient) -> None:
    info = client.get("/api/openapi.json").json()["info"]
    assert info["description"] == DESCRIPTION
    for area in ("screening", "conduct", "safety", "queries", "source data verification",
                 "deviations", "lock", "/staff/api-docs", "X-CSRF-Token"):  # fmt: skip
        assert area in DESCRIPTION, area


def test_the_docs_page_is_for_signed_in_staff(client: TestClient, app: FastAPI) -> None:
    assert client.get("/staff/api-docs").status_code == 303  # to the sign-in page
    page = client_as(app, "monitor").get("/staff/api-docs")
    assert page.status_code == 200
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert scripts == ["/static/swagger-ui/swagger-ui-bundle.js", "/static/api-docs.js"]
    assert "/static/swagger-ui/swagger-ui.css" in links
    assert not [u for u in scripts + links if "//" in u]  # nothing from another host
    assert 'data-spec="/api/openapi.json"' in page.text
    token = re.search(r'data-csrf="([0-9a-f]{64})"', page.text)
    assert token  # "try it out" sends it with every change


def test_swagger_ui_is_served_from_the_installed_package(client: TestClient) -> None:
    bundle = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text[:2000]
    assert client.get("/static/swagger-ui/swagger-ui.css").status_code == 200
    starter = client.get("/static/api-docs.js")
    assert starter.status_code == 200 and "X-CSRF-Token" in starter.text


def test_without_the_package_the_page_says_so(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_docs, "swagger_ui_files", lambda: None)
    page = client_as(app, "coordinator").get("/staff/api-docs")
    assert page.status_code == 200 and 'id="api-docs-missing"' in page.text
    assert "<script src=" not in page.text.split("</main>", 1)[1].split("</footer>", 1)[1]
