"""The bad-input corpus, on SQLite and on PostgreSQL: inputs that once made the server fail
(security probe F6 a-d) answer 4xx, never 500, and what they carried reaches no log.

- a. Unicode digits and numbers past a 32-bit INTEGER where a form or query wants a whole
  number (``str.isdigit`` passed "²", then ``int`` failed; PostgreSQL refused 2147483648);
- b. a NUL in the sign-in username (PostgreSQL refuses NUL in text), anonymously;
- c. a NUL in the audit trail's filters;
- d. the same consent-form version registered by concurrent requests (the unique
  constraint's refusal was a 500 instead of the 422 a sequential duplicate gets);
- e. an audit entry stored so that it cannot be read (a malformed time, text that is not
  UTF-8, changes that are not JSON or not ``{field: [old, new]}``): the audit, lead and
  screening pages list it as unreadable (test_audit_page_rows.py, both databases).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.screening import leads
from trialdesk.trial.screening.models import ConsentForm
from trialdesk.trial.store.db import Store, open_store
from trialdesk.web import create_app
from webclient import Api, add_staff, client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")

NCT = "NCT06947746"
# Distinctive: seen in a log, they can only have come from the requests below.
MARK = "zq7corpus"
NUMBERS = [
    "²", "١٢", "１２", "12²", "99999999999999999999", "2147483648", "-1", "1e3", " 7 ",
    "0x10", f"{MARK}",
]  # fmt: skip
TEXTS = [f"a\x00{MARK}", f"{MARK}\x00", f"\x07{MARK}", f"{MARK}\u202e", "x" * 65]


@pytest.fixture
def store(db_store: Store) -> Store:
    add_staff(db_store)
    with db_store.transaction() as session:
        leads.store_lead(
            session, study_id=NCT, contact=leads.LeadContact("Corpus Lead", "c@example.org"),
            answers={}, outcome={}, consent_text="ok", consented=True,
            now=datetime.now(UTC),
        )  # fmt: skip
    return db_store


@pytest.fixture
def app(store: Store, studies: dict[str, object]) -> FastAPI:
    return create_app(store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog
    # Every record, tracebacks included: none may carry what the requests sent.
    for record in caplog.records:
        if record.name.startswith(("httpx", "httpcore")):  # the test's own client
            continue
        text = record.getMessage() + (record.exc_text or "") + str(record.exc_info or "")
        assert MARK not in text and "²" not in text and "\x00" not in text, text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


def _not_500(response: object, *where: object) -> int:
    status: int = response.status_code  # type: ignore[attr-defined]
    assert status < 500, (status, *where, response.text[:300])  # type: ignore[attr-defined]
    return status


def test_audit_filters_refuse_odd_numbers_and_text(
    app: FastAPI, logs: pytest.LogCaptureFixture
) -> None:
    for role in ("admin", "monitor"):
        client = client_as(app, role)
        for value in NUMBERS:
            response = client.get("/staff/audit", params={"candidate": value})
            status = _not_500(response, role, value)
            if value.strip() not in ("7",):
                assert status == 422 and "whole number" in response.text, value
        for value in TEXTS:
            status = _not_500(client.get("/staff/audit", params={"actor": value}), role, value)
            # a bidi override is no control character: a name nobody has (200, no rows)
            assert status == (200 if value.endswith("\u202e") else 422), value
        for field in ("since", "until"):
            for value in ("2026-13-01", "²⁰²⁶-01-01", f"2026-01-01\x00{MARK}"):
                response = client.get("/staff/audit", params={field: value})
                assert _not_500(response, field, value) == 422
        assert client.get("/staff/audit", params={"candidate": "7"}).status_code == 200


def test_forms_refuse_odd_version_numbers(app: FastAPI, logs: pytest.LogCaptureFixture) -> None:
    """A form's version field goes through the same reader (forms.number)."""
    client = client_as(app, "coordinator")
    token = csrf_token(client, "/staff/leads/1")
    for value in NUMBERS:
        response = client.post(
            "/staff/leads/1/status",
            data={"csrf_token": token, "status": "contacted", "version": value},
        )
        status = _not_500(response, value)
        # " 7 " is read as 7, a version the lead does not have: refused as stale
        assert status == (409 if value == " 7 " else 422), value


def test_sign_in_with_control_characters_is_a_plain_refusal(
    app: FastAPI, logs: pytest.LogCaptureFixture
) -> None:
    """Anonymous: a NUL in the username was a 500 on PostgreSQL, with two tracebacks."""
    for i, username in enumerate([*TEXTS, "admin\x00", "\x00", "é" * 150, "ADMIN\u0000x"]):
        # a client address of its own each time: the sign-in throttle is not under test
        client = TestClient(app, follow_redirects=False, client=(f"198.51.100.{i + 1}", 1))
        token = csrf_token(client)
        for password in ("wrong password here", f"pass\x00{MARK}"):
            response = client.post(
                "/login",
                data={"username": username, "password": password, "csrf_token": token},
            )
            assert _not_500(response, username) == 401, (username, response.text[:200])
            assert "Wrong username or password" in response.text


def test_concurrent_duplicate_consent_form_versions_are_refused_not_500(
    app: FastAPI, store: Store, db_url: str, studies: dict[str, object]
) -> None:
    """Eight investigators register the same version at once, each through a server of its
    own (as workers are): one is stored, the others refused (409 when the constraint
    refused it, 422 when the check saw it), none a 500."""
    racers = 8
    barrier = threading.Barrier(racers, timeout=60)

    def register(_: int) -> int:
        own = open_store(db_url, migrate=False)
        try:
            api = Api(create_app(own, studies=studies, secret_key=b"k" * 32), "investigator")  # type: ignore[arg-type]
            barrier.wait()
            response = api.post(
                "/api/consent-forms",
                {"study": NCT, "version": "v2.0-race", "effective_on": "2026-01-01"},
            )
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] in ("conflict", "invalid_input"), error
            return response.status_code
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=racers) as pool:
        statuses = list(pool.map(register, range(racers)))
    assert statuses.count(201) == 1 and set(statuses) <= {201, 409, 422}, statuses
    with store.read() as session:
        stored = session.query(ConsentForm).filter_by(version="v2.0-race").count()
    assert stored == 1
