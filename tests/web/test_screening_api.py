"""The screening workflow through the JSON API, as a script would drive it: signed in, with
the X-CSRF-Token header from /api/me on every write.

Every refusal answers in the one error shape ``{"error": {status, code, message, field}}``
naming the field at fault, and stores nothing: each is checked against the row counts of
every workflow table and the audit log before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from trialdesk.trial.screening import leads
from trialdesk.trial.screening.imports import MAX_UPLOAD_BYTES
from trialdesk.trial.screening.models import (
    Candidate,
    Consent,
    ConsentForm,
    Enrolment,
    EnteredFact,
    FhirUpload,
    Judgment,
    Lead,
    StudySite,
)
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord, Base
from trialdesk.web.rooms.screening import candidate_api, candidates_api, consent_forms, log
from trialdesk.web.rooms.screening.forms import UPLOAD_BODY_LIMIT
from webclient import PASSWORD, client_as

EXAMPLES = Path(__file__).parents[2] / "examples"
EX01 = (EXAMPLES / "01-eligible-looking.json").read_bytes()
STUDY = "NCT06947746"
JUDGED = {"I4": "met", "E2": "not_met", "E21": "not_met", "E25": "not_met", "E26": "not_met",
          "E28": "not_met"}  # fmt: skip
TABLES: tuple[type[Base], ...] = (
    Candidate, FhirUpload, EnteredFact, Judgment, Consent, ConsentForm, Enrolment, StudySite,
    Lead, AuditRecord,
)  # fmt: skip
# today at the study's site (Asia/Shanghai): what every date rule is judged on (issue 17, D2)
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


class Api:
    """A signed-in staff member's API client: the CSRF header goes with every write."""

    def __init__(self, app: FastAPI, role: str) -> None:
        self.client: TestClient = client_as(app, role)
        me = self.client.get("/api/me")
        assert me.status_code == 200 and me.json()["role"] == role, me.text
        self.headers = {"X-CSRF-Token": me.json()["csrf_token"]}

    def get(self, path: str) -> Response:
        return self.client.get(path)

    def send(self, method: str, path: str, body: object = None, **kw: Any) -> Response:
        if body is not None:
            kw["json"] = body
        kw["headers"] = {**self.headers, **kw.get("headers", {})}
        return self.client.request(method, path, **kw)

    def post(self, path: str, body: object = None, **kw: Any) -> Response:
        return self.send("POST", path, body, **kw)

    def patch(self, path: str, body: object = None) -> Response:
        return self.send("PATCH", path, body)

    def upload(self, data: bytes, filename: str = "ex01.json", study: str = STUDY) -> Response:
        return self.post(
            "/api/candidates/fhir",
            params={"study": study, "filename": filename},
            content=data,
            headers={"Content-Type": "application/fhir+json"},
        )


@pytest.fixture
def coordinator(app: FastAPI) -> Api:
    return Api(app, "coordinator")


@pytest.fixture
def investigator(app: FastAPI) -> Api:
    return Api(app, "investigator")


