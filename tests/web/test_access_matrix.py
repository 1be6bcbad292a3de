"""Every route × every role (and anonymous) gets exactly the access intended.

The intended access is written out here, independently of the routes' own declarations,
and the test fails if the app has a route this table does not list (or the reverse).
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.screening import leads
from trialdesk.trial.store.db import Store
from trialdesk.web.access import access_of, api_routes
from trialdesk.web.app import ROUTERS
from webclient import ROLES, client_as, csrf_token

PUBLIC = "public"
# What each role may do, as the issues state it: admins manage accounts and read the audit
# trail (no clinical data); investigators and coordinators work leads and candidates, and
# only investigators sign judgments and register consent forms; monitors only read.
GRANTS = {
    "admin": {"view_staff", "manage_users", "view_audit", "view_leads"},
    "investigator": {
        "view_staff", "view_leads", "edit_leads", "sign_eligibility", "view_candidates",
        "edit_candidates", "manage_consent_forms", "view_participants", "edit_visits",
        "sign_visits", "sign_causality", "sign_safety_review",
    },
    "coordinator": {"view_staff", "view_leads", "edit_leads", "view_candidates", "edit_candidates",
                    "view_participants", "edit_visits"},
    "monitor": {"view_staff", "view_leads", "view_audit", "view_candidates", "view_participants"},
}  # fmt: skip
INTENDED = {
    ("GET", "/"): PUBLIC,
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/studies/{nct_id}"): PUBLIC,
    ("GET", "/studies/{nct_id}/self-check"): PUBLIC,
    ("POST", "/studies/{nct_id}/self-check"): PUBLIC,
    ("POST", "/studies/{nct_id}/self-check/contact"): PUBLIC,
    ("GET", "/studies/{nct_id}/self-check/thanks"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/setup/{token}"): PUBLIC,
    ("POST", "/setup/{token}"): PUBLIC,
    ("GET", "/api/studies"): PUBLIC,
    ("GET", "/api/studies/{nct_id}"): PUBLIC,
    ("GET", "/api/studies/{nct_id}/self-check"): PUBLIC,
    ("POST", "/api/studies/{nct_id}/self-check"): PUBLIC,
    ("POST", "/api/studies/{nct_id}/leads"): PUBLIC,
    ("GET", "/staff"): "view_staff",
    ("GET", "/api/me"): "view_staff",
    ("GET", "/staff/leads"): "view_leads",
    ("GET", "/staff/leads/{lead_id}"): "view_leads",
    ("GET", "/api/leads"): "view_leads",
    ("GET", "/api/leads/{lead_id}"): "view_leads",
    ("POST", "/staff/leads/{lead_id}/status"): "edit_leads",
    ("PATCH", "/api/leads/{lead_id}"): "edit_leads",
    ("POST", "/staff/leads/{lead_id}/erase"): "edit_leads",  # erasure on request (issue 18)
    ("POST", "/api/leads/{lead_id}/erase"): "edit_leads",
    ("GET", "/staff/audit"): "view_audit",
    ("GET", "/admin/users"): "manage_users",
    ("POST", "/admin/users"): "manage_users",
    ("POST", "/admin/users/{user_id}"): "manage_users",
    # one's own password, and what waits for an investigator's signature (issue 17)
    ("GET", "/staff/password"): "view_staff",
    ("POST", "/staff/password"): "view_staff",
    ("GET", "/staff/signatures"): "sign_eligibility",
    ("GET", "/staff/signatures/candidates/{candidate_id}"): "sign_eligibility",
    ("POST", "/staff/signatures/candidates/{candidate_id}"): "sign_eligibility",
    # the screening workflow (issue 5)
    ("GET", "/staff/candidates"): "view_candidates",
    ("GET", "/staff/candidates/{candidate_id}"): "view_candidates",
    ("GET", "/staff/screening-log"): "view_candidates",
    ("GET", "/staff/screening-log.csv"): "view_candidates",
    ("GET", "/staff/screening-log/consort.svg"): "view_candidates",
    ("GET", "/staff/consent-forms"): "view_candidates",
    ("GET", "/api/candidates"): "view_candidates",
    ("GET", "/api/candidates/{candidate_id}"): "view_candidates",
    ("GET", "/api/screening-log"): "view_candidates",
    ("GET", "/api/consent-forms"): "view_candidates",
    ("POST", "/staff/candidates"): "edit_candidates",
    ("POST", "/staff/candidates/upload"): "edit_candidates",
    ("POST", "/staff/candidates/feasibility"): "edit_candidates",
    ("POST", "/staff/leads/{lead_id}/candidate"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/details"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/identity"): "edit_candidates",
    ("PUT", "/api/candidates/{candidate_id}/identity"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/facts"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/facts/{fact_id}/retract"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/consent"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/outcome"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/withdraw"): "edit_candidates",
    ("POST", "/api/candidates"): "edit_candidates",
    ("POST", "/api/candidates/fhir"): "edit_candidates",
    ("POST", "/api/candidates/feasibility"): "edit_candidates",
    ("POST", "/api/leads/{lead_id}/candidate"): "edit_candidates",
    ("PATCH", "/api/candidates/{candidate_id}"): "edit_candidates",
    ("POST", "/api/candidates/{candidate_id}/facts"): "edit_candidates",
    ("POST", "/api/candidates/{candidate_id}/facts/{fact_id}/retract"): "edit_candidates",
    ("POST", "/api/candidates/{candidate_id}/consent"): "edit_candidates",
    ("POST", "/api/candidates/{candidate_id}/outcome"): "edit_candidates",
    ("POST", "/api/candidates/{candidate_id}/withdraw"): "edit_candidates",
    ("POST", "/staff/candidates/{candidate_id}/judgments"): "sign_eligibility",
    ("POST", "/api/candidates/{candidate_id}/judgments"): "sign_eligibility",
    # the conduct room's pages (issue 13)
    ("GET", "/staff/participants"): "view_participants",
    ("GET", "/staff/participants/{enrolment_id}"): "view_participants",
    ("GET", "/staff/participants/{enrolment_id}/visits/{visit_key}"): "view_participants",
    ("GET", "/staff/participants/{enrolment_id}/visits/{visit_key}/forms/{form_id}"): (
        "view_participants"
    ),
    ("GET", "/staff/participants/{enrolment_id}/logs/{form_id}"): "view_participants",
    ("GET", "/staff/participants/{enrolment_id}/logs/{form_id}/{row}"): "view_participants",
    ("POST", "/staff/participants/{enrolment_id}/end"): "edit_visits",
    ("POST", "/staff/participants/{enrolment_id}/visits/{visit_key}/date"): "edit_visits",
    ("POST", "/staff/participants/{enrolment_id}/visits/{visit_key}/missed"): "edit_visits",
    ("POST", "/staff/participants/{enrolment_id}/visits/{visit_key}/forms/{form_id}"): (
        "edit_visits"
    ),
    ("POST", "/staff/participants/{enrolment_id}/logs/{form_id}"): "edit_visits",
    ("POST", "/staff/participants/{enrolment_id}/logs/{form_id}/{row}"): "edit_visits",
    ("POST", "/staff/participants/{enrolment_id}/visits/{visit_key}/signature"): "sign_visits",
    ("POST", "/staff/consent-forms"): "manage_consent_forms",
    ("POST", "/api/consent-forms"): "manage_consent_forms",
    # following participants (issue 13): the conduct room's API
    ("GET", "/api/participants"): "view_participants",
    ("GET", "/api/participants/dashboard"): "view_participants",
    ("GET", "/api/participants/{enrolment_id}"): "view_participants",
    ("GET", "/api/participants/{enrolment_id}/visits/{visit_key}"): "view_participants",
    (
        "GET",
        "/api/participants/{enrolment_id}/visits/{visit_key}/forms/{form_id}",
    ): "view_participants",
    ("GET", "/api/participants/{enrolment_id}/logs/{form_id}"): "view_participants",
    ("PUT", "/api/participants/{enrolment_id}/visits/{visit_key}/forms/{form_id}"): "edit_visits",
    ("PUT", "/api/participants/{enrolment_id}/visits/{visit_key}/date"): "edit_visits",
    ("POST", "/api/participants/{enrolment_id}/visits/{visit_key}/missed"): "edit_visits",
    ("POST", "/api/participants/{enrolment_id}/logs/{form_id}"): "edit_visits",
    ("PUT", "/api/participants/{enrolment_id}/logs/{form_id}/{row}"): "edit_visits",
    ("POST", "/api/participants/{enrolment_id}/end"): "edit_visits",
    ("POST", "/api/participants/{enrolment_id}/visits/{visit_key}/signature"): "sign_visits",
}
SAMPLE = {
    "nct_id": "NCT06947746", "lead_id": "1", "user_id": "1", "token": "not-a-token",
    "candidate_id": "1", "fact_id": "1",
    "enrolment_id": "1", "visit_key": "W4", "form_id": "vital_signs", "row": "1",
}  # fmt: skip


def _routes() -> set[tuple[str, str]]:
    return {(m, r.path) for r in api_routes(ROUTERS) for m in r.methods or ()}


def test_table_lists_every_route(app: FastAPI) -> None:
    assert _routes() == set(INTENDED)
    # and every one of them answers in the app (none is declared but not mounted)
    schema_paths = set(app.openapi()["paths"])
    assert {p for m, p in INTENDED if p.startswith("/api/")} == schema_paths


def test_declarations_match_the_table() -> None:
    for route in api_routes(ROUTERS):
        for method in route.methods or ():
            assert str(access_of(route)) == INTENDED[(method, route.path)], route.path


def _lead(store: Store) -> None:
    with store.transaction() as session:
        leads.store_lead(
            session,
            study_id="NCT06947746",
            contact=leads.LeadContact("Ada Example", "ada@example.org", None, None),
            answers={},
            outcome={"verdict": "may_be_eligible"},
            consent_text="ok",
            consented=True,
            now=_now(),
        )


def _now():  # noqa: ANN202
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _request(client: TestClient, method: str, path: str) -> int:
    url = path.format(**SAMPLE)
    if method == "GET":
        return client.get(url).status_code
    token = csrf_token(client)
    if path.startswith("/api/"):
        response = client.request(method, url, json={}, headers={"X-CSRF-Token": token})
    else:
        response = client.request(method, url, data={"csrf_token": token})
    return response.status_code


@pytest.mark.parametrize("role", [None, *ROLES], ids=lambda r: r or "anonymous")
def test_every_route_for_every_role(app: FastAPI, store: Store, role: str | None) -> None:
    _lead(store)
    checked = 0
    client = client_as(app, role)
    for (method, path), needed in sorted(INTENDED.items()):
        if path == "/logout":
            continue  # ends the session the rest of the loop uses; see test_logout
        status = _request(client, method, path)
        allowed = needed == PUBLIC or (role is not None and needed in GRANTS[role])
        if allowed:
            assert status not in (401, 403), (role, method, path, status)
        elif role is None:
            expected = 401 if path.startswith("/api/") else 303
            assert status == expected, (role, method, path, status)
        else:
            assert status == 403, (role, method, path, status)
        checked += 1
    assert checked == len(INTENDED) - 1


def test_grants_table_matches_the_roles_module() -> None:
    from trialdesk.trial.accounts.roles import ROLE_PERMISSIONS, Role

    assert {r.value: {p.value for p in ROLE_PERMISSIONS[r]} for r in Role} == GRANTS


def test_logout_ends_the_session(app: FastAPI) -> None:
    client = client_as(app, "coordinator")
    assert client.get("/staff").status_code == 200
    assert _request(client, "POST", "/logout") == 303
    assert client.get("/staff").status_code == 303


# adverse events proposed by lab grades (issue 14, point 4): read with the safety data,
# decided by the investigator only
GRANTS["investigator"] |= {"decide_ae_proposals", "view_safety"}
GRANTS["coordinator"] |= {"view_safety"}
GRANTS["monitor"] |= {"view_safety"}
INTENDED.update(
    {
        ("GET", "/staff/participants/{enrolment_id}/proposals"): "view_safety",
        ("GET", "/staff/participants/{enrolment_id}/proposals/section"): "view_safety",
        ("POST", "/staff/participants/{enrolment_id}/proposals"): "decide_ae_proposals",
        ("GET", "/api/participants/{enrolment_id}/ae-proposals"): "view_safety",
        ("POST", "/api/participants/{enrolment_id}/ae-proposals/decisions"): (
            "decide_ae_proposals"
        ),
    }
)

# the safety room (issue 14, points 1, 2, 6, 7): adverse events read by the study team and
# the monitor, recorded by investigators and coordinators; causality and the safety review
# signed by the investigator only
for _role in ("investigator", "coordinator", "monitor"):
    GRANTS[_role] |= {"view_safety"}
for _role in ("investigator", "coordinator"):
    GRANTS[_role] |= {"record_adverse_events"}
SAMPLE["event_id"] = "1"
INTENDED.update(
    {
        ("GET", "/staff/participants/{enrolment_id}/adverse-events"): "view_safety",
        ("GET", "/staff/participants/{enrolment_id}/adverse-events/{event_id}"): "view_safety",
        ("GET", "/staff/safety"): "view_safety",
        ("GET", "/staff/safety/adverse-events.csv"): "view_safety",
        ("GET", "/staff/safety/hold"): "view_safety",
        ("POST", "/staff/participants/{enrolment_id}/adverse-events"): "record_adverse_events",
        ("POST", "/staff/participants/{enrolment_id}/adverse-events/{event_id}"): (
            "record_adverse_events"
        ),
        ("POST", "/staff/participants/{enrolment_id}/adverse-events/{event_id}/causality"): (
            "sign_causality"
        ),
        ("POST", "/staff/safety/hold/review"): "sign_safety_review",
        ("GET", "/api/participants/{enrolment_id}/adverse-events"): "view_safety",
        ("GET", "/api/participants/{enrolment_id}/adverse-events/{event_id}"): "view_safety",
        ("GET", "/api/safety/adverse-events"): "view_safety",
        ("GET", "/api/safety/adverse-events.csv"): "view_safety",
        ("GET", "/api/safety/hold"): "view_safety",
        ("GET", "/api/safety/ctcae-terms"): "view_safety",
        ("POST", "/api/participants/{enrolment_id}/adverse-events"): "record_adverse_events",
        ("PUT", "/api/participants/{enrolment_id}/adverse-events/{event_id}"): (
            "record_adverse_events"
        ),
        ("POST", "/api/participants/{enrolment_id}/adverse-events/{event_id}/causality"): (
            "sign_causality"
        ),
        ("POST", "/api/safety/hold/review"): "sign_safety_review",
    }
)

# serious adverse event reports and their 24-hour clock (issue 14, point 5): read with the
# safety data, drafted by those who record events, submitted by the investigator only
SAMPLE["report_id"] = "1"
_SAE = "/staff/participants/{enrolment_id}/adverse-events/{event_id}/sae"
_SAE_API = "/api/participants/{enrolment_id}/adverse-events/{event_id}/sae"
INTENDED.update(
    {
        ("GET", _SAE): "view_safety",
        ("POST", _SAE + "/reports"): "record_adverse_events",
        ("GET", _SAE + "/reports/{report_id}"): "view_safety",
        ("POST", _SAE + "/reports/{report_id}"): "record_adverse_events",
        ("GET", _SAE + "/reports/{report_id}/submit"): "sign_causality",
        ("POST", _SAE + "/reports/{report_id}/submit"): "sign_causality",
        ("GET", _SAE + "/reports/{report_id}/cioms"): "view_safety",
        ("GET", _SAE + "/reports/{report_id}/cioms.pdf"): "view_safety",
        ("GET", _SAE_API): "view_safety",
        ("POST", _SAE_API + "/reports"): "record_adverse_events",
        ("GET", _SAE_API + "/reports/{report_id}"): "view_safety",
        ("PUT", _SAE_API + "/reports/{report_id}"): "record_adverse_events",
        ("POST", _SAE_API + "/reports/{report_id}/submit"): "sign_causality",
        ("GET", _SAE_API + "/reports/{report_id}/cioms"): "view_safety",
        ("GET", "/api/safety/sae-clocks"): "view_safety",
    }
)

# the alert outbox's notifications (issue 14, point 5): read by whoever reads safety data
for _role in ("investigator", "coordinator", "monitor"):
    GRANTS[_role] |= {"view_safety"}
INTENDED.update(
    {
        ("GET", "/staff/notifications"): "view_safety",
        ("GET", "/api/notifications"): "view_safety",
    }
)


# data review (issue 15): the monitor raises queries and verifies against the source, the
# site answers, the investigator decides deviations; anyone on the study may record one
GRANTS["investigator"] |= {"answer_queries", "record_deviations", "decide_deviations"}
GRANTS["coordinator"] |= {"answer_queries", "record_deviations"}
GRANTS["monitor"] |= {"raise_queries", "verify_source", "record_deviations"}

# protocol deviations (issue 15, point 3): read by the study team and the monitor, entered
# by hand by any of them, decided by the investigator only
INTENDED.update(
    {
        ("GET", "/staff/deviations"): "view_participants",
        ("GET", "/staff/participants/{enrolment_id}/deviations"): "view_participants",
        ("POST", "/staff/participants/{enrolment_id}/deviations"): "record_deviations",
        ("POST", "/staff/participants/{enrolment_id}/deviations/decisions"): "decide_deviations",
        ("GET", "/api/deviations"): "view_participants",
        ("GET", "/api/participants/{enrolment_id}/deviations"): "view_participants",
        ("POST", "/api/participants/{enrolment_id}/deviations"): "record_deviations",
        ("POST", "/api/participants/{enrolment_id}/deviations/decisions"): "decide_deviations",
    }
)

# source data verification (issue 15, point 2): progress read by the study team and the
# monitor, items verified by the monitor only
INTENDED.update(
    {
        ("GET", "/staff/sdv"): "view_participants",
        ("GET", "/staff/participants/{enrolment_id}/sdv"): "view_participants",
        ("POST", "/staff/participants/{enrolment_id}/sdv"): "verify_source",
        ("GET", "/api/sdv"): "view_participants",
        ("GET", "/api/participants/{enrolment_id}/sdv"): "view_participants",
        ("POST", "/api/participants/{enrolment_id}/sdv"): "verify_source",
    }
)

# queries (issue 15, point 1): read with the participants; raised, closed, cancelled and
# reopened by the monitor; answered by the coordinator and the investigator
SAMPLE["query_id"] = "1"
INTENDED.update(
    {
        ("GET", "/staff/queries"): "view_participants",
        ("GET", "/staff/queries/{query_id}"): "view_participants",
        ("GET", "/staff/participants/{enrolment_id}/queries"): "view_participants",
        ("POST", "/staff/participants/{enrolment_id}/queries"): "raise_queries",
        ("POST", "/staff/queries/{query_id}/reply"): "answer_queries",
        ("POST", "/staff/queries/{query_id}/close"): "raise_queries",
        ("POST", "/staff/queries/{query_id}/cancel"): "raise_queries",
        ("POST", "/staff/queries/{query_id}/reopen"): "raise_queries",
        ("GET", "/api/queries"): "view_participants",
        ("GET", "/api/queries/counts"): "view_participants",
        ("GET", "/api/queries/{query_id}"): "view_participants",
        ("GET", "/api/participants/{enrolment_id}/queries"): "view_participants",
        ("POST", "/api/participants/{enrolment_id}/queries"): "raise_queries",
        ("POST", "/api/queries/{query_id}/replies"): "answer_queries",
        ("POST", "/api/queries/{query_id}/close"): "raise_queries",
        ("POST", "/api/queries/{query_id}/cancel"): "raise_queries",
        ("POST", "/api/queries/{query_id}/reopen"): "raise_queries",
    }
)


# casebook sign-off, freezes and the database lock (issue 15, points 4 and 5): read with the
# participants; casebooks signed by the investigator; freezes and the lock by the data
# manager, who reads what the monitor reads, queries, and enters nothing clinical
GRANTS["investigator"] |= {"sign_casebooks"}
GRANTS["data_manager"] = {
    "view_staff", "view_audit", "view_candidates", "view_participants", "view_safety",
    "raise_queries", "freeze_data", "lock_database",
}  # fmt: skip
SAMPLE["freeze_id"] = "1"
INTENDED.update(
    {
        ("GET", "/staff/lock"): "view_participants",
        ("POST", "/staff/lock"): "lock_database",
        ("POST", "/staff/lock/unlock"): "lock_database",
        ("POST", "/staff/lock/casebooks"): "sign_casebooks",
        ("POST", "/staff/participants/{enrolment_id}/freezes"): "freeze_data",
        ("POST", "/staff/participants/{enrolment_id}/freezes/{freeze_id}/thaw"): "freeze_data",
        ("GET", "/api/lock"): "view_participants",
        ("POST", "/api/lock"): "lock_database",
        ("POST", "/api/lock/unlock"): "lock_database",
        ("GET", "/api/casebooks"): "view_participants",
        ("POST", "/api/casebooks/signature"): "sign_casebooks",
        ("GET", "/api/participants/{enrolment_id}/freezes"): "view_participants",
        ("POST", "/api/participants/{enrolment_id}/freezes"): "freeze_data",
        ("POST", "/api/participants/{enrolment_id}/freezes/{freeze_id}/thaw"): "freeze_data",
    }
)

# what stays writable while the study's database is locked: sign-in and out, accounts, the
# public self-check (it stores nothing), and the lock itself
WHILE_LOCKED = {"manage_users", "lock_database"}
PUBLIC_WRITES_THAT_STORE = {
    ("POST", "/studies/{nct_id}/self-check/contact"),
    ("POST", "/api/studies/{nct_id}/leads"),
}


def _lock_the_study(store: Store) -> None:
    """The default study locked as the store knows it (the head's lock state, as the lock
    service leaves it: the service itself is tested in tests/trial/test_database_lock.py)."""
    from trialdesk.trial.store import audit

    with store.transaction() as session:
        audit.set_study_locked(session, "NCT06947746", True)


@pytest.mark.parametrize("role", ROLES)
def test_every_write_route_answers_study_locked_once_locked(
    app: FastAPI, store: Store, role: str
) -> None:
    """Every write route × every role, locked: a role the route is not for is still
    refused (403); every other gets the one named error, 409 ``study_locked``, before its
    input is read. Reads go on."""
    _lead(store)
    _lock_the_study(store)
    client = client_as(app, role)
    checked = 0
    for (method, path), needed in sorted(INTENDED.items()):
        if method == "GET" or needed == PUBLIC or path == "/logout":
            continue
        status, code = _request_code(client, method, path)
        if needed not in GRANTS[role]:
            assert status == 403, (role, method, path, status)
        elif needed in WHILE_LOCKED or (method, path) in OWN_ACCOUNT_WRITES:
            assert code != "study_locked", (role, method, path, status)
        else:
            assert (status, code) == (409, "study_locked"), (role, method, path, status, code)
        checked += 1
    assert checked > 60
    if "view_participants" in GRANTS[role]:
        assert client.get("/staff/lock").status_code == 200


def test_a_contact_request_to_a_locked_study_is_refused_by_the_store(
    app: FastAPI, store: Store
) -> None:
    _lock_the_study(store)
    client = client_as(app, None)
    for method, path in sorted(PUBLIC_WRITES_THAT_STORE):
        status, code = _request_code(client, method, path)
        assert status in (409, 422), (path, status)  # 422: the empty form is read first


def _request_code(client: TestClient, method: str, path: str) -> tuple[int, str | None]:
    url = path.format(**SAMPLE)
    token = csrf_token(client)
    if path.startswith("/api/"):
        response = client.request(method, url, json={}, headers={"X-CSRF-Token": token})
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.status_code, response.json().get("error", {}).get("code")
        return response.status_code, None
    response = client.request(method, url, data={"csrf_token": token})
    code = "study_locked" if "is locked: nothing can change" in response.text else None
    return response.status_code, code


# the CDISC submission package (issue 16): downloaded by the data manager only; the study
# team and the monitor read the data in the app but do not take everyone's data away
GRANTS["data_manager"] |= {"export_data"}
INTENDED.update(
    {
        ("GET", "/staff/exports"): "export_data",
        ("GET", "/staff/exports/sdtm.zip"): "export_data",
        ("GET", "/staff/exports/adam.zip"): "export_data",
    }
)

# the week-24 report (issue 16, point 4): read, with its PDF and JSON, by whoever reads
# every participant's data (the monitor reads for the sponsor: there is no sponsor role)
INTENDED.update(
    {
        ("GET", "/staff/report/week24"): "view_participants",
        ("GET", "/staff/report/week24.css"): "view_participants",
        ("GET", "/staff/report/week24.pdf"): "view_participants",
        ("GET", "/staff/report/week24.json"): "view_participants",
    }
)


# accounts (issue 17, point 8): the second step of signing in (public); one's own
# two-step sign-in (authenticator app); an administrator's reset of a password (to a
# temporary one) and of a lost second factor
INTENDED.update(
    {
        ("GET", "/login/code"): PUBLIC,
        ("POST", "/login/code"): PUBLIC,
        ("GET", "/staff/second-factor"): "view_staff",
        ("POST", "/staff/second-factor/start"): "view_staff",
        ("POST", "/staff/second-factor/confirm"): "view_staff",
        ("POST", "/staff/second-factor/recovery-codes"): "view_staff",
        ("POST", "/staff/second-factor/off"): "view_staff",
        ("POST", "/admin/users/{user_id}/password"): "manage_users",
        ("POST", "/admin/users/{user_id}/second-factor/reset"): "manage_users",
    }
)
# one's own account is not study data: it stays writable while a study is locked
OWN_ACCOUNT_WRITES = {
    ("POST", "/staff/password"),
    ("POST", "/staff/second-factor/start"),
    ("POST", "/staff/second-factor/confirm"),
    ("POST", "/staff/second-factor/recovery-codes"),
    ("POST", "/staff/second-factor/off"),
}


# the staff shell (issue 17, D21 and D28): the audit trail's CSV, the API's docs page
INTENDED.update(
    {
        ("GET", "/staff/audit.csv"): "view_audit",
        ("GET", "/staff/api-docs"): "view_staff",
    }
)
