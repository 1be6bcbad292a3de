"""Property-based API tests: schemathesis drives every operation of the OpenAPI schema.

For every endpoint, anonymous and signed in as a coordinator, generated requests (valid
and invalid) must never get a 500, and every response must match the schema: its status
code is documented and its body has the documented shape (the one error shape for errors).

Deterministic: Hypothesis derandomizes (as the repo's "ci" profile does) and the examples
are bounded, so a red build means a change in the app, not a new draw; the file runs in
about 15 seconds. Derandomized draws depend on the test's source, so a boundary the fuzzer
once found (a lead id past SQLite's 64-bit INTEGER: a 500) is pinned as its own test in
test_errors_and_privacy.py.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.screening import leads
from trialdesk.trial.store.db import Store, open_store
from trialdesk.web import create_app
from trialdesk.web.access import Access, access_of, api_routes
from trialdesk.web.app import ROUTERS, bundled_studies
from webclient import PASSWORD, sign_in

NCT = "NCT06947746"


def documented_status(ctx: Any, response: Any, case: schemathesis.Case) -> bool | None:
    """``status_code_conformance``, except for the one known gap: a body that is not JSON
    gets 400 (in the one error shape), which the schema does not list yet. That gap has its
    own failing test, ``test_malformed_json_status_is_documented``."""
    if response.status_code == 400 and _error_code(response) == "bad_request":
        return None
    return status_code_conformance(ctx, response, case)


def _error_code(response: Any) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def _declared(route: APIRoute) -> Access:
    access = access_of(route)
    assert access is not None, route.path
    return access


# Every API operation that is not public, from the routes' own declarations (the access
# matrix test checks those declarations against a table written by hand).
STAFF_ONLY = {
    f"{method} {route.path}"
    for route in api_routes(ROUTERS)
    for method in route.methods or ()
    if route.path.startswith("/api/") and not _declared(route).public
}
CHECKS = [not_a_server_error, documented_status, response_schema_conformance]
FUZZ = settings(
    max_examples=20,  # per operation: 120 operations keep CI under its 30 minutes
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# The schema is loaded at import (schemathesis parametrizes at collection), so the app and
# its store are built here, in a directory removed when the module's tests end.
_TMP = tempfile.TemporaryDirectory(prefix="trialdesk-fuzz-")


def _store() -> Store:
    store = open_store(f"sqlite:///{Path(_TMP.name) / 'fuzz.db'}")
    with store.transaction() as session:
        accounts.create_user(
            session,
            actor="system",
            username="coordinator",
            password=PASSWORD,
            role=Role.COORDINATOR,
            reason="fuzz fixture",
        )
        leads.store_lead(
            session,
            study_id=NCT,
            contact=leads.LeadContact("Fuzz Example", "fuzz@example.org"),
            answers={},
            outcome={"verdict": "may_be_eligible"},
            consent_text="ok",
            consented=True,
            now=datetime.now(UTC),
        )
    return store


STORE = _store()
APP = create_app(STORE, studies=bundled_studies(), secret_key=b"f" * 32)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    STORE.close()
    _TMP.cleanup()


@pytest.fixture(scope="module")
def coordinator() -> dict[str, Any]:
    """The cookies and CSRF header of a signed-in coordinator."""
    with TestClient(APP, follow_redirects=False) as client:
        sign_in(client, "coordinator")
        me = client.get("/api/me")
        assert me.status_code == 200, me.text
        return {
            "cookies": dict(client.cookies.items()),
            "headers": {"X-CSRF-Token": me.json()["csrf_token"]},
        }


def _as_documented(case: schemathesis.Case) -> bool:
    """The case uses the operation's own method (schemathesis also tries others: 405)."""
    return case.method.upper() == case.operation.method.upper()


