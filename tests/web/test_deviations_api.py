"""Protocol deviations through the JSON API: the study's list filtered, a participant's,
the investigator's decision (only theirs), and hand entry by the roles that may; CSRF on
writes; every refusal stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import LATER, enrolled, inject, visit_on
from trial.screening_helpers import STUDY as STUDY_OF
from trialdesk.trial.conduct import visits
from trialdesk.trial.review.deviation_models import ProtocolDeviation
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from webclient import Api, client_as

pytestmark = pytest.mark.usefixtures("cheap_argon2")

STUDY = "NCT06947746"
W4 = {"kind": "visit_out_of_window", "what": "W4"}
W4_TERM = "Week 4 visit (W4) on 2026-04-19 is 3 day(s) out of its window 2026-04-10 to 2026-04-16"
MANUAL = {
    "dvterm": "Knee MRI on a 1.5 T scanner", "dvcat": "ASSESSMENT", "severity": "minor",
    "dvstdtc": "2026-03-05", "visit_key": "SCR",
}  # fmt: skip


def rows(store: Store) -> tuple[int, int]:
    with store.read() as session:
        return (
            session.scalar(select(func.count()).select_from(ProtocolDeviation)) or 0,
            session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
        )


@contextmanager
def nothing_stored(store: Store) -> Iterator[None]:
    before = rows(store)
    yield
    assert rows(store) == before
    with store.read() as session:
        assert audit.verify(session).ok


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    """Injected on 2026-03-16; week 4 on 2026-04-19, 3 days after its window closed."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "W4", date(2026, 4, 19))
    return pid


def path(pid: int) -> str:
    return f"/api/participants/{pid}/deviations"


def test_lists_for_every_role_that_sees_participants(app: FastAPI, pid: int) -> None:
    for role in ("coordinator", "monitor", "investigator"):
        response = Api(app, role).get(path(pid))
        assert response.status_code == 200, response.text
        (found,) = [d for d in response.json()["deviations"] if d["what"] == "W4"]
        assert found["kind"] == "visit_out_of_window" and found["severity"] == "minor"
        assert found["DVDECOD"] == "VISIT OUT OF WINDOW" and found["DVSTDTC"] == "2026-04-19"
        assert found["state"] == "proposed" and found["key"] == f"visit_out_of_window/{pid}/W4"
    assert Api(app, "admin").get(path(pid)).status_code == 403
    assert client_as(app, None).get(path(pid)).status_code == 401
    listed = Api(app, "monitor").get(
        f"/api/deviations?study={STUDY}&kind=visit_out_of_window&severity=minor"
    )
    assert listed.status_code == 200
    assert [d["what"] for d in listed.json()["deviations"]] == ["W4"]
    assert listed.json()["counts"]["proposed"] >= 1
    theirs = Api(app, "monitor").get(f"/api/deviations?study={STUDY}&participant={pid}")
    assert {d["enrolment_id"] for d in theirs.json()["deviations"]} == {pid}
    nobody = Api(app, "monitor").get(f"/api/deviations?study={STUDY}&participant={pid + 1}")
    assert nobody.json()["deviations"] == []
    assert Api(app, "monitor").get("/api/deviations?study=NCT00000000").status_code == 404


def test_only_the_investigator_decides(app: FastAPI, store: Store, pid: int) -> None:
    for role in ("coordinator", "monitor"):
        api = Api(app, role)
        with nothing_stored(store):
            refused = api.post(path(pid) + "/decisions", {**W4, "decision": "confirm"})
            assert refused.status_code == 403, refused.text
    ivy = Api(app, "investigator")
    with nothing_stored(store):
        missing = ivy.post(path(pid) + "/decisions", {**W4, "decision": "dismiss"})
        assert missing.status_code == 422
        fields = {e["field"] for e in missing.json()["error"]["errors"]}
        assert fields == {"reason", "dvterm"}  # the term it was shown is required too
    with nothing_stored(store):
        bare = ivy.client.post(path(pid) + "/decisions", json={**W4, "decision": "confirm"})
        assert bare.status_code == 403
    with nothing_stored(store):
        gone = ivy.post(path(pid) + "/decisions", {**W4, "what": "W8", "decision": "confirm"})
        assert gone.status_code == 404
    with nothing_stored(store):
        shown = ivy.post(path(pid) + "/decisions", {**W4, "decision": "confirm", "dvterm": "x"})
        assert shown.status_code == 409
    (shown,) = [d for d in ivy.get(path(pid)).json()["deviations"] if d["what"] == "W4"]
    assert shown["DVTERM"] == W4_TERM and shown["version"] is None  # nothing stored yet
    done = ivy.post(path(pid) + "/decisions", {
        **W4, "decision": "confirm", "severity": "major", "dvterm": shown["DVTERM"],
    })  # fmt: skip
    assert done.status_code == 201, done.text
    assert done.json()["state"] == "confirmed" and done.json()["severity"] == "major"
    assert done.json()["decided_by"] == "investigator"
    with nothing_stored(store):
        again = ivy.post(path(pid) + "/decisions", {**W4, "decision": "dismiss", "reason": "x",
                                                    "dvterm": W4_TERM})  # fmt: skip
        assert again.status_code == 409


