"""The safety room through the JSON API: record and read an adverse event, every problem
at its field at once with nothing stored, a stale correction (409), causality signed by
the investigator only, the stopping rule that pauses the study and the signed review that
resumes it, the listing's filters and CSV, a monitor refused every write, the CTCAE
picker, and the OpenAPI document."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trial.conduct_helpers import enrolled, inject
from trial.test_safety_helpers import EVENT, written
from trialdesk.trial.store.db import Store
from webclient import PASSWORD, client_as


@pytest.fixture
def participant(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def _api(app: FastAPI, role: str) -> TestClient:
    client = client_as(app, role)
    token = client.get("/api/me").json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return client


def _event(**changes: Any) -> dict[str, Any]:
    return {**EVENT, "seriousness": [], "special_interest": [], **changes}


def _fields(response: Any) -> dict[str, str]:
    error = response.json()["error"]
    return {e["field"]: e["message"] for e in error.get("errors") or [error]}


def test_record_and_read_an_event(app: FastAPI, participant: int) -> None:
    client = _api(app, "coordinator")
    made = client.post(
        f"/api/participants/{participant}/adverse-events",
        json=_event(seriousness=["hospitalisation"], onset="2026-03"),
    )
    assert made.status_code == 201, made.text
    event = made.json()
    assert event["term"] == "Joint effusion" and event["soc"].startswith("Musculoskeletal")
    assert event["onset"] == "2026-03" and event["serious"] is True
    assert event["seriousness"] == ["hospitalisation"]
    assert event["treatment_emergent"] is True and "partial onset" in event["emergent_because"]
    assert event["causality"]["state"] == "unsigned" and event["paused_study"] is None
    one = client.get(f"/api/participants/{participant}/adverse-events/{event['id']}")
    assert one.status_code == 200 and one.json() == event
    listed = client.get(f"/api/participants/{participant}/adverse-events").json()
    assert [e["id"] for e in listed] == [event["id"]]
    assert client.get(f"/api/participants/{participant}/adverse-events/999").status_code == 404


def test_every_problem_at_its_field_nothing_stored(
    app: FastAPI, store: Store, participant: int
) -> None:
    client = _api(app, "coordinator")
    before = written(store)
    refused = client.post(
        f"/api/participants/{participant}/adverse-events",
        json=_event(
            term="Knee hurts", onset="2026-03-20", end="2026-03-19", grade=5,
            seriousness=[], outcome="RECOVERED/RESOLVED", verbatim="",
        ),
    )  # fmt: skip
    assert refused.status_code == 422
    fields = _fields(refused)
    assert {"term", "end", "outcome", "verbatim"} <= set(fields)
    assert "before the onset" in fields["end"] and "FATAL" in fields["outcome"]
    fatal = client.post(
        f"/api/participants/{participant}/adverse-events",
        json=_event(term="Joint infection", grade=5, outcome="FATAL", end="2026-03-30"),
    )
    assert fatal.status_code == 422 and "results in death" in _fields(fatal)["seriousness"]
    early = client.post(
        f"/api/participants/{participant}/adverse-events",
        json=_event(onset="2024-05-01", end="2024-05-02"),
    )
    assert early.status_code == 422 and "informed consent" in _fields(early)["onset"]
    assert written(store) == before


def test_a_stale_correction_is_409(app: FastAPI, participant: int) -> None:
    client = _api(app, "coordinator")
    path = f"/api/participants/{participant}/adverse-events"
    event = client.post(path, json=_event()).json()
    one = f"{path}/{event['id']}"
    fixed = client.put(one, json={**_event(grade=3), "version": 1, "reason": "re-graded"})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["grade"] == 3 and fixed.json()["version"] == 2
    stale = client.put(one, json={**_event(grade=1), "version": 1, "reason": "x"})
    assert stale.status_code == 409 and "reload" in stale.json()["error"]["message"]
    no_reason = client.put(one, json={**_event(grade=2), "version": 2})
    assert no_reason.status_code == 422 and "reason" in _fields(no_reason)


def test_causality_is_the_investigators(app: FastAPI, store: Store, participant: int) -> None:
    coordinator = _api(app, "coordinator")
    path = f"/api/participants/{participant}/adverse-events"
    event = coordinator.post(path, json=_event()).json()
    sign = f"{path}/{event['id']}/causality"
    body = {"relationship_product": "possible", "relationship_procedure": "probable",
            "expected": False, "password": PASSWORD, "version": 1}  # fmt: skip
    before = written(store)
    assert coordinator.post(sign, json=body).status_code == 403
    investigator = _api(app, "investigator")
    wrong = investigator.post(sign, json={**body, "password": "not it"})
    assert wrong.status_code in (403, 422)
    missing = investigator.post(sign, json={"password": PASSWORD})
    assert missing.status_code == 422
    assert {"relationship_product", "relationship_procedure", "expected"} <= set(_fields(missing))
    assert written(store)["causality_assessment"] == before["causality_assessment"]
    signed = investigator.post(sign, json=body)
    assert signed.status_code == 201, signed.text
    causality = signed.json()["causality"]
    assert causality["state"] == "signed" and causality["related"] is True
    assert causality["signed_by"] == "investigator" and causality["relationship_procedure"] == (
        "probable"
    )
    # a new onset lapses it
    coordinator.put(
        f"{path}/{event['id']}",
        json={**_event(onset="2026-03-17"), "version": 1, "reason": "onset from the diary"},
    )
    assert coordinator.get(f"{path}/{event['id']}").json()["causality"]["state"] == "lapsed"


def test_a_stopping_rule_pauses_and_a_signed_review_resumes(app: FastAPI, participant: int) -> None:
    coordinator, investigator = _api(app, "coordinator"), _api(app, "investigator")
    path = f"/api/participants/{participant}/adverse-events"
    event = coordinator.post(
        path, json=_event(term="Joint infection", grade=3, seriousness=["hospitalisation"])
    ).json()
    assert coordinator.get("/api/safety/hold").json()["paused"] is False
    signed = investigator.post(
        f"{path}/{event['id']}/causality",
        json={"relationship_product": "possible", "relationship_procedure": "definite",
              "expected": False, "password": PASSWORD},
    )  # fmt: skip
    assert signed.status_code == 201
    assert "related_joint_infection" in (signed.json()["paused_study"] or "")
    hold = coordinator.get("/api/safety/hold").json()
    assert hold["paused"] is True and hold["hold"]["rule"] == "related_joint_infection"
    assert hold["hold"]["rule_name"]["zh-CN"].startswith("任何相关的化脓性关节炎")
    assert hold["rules_met"][0]["events"] == ["01-001 AE 1"]
    review = {"decision": "reviewed by the DSMB: resume", "password": PASSWORD,
              "hold": hold["hold"]["id"]}  # fmt: skip
    assert coordinator.post("/api/safety/hold/review", json=review).status_code == 403
    resumed = investigator.post("/api/safety/hold/review", json=review)
    assert resumed.status_code == 201, resumed.text
    assert resumed.json()["paused"] is False
    again = investigator.post("/api/safety/hold/review", json=review)
    assert again.status_code == 409


def test_listing_filters_and_csv(app: FastAPI, store: Store) -> None:
    _, pids = enrolled(store, 2)
    for pid in pids:
        inject(store, pid)
    client = _api(app, "coordinator")
    for pid, changes in (
        (pids[0], {}),
        (pids[0], {"term": "Injection site reaction", "grade": 1}),
        (pids[1], {"term": "Arthralgia", "grade": 3, "seriousness": ["medically_important"]}),
    ):
        made = client.post(f"/api/participants/{pid}/adverse-events", json=_event(**changes))
        assert made.status_code == 201, made.text
    monitor = _api(app, "monitor")

    def count(query: str) -> int:
        found = monitor.get("/api/safety/adverse-events" + query)
        assert found.status_code == 200, found.text
        return len(found.json()["events"])

    assert count("") == 3
    assert count("?serious=true") == 1 and count("?serious=false") == 2
    assert count("?grade_at_least=2") == 2
    assert count("?term=arthr") == 1 and count("?term=Musculoskeletal") == 2
    assert count("?aesi=any") == 1 and count("?aesi=injection_site_reaction") == 1
    assert count("?teae=true") == 3 and count("?related=true") == 0
    assert count("?participant=01-002") == 1
    assert monitor.get("/api/safety/adverse-events?aesi=nope").status_code == 422
    assert monitor.get("/api/safety/adverse-events?grade_at_least=6").status_code == 422
    exported = monitor.get(
        "/api/safety/adverse-events.csv?grade_at_least=2", headers={"Accept-Language": "zh-CN"}
    )
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "受试者编号" and len(rows) == 3
    assert {r[3] for r in rows[1:]} == {"Joint effusion", "Arthralgia"}


def test_a_monitor_is_refused_every_write(app: FastAPI, store: Store, participant: int) -> None:
    event = (
        _api(app, "coordinator")
        .post(f"/api/participants/{participant}/adverse-events", json=_event())
        .json()
    )
    monitor = _api(app, "monitor")
    path = f"/api/participants/{participant}/adverse-events"
    before = written(store)
    assert monitor.post(path, json=_event()).status_code == 403
    assert monitor.put(f"{path}/{event['id']}", json={**_event(), "version": 1}).status_code == 403
    assert (
        monitor.post(f"{path}/{event['id']}/causality", json={"password": PASSWORD}).status_code
        == 403
    )
    assert (
        monitor.post(
            "/api/safety/hold/review", json={"decision": "x", "password": PASSWORD}
        ).status_code
        == 403
    )
    assert written(store) == before
    assert monitor.get(f"{path}/{event['id']}").status_code == 200


def test_the_ctcae_picker(app: FastAPI) -> None:
    client = _api(app, "coordinator")
    found = client.get("/api/safety/ctcae-terms?q=joint%20eff&limit=3").json()
    assert found[0]["term"] == "Joint effusion"
    assert found[0]["grades"]["2"] == "Symptomatic; limiting instrumental ADL"
    assert found[0]["grades"]["4"] is None  # CTCAE prints "-"
    assert client.get("/api/safety/ctcae-terms?q=x&limit=0").status_code == 422


def test_documented_in_openapi(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    operations = {
        ("get", "/api/participants/{enrolment_id}/adverse-events"),
        ("post", "/api/participants/{enrolment_id}/adverse-events"),
        ("put", "/api/participants/{enrolment_id}/adverse-events/{event_id}"),
        ("post", "/api/participants/{enrolment_id}/adverse-events/{event_id}/causality"),
        ("get", "/api/safety/adverse-events"),
        ("get", "/api/safety/adverse-events.csv"),
        ("get", "/api/safety/hold"),
        ("post", "/api/safety/hold/review"),
        ("get", "/api/safety/ctcae-terms"),
    }
    for method, path in operations:
        op = paths[path][method]
        assert op["tags"] == ["safety"] and {"403", "422"} <= set(op["responses"]), path
    assert (
        "text/csv" in paths["/api/safety/adverse-events.csv"]["get"]["responses"]["200"]["content"]
    )


def test_record_and_sign_in_one_act(app: FastAPI, store: Store, participant: int) -> None:
    path = f"/api/participants/{participant}/adverse-events"
    causality = {"relationship_product": "unrelated", "relationship_procedure": "possible",
                 "expected": True}  # fmt: skip
    investigator = _api(app, "investigator")
    made = investigator.post(path, json={**_event(), "causality": causality, "password": PASSWORD})
    assert made.status_code == 201, made.text
    assert made.json()["causality"]["state"] == "signed"
    coordinator = _api(app, "coordinator")
    before = written(store)
    refused = coordinator.post(
        path, json={**_event(grade=9), "causality": causality, "password": PASSWORD}
    )
    assert refused.status_code == 422
    assert {"relationship_product", "grade"} <= set(_fields(refused))
    assert written(store) == before
