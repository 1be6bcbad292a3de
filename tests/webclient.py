"""Helpers for web tests: staff of every role, signing in, CSRF tokens from pages."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store

PASSWORD = "correct horse battery staple"
ROLES = [r.value for r in Role]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_staff(store: Store) -> None:
    """One user per role, named after the role."""
    with store.transaction() as session:
        for role in Role:
            accounts.create_user(
                session,
                actor="system",
                username=role.value,
                password=PASSWORD,
                role=role,
                reason="test fixture",
            )


def csrf_token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path, follow_redirects=True)
    found = _CSRF.search(page.text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "next": "/staff", "csrf_token": token},
    )
    assert response.status_code == 303, response.text
    return client


def client_as(app: FastAPI, role: str | None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    if role is not None:
        sign_in(client, role)
    return client


class Api:
    """A signed-in staff member's API client: the CSRF header goes with every write."""

    def __init__(self, app: FastAPI, role: str) -> None:
        self.client: TestClient = client_as(app, role)
        me = self.client.get("/api/me")
        assert me.status_code == 200, me.text
        self.headers = {"X-CSRF-Token": me.json()["csrf_token"]}

    def get(self, path: str, **kw: Any) -> Response:
        return self.client.get(path, **kw)

    def send(self, method: str, path: str, body: object) -> Response:
        return self.client.request(method, path, json=body, headers=self.headers)

    def put(self, path: str, body: object) -> Response:
        return self.send("PUT", path, body)

    def post(self, path: str, body: object) -> Response:
        return self.send("POST", path, body)

    def patch(self, path: str, body: object) -> Response:
        return self.send("PATCH", path, body)