def test_hand_entry(app: FastAPI, store: Store, pid: int) -> None:
    admin = Api(app, "admin")
    with nothing_stored(store):
        assert admin.post(path(pid), MANUAL).status_code == 403
    monitor = Api(app, "monitor")
    with nothing_stored(store):
        bad = monitor.post(path(pid), {**MANUAL, "dvcat": "NONSENSE", "dvstdtc": "2026-13-01"})
        assert bad.status_code == 422
        assert "dvcat" in bad.json()["error"]["message"]
        assert "dvstdtc" in bad.json()["error"]["message"]
    made = monitor.post(path(pid), MANUAL)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["what"], body["state"], body["origin"], body["EPOCH"]) == (
        "M1", "proposed", "manual", "SCREENING",
    )  # fmt: skip
    ivy = Api(app, "investigator")
    with nothing_stored(store):
        bare = ivy.post(path(pid) + "/decisions", {
            "kind": "manual", "what": "M1", "decision": "dismiss", "reason": "duplicate",
        })  # fmt: skip
        assert bare.status_code == 422 and bare.json()["error"]["field"] == "version"
    with nothing_stored(store):
        stale = ivy.post(path(pid) + "/decisions", {
            "kind": "manual", "what": "M1", "decision": "dismiss", "reason": "duplicate",
            "version": body["version"] + 1,
        })  # fmt: skip
        assert stale.status_code == 409
    decided = ivy.post(path(pid) + "/decisions", {
        "kind": "manual", "what": "M1", "decision": "dismiss", "reason": "duplicate",
        "version": body["version"],
    })  # fmt: skip
    assert decided.status_code == 201 and decided.json()["state"] == "dismissed"


def test_a_dismissal_proposed_again_in_a_higher_class_needs_its_version(
    app: FastAPI, store: Store, pid: int
) -> None:
    ivy = Api(app, "investigator")
    dismissed = ivy.post(path(pid) + "/decisions", {
        **W4, "decision": "dismiss", "reason": "public holiday", "dvterm": W4_TERM,
    })  # fmt: skip
    assert dismissed.status_code == 201, dismissed.text
    with store.transaction() as session:  # 15 days out: major now
        visits.record_visit(
            session, actor="coord", study=STUDY_OF, enrolment_id=pid, visit_id="W4",
            on=date(2026, 5, 1), today=LATER.date(), now=LATER, reason="date typed wrong",
        )  # fmt: skip
    (again,) = [d for d in ivy.get(path(pid)).json()["deviations"] if d["what"] == "W4"]
    assert (again["state"], again["severity"]) == ("proposed", "major")
    assert again["earlier"]["severity"] == "minor"
    assert again["earlier"]["reason"] == "public holiday"
    assert again["version"] == dismissed.json()["version"]
    page = client_as(app, "investigator").get(f"/staff/participants/{pid}/deviations").text
    assert "proposed again: its class rose" in page and "public holiday" in page
    assert f'name="version" value="{again["version"]}"' in page
    with nothing_stored(store):
        bare = ivy.post(path(pid) + "/decisions", {
            **W4, "decision": "confirm", "dvterm": again["DVTERM"],
        })  # fmt: skip
        assert bare.status_code == 422 and bare.json()["error"]["field"] == "version"
    done = ivy.post(path(pid) + "/decisions", {
        **W4, "decision": "confirm", "dvterm": again["DVTERM"], "version": again["version"],
    })  # fmt: skip
    assert done.status_code == 201, done.text
    assert (done.json()["state"], done.json()["severity"]) == ("confirmed", "major")
    assert done.json()["earlier"] is None
