"""The screening pages in site time, with a confirmation step, a searchable candidates
list and the routing fixes of issue 17 (D2, D10, D15, D16, D29)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from trialdesk.trial.screening.models import Candidate, CandidateStatus, Consent
from trialdesk.trial.store.db import Store
from webclient import client_as, csrf_token

EXAMPLES = Path(__file__).parents[2] / "examples"
STUDY = "NCT06947746"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def coordinator(app: FastAPI) -> TestClient:
    return client_as(app, "coordinator")


def upload(client: TestClient, name: str) -> int:
    token = csrf_token(client, "/staff/candidates")
    response = client.post(
        "/staff/candidates/upload",
        data={"study": STUDY, "csrf_token": token},
        files={"file": (name, (EXAMPLES / name).read_bytes(), "application/fhir+json")},
    )
    assert response.status_code == 303, response.text
    found = re.search(r"/staff/candidates/(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def post(client: TestClient, path: str, **form: str) -> object:
    return client.post(path, data={**form, "csrf_token": csrf_token(client, "/staff/candidates")})


def register_form(app: FastAPI) -> None:
    investigator = client_as(app, "investigator")
    r = post(investigator, "/staff/consent-forms", study=STUDY, version="1.0",
             effective_on="2026-01-01")  # fmt: skip
    assert r.status_code == 303  # type: ignore[attr-defined]


def version_of(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found
    return found.group(1)


def test_consent_at_0700_in_shanghai_is_entered_and_read_in_site_time(
    app: FastAPI, coordinator: TestClient, store: Store
) -> None:
    register_form(app)
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    html = coordinator.get(f"/staff/candidates/{cid}").text
    assert "(UTC)" not in html and "UTC)" not in html.replace("UTC+08:00)", "")
    assert "Date and time of consent (Asia/Shanghai, UTC+08:00)" in html
    r = post(coordinator, f"/staff/candidates/{cid}/consent", form="consent", form_version="1.0",
             consented_at="2026-12-07T07:00", obtained_by="Dr Zhang",
             participant_signed_on="2026-12-07")  # fmt: skip
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    with store.read() as session:
        row = session.scalars(select(Consent).where(Consent.candidate_id == cid)).one()
        assert row.consented_at.astimezone(SHANGHAI) == datetime(2026, 12, 7, 7, 0, tzinfo=SHANGHAI)
    html = coordinator.get(f"/staff/candidates/{cid}").text
    assert "2026-12-07 07:00 (Asia/Shanghai, UTC+08:00)" in html
    assert "When (Asia/Shanghai, UTC+08:00)" in html and "When (UTC)" not in html
    log = coordinator.get(f"/staff/screening-log?study={STUDY}").text
    assert '<td class="nowrap">2026-12-07</td>' in log  # the consent's date at the site


def test_consent_through_the_api_is_judged_on_the_sites_date(
    app: FastAPI, coordinator: TestClient
) -> None:
    register_form(app)
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    body = {"form_version": "1.0", "consented_at": "2026-12-07T07:00:00+08:00",
            "obtained_by": "Dr Zhang", "participant_signed_on": "2026-12-07"}  # fmt: skip
    r = coordinator.post(f"/api/candidates/{cid}/consent", json=body,
                         headers={"x-csrf-token": csrf_token(coordinator, "/staff")})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["consented_at"] == "2026-12-07T07:00:00+08:00"


def test_the_record_consent_is_shown_beside_no_consent_recorded(
    coordinator: TestClient,
) -> None:
    """D16: the Consent box, I1 and the log agree: nothing recorded for the study yet."""
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    html = coordinator.get(f"/staff/candidates/{cid}").text
    assert "No consent recorded for this study." in html
    assert "The uploaded record holds a research consent (Consent/" in html
    i1 = html[html.index('id="criterion-I1"') :].split("</tr>")[0]
    assert "unknown" in i1 and "Consent/" not in i1


def test_an_outcome_asks_for_confirmation_first_and_stores_nothing_until_then(
    coordinator: TestClient, store: Store
) -> None:
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    version = version_of(coordinator.get(f"/staff/candidates/{cid}").text)
    first = post(coordinator, f"/staff/candidates/{cid}/outcome", form="outcome",
                 version=version, outcome="decline", reason="moved abroad")  # fmt: skip
    assert first.status_code == 200  # type: ignore[attr-defined]
    page = first.text  # type: ignore[attr-defined]
    assert "Confirm: Record as declined" in page and 'name="confirmed" value="yes"' in page
    assert 'name="on"' in page and "Today at the site is" in page
    with store.read() as session:
        assert session.get(Candidate, cid).status is CandidateStatus.SCREENING  # type: ignore[union-attr]
    # a date after today at the site is refused on the screening page, nothing stored
    future = post(coordinator, f"/staff/candidates/{cid}/outcome", form="outcome",
                  version=version, outcome="decline", reason="moved abroad", on="2999-01-01",
                  confirmed="yes")  # fmt: skip
    assert future.status_code == 422  # type: ignore[attr-defined]
    done = post(coordinator, f"/staff/candidates/{cid}/outcome", form="outcome",
                version=version, outcome="decline", reason="moved abroad",
                confirmed="yes")  # fmt: skip
    assert done.status_code == 303  # type: ignore[attr-defined]
    with store.read() as session:
        assert session.get(Candidate, cid).status is CandidateStatus.DECLINED  # type: ignore[union-attr]


def test_a_refused_outcome_is_refused_before_the_confirmation(coordinator: TestClient) -> None:
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    version = version_of(coordinator.get(f"/staff/candidates/{cid}").text)
    r = post(coordinator, f"/staff/candidates/{cid}/outcome", form="outcome",
             version=version, outcome="decline", reason="")  # fmt: skip
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "Confirm:" not in r.text  # type: ignore[attr-defined]


def test_routing(coordinator: TestClient) -> None:
    """D29: a path that is no candidate's number is not found; a lower-case NCT id is the
    study; an unknown criterion in the log's filter is named."""
    for path in ("/staff/candidates/abc", "/staff/candidates/0", "/staff/candidates/99999"):
        assert coordinator.get(path).status_code == 404, path
    lower = coordinator.get("/studies/nct06947746")
    assert (lower.status_code, lower.headers["location"]) == (308, f"/studies/{STUDY}")
    log = coordinator.get(f"/staff/screening-log?study={STUDY}&criterion=X99")
    assert log.status_code == 422 and "no such criterion" in log.text
    assert "No candidates match" not in log.text
    assert coordinator.get(f"/staff/screening-log?study={STUDY}&criterion=i3").status_code == 200
    api = coordinator.get(f"/api/screening-log?study={STUDY}&criterion=X99")
    assert api.status_code == 422 and "no such criterion" in api.text


