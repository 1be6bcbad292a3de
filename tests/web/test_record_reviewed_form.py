"""The screening page's form for the attestation "the full clinical record was reviewed":
its date and the record searched only, in the page's language; accepted, it closes history
over what was entered (tests/trial/test_record_reviewed.py has the service's rules)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening.entry_concepts import ATTESTATION
from trialdesk.trial.screening.trail import candidate_trail
from trialdesk.trial.store.db import Store
from webclient import client_as, csrf_token

STUDY = "NCT06947746"
CHART = "hospital HIS chart"


@pytest.fixture
def coordinator(app: FastAPI) -> TestClient:
    return client_as(app, "coordinator")


def _by_name(store: Store) -> int:
    person = cands.NewCandidate(name="Zhou Min", birth_date=date(1968, 4, 2), sex="female")
    with store.transaction() as session:
        return cands.add_candidate(
            session, actor="coordinator", study_id=STUDY, person=person,
            now=datetime.now(UTC),
        ).id  # fmt: skip


def _fact_form(html: str) -> str:
    found = re.search(r'<form method="post" action="/staff/candidates/\d+/facts">.*?</form>', html,
                      re.S)  # fmt: skip
    assert found, "no fact form on the page"
    return found.group(0)


def test_the_form_takes_the_review_date_and_the_record_only(
    coordinator: TestClient, store: Store
) -> None:
    cid = _by_name(store)
    html = coordinator.get(f"/staff/candidates/{cid}?concept={ATTESTATION.name}").text
    form = _fact_form(html)
    names = set(re.findall(r'name="([a-z_]+)"', form)) - {"csrf_token", "form", "concept"}
    assert names == {"on", "source_document"}
    assert "Date the record was reviewed" in form
    zh = coordinator.get(f"/staff/candidates/{cid}?concept={ATTESTATION.name}&lang=zh-CN").text
    assert "病历审阅日期" in _fact_form(zh) and "完整病历已审阅" in zh


def test_an_accepted_attestation_closes_history(coordinator: TestClient, store: Store) -> None:
    cid = _by_name(store)
    path = f"/staff/candidates/{cid}/facts"
    before = coordinator.get(f"/staff/candidates/{cid}").text
    assert "its full review is attested" in before  # what is missing says how to close it
    today = datetime.now(UTC).date().isoformat()  # the site (UTC+8) is never behind UTC
    refused = coordinator.post(path, data={
        "csrf_token": csrf_token(coordinator, f"/staff/candidates/{cid}"), "form": "fact",
        "concept": ATTESTATION.name, "on": today, "source_document": "", "value": "yes",
    })  # fmt: skip
    assert refused.status_code == 422
    assert (
        "The source document is required" in refused.text
        and "The value does not apply" in refused.text
    )
    r = coordinator.post(path, data={
        "csrf_token": csrf_token(coordinator, f"/staff/candidates/{cid}"), "form": "fact",
        "concept": ATTESTATION.name, "on": today, "source_document": CHART,
    })  # fmt: skip
    assert r.status_code == 303, r.text
    after = coordinator.get(f"/staff/candidates/{cid}").text
    assert "its full review is attested" not in after
    assert CHART in after and "Full clinical record reviewed" in after  # entered facts list
    with store.read() as session:
        entries = [e for e in candidate_trail(session, cid) if e.entity == "entered_fact"]
    assert [e.changes["concept"][1] for e in entries] == [ATTESTATION.name]
