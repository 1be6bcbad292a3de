"""Following participants through the JSON API, as a script would drive it: the injection,
the week-4 visit and its disease activity score, the investigator's signature that lapses
when the data change, log forms, missed visits, the end of participation and the site's
dashboard.

Every refusal answers in the one error shape naming the field at fault (every field at
once for a form) and stores nothing: each is checked against the row counts of the
conduct tables and the audit log, and the audit chain still verifies afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from httpx import Response
from sqlalchemy import func, select

from trial.conduct_helpers import INJECTION, enrol, enrolled, inject, typical_values, visit_on
from trial.screening_helpers import STUDY
from trialdesk.study.loader import load_study
from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.conduct.models import Disposition, FormRecord, VisitRecord, VisitSignature
from trialdesk.trial.screening.models import Candidate, Enrolment
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord, Base
from trialdesk.web import create_app
from trialdesk.web.rooms.conduct import api as conduct_api
from webclient import PASSWORD, Api

pytestmark = pytest.mark.usefixtures("cheap_argon2")

W4_ON = "2026-04-13"  # day 29: week 4's target (window 2026-04-10 to 2026-04-16)
JOINTS = {"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20}
GLOBALS = {"patient_global": 50, "evaluator_global": 40}
MEDICATION = {"medication": "methotrexate", "category": "methotrexate", "start_date": "2025-06-01"}
TABLES: tuple[type[Base], ...] = (
    FormRecord, VisitRecord, VisitSignature, Signature, Disposition, Enrolment, Candidate,
    AuditRecord,
)  # fmt: skip
EYE_STUDY = Path(__file__).resolve().parents[1] / "data" / "studies" / "NCT09900001"


def ok(response: Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def rows(store: Store) -> dict[str, int]:
    with store.read() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES
        }


@contextmanager
def nothing_stored(store: Store) -> Iterator[None]:
    before = rows(store)
    yield
    assert rows(store) == before
    with store.read() as session:
        assert audit.verify(session).ok


def refused(response: Response, status: int, field: str | None, words: str = "") -> dict[str, Any]:
    """The refusal in the one error shape, at ``field``, its message containing ``words``
    (the caller checks that nothing was stored)."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["status"] == status and error["field"] == field, error
    assert words.lower() in error["message"].lower(), error
    return error


def at(pid: int, key: str | None = None, form: str | None = None) -> str:
    path = f"/api/participants/{pid}"
    if key is not None:
        path += f"/visits/{quote(key, safe='')}"  # UNS#2: the # is sent as %23
    if form is not None:
        path += f"/forms/{form}"
    return path


def enter(
    api: Api, pid: int, key: str, form: str, values: dict[str, Any], **more: Any
) -> dict[str, Any]:
    return ok(api.put(at(pid, key, form), {"values": values, "complete": True, **more}))


@pytest.fixture
def coordinator(app: FastAPI) -> Api:
    return Api(app, "coordinator")


@pytest.fixture
def investigator(app: FastAPI) -> Api:
    return Api(app, "investigator")


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    """An enrolled participant, not injected yet."""
    _, (enrolment_id,) = enrolled(store)
    return enrolment_id


@pytest.fixture
def at_week_4(pid: int, store: Store) -> int:
    """The participant injected on 2026-03-16, their week-4 visit on 2026-04-13."""
    inject(store, pid)
    visit_on(store, pid, "W4", date.fromisoformat(W4_ON))
    return pid


