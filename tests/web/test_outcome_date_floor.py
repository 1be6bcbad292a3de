"""An outcome dated 0001-01-01 (or any day before 1900) is refused naming the field ``on``,
from the screening page (its dry run and its confirmation) and from the API; it answered
500 (OverflowError: the day's start at the site, UTC+08:00, is before year 1 in UTC)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from trialdesk.trial.screening.models import Candidate, CandidateStatus
from trialdesk.trial.store.db import Store
from webclient import Api, client_as, csrf_token

EXAMPLE = Path(__file__).parents[2] / "examples" / "03-incomplete-no-labs.json"
STUDY = "NCT06947746"
TOO_EARLY = ("0001-01-01", "1899-12-31")


def _candidate(client: TestClient) -> tuple[int, str]:
    token = csrf_token(client, "/staff/candidates")
    response = client.post(
        "/staff/candidates/upload",
        data={"study": STUDY, "csrf_token": token},
        files={"file": (EXAMPLE.name, EXAMPLE.read_bytes(), "application/fhir+json")},
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/staff/candidates/(\d+)", response.headers["location"])
    assert found
    cid = int(found.group(1))
    version = re.search(
        r'name="version" value="(\d+)"', client.get(f"/staff/candidates/{cid}").text
    )
    assert version
    return cid, version.group(1)


def _status(store: Store, cid: int) -> CandidateStatus:
    with store.read() as session:
        return session.scalars(select(Candidate.status).where(Candidate.id == cid)).one()


@pytest.mark.parametrize("on", TOO_EARLY)
@pytest.mark.parametrize("confirmed", ["", "yes"])
def test_the_page_refuses_an_outcome_before_1900(
    app: FastAPI, store: Store, on: str, confirmed: str
) -> None:
    client = client_as(app, "coordinator")
    cid, version = _candidate(client)
    form = {"form": "outcome", "version": version, "outcome": "decline", "reason": "moved",
            "on": on, "confirmed": confirmed}  # fmt: skip
    token = csrf_token(client, "/staff/candidates")
    r = client.post(f"/staff/candidates/{cid}/outcome", data={**form, "csrf_token": token})
    assert r.status_code == 422, r.text[:300]
    assert "before 1900" in r.text and "Confirm:" not in r.text
    assert _status(store, cid) is CandidateStatus.SCREENING


@pytest.mark.parametrize("outcome", ["decline", "screen_fail", "enrol"])
def test_the_api_refuses_an_outcome_before_1900_naming_on(
    app: FastAPI, store: Store, outcome: str
) -> None:
    coordinator = Api(app, "coordinator")
    cid, version = _candidate(coordinator.client)
    body = {"outcome": outcome, "version": int(version), "reason": "moved", "on": "0001-01-01"}
    r = coordinator.post(f"/api/candidates/{cid}/outcome", body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["field"] == "on" and "before 1900" in error["message"]
    assert _status(store, cid) is CandidateStatus.SCREENING
