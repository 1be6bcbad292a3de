"""The leads room for a coordinator (walkthrough D9, D12, D30): the list filtered by status,
each lead's answers under their questions, possible duplicates flagged, and a lead added as
a candidate with what the person reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from sqlalchemy import select

from trialdesk.trial.screening import leads
from trialdesk.trial.screening.models import EnteredFact, LeadStatus
from trialdesk.trial.store.db import Store
from webclient import Api, client_as, csrf_token

NCT = "NCT06947746"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ANSWERS = {
    "age": "45", "sex": "female", "ra_diagnosed": "yes", "ra_since": "2018-03",
    "steroid": "pills", "steroid_dose": "5", "height": "165", "weight": "62",
}  # fmt: skip


def _lead(
    store: Store,
    name: str,
    email: str,
    answers: dict[str, str] | None = None,
    verdict: str = "may_be_eligible",
    minutes: int = 0,
) -> tuple[int, str]:
    with store.transaction() as session:
        lead = leads.store_lead(
            session, study_id=NCT, contact=leads.LeadContact(name, email),
            answers=answers if answers is not None else ANSWERS,
            outcome={"verdict": verdict}, consent_text="I agree.", consented=True,
            now=NOW + timedelta(minutes=minutes),
        )  # fmt: skip
        return lead.id, lead.reference


def test_the_answers_under_their_questions(app: FastAPI, store: Store) -> None:
    lead_id, _ = _lead(store, "Li Na", "li@example.org", {**ANSWERS, "gone_question": "x"})
    page = client_as(app, "coordinator").get(f"/staff/leads/{lead_id}")
    assert page.status_code == 200
    text = page.text
    assert '<th scope="row">How old are you?</th><td>45 years</td>' in text
    assert "When did a doctor first tell you that you have RA?</th><td>2018-03</td>" in text
    assert "<td>Yes, as tablets or liquid by mouth</td>" in text
    assert "<td>Female</td>" in text and "<td>Yes</td>" in text
    assert ">methotrexate_how_long<" not in text and ">ra_since<" not in text
    assert "gone_question" in text and "no longer asked" in text
    assert 'id="carried-hint"' in text and "Patient self-report" in text
    zh = client_as(app, "coordinator").get(f"/staff/leads/{lead_id}?lang=zh-CN")
    assert "<td>45 岁</td>" in zh.text and "<td>是</td>" in zh.text


def test_the_same_person_twice_is_flagged(app: FastAPI, store: Store) -> None:
    first, first_ref = _lead(store, "Anna Berg", "anna@example.org")
    second, second_ref = _lead(store, "Anna Berg", "ANNA@example.org", minutes=5)
    other, _ = _lead(store, "Zhou Min", "zhou@example.org", minutes=9)
    coordinator = client_as(app, "coordinator")
    page = coordinator.get(f"/staff/leads/{second}").text
    assert 'id="lead-duplicates"' in page and first_ref in page and "same e-mail address" in page
    assert f'href="/staff/leads/{first}"' in page
    assert 'id="lead-duplicates"' not in coordinator.get(f"/staff/leads/{other}").text
    listed = coordinator.get("/staff/leads").text
    assert listed.count("possible duplicate") == 2
    api = Api(app, "coordinator")
    body = {lead["id"]: lead for lead in api.get("/api/leads").json()}
    assert body[first]["possible_duplicates"] == [second_ref]
    assert body[other]["possible_duplicates"] == []
    assert api.get(f"/api/leads/{second}").json()["possible_duplicates"] == [first_ref]


def test_the_list_filters_by_status(app: FastAPI, store: Store) -> None:
    new, new_ref = _lead(store, "Nina New", "n@example.org")
    called, called_ref = _lead(store, "Carl Called", "c@example.org", minutes=1)
    with store.transaction() as session:
        leads.set_lead_status(
            session, actor="coordinator", lead_id=called, status=LeadStatus.CONTACTED,
            note=None, reason="called",
        )  # fmt: skip
    coordinator = client_as(app, "coordinator")
    contacted = coordinator.get("/staff/leads?status=contacted").text
    assert called_ref in contacted and new_ref not in contacted
    assert '<option value="contacted" selected>' in contacted
    everyone = coordinator.get("/staff/leads?status=").text
    assert called_ref in everyone and new_ref in everyone
    assert "No lead has this status." in coordinator.get("/staff/leads?status=referred").text
    refused = coordinator.get("/staff/leads?status=bogus")
    assert refused.status_code == 422 and "is not a lead status" in refused.text
    api = Api(app, "coordinator")
    assert [x["reference"] for x in api.get("/api/leads?status=new").json()] == [new_ref]
    assert api.get("/api/leads?status=bogus").status_code == 422


def test_a_verdict_that_could_not_tell(app: FastAPI, store: Store) -> None:
    _, ref = _lead(store, "Una Known", "u@example.org", {}, verdict="cannot_tell")
    listed = client_as(app, "coordinator").get("/staff/leads").text
    row = listed[listed.index(ref) :].split("</tr>")[0]
    assert "could not tell" in row and "probably not" not in row


def test_adding_the_lead_brings_the_answers(app: FastAPI, store: Store) -> None:
    lead_id, ref = _lead(store, "Li Na", "li@example.org")
    coordinator = client_as(app, "coordinator")
    token = csrf_token(coordinator, f"/staff/leads/{lead_id}")
    added = coordinator.post(f"/staff/leads/{lead_id}/candidate", data={"csrf_token": token})
    assert added.status_code == 303, added.text
    candidate_id = int(added.headers["location"].rsplit("/", 1)[1])
    with store.read() as session:
        rows = list(
            session.scalars(select(EnteredFact).where(EnteredFact.candidate_id == candidate_id))
        )
    assert {r.concept for r in rows} == {
        "rheumatoid_arthritis", "systemic_corticosteroid", "body_height", "body_weight"
    }  # fmt: skip
    steroid = next(r for r in rows if r.concept == "systemic_corticosteroid")
    assert (steroid.dose, steroid.dose_unit, steroid.per_day, steroid.route) == (
        "5", "mg", "1", "oral"
    )  # fmt: skip
    assert all(
        r.source_document.startswith(f"Patient self-report: self-check of lead {ref}") for r in rows
    )
    page = coordinator.get(f"/staff/candidates/{candidate_id}")
    assert page.status_code == 200 and "Patient self-report" in page.text
    api = Api(app, "coordinator")
    other, _ = _lead(store, "Per Lund", "per@example.org", minutes=3)
    made = api.post(f"/api/leads/{other}/candidate", {})
    assert made.status_code == 201 and made.json()["sex"] == "female"