def test_from_the_injection_to_a_signed_week_4_that_lapses_on_a_change(
    pid: int, store: Store, coordinator: Api, investigator: Api
) -> None:
    injection = enter(coordinator, pid, "D1", "injection", INJECTION)
    assert injection["values"]["administered_at"] == "2026-03-16T10:30:00+08:00"  # site time
    shown = ok(coordinator.get(at(pid)))
    assert shown["day1"] == "2026-03-16" and shown["ended"] is None
    calendar = {v["key"]: v for v in shown["calendar"]}
    assert calendar["D1"]["status"] == "done_in_window" and calendar["D1"]["date"] == "2026-03-16"
    assert calendar["W4"]["target"] == W4_ON
    assert calendar["W4"]["window"] == {"start": "2026-04-10", "end": "2026-04-16"}
    assert calendar["W4"]["name"] == {"en": "Week 4", "zh-CN": "第4周"}
    assert calendar["W4"]["status"] == "overdue"  # the site's today is long after its window

    # day 1 is the baseline of the EULAR response
    for form, values in (
        ("joint_counts", {**JOINTS, "tjc28": 20, "sjc28": 12}),
        ("acute_phase", {"crp": "12", "esr": 30}),
        ("global_assessments", GLOBALS),
    ):
        enter(coordinator, pid, "D1", form, values)
    week_4 = ok(coordinator.put(at(pid, "W4") + "/date", {"date": W4_ON}))
    assert week_4["status"] == "done_in_window" and week_4["can_sign"] is False
    enter(coordinator, pid, "W4", "joint_counts", JOINTS)
    acute = enter(
        coordinator, pid, "W4", "acute_phase", {"crp": "1.2", "esr": 30}, units={"crp": "mg/dL"}
    )
    assert acute["values"]["crp"] == "12"  # mg/L, the item's unit
    assert acute["entered"]["crp"] == {"value": "1.2", "unit": "mg/dL"}  # as typed
    enter(coordinator, pid, "W4", "global_assessments", GLOBALS)

    scores = ok(coordinator.get(at(pid, "W4", "disease_activity")))
    assert all(item["derived"] for item in scores["form"]["items"])
    das28 = scores["derived"]["das28_crp"]
    # DAS28-CRP = 0.56*sqrt(4) + 0.28*sqrt(2) + 0.36*ln(12+1) + 0.014*50 + 0.96 = 4.0994
    assert das28["value"] == "4.10" and das28["calculator"] == "das28_crp" and das28["version"]
    assert das28["inputs"] == {"tjc28": 4, "sjc28": 2, "crp": "12", "patient_global": "50"}
    assert scores["derived"]["eular_response_crp"]["value"] == "moderate"  # from 5.33 at day 1
    assert scores["status"] == "complete"  # every score computed

    for form in ("vital_signs", "haematology", "chemistry", "pain_vas", "womac", "haq_di",
                 "knee_ultrasound"):  # fmt: skip
        enter(coordinator, pid, "W4", form, typical_values(form))
    week_4 = ok(coordinator.get(at(pid, "W4")))
    assert {f["status"] for f in week_4["forms"]} == {"complete"}
    assert week_4["can_sign"] and week_4["signature"] is None

    sign = at(pid, "W4") + "/signature"
    reviewed = week_4["content_digest"]
    signing = {"password": PASSWORD, "reviewed": reviewed}
    with nothing_stored(store):
        refused(coordinator.post(sign, signing), 403, None, "may not")
        # the investigator signs what they reviewed: data changed since are not signed
        refused(investigator.post(sign, {**signing, "reviewed": "0" * 64}), 409, "version",
                "reload")  # fmt: skip
    before = rows(store)
    refused(investigator.post(sign, {**signing, "password": "wrong"}), 422, "password",
            "not correct")  # fmt: skip
    assert {k: v for k, v in rows(store).items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }  # the wrong password is counted (and audited), nothing is signed
    signed = ok(investigator.post(sign, signing), 201)
    assert signed["current"] and not signed["lapsed"]
    assert signed["signed_by"] == "investigator" and signed["meaning"] == "visit data review"
    with nothing_stored(store):
        refused(investigator.post(sign, signing), 422, "visit", "already")

    joints = ok(coordinator.get(at(pid, "W4", "joint_counts")))
    changed = {"values": {**JOINTS, "tjc28": 9}, "complete": True, "version": joints["version"]}
    with nothing_stored(store):  # a completed form is changed only with a reason
        refused(coordinator.put(at(pid, "W4", "joint_counts"), changed), 422, "reason")
    ok(coordinator.put(at(pid, "W4", "joint_counts"), {**changed, "reason": "transcription"}))
    scores = ok(coordinator.get(at(pid, "W4", "disease_activity")))
    assert scores["derived"]["das28_crp"]["value"] == "4.66"  # 0.56*sqrt(9): 4.0994 + 0.56
    lapsed = ok(coordinator.get(at(pid, "W4")))["signature"]
    assert lapsed["lapsed"] and not lapsed["current"]
    assert lapsed["signed_at"] == signed["signed_at"]  # kept, shown as no longer current
    calendar = {v["key"]: v for v in ok(coordinator.get(at(pid)))["calendar"]}
    assert calendar["W4"]["signature"]["lapsed"]
    with nothing_stored(store):  # what was reviewed before the change is not what is there
        refused(investigator.post(sign, signing), 409, "version", "reload")
    again = {
        "password": PASSWORD,
        "reviewed": ok(investigator.get(at(pid, "W4")))["content_digest"],
    }
    assert ok(investigator.post(sign, again), 201)["current"]  # signed again