def test_the_list_has_subject_and_verdict_a_filter_a_search_and_pages(
    coordinator: TestClient,
) -> None:
    ids = [upload(coordinator, "03-incomplete-no-labs.json") for _ in range(2)]
    ids.append(upload(coordinator, "02-ineligible-alt-zoster-bmi.json"))
    html = coordinator.get(f"/staff/candidates?study={STUDY}").text
    assert '<th scope="col">Subject</th>' in html and '<th scope="col">Verdict</th>' in html
    # the ways in come before the list
    assert html.index('action="/staff/candidates/upload"') < html.index("candidates-table")
    # no dates set yet: every one is incomplete today, none eligible
    incomplete = coordinator.get(f"/staff/candidates?study={STUDY}&verdict=incomplete").text
    assert all(f'href="/staff/candidates/{c}"' in incomplete for c in ids)
    eligible = coordinator.get(f"/staff/candidates?study={STUDY}&verdict=eligible").text
    assert "No candidates match." in eligible and '/staff/candidates/1"' not in eligible
    found = coordinator.get("/staff/candidates?q=xiaoyu").text  # ex-03: Xiaoyu Tang
    assert f'href="/staff/candidates/{ids[0]}"' in found
    assert f'href="/staff/candidates/{ids[2]}"' not in found
    assert "No candidates match." in coordinator.get("/staff/candidates?q=nobody").text
    assert "Page 1 of 1 (3 candidates)" in html
    assert "第1页" in coordinator.get("/staff/candidates?lang=zh-CN").text


def test_the_screening_page_in_chinese(coordinator: TestClient) -> None:
    cid = upload(coordinator, "03-incomplete-no-labs.json")
    html = coordinator.get(f"/staff/candidates/{cid}?lang=zh-CN").text
    assert '<h2 id="consent-title">知情同意</h2>' in html and "入组需要判定为" in html
    assert "本研究尚未记录知情同意。" in html
