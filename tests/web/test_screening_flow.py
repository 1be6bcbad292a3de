"""The screening workflow through the pages, as a coordinator and an investigator do it:
upload a FHIR record, set the dates, record consent, sign the judgment criteria, enrol."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.screening.trail import candidate_trail
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from webclient import PASSWORD, client_as, csrf_token

EXAMPLES = Path(__file__).parents[2] / "examples"
STUDY = "NCT06947746"
# ex-01 needs the investigator on these (examples/README.md)
JUDGED = {"I4": "met", "E2": "not_met", "E21": "not_met", "E25": "not_met", "E26": "not_met",
          "E28": "not_met"}  # fmt: skip


def upload(client: TestClient, name: str) -> int:
    token = csrf_token(client, "/staff/candidates")
    data = (EXAMPLES / name).read_bytes()
    response = client.post(
        "/staff/candidates/upload",
        data={"study": STUDY, "csrf_token": token},
        files={"file": (name, data, "application/fhir+json")},
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/staff/candidates/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def post(client: TestClient, path: str, **form: str) -> object:
    token = csrf_token(client, path.rsplit("/", 1)[0] if path.count("/") > 3 else path)
    return client.post(path, data={**form, "csrf_token": token})


def page(client: TestClient, cid: int) -> str:
    response = client.get(f"/staff/candidates/{cid}")
    assert response.status_code == 200
    return response.text


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def bases_of(html: str) -> dict[str, str]:
    pattern = (
        r'name="criterion" value="([A-Z0-9]+)">\s*'
        r'<input type="hidden" name="basis" value="([0-9a-f]{64})"'
    )
    return dict(re.findall(pattern, html))


@pytest.fixture
def coordinator(app: FastAPI) -> TestClient:
    return client_as(app, "coordinator")


@pytest.fixture
def investigator(app: FastAPI) -> TestClient:
    return client_as(app, "investigator")


def ready(coordinator: TestClient, investigator: TestClient) -> int:
    """ex-01 uploaded, dated, consented, its judgment criteria signed: eligible."""
    cid = upload(coordinator, "01-eligible-looking.json")
    html = page(coordinator, cid)
    assert "needs review" in html
    r = post(coordinator, f"/staff/candidates/{cid}/details", version=version_of(html),
             screening_date="2026-03-02", baseline_date="2026-03-16", target_knee="right",
             reason="screening visit booked")  # fmt: skip
    assert r.status_code == 303  # type: ignore[attr-defined]
    r = post(investigator, "/staff/consent-forms", study=STUDY, version="1.0",
             effective_on="2026-01-01")  # fmt: skip
    assert r.status_code == 303  # type: ignore[attr-defined]
    r = post(coordinator, f"/staff/candidates/{cid}/consent", form_version="1.0",
             consented_at="2026-02-27T09:30", obtained_by="Dr. Lin Zhao",
             participant_signed_on="2026-02-27")  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    html = page(investigator, cid)
    bases = bases_of(html)
    assert set(JUDGED) <= set(bases)
    for criterion, decision in JUDGED.items():
        r = post(investigator, f"/staff/candidates/{cid}/judgments", criterion=criterion,
                 decision=decision, reason="checked at the screening visit",
                 basis=bases[criterion], password=PASSWORD)  # fmt: skip
        assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    return cid


def test_upload_consent_sign_and_enrol(
    coordinator: TestClient, investigator: TestClient, store: Store
) -> None:
    cid = ready(coordinator, investigator)
    html = page(coordinator, cid)
    assert re.search(r"Verdict <span class=\"badge badge-ok\">eligible", html)
    r = post(
        coordinator, f"/staff/candidates/{cid}/outcome", outcome="enrol", version=version_of(html)
    )
    # an irreversible outcome asks for confirmation first (issue 17, D10): nothing stored yet
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    assert "Confirm: Enrol" in r.text  # type: ignore[attr-defined]
    assert "Subject 01-001" not in page(coordinator, cid)
    r = post(coordinator, f"/staff/candidates/{cid}/outcome", outcome="enrol",
             version=version_of(html), confirmed="yes")  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    html = page(coordinator, cid)
    assert "Subject 01-001" in html
    log = coordinator.get(f"/staff/screening-log.csv?study={STUDY}")
    rows = list(csv.DictReader(io.StringIO(log.text)))
    assert [(r["outcome"], r["subject_number"]) for r in rows] == [("enrolled", "01-001")]
    svg = coordinator.get(f"/staff/screening-log/consort.svg?study={STUDY}")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_coordinator_cannot_sign_and_a_wrong_password_signs_nothing(
    coordinator: TestClient, investigator: TestClient, store: Store
) -> None:
    cid = upload(coordinator, "01-eligible-looking.json")
    version = version_of(page(coordinator, cid))
    r = post(coordinator, f"/staff/candidates/{cid}/details", version=version,
             screening_date="2026-03-02")  # fmt: skip
    assert r.status_code == 303  # type: ignore[attr-defined]
    basis = bases_of(page(investigator, cid))["E2"]
    refused = post(coordinator, f"/staff/candidates/{cid}/judgments", criterion="E2",
                   decision="not_met", reason="x", basis=basis, password=PASSWORD)  # fmt: skip
    assert refused.status_code == 403  # type: ignore[attr-defined]
    wrong = post(investigator, f"/staff/candidates/{cid}/judgments", criterion="E2",
                 decision="not_met", reason="x", basis=basis, password="not mine")  # fmt: skip
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert "password is not correct" in wrong.text  # type: ignore[attr-defined]
    with store.read() as session:
        from sqlalchemy import func, select

        from trialdesk.trial.screening.models import Judgment

        assert session.scalar(select(func.count()).select_from(Judgment)) == 0


def test_a_new_fact_voids_a_signature_it_changes(
    coordinator: TestClient, investigator: TestClient
) -> None:
    cid = ready(coordinator, investigator)
    # A new lab changes the record a pure judgment criterion (E2) relied on.
    r = post(coordinator, f"/staff/candidates/{cid}/facts", concept="alt", on="2026-03-01",
             value="30", unit="U/L", source_document="lab report 2026-03-01")  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    html = page(coordinator, cid)
    assert "No longer current" in html
    assert "eligible</span>" not in html.split("Verdict", 1)[1][:80]


def test_the_files_of_a_bulk_export_uploaded_together(coordinator: TestClient) -> None:
    token = csrf_token(coordinator, "/staff/candidates")
    files = [("file", (p.name, p.read_bytes(), "application/fhir+ndjson"))
             for p in sorted((EXAMPLES / "bulk").glob("*.ndjson"))]  # fmt: skip
    r = coordinator.post("/staff/candidates/upload", data={"study": STUDY, "csrf_token": token},
                         files=files)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith(f"?study={STUDY}"), r.text
    listed = coordinator.get(f"/staff/candidates?study={STUDY}").text
    ids = sorted(set(re.findall(r'href="/staff/candidates/(\d+)"', listed)))
    assert len(ids) == 2
    html = page(coordinator, int(ids[0]))
    assert "Observation/bulk-0" in html  # labs from Observation.ndjson are evidence
    mixed = files[:1] + [("file", ("ex01.json", b"{}", "application/json"))]
    r = coordinator.post("/staff/candidates/upload", data={"study": STUDY, "csrf_token": token},
                         files=mixed)  # fmt: skip
    summary = r.text.split('class="error-summary', 1)[1][:600]
    assert r.status_code == 422 and "ex01.json: several files" in summary
    two_lists = [("file", ("a.csv", b"person_id\n", "text/csv"))] * 2
    r = coordinator.post("/staff/candidates/feasibility",
                         data={"study": STUDY, "csrf_token": token}, files=two_lists)  # fmt: skip
    assert r.status_code == 422 and "choose one candidate list" in r.text


def test_a_lab_with_the_reports_upper_limit(coordinator: TestClient, store: Store) -> None:
    """The form offers the ULN for labs only; the entry keeps it, the audit records it, and
    the engine reads the laboratory's own limit (90 U/L is 3 x ULN 30: E10 met)."""
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    r = post(coordinator, f"/staff/candidates/{cid}/details", screening_date="2026-03-02",
             version=version_of(page(coordinator, cid)), reason="screening visit")  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    assert 'name="upper_limit"' in coordinator.get(f"/staff/candidates/{cid}?concept=alt").text
    assert (
        'name="upper_limit"'
        not in coordinator.get(f"/staff/candidates/{cid}?concept=body_weight").text
    )
    for concept, value, limit in (("alt", "90", "30"), ("ast", "20", "")):
        r = post(coordinator, f"/staff/candidates/{cid}/facts", concept=concept,
                 on="2026-03-01", value=value, unit="U/L", upper_limit=limit,
                 source_document="lab report 2026-03-01")  # fmt: skip
        assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    html = page(coordinator, cid)
    assert "(ULN 30)" in html and "= 3×ULN (ULN 30" in html
    with store.read() as session:
        entries = [e for e in candidate_trail(session, cid) if e.entity == "entered_fact"]
    limits = [e.changes.get("upper_limit") for e in entries]  # a field never given: absent
    assert sorted(limits, key=str) == [None, [None, "30"]]
    refused = post(coordinator, f"/staff/candidates/{cid}/facts", concept="body_weight",
                   on="2026-03-01", value="70", unit="kg", upper_limit="90",
                   source_document="vitals")  # fmt: skip
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "The upper limit of normal does not apply" in refused.text  # type: ignore[attr-defined]


def test_a_stale_form_is_refused_with_reload(coordinator: TestClient, app: FastAPI) -> None:
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    other = client_as(app, "investigator")
    version = version_of(page(coordinator, cid))
    first = post(other, f"/staff/candidates/{cid}/details", version=version,
                 screening_date="2026-03-02", reason="first")  # fmt: skip
    assert first.status_code == 303  # type: ignore[attr-defined]
    second = post(coordinator, f"/staff/candidates/{cid}/details", version=version,
                  screening_date="2026-03-05", reason="second")  # fmt: skip
    assert second.status_code == 409  # type: ignore[attr-defined]
    assert "reload" in second.text  # type: ignore[attr-defined]
    assert 'value="2026-03-02"' in page(coordinator, cid)