def test_a_monitor_reads_every_page_of_data_but_writes_nothing(
    at_week_4: int, store: Store, app: FastAPI
) -> None:
    pid, monitor = at_week_4, Api(app, "monitor")
    ok(monitor.get("/api/participants"))
    ok(monitor.get("/api/participants/dashboard"))
    ok(monitor.get(at(pid)))
    ok(monitor.get(at(pid, "W4")))
    ok(monitor.get(at(pid, "D1", "injection")))
    ok(monitor.get(at(pid) + "/logs/concomitant_medications"))
    writes = [
        ("PUT", at(pid, "W4", "joint_counts"), {"values": JOINTS}),
        ("PUT", at(pid, "W4") + "/date", {"date": W4_ON}),
        ("POST", at(pid, "W1") + "/missed", {"reason": "unwell"}),
        ("POST", at(pid, "W4") + "/signature", {"password": PASSWORD, "reviewed": "0" * 64}),
        ("POST", at(pid) + "/logs/concomitant_medications", {"values": MEDICATION}),
        ("PUT", at(pid) + "/logs/concomitant_medications/1", {"values": {}, "version": 1}),
        ("POST", at(pid) + "/end", {"term": "LOST TO FOLLOW-UP", "ended_on": "2026-05-01"}),
    ]
    for method, path, body in writes:
        with nothing_stored(store):
            refused(monitor.send(method, path, body), 403, None, "may not")


# Every write, with a body it would take: each refuses an unknown participant (404) and a
# field it does not know (422), storing nothing.
WRITES = [
    ("PUT", "/visits/W4/forms/joint_counts", {"values": JOINTS, "complete": True}),
    ("POST", "/logs/concomitant_medications", {"values": MEDICATION, "complete": True}),
    ("PUT", "/logs/concomitant_medications/1", {"values": MEDICATION, "version": 1}),
    ("PUT", "/visits/W8/date", {"date": "2026-05-11"}),
    ("POST", "/visits/W1/missed", {"reason": "participant unwell"}),
    ("POST", "/visits/W4/signature", {"password": PASSWORD, "reviewed": "0" * 64}),
    ("POST", "/end", {"term": "LOST TO FOLLOW-UP", "ended_on": "2026-05-01"}),
]


@pytest.mark.parametrize(("method", "tail", "body"), WRITES, ids=[f"{m} {t}" for m, t, _ in WRITES])
def test_every_write_refuses_an_unknown_participant_and_unknown_fields(
    at_week_4: int, store: Store, investigator: Api, method: str, tail: str, body: dict[str, Any]
) -> None:
    with nothing_stored(store):
        refused(investigator.send(method, at(9999) + tail, body), 404, None, "9999")
        extra = {**body, "surprise": 1}
        refused(investigator.send(method, at(at_week_4) + tail, extra), 422, "surprise")
        refused(investigator.send(method, at(at_week_4) + tail, []), 422, None)