def rows(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


def error_of(response: Response, status: int, field: str | None) -> str:
    """The refusal's message, after checking its status, its shape and its field."""
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"], body
    assert sorted(body["error"]) == ["code", "field", "message", "status"], body
    assert body["error"]["status"] == status and body["error"]["message"], body
    assert body["error"]["field"] == field, body
    return str(body["error"]["message"])


def refused(
    store: Store, send: Callable[[], Response], status: int, field: str | None, words: str = ""
) -> str:
    """``send`` is refused with ``status`` at ``field`` (message containing ``words``) and
    not one row is written anywhere."""
    before = rows(store)
    message = error_of(send(), status, field)
    assert words.lower() in message.lower(), message
    assert rows(store) == before
    return message


def uploaded(api: Api, data: bytes = EX01, filename: str = "ex01.json") -> dict[str, Any]:
    response = api.upload(data, filename)
    assert response.status_code == 201, response.text
    [candidate] = response.json()
    return dict(candidate)


def checklist(api: Api, cid: int) -> dict[str, Any]:
    response = api.get(f"/api/candidates/{cid}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def criteria(sheet: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in sheet["criteria"]}


def add_form(investigator: Api) -> None:
    response = investigator.post(
        "/api/consent-forms", {"study": STUDY, "version": "1.0", "effective_on": "2026-01-01"}
    )
    assert response.status_code == 201, response.text


CONSENT = {
    "form_version": "1.0",
    "consented_at": "2026-02-27T09:30:00Z",
    "obtained_by": "Dr. Lin Zhao",
    "participant_signed_on": "2026-02-27",
}
DETAILS = {"screening_date": "2026-03-02", "baseline_date": "2026-03-16", "target_knee": "right"}
ALT = {"concept": "alt", "on": "2026-03-01", "value": "30", "unit": "U/L",
       "source_document": "lab report 2026-03-01"}  # fmt: skip


def test_the_whole_workflow_through_the_api(
    coordinator: Api, investigator: Api, store: Store
) -> None:
    made = coordinator.post(
        "/api/candidates",
        {"study": STUDY, "name": "Ana Souza", "birth_date": "1970-05-01", "sex": "female",
         "record_number": "H-77"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["source"] == "form" and made.json()["version"] == 1

    c = uploaded(coordinator)
    cid = c["id"]
    assert (c["name"], c["record_number"], c["source"]) == ("Wenjing Qiao", "EX-2026-0001", "fhir")
    assert c["source_ref"] == "ex01.json#Patient/ex-01"

    sheet = checklist(coordinator, cid)
    assert sheet["screening_date"] == TODAY  # no date set yet: today is used, and said so
    assert any("screening date not set" in d for d in sheet["defaulted"])

    changed = coordinator.patch(
        f"/api/candidates/{cid}", {**DETAILS, "version": c["version"], "reason": "visit booked"}
    )
    assert changed.status_code == 200, changed.text
    version = changed.json()["version"]
    assert version == c["version"] + 1 and changed.json()["target_knee"] == "right"
    sheet = checklist(coordinator, cid)
    # I1 waits for the consent recorded here: the record's FHIR Consent is shown, not
    # counted (docs/screening.md, one source of truth for consent; issue 17, D16)
    assert (sheet["verdict"], sheet["defaulted"]) == ("incomplete", [])
    assert criteria(sheet)["I1"]["status"] == "unknown"
    judged = criteria(sheet)
    for criterion in JUDGED:
        assert judged[criterion]["signable"] and len(judged[criterion]["basis"]) == 64
    assert judged["I3"]["basis"] is None and not judged["I3"]["signable"]  # decided by data
    assert judged["I3"]["status"] == "met" and judged["I3"]["evidence"]

    # a fact entered, then retracted as a wrong entry: it is kept with who and why
    fact = coordinator.post(f"/api/candidates/{cid}/facts", ALT)
    assert fact.status_code == 201, fact.text
    assert fact.json()["entered_by"] == "coordinator" and fact.json()["retracted_at"] is None
    retracted = coordinator.post(
        f"/api/candidates/{cid}/facts/{fact.json()['id']}/retract", {"reason": "wrong patient"}
    )
    assert retracted.status_code == 200 and retracted.json()["retracted_at"], retracted.text

    add_form(investigator)
    consented = coordinator.post(f"/api/candidates/{cid}/consent", CONSENT)
    assert consented.status_code == 201, consented.text

    bases = {k: v["basis"] for k, v in criteria(checklist(investigator, cid)).items()}
    for criterion, decision in JUDGED.items():
        signed = investigator.post(
            f"/api/candidates/{cid}/judgments",
            {"criterion": criterion, "decision": decision, "reason": "checked at the visit",
             "basis": bases[criterion], "password": PASSWORD},
        )  # fmt: skip
        assert signed.status_code == 201, signed.text
        assert signed.json()["signed_by"] == "investigator"
    sheet = checklist(coordinator, cid)
    assert sheet["verdict"] == "eligible"
    assert criteria(sheet)["E2"]["judgments"][0]["current"] is True

    enrolled = coordinator.post(f"/api/candidates/{cid}/outcome", {"outcome": "enrol",
                                "version": sheet["candidate"]["version"]})  # fmt: skip
    assert enrolled.status_code == 200, enrolled.text
    assert (enrolled.json()["status"], enrolled.json()["subject_number"]) == ("enrolled", "01-001")

    withdrawn = coordinator.post(
        f"/api/candidates/{cid}/withdraw",
        {"version": enrolled.json()["version"], "withdrawn_on": TODAY, "reason": "moved away"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["subject_number"] == "01-001"  # kept

    log = coordinator.get(f"/api/screening-log?study={STUDY}")
    assert log.status_code == 200, log.text
    consort = log.json()["consort"]
    assert (consort["assessed"], consort["enrolled"], consort["in_screening"]) == (2, 1, 1)
    row = next(r for r in log.json()["rows"] if r["candidate_id"] == cid)
    # the study's dates flat, as on the candidate: <anchor>_date, null when not set
    assert (row["screening_date"], row["baseline_date"]) == ("2026-03-02", "2026-03-16")
    assert "dates" not in row
    assert consort["withdrawn_after_enrolment"] == 1
    forms = coordinator.get(f"/api/consent-forms?study={STUDY}")
    assert [f["version"] for f in forms.json()] == ["1.0"]
    listed = coordinator.get(f"/api/candidates?study={STUDY}&status=withdrawn")
    assert [x["id"] for x in listed.json()] == [cid]


# --------------------------------------------------------------------- refusals


def test_adding_a_candidate_refuses_bad_input(coordinator: Api, store: Store) -> None:
    def add(**body: Any) -> Callable[[], Response]:
        return lambda: coordinator.post("/api/candidates", {"study": STUDY, **body})

    refused(store, add(), 422, "name")
    refused(store, add(name="   "), 422, "name", "Enter the person")
    refused(store, add(name="A\x00B"), 422, "name", "control character")
    refused(store, add(name="x" * 201), 422, "name")
    refused(store, add(name="Ana", birth_date="2999-01-01"), 422, "birth_date", "future")
    refused(store, add(name="Ana", birth_date="1850-01-01"), 422, "birth_date", "1900")
    refused(store, add(name="Ana", birth_date="1970-02-30"), 422, "birth_date")
    refused(store, add(name="Ana", sex="robot"), 422, "sex")
    refused(store, add(name="Ana", record_number="no spaces!"), 422, "record_number")
    refused(store, add(name="Ana", colour="blue"), 422, "colour")
    refused(store, lambda: coordinator.post("/api/candidates", {"study": "NCT0", "name": "A"}),
            404, None, "NCT0")  # fmt: skip


def test_details_facts_consent_and_outcomes_refuse_bad_input(
    coordinator: Api, investigator: Api, store: Store
) -> None:
    cid = uploaded(coordinator)["id"]
    base = f"/api/candidates/{cid}"
    version = checklist(coordinator, cid)["candidate"]["version"]

    def patch(**body: Any) -> Callable[[], Response]:
        return lambda: coordinator.patch(base, {"version": version, **body})

    refused(store, lambda: coordinator.patch(base, DETAILS), 422, "version")
    refused(store, patch(screening_date="2026-03-16", baseline_date="2026-03-02"), 422,
            "baseline_date", "before the screening date")  # fmt: skip
    refused(store, patch(screening_date="1999-01-01"), 422, "screening_date", "plausible")
    refused(store, patch(target_knee="middle"), 422, "target_knee")
    refused(store, patch(target_knee=True), 422, "target_knee", "text or null")
    refused(store, patch(screening_date="20260302"), 422, "screening_date", "YYYY-MM-DD")
    refused(store, patch(knee="right"), 422, "knee", "no such field")
    refused(store, patch(reason="a\x00b", **DETAILS), 422, "reason")
    refused(store, lambda: coordinator.patch(base, {**DETAILS, "version": version + 7}), 409,
            "version", "reload")  # fmt: skip
    refused(store, lambda: coordinator.patch("/api/candidates/999999", {"version": 1}), 404, None)

    def fact(**changes: Any) -> Callable[[], Response]:
        body = {k: v for k, v in {**ALT, **changes}.items() if v is not None}
        return lambda: coordinator.post(f"{base}/facts", body)

    refused(store, fact(value="-5"), 422, "value")  # a negative lab value
    refused(store, fact(unit="kg"), 422, "unit")  # ALT in kilograms
    refused(store, fact(value="lots"), 422, "value")
    refused(store, fact(on="2999-01-01"), 422, "on", "future")
    refused(store, fact(concept="horoscope"), 422, "concept")
    refused(store, fact(source_document=None), 422, "source_document")
    refused(store, fact(source_document=" "), 422, "source_document")
    refused(store, fact(dose="10"), 422, "dose")  # does not apply to a lab result
    refused(store, fact(laterality="sideways"), 422, "laterality")
    refused(store, fact(upper_limit="0"), 422, "upper_limit")
    refused(store, fact(upper_limit="x" * 41), 422, "upper_limit")
    kept = coordinator.post(f"{base}/facts", {**ALT, "upper_limit": "35"})
    assert kept.status_code == 201 and kept.json()["upper_limit"] == "35", kept.text
    refused(store, lambda: coordinator.post(f"{base}/facts/99999/retract", {"reason": "x"}),
            404, None)  # fmt: skip

    def consent(**changes: Any) -> Callable[[], Response]:
        return lambda: coordinator.post(f"{base}/consent", {**CONSENT, **changes})

    refused(store, consent(), 422, "form_version", "register")  # no form version yet
    add_form(investigator)
    refused(store, consent(form_version="9.9"), 422, "form_version", "1.0")
    # a time without an offset is the site's wall clock (issue 17, D2): not refused, but
    # its date at the site must be the signature date
    refused(store, consent(consented_at="2026-02-28T09:30:00"), 422, "participant_signed_on",
            "2026-02-28, site time")  # fmt: skip
    refused(store, consent(consented_at="2999-02-27T09:30:00Z"), 422, "consented_at", "future")
    refused(store, consent(participant_signed_on="2026-02-28"), 422, "participant_signed_on")
    refused(store, consent(obtained_by=""), 422, "obtained_by")
    refused(store, consent(consented_at="yesterday"), 422, "consented_at")

    def outcome(**body: Any) -> Callable[[], Response]:
        return lambda: coordinator.post(f"{base}/outcome", {"version": version, **body})

    refused(store, outcome(outcome="explode"), 422, "outcome")
    refused(store, outcome(outcome="enrol"), 422, "enrol", "not eligible")
    refused(store, outcome(outcome="decline"), 422, "reason")
    refused(store, outcome(outcome="screen_fail"), 422, "outcome", "no criterion")
    refused(store, lambda: coordinator.post(f"{base}/withdraw", {"version": version,
            "withdrawn_on": TODAY, "reason": "x"}), 422, "status", "only an enrolled")  # fmt: skip
    refused(store, lambda: coordinator.post(f"{base}/withdraw", {"version": version,
            "withdrawn_on": TODAY}), 422, "reason")  # fmt: skip


def test_retraction_consent_forms_and_the_log_refuse_bad_input(
    coordinator: Api, investigator: Api, store: Store
) -> None:
    cid = uploaded(coordinator)["id"]
    fact = coordinator.post(f"/api/candidates/{cid}/facts", ALT)
    assert fact.status_code == 201, fact.text
    retract = f"/api/candidates/{cid}/facts/{fact.json()['id']}/retract"
    refused(store, lambda: coordinator.post(retract, {}), 422, "reason")
    refused(store, lambda: coordinator.post(retract, {"reason": "  "}), 422, "reason")
    other = uploaded(coordinator, filename="again.json")["id"]
    refused(store, lambda: coordinator.post(
        f"/api/candidates/{other}/facts/{fact.json()['id']}/retract", {"reason": "x"}),
        404, None, "not candidate")  # fmt: skip

    def form(**body: Any) -> Callable[[], Response]:
        good = {"study": STUDY, "version": "2.0", "effective_on": "2026-01-01"}
        return lambda: investigator.post("/api/consent-forms", {**good, **body})

    refused(store, form(version="two point oh!"), 422, "version")
    refused(store, form(version=""), 422, "version")
    refused(store, form(effective_on="someday"), 422, "effective_on")
    refused(store, form(study="NCT0"), 404, None)
    assert form()().status_code == 201
    refused(store, form(), 422, "version", "already registered")

    log = f"/api/screening-log?study={STUDY}"
    error_of(coordinator.get(f"{log}&status=vanished"), 422, "status")
    error_of(coordinator.get(f"{log}&added_from=yesterday"), 422, "added_from")
    error_of(coordinator.get("/api/screening-log?study=NCT0"), 404, None)
    error_of(coordinator.get("/api/screening-log"), 422, "study")


def test_signing_refuses_bad_input(investigator: Api, coordinator: Api, store: Store) -> None:
    cid = uploaded(coordinator)["id"]
    basis = criteria(checklist(investigator, cid))["E2"]["basis"]
    undated = {"criterion": "E2", "decision": "not_met", "reason": "r", "basis": basis,
               "password": PASSWORD}  # fmt: skip
    refused(
        store,
        lambda: investigator.post(f"/api/candidates/{cid}/judgments", undated),
        422, "screening_date", "set the screening date",
    )  # fmt: skip
    version = checklist(investigator, cid)["candidate"]["version"]
    dated = coordinator.patch(
        f"/api/candidates/{cid}", {"version": version, "screening_date": "2026-03-02"}
    )
    assert dated.status_code == 200, dated.text
    basis = criteria(checklist(investigator, cid))["E2"]["basis"]
    good = {"criterion": "E2", "decision": "not_met", "reason": "checked", "basis": basis,
            "password": PASSWORD}  # fmt: skip

    def sign(who: Api = investigator, **changes: Any) -> Callable[[], Response]:
        return lambda: who.post(f"/api/candidates/{cid}/judgments", {**good, **changes})

    refused(store, sign(coordinator), 403, None, "sign eligibility")
    # A wrong password signs nothing, and counts towards the lockout (audited).
    before = rows(store)
    assert "not correct" in error_of(sign(password="not mine")(), 422, "password")
    after = rows(store)
    assert after["judgment"] == before["judgment"]
    assert after["audit_log"] == before["audit_log"] + 1
    with store.read() as session:
        from trialdesk.trial.accounts.models import User
        from trialdesk.trial.store.models import AuditRecord

        last = session.scalars(select(AuditRecord).order_by(AuditRecord.id.desc())).first()
        assert last is not None and last.reason == "wrong password when signing"
        signer = session.scalars(select(User).where(User.username == "investigator")).one()
        assert signer.failed_logins == 1
    refused(store, sign(basis="0" * 64), 409, "basis", "reload")
    refused(store, sign(basis="abc"), 422, "basis")
    refused(store, sign(decision="maybe"), 422, "decision")
    refused(store, sign(criterion="I3", basis=basis), 422, "criterion", "decided from data")
    refused(store, sign(criterion="Z99"), 404, None, "Z99")
    refused(store, sign(reason=" "), 422, "reason")
    refused(store, sign(reason="a\x00b"), 422, "reason")
    assert sign()().status_code == 201


# ----------------------------------------------------------------------- uploads


def bundle(*resources: dict[str, Any]) -> bytes:
    entries = [{"resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()


PATIENT = {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1980-01-01"}
SUBJECT = {"reference": "Patient/p1"}


def test_malformed_or_oversized_uploads_are_refused_and_store_nothing(
    coordinator: Api, store: Store
) -> None:
    def upload(data: bytes, filename: str = "bad.json") -> Callable[[], Response]:
        return lambda: coordinator.upload(data, filename)

    refused(store, upload(b"not json at all"), 422, "file", "not JSON")
    refused(store, upload(b""), 422, "file", "not JSON")
    refused(store, upload(b"\xff\xfe{}"), 422, "file", "UTF-8")
    refused(store, upload(json.dumps({"resourceType": "Observation", "id": "o1"}).encode()),
            422, "resourceType", "expected a Bundle or a Patient")  # fmt: skip
    refused(store, upload(json.dumps({"id": "p1"}).encode()), 422, "file", "resourceType")
    no_subject = {"resourceType": "Observation", "id": "o1", "status": "final",
                  "code": {"text": "ALT"}}  # fmt: skip
    refused(store, upload(bundle(PATIENT, no_subject)), 422, "subject", "no subject")
    elsewhere = {**no_subject, "subject": {"reference": "Patient/p2"}}
    refused(store, upload(bundle(PATIENT, elsewhere)), 422, "subject", "not a Patient in this")
    refused(store, upload(bundle({**PATIENT, "birthDate": "2999-01-01"})), 422, "birthDate")
    refused(store, upload(bundle({**PATIENT, "gender": "robot"})), 422, "sex")
    refused(store, upload(bundle({**PATIENT, "id": "x" * 65})), 422, "id", "64")
    refused(store, upload(bundle({"resourceType": "Organization", "id": "o"})), 422, "file",
            "no Patient")  # fmt: skip
    refused(store, upload(EX01, "bad\x07name.json"), 422, "file", "control characters")
    refused(store, lambda: coordinator.upload(EX01, study="NCT0"), 404, None)

    # over the limit: refused before it is read, in the API's error shape
    too_big = b"{" + b" " * (UPLOAD_BODY_LIMIT + 1)
    refused(store, upload(too_big), 413, "file", "10 MB")
    # over the service's limit but within the body limit: the service says how big
    just_over = b"{" + b" " * MAX_UPLOAD_BYTES
    refused(store, upload(just_over), 422, "file", "the limit is 10 MB")

    # accepted as the FHIR reader designs it: problems with one fact stay on the fact, so an
    # Observation lacking status and code is kept (it matches no criterion), not refused
    vague = {"resourceType": "Observation", "id": "o9", "subject": SUBJECT}
    assert coordinator.upload(bundle(PATIENT, vague), "vague.json").status_code == 201


def test_odd_identifiers_do_not_break_an_upload(coordinator: Api) -> None:
    """The record number is read from Patient.identifier, which the reader does not check:
    any shape that is not FHIR's is skipped, never a 500."""
    for n, identifier in enumerate(
        [5, "MR", [5], [{"type": "MR", "value": "A1"}], [{"type": ["MR"]}],
         [{"type": {"coding": 5}, "value": "A1"}], [{"type": {"coding": [{"code": "MR"}]}}]]
    ):  # fmt: skip
        patient = {**PATIENT, "id": f"odd{n}", "identifier": identifier}
        response = coordinator.upload(bundle(patient), f"odd{n}.json")
        assert response.status_code == 201, (identifier, response.text)
        assert response.json()[0]["record_number"] is None
    deep = b'{"resourceType":"Patient","id":"deep","extension":' + b"[" * 1000 + b"]" * 1000
    assert coordinator.upload(deep + b"}", "deep.json").status_code == 201
    ndjson = b'{"resourceType":"Patient",\r"id":"nd1"}\n'  # a CR is JSON whitespace
    assert coordinator.upload(ndjson, "one.ndjson").status_code == 201
    url_only = {"resourceType": "Bundle", "type": "collection", "entry": [{
        "fullUrl": "urn:uuid:6f0c9c53-5b43-4d6c-9a8e-2f1b0c3d4e5f",
        "resource": {"resourceType": "Patient", "identifier": [
            {"type": {"coding": [{"code": "MR"}]}, "value": "URN-1"}]}}]}  # fmt: skip
    response = coordinator.upload(json.dumps(url_only).encode(), "urn.json")
    assert response.status_code == 201 and response.json()[0]["record_number"] == "URN-1"


def test_a_feasibility_list_and_a_lead_through_the_api(coordinator: Api, store: Store) -> None:
    csv_text = b"person_id,verdict,unknown,needs_review\n7,needs_review,,I4\n8,incomplete,E10,\n"
    made = coordinator.post(f"/api/candidates/feasibility?study={STUDY}&filename=f.csv",
                            content=csv_text, headers={"Content-Type": "text/csv"})  # fmt: skip
    assert made.status_code == 201, made.text
    assert [c["name"] for c in made.json()] == ["OMOP person 7", "OMOP person 8"]
    bad = csv_text + b"x9,eligible,,\n"
    refused(store, lambda: coordinator.post(f"/api/candidates/feasibility?study={STUDY}",
            content=bad), 422, "person_id", "row 4")  # fmt: skip

    with store.transaction() as session:
        lead = leads.store_lead(
            session, study_id=STUDY, contact=leads.LeadContact("Maria Silva", "m@example.org"),
            answers={}, outcome={"verdict": "may_be_eligible"}, consent_text="ok",
            consented=True, now=datetime.now(UTC),
        )  # fmt: skip
    added = coordinator.post(f"/api/leads/{lead.id}/candidate")
    assert added.status_code == 201, added.text
    assert (added.json()["name"], added.json()["source"]) == ("Maria Silva", "lead")
    refused(store, lambda: coordinator.post(f"/api/leads/{lead.id}/candidate"), 409, "lead",
            "already candidate")  # fmt: skip
    refused(store, lambda: coordinator.post("/api/leads/999999/candidate"), 404, None)


# ------------------------------------------------------------------------ access


def _writes() -> list[tuple[str, str]]:
    return [
        (method, route.path)
        for router in (candidates_api.router, candidate_api.router, consent_forms.api, log.api)
        for route in router.routes
        for method in getattr(route, "methods", ())
        if method != "GET"
    ]


def test_a_monitor_reads_everything_and_writes_nothing(
    app: FastAPI, coordinator: Api, store: Store
) -> None:
    cid = uploaded(coordinator)["id"]
    monitor = Api(app, "monitor")
    reads = [f"/api/candidates?study={STUDY}", f"/api/candidates/{cid}",
             f"/api/screening-log?study={STUDY}", f"/api/consent-forms?study={STUDY}"]  # fmt: skip
    for path in reads:
        assert monitor.get(path).status_code == 200, path
    writes = _writes()
    assert len(writes) == 13  # every write of the screening API, found from the router
    for method, template in writes:
        path = template.format(candidate_id=cid, fact_id=1, lead_id=1)
        body: object = {"study": STUDY, "name": "Nobody"}
        refused(store, lambda m=method, p=path, b=body: monitor.send(m, p, b), 403, None,
                "your role (monitor)")  # fmt: skip


def test_a_coordinator_cannot_sign_or_register_consent_forms(
    coordinator: Api, store: Store
) -> None:
    cid = uploaded(coordinator)["id"]
    refused(store, lambda: coordinator.post(f"/api/candidates/{cid}/judgments", {}), 403, None)
    refused(store, lambda: coordinator.post("/api/consent-forms", {"study": STUDY,
            "version": "1.0", "effective_on": "2026-01-01"}), 403, None)  # fmt: skip


def test_a_write_without_the_csrf_header_is_refused(coordinator: Api, store: Store) -> None:
    refused(store, lambda: coordinator.client.post("/api/candidates", json={"study": STUDY,
            "name": "Ana"}), 403, None, "reload")  # fmt: skip
    refused(store, lambda: coordinator.client.post("/api/candidates", json={"study": STUDY,
            "name": "Ana"}, headers={"X-CSRF-Token": "forged"}), 403, None)  # fmt: skip


def test_odd_ids_and_parameters_are_4xx_not_500(coordinator: Api, store: Store) -> None:
    cid = uploaded(coordinator)["id"]
    big = 2**40  # past PostgreSQL's 32-bit INTEGER ids: refused in the path (RowId)
    error_of(coordinator.get(f"/api/candidates/{big}"), 422, "candidate_id")
    error_of(coordinator.get("/api/candidates?study=%00"), 404, None)
    refused(store, lambda: coordinator.post(f"/api/candidates/{cid}/facts/{big}/retract",
            {"reason": "x"}), 422, "fact_id")  # fmt: skip
    refused(store, lambda: coordinator.post(f"/api/leads/{big}/candidate"), 422, "lead_id")
    # the page's form: a version in digits int() does not read ("²".isdigit() is True)
    page = coordinator.client.get(f"/staff/candidates/{cid}")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    before = rows(store)
    response = coordinator.client.post(
        f"/staff/candidates/{cid}/details",
        data={"csrf_token": token, "version": "\u00b2", "screening_date": "2026-03-02"},
    )
    assert response.status_code == 422 and "whole number" in response.text
    assert rows(store) == before


def test_an_identity_correction_through_the_api(coordinator: Api, store: Store) -> None:
    cid = uploaded(coordinator)["id"]
    version = checklist(coordinator, cid)["candidate"]["version"]
    body = {"version": version, "name": "Wenjing Pemberton-Li", "birth_date": "1977-08-14",
            "sex": "female", "record_number": "EX-2026-9001", "reason": "married name"}  # fmt: skip
    refused(
        store,
        lambda: coordinator.send("PUT", f"/api/candidates/{cid}/identity", {**body, "reason": ""}),
        422, "reason",
    )  # fmt: skip
    refused(
        store,
        lambda: coordinator.send("PUT", f"/api/candidates/{cid}/identity", {**body, "name": " "}),
        422, "name",
    )  # fmt: skip
    done = coordinator.send("PUT", f"/api/candidates/{cid}/identity", body)
    assert done.status_code == 200, done.text
    assert (done.json()["name"], done.json()["record_number"]) == (
        "Wenjing Pemberton-Li", "EX-2026-9001"
    )  # fmt: skip