@schema.parametrize()
@FUZZ
def test_anonymous(case: schemathesis.Case) -> None:
    response = case.call_and_validate(checks=CHECKS)
    if case.operation.label in STAFF_ONLY:
        # 401 as a rule; a body that is not even JSON is refused before sign-in is checked
        assert response.status_code >= 400, response.text
        if _as_documented(case) and case.method.upper() == "GET":
            assert response.status_code == 401, response.text


# Operations a coordinator is refused (403) by design: signing eligibility decisions and
# registering consent form versions are the investigator's.
INVESTIGATOR_ONLY = {
    "POST /api/candidates/{candidate_id}/judgments",
    "POST /api/consent-forms",
    "POST /api/participants/{enrolment_id}/visits/{visit_key}/signature",
}
# submitting an SAE report is the investigator's signature too (issue 14, point 5)
INVESTIGATOR_ONLY.add(
    "POST /api/participants/{enrolment_id}/adverse-events/{event_id}/sae/reports/{report_id}/submit"
)


@schema.parametrize()
@FUZZ
def test_signed_in_coordinator(case: schemathesis.Case, coordinator: dict[str, Any]) -> None:
    response = case.call_and_validate(
        checks=CHECKS, headers=dict(coordinator["headers"]), cookies=dict(coordinator["cookies"])
    )
    if case.operation.label in INVESTIGATOR_ONLY:
        assert response.status_code >= 400, response.text  # a coordinator may not sign
    else:
        assert response.status_code not in (401, 403), response.text  # the sign-in holds
    if case.operation.label == "GET /api/me" and _as_documented(case):
        assert response.json()["username"] == "coordinator"


def test_malformed_json_status_is_documented() -> None:
    """BUG: a JSON body that is not even text (invalid UTF-8) gets 400 in the one error
    shape, but no operation documents 400, so clients generated from the schema do not
    expect it. Add 400 to the error responses of the API router."""
    with TestClient(APP) as client:
        response = client.post(
            f"/api/studies/{NCT}/self-check",
            content=b"\xff\xfe{",
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    operations = APP.openapi()["paths"]
    undocumented = [
        f"{method.upper()} {path}"
        for path, ops in operations.items()
        for method, op in ops.items()
        if "requestBody" in op and "400" not in op["responses"]
    ]
    assert undocumented == [], f"400 is not documented on {undocumented}"


# the safety room (issue 14): causality and the safety review are the investigator's
INVESTIGATOR_ONLY |= {
    "POST /api/participants/{enrolment_id}/adverse-events/{event_id}/causality",
    "POST /api/safety/hold/review",
}

# adverse events proposed by lab grades (issue 14, point 4): decided by the investigator
INVESTIGATOR_ONLY |= {"POST /api/participants/{enrolment_id}/ae-proposals/decisions"}

# protocol deviations (issue 15, point 3): confirmed or dismissed by the investigator only
# (entering one by hand is open to the coordinator)
INVESTIGATOR_ONLY |= {"POST /api/participants/{enrolment_id}/deviations/decisions"}

# source data verification (issue 15, point 2): only the monitor verifies items
INVESTIGATOR_ONLY |= {"POST /api/participants/{enrolment_id}/sdv"}

# queries (issue 15, point 1): raised, closed, cancelled and reopened by the monitor only
# (a coordinator answers them)
INVESTIGATOR_ONLY |= {
    "POST /api/participants/{enrolment_id}/queries",
    "POST /api/queries/{query_id}/close",
    "POST /api/queries/{query_id}/cancel",
    "POST /api/queries/{query_id}/reopen",
}

# casebook sign-off, freezes and the database lock (issue 15, points 4 and 5): casebooks
# signed by the investigator, freezes and the lock by the data manager
INVESTIGATOR_ONLY |= {
    "POST /api/casebooks/signature",
    "POST /api/lock",
    "POST /api/lock/unlock",
    "POST /api/participants/{enrolment_id}/freezes",
    "POST /api/participants/{enrolment_id}/freezes/{freeze_id}/thaw",
}