def test_a_form_refused_with_every_wrong_item_at_once(
    at_week_4: int, store: Store, coordinator: Api
) -> None:
    pid = at_week_4
    joints, acute = at(pid, "W4", "joint_counts"), at(pid, "W4", "acute_phase")
    cases: list[tuple[str, dict[str, Any], str, str]] = [
        (joints, {"values": {**JOINTS, "hips": 2}}, "hips", "has no item 'hips'"),
        (joints, {"values": {**JOINTS, "tjc28": "four"}}, "tjc28", "expected a whole number"),
        (joints, {"values": {**JOINTS, "tjc28": True}}, "tjc28", "true/false"),
        (joints, {"values": {**JOINTS, "tjc28": 29}}, "tjc28", "29 is impossible: it must be 0"),
        (acute, {"values": {"crp": "-1", "esr": 30}}, "crp", "impossible"),
        (acute, {"values": {"crp": "5", "esr": 30}, "units": {"crp": "mmol/L"}}, "crp", "convert"),
        (acute, {"values": {"crp": "5", "esr": 30}, "units": {"esr": "kg"}}, "esr", "convert"),
        (joints, {"values": {"tjc28": 4}, "complete": True}, "sjc28", "required"),
        (joints, {"values": {**JOINTS, "tjc68": 3}}, "tjc28", "among the 68"),
    ]  # fmt: skip
    for path, body, field, words in cases:
        with nothing_stored(store):
            refused(coordinator.put(path, body), 422, field, words)
    several = {"values": {"tjc28": 29, "sjc28": "2.5", "tjc68": -1, "hips": 1}, "complete": True}
    with nothing_stored(store):
        error = refused(coordinator.put(joints, several), 422, "hips")
    fields = {e["field"] for e in error["errors"]}
    assert fields == {"hips", "tjc28", "sjc28", "tjc68", "sjc66"}, error
    with nothing_stored(store):  # a JSON value no item takes, refused at its item
        refused(coordinator.put(joints, {"values": {"tjc28": [4]}}), 422, "tjc28", "list")


def test_forms_and_visits_not_found_are_404(at_week_4: int, store: Store, coordinator: Api) -> None:
    pid = at_week_4
    for path, words in (
        (at(pid, "W99", "joint_counts"), "W99"),
        (at(pid, "UNS", "vital_signs"), "UNS"),  # no unscheduled visit recorded
        (at(pid, "W4#2", "joint_counts"), "W4#2"),
        (at(pid, "W4#x", "joint_counts"), "W4#x"),
        (at(pid, "W4", "nope"), "nope"),
        (at(pid, "W2", "joint_counts"), "joint_counts"),  # not a form of week 2
    ):
        with nothing_stored(store):
            refused(coordinator.put(path, {"values": JOINTS}), 404, None, words)
            refused(coordinator.get(path), 404, None, words)
    assert ok(coordinator.get(at(pid, "W4#1", "joint_counts")))["visit_key"] == "W4"


def test_nothing_is_entered_before_the_injection(pid: int, store: Store, coordinator: Api) -> None:
    with nothing_stored(store):
        refused(coordinator.put(at(pid, "W4", "joint_counts"), {"values": JOINTS}), 422,
                "visit_date", "not recorded yet")  # fmt: skip
        refused(coordinator.put(at(pid, "D1", "joint_counts"), {"values": JOINTS}), 422,
                "visit", "day1 date, which is not set yet")  # fmt: skip
        refused(coordinator.put(at(pid, "W4") + "/date", {"date": W4_ON}), 422,
                "visit_date", "record the injection first")  # fmt: skip
    assert ok(coordinator.get(at(pid, "W4")))["status"] == "awaiting_day1"


def test_a_second_injection_and_a_stale_form_are_conflicts(
    at_week_4: int, store: Store, coordinator: Api
) -> None:
    pid = at_week_4
    second = {"values": {**INJECTION, "administered_at": "2026-03-17T09:00"}, "complete": True}
    with nothing_stored(store):
        refused(coordinator.put(at(pid, "D1", "injection"), second), 409, "form",
                "already entered")  # fmt: skip
    path = at(pid, "W4", "acute_phase")
    first = ok(coordinator.put(path, {"values": {"crp": "12", "esr": 30}}))
    assert first["status"] == "incomplete"
    ok(coordinator.put(path, {"values": {"crp": "13", "esr": 30}, "version": first["version"]}))
    with nothing_stored(store):
        stale = {"values": {"crp": "14", "esr": 30}, "version": first["version"]}
        refused(coordinator.put(path, stale), 409, "version", "reload")
        refused(coordinator.put(path, {"values": {"crp": "14", "esr": 30}}), 409, "form",
                "already entered")  # fmt: skip
    assert ok(coordinator.get(path))["values"]["crp"] == "13"


