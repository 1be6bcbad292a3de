"""A second study on the web with no code change: tests/data/studies/NCT09900001 declares a
study eye and dates named entry and day1. Its candidates' pages, the API and the
screening log take and show them as the study declares them, and the study eye decides
the study-eye exclusion on the checklist."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from fhirbuild import bundle, patient, procedure, to_bytes
from trialdesk.study.loader import load_study
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.store.db import Store
from trialdesk.web import create_app
from webclient import add_staff, client_as, csrf_token

FOLDER = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"
EYE_STUDY = load_study(str(FOLDER))
NCT = EYE_STUDY.id
RIGHT_EYE = ("snomed", "18944008", "Right eye structure")
IVT = "67028"  # CPT: intravitreal injection (tests/study/test_eye_study.py)


@pytest.fixture
def app(store: Store) -> FastAPI:
    add_staff(store)
    return create_app(store, studies={NCT: EYE_STUDY}, secret_key=b"k" * 32)


def uploaded(app: FastAPI) -> tuple[int, TestClient]:
    """A candidate with a right-eye injection on 2026-01-20, through the API."""
    client = client_as(app, "coordinator")
    token = client.get("/api/me").json()["csrf_token"]
    record = bundle(patient("1950-01-01"), procedure(IVT, "2026-01-20", "cpt", body_site=RIGHT_EYE))
    response = client.post(
        "/api/candidates/fhir",
        params={"study": NCT, "filename": "eye.json"},
        content=to_bytes(record),
        headers={"Content-Type": "application/fhir+json", "X-CSRF-Token": token},
    )
    assert response.status_code == 201, response.text
    [candidate] = response.json()
    return candidate["id"], client


def test_the_api_takes_and_shows_the_study_s_own_dates_and_parameter(app: FastAPI) -> None:
    cid, client = uploaded(app)
    token = client.get("/api/me").json()["csrf_token"]
    base = f"/api/candidates/{cid}"
    sheet = client.get(base).json()
    assert {"entry_date", "day1_date"} <= set(sheet)
    assert {"entry_date", "day1_date", "target_eye"} <= set(sheet["candidate"])
    assert "screening_date" not in sheet and "target_knee" not in sheet["candidate"]

    def patch(body: dict[str, object]) -> Response:
        return client.patch(base, json=body, headers={"X-CSRF-Token": token})

    version = sheet["candidate"]["version"]
    refused = patch({"version": version, "target_knee": "right"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "target_knee"
    refused = patch({"version": version, "target_eye": "middle"})
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "target_eye"
    details = {"entry_date": "2026-03-02", "day1_date": "2026-03-09", "target_eye": "right"}
    changed = patch({"version": version, **details})
    assert changed.status_code == 200, changed.text
    assert {k: changed.json()[k] for k in details} == details
    criteria = {c["id"]: c for c in client.get(base).json()["criteria"]}
    e1 = criteria["E1"]
    assert e1["status"] == "met"  # an injection in the study eye 7 weeks before day 1
    assert any("right eye, the study eye" in e["note"] for e in e1["evidence"]), e1


def test_the_page_offers_the_study_eye_and_the_log_shows_its_dates(app: FastAPI) -> None:
    cid, client = uploaded(app)
    page = client.get(f"/staff/candidates/{cid}").text
    assert 'name="entry_date"' in page and 'name="day1_date"' in page
    assert 'name="target_eye"' in page and "Study eye" in page and "Save dates and eye" in page
    assert "target_knee" not in page and "screening_date" not in page
    posted = client.post(
        f"/staff/candidates/{cid}/details",
        data={
            "csrf_token": csrf_token(client),
            "entry_date": "2026-03-02",
            "day1_date": "2026-03-01",
            "target_eye": "left",
        },
    )
    assert posted.status_code == 422 and "before the entry date" in posted.text
    log = client.get(f"/staff/screening-log.csv?study={NCT}").text
    header = next(csv.reader(io.StringIO(log)))
    assert "entry_date" in header and "day1_date" in header
    assert "screening_date" not in header


def test_a_candidate_of_a_study_not_served_here_is_still_listed(app: FastAPI, store: Store) -> None:
    default = load_study("NCT06947746")
    with store.transaction() as session:
        other = cands.add_candidate(
            session, actor="coord", study_id=default.id, person=cands.NewCandidate("Li Na"),
            now=datetime(2026, 3, 2, 9, tzinfo=UTC),
        )  # fmt: skip
        cands.set_screening_details(
            session, actor="coord", study=default, candidate_id=other.id, expected_version=None,
            dates={"screening": date(2026, 3, 2)}, parameters={"target_knee": "left"},
            reason=None, now=datetime(2026, 3, 2, 10, tzinfo=UTC),
        )  # fmt: skip
    client = client_as(app, "coordinator")
    listed = client.get("/api/candidates")
    assert listed.status_code == 200, listed.text
    shown = next(c for c in listed.json() if c["id"] == other.id)
    assert (shown["screening_date"], shown["target_knee"]) == ("2026-03-02", "left")


def test_a_value_the_study_does_not_declare_is_kept_and_needs_no_reason(store: Store) -> None:
    """Migration 0005 moved every candidate's knee into their parameters; for a study that
    declares no knee it stays as it was, and setting the study's own values needs no
    reason on its account."""
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with store.transaction() as session:
        c = cands.add_candidate(
            session, actor="coord", study_id=NCT, person=cands.NewCandidate("Wu Lei"), now=now
        )
        c.parameters = {"target_knee": "right"}  # as 0005 leaves it
    with store.transaction() as session:
        changed = cands.set_screening_details(
            session, actor="coord", study=EYE_STUDY, candidate_id=c.id, expected_version=None,
            dates={"entry": date(2026, 3, 2)}, parameters={"target_eye": "left"},
            reason=None, now=now,
        )  # fmt: skip
        assert changed.parameters == {"target_knee": "right", "target_eye": "left"}