def test_visit_dates_and_unscheduled_visits(at_week_4: int, store: Store, coordinator: Api) -> None:
    pid = at_week_4

    def date_of(key: str) -> str:
        return at(pid, key) + "/date"

    for key, body, status, field, words in (
        ("W8", {"date": "2026-03-10"}, 422, "visit_date", "before day 1 (2026-03-16)"),
        ("W8", {"date": "2099-01-01"}, 422, "visit_date", "in the future"),
        ("D1", {"date": "2026-03-17"}, 422, "visit", "injection"),
        ("W99", {"date": "2026-05-11"}, 404, None, "W99"),
        ("UNS#2", {"date": "2026-05-11"}, 404, None, "UNS#2"),
        ("W8", {"date": "11/05/2026"}, 422, "date", ""),
    ):
        with nothing_stored(store):
            refused(coordinator.put(date_of(key), body), status, field, words)
    w4 = ok(coordinator.get(at(pid, "W4")))
    with nothing_stored(store):
        moved = {"date": "2026-04-14", "version": w4["version"]}
        refused(coordinator.put(date_of("W4"), moved), 422, "reason", "reason")
        stale = {**moved, "version": w4["version"] - 1, "reason": "typo"}
        refused(coordinator.put(date_of("W4"), stale), 409, "version", "reload")
    corrected = ok(coordinator.put(date_of("W4"), {**moved, "reason": "typed the wrong day"}))
    assert corrected["date"] == "2026-04-14" and corrected["version"] == w4["version"] + 1

    first = ok(coordinator.put(date_of("UNS"), {"date": "2026-05-02"}))
    second = ok(coordinator.put(date_of("UNS"), {"date": "2026-05-20"}))
    assert (first["key"], second["key"]) == ("UNS", "UNS#2")
    assert second["name"]["en"] == "Unscheduled visit" and second["status"] == "done_in_window"
    fixed = {"date": "2026-05-21", "version": second["version"], "reason": "wrong day"}
    assert ok(coordinator.put(date_of("UNS#2"), fixed))["date"] == "2026-05-21"
    assert ok(coordinator.put(date_of("UNS#1"), {"date": "2026-05-02", "version": 1}))["key"] == (
        "UNS"
    )
    vitals = enter(coordinator, pid, "UNS#2", "vital_signs", typical_values("vital_signs"))
    assert vitals["visit_key"] == "UNS#2"
    keys = [v["key"] for v in ok(coordinator.get(at(pid)))["calendar"]]
    assert keys.count("UNS") == 1 and "UNS#2" in keys


def test_a_missed_visit_and_its_refusals(at_week_4: int, store: Store, coordinator: Api) -> None:
    pid = at_week_4
    for key, body, status, field, words in (
        ("W1", {"reason": "   "}, 422, "reason", ""),
        ("D1", {"reason": "no show"}, 422, "visit", "cannot be missed"),
        ("W4", {"reason": "no show"}, 422, "visit", "took place on 2026-04-13"),
        ("W99", {"reason": "no show"}, 404, None, "W99"),
    ):
        with nothing_stored(store):
            refused(coordinator.post(at(pid, key) + "/missed", body), status, field, words)
    missed = ok(coordinator.post(at(pid, "W1") + "/missed", {"reason": "unwell, could not travel"}))
    assert missed["status"] == "missed" and missed["missed_reason"] == "unwell, could not travel"
    with nothing_stored(store):
        stale = {"reason": "holiday", "version": missed["version"] + 1}
        refused(coordinator.post(at(pid, "W1") + "/missed", stale), 409, "version")
        refused(coordinator.put(at(pid, "W1", "vital_signs"), {"values": {}}), 422,
                "visit_date", "recorded as not done")  # fmt: skip


def test_signature_refusals(at_week_4: int, store: Store, investigator: Api) -> None:
    pid = at_week_4
    password = {"password": PASSWORD, "reviewed": "0" * 64}
    for key, status, field, words in (
        ("W4", 422, "forms", "complete every form first"),  # nothing entered at week 4 yet
        ("W1", 404, None, "not recorded"),  # did not take place
        ("W99", 404, None, "W99"),
    ):
        with nothing_stored(store):
            refused(investigator.post(at(pid, key) + "/signature", password), status,
                    field, words)  # fmt: skip
    with nothing_stored(store):
        refused(investigator.post(at(pid, "W4") + "/signature", {}), 422, "password")


def test_log_rows_added_changed_and_refused(at_week_4: int, store: Store, coordinator: Api) -> None:
    pid = at_week_4
    log = at(pid) + "/logs/concomitant_medications"
    first = ok(coordinator.post(log, {"values": MEDICATION, "complete": True}), 201)
    assert (first["row"], first["visit_key"], first["status"]) == (1, None, "complete")
    second = ok(coordinator.post(log, {"values": {**MEDICATION, "medication": "ibuprofen",
                                                  "category": "nsaid"}}), 201)  # fmt: skip
    assert second["row"] == 2
    rows_shown = ok(coordinator.get(log))
    assert [r["row"] for r in rows_shown["rows"]] == [1, 2]
    assert rows_shown["form"]["repeating"] is True
    assert {g["form_id"]: g["rows"] for g in ok(coordinator.get(at(pid)))["logs"]} == {
        "concomitant_medications": 2
    }
    change = {
        "values": {**MEDICATION, "dose": "15", "dose_unit": "mg"}, "complete": True,
        "version": first["version"], "reason": "dose added from the prescription",
    }  # fmt: skip
    changed = ok(coordinator.put(log + "/1", change))
    assert changed["values"]["dose"] == "15" and changed["version"] == first["version"] + 1
    for method, path, body, status, field, words in (
        ("PUT", log + "/1", change, 409, "version", "reload"),
        ("PUT", log + "/1", {"values": MEDICATION}, 422, "version", ""),
        ("PUT", log + "/9", {**change, "version": 1}, 404, None, "no row 9"),
        ("POST", log, {"values": {**MEDICATION, "start_date": "2099-01-01"}}, 422, "start_date",
         "in the future"),
        ("POST", log, {"values": {"medication": "x"}, "complete": True}, 422, "category",
         "required"),
        ("POST", log, {"values": MEDICATION, "version": 1}, 422, "version", ""),
        ("POST", at(pid) + "/logs/vital_signs", {"values": {}}, 404, None, "not as a log"),
        ("POST", at(pid) + "/logs/nope", {"values": {}}, 404, None, "nope"),
    ):  # fmt: skip
        with nothing_stored(store):
            refused(coordinator.send(method, path, body), status, field, words)


def test_the_end_of_participation_and_its_refusals(
    at_week_4: int, store: Store, coordinator: Api
) -> None:
    pid = at_week_4
    end = at(pid) + "/end"
    for body, field, words in (
        ({"term": "BORED", "ended_on": "2026-05-01"}, "term", ""),
        ({"term": "OTHER", "ended_on": "2026-05-01"}, "reason", "needs a reason"),
        ({"term": "COMPLETED", "ended_on": "2026-05-01"}, "term", "completion is at Week 24"),
        ({"term": "LOST TO FOLLOW-UP", "ended_on": "2099-01-01"}, "ended_on", "in the future"),
        ({"term": "LOST TO FOLLOW-UP", "ended_on": "2026-04-01"}, "ended_on", "last visit"),
    ):
        with nothing_stored(store):
            refused(coordinator.post(end, body), 422, field, words)
    ended = ok(coordinator.post(end, {
        "term": "WITHDRAWAL BY SUBJECT", "ended_on": "2026-05-01", "reason": "moved away",
        "termination_visit_on": "2026-05-01",
    }))  # fmt: skip
    assert ended["ended"] == {"term": "WITHDRAWAL BY SUBJECT", "ended_on": "2026-05-01",
                              "reason": "moved away"}  # fmt: skip
    calendar = {v["key"]: v for v in ended["calendar"]}
    assert calendar["ET"]["status"] == "done_in_window" and calendar["ET"]["date"] == "2026-05-01"
    assert calendar["W24"]["status"] == "not_due" and calendar["W4"]["date"] == W4_ON
    with nothing_stored(store):
        again = {"term": "DEATH", "ended_on": "2026-05-02"}
        refused(coordinator.post(end, again), 409, "term", "already ended")


def test_the_dashboard_totals_are_the_participants_badges(store: Store, coordinator: Api) -> None:
    investigator_id, ids = enrolled(store, 3)
    ids += enrol(store, investigator_id, 1, start=10)
    a, b, c, _ = ids
    inject(store, a)
    inject(store, b, administered_at="2026-03-20T09:00")
    ok(coordinator.put(at(b, "D2") + "/date", {"date": "2026-03-21"}))
    ok(coordinator.put(at(b, "D2", "vital_signs"), {"values": {"pulse": 70}}))  # a draft
    ok(coordinator.post(at(b, "W1") + "/missed", {"reason": "holiday"}))
    inject(store, c, administered_at="2026-03-18T09:00")
    listed = ok(coordinator.get("/api/participants"))
    assert [p["enrolment_id"] for p in listed] == ids  # in subject-number order
    board = ok(coordinator.get("/api/participants/dashboard", params={"study": STUDY.id}))
    assert board["study"] == STUDY.id
    for name in ("due", "overdue", "missed", "incomplete"):
        assert board["totals"][name] == sum(p["badges"][name] for p in listed), name
        assert len(board["visits"][name]) == board["totals"][name], name
        for p in listed:
            mine = [v for v in board["visits"][name] if v["enrolment_id"] == p["enrolment_id"]]
            assert len(mine) == p["badges"][name], (name, p)
    for p in listed:  # a participant's own page shows the same badges
        assert ok(coordinator.get(at(p["enrolment_id"])))["badges"] == p["badges"]
    # the site's today is after every window: what was not done is overdue, not due
    assert board["totals"]["overdue"] > 0 and board["totals"]["due"] == 0
    by_id = {p["enrolment_id"]: p for p in listed}
    assert [(v["enrolment_id"], v["visit_key"]) for v in board["visits"]["missed"]] == [(b, "W1")]
    # b: screening and day 1 took place with forms still to enter; day 2's vitals are a draft
    incomplete = [v["visit_key"] for v in board["visits"]["incomplete"] if v["enrolment_id"] == b]
    assert incomplete == ["SCR", "D1", "D2"]
    assert by_id[ids[3]]["day1"] is None and by_id[ids[3]]["next_visit"]["key"] == "D1"
    assert by_id[a]["next_visit"]["key"] == "D2"  # the first visit still expected: overdue


def test_a_participant_of_a_study_not_served_is_not_found(
    at_week_4: int, store: Store, app: FastAPI
) -> None:
    pid = at_week_4
    eye = load_study(str(EYE_STUDY))
    elsewhere = create_app(store, studies={eye.id: eye}, secret_key=b"k" * 32)
    other = Api(elsewhere, "coordinator")
    with nothing_stored(store):
        refused(other.get(at(pid)), 404, None, "NCT06947746")
        refused(other.put(at(pid, "W4", "joint_counts"), {"values": JOINTS}), 404, None)
        refused(other.get("/api/participants"), 404, None, "visit schedule")
    both = Api(app, "coordinator")
    refused(both.get("/api/participants", params={"study": "NCT09900001"}), 404, None,
            "no study")  # fmt: skip
    refused(both.get("/api/participants/dashboard", params={"study": "NCT00000000"}),
            404, None, "no study")  # fmt: skip


def test_every_operation_documents_its_errors_and_refuses_unknown_fields(app: FastAPI) -> None:
    schema = app.openapi()
    routes = {(m, r.path) for r in conduct_api.router.routes for m in getattr(r, "methods", ())}
    operations = [  # the conduct room's (other rooms share the /api/participants prefix)
        (path, method, op)
        for path, ops in schema["paths"].items()
        if path.startswith("/api/participants")
        for method, op in ops.items()
        if (method.upper(), path) in routes
    ]
    assert len(operations) == len(routes) == 13
    for path, method, op in operations:
        assert {"401", "403", "404", "409", "422", "500"} <= set(op["responses"]), (method, path)
        assert op["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorBody"
        }
        if "requestBody" in op:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
            assert body["additionalProperties"] is False, (method, path)
