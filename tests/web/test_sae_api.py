"""The SAE reports through the JSON API, mirroring the pages: the clock and the reports of
a serious event, a draft started (every problem at its field at once, 422, nothing
stored) and saved with the version read (stale: 409), the investigator's submission (a
coordinator: 403), a submitted report that never changes (409), the CIOMS I boxes, and
the study's clocks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import Response

from trial.conduct_helpers import enrolled, inject
from trial.helpers import count
from trial.test_safety_helpers import EVENT
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from webclient import PASSWORD, Api

pytestmark = pytest.mark.usefixtures("cheap_argon2")

GOOD = {
    "narrative": "Admitted with a hot swollen right knee; aspirated, culture negative.",
    "admitted_on": "2026-03-19",
    "reporter": "Dr Wang Li",
}


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def sae(app: FastAPI, store: Store) -> str:
    """A serious event recorded through the API now: its SAE path."""
    _, (pid,) = enrolled(store)
    inject(store, pid)
    body = {**EVENT, "grade": "3", "term": "Arthritis", "seriousness": ["hospitalisation"],
            "special_interest": []}  # fmt: skip
    event = ok(Api(app, "coordinator").send(
        "POST", f"/api/participants/{pid}/adverse-events", body), 201)  # fmt: skip
    return f"/api/participants/{pid}/adverse-events/{event['id']}/sae"


def test_draft_save_stale_and_bad_input(app: FastAPI, store: Store, sae: str) -> None:
    api = Api(app, "coordinator")
    shown = ok(api.get(sae))
    assert shown["serious"] and shown["reports"] == []
    clock = shown["clock"]
    assert clock["state"] == "open" and 86000 < clock["seconds"] <= 86400
    assert clock["due_at_site"].endswith("CST")  # Asia/Shanghai
    before = count(store, SaeReport), count(store, AuditRecord)
    bad = api.send(
        "POST",
        sae + "/reports",
        {"admitted_on": "2026-13-01", "discharged_on": "2026-03-01", "tests": "a\x00b"},
    )
    assert bad.status_code == 422
    fields = {e["field"] for e in bad.json()["error"]["errors"]}
    assert fields == {"admitted_on", "tests"}
    assert (count(store, SaeReport), count(store, AuditRecord)) == before
    unknown = api.send("POST", sae + "/reports", {"narative": "typo"})
    assert unknown.status_code == 422
    report = ok(api.send("POST", sae + "/reports", {"narrative": "first notes"}), 201)
    assert (report["number"], report["state"], report["version"]) == (0, "draft", 1)
    assert report["cioms_pdf"].endswith(f"/sae/reports/{report['id']}/cioms.pdf")
    path = f"{sae}/reports/{report['id']}"
    saved = ok(api.send("PUT", path, {**GOOD, "version": 1}))
    assert saved["version"] == 2 and saved["admitted_on"] == "2026-03-19"
    stale = api.send("PUT", path, {**GOOD, "narrative": "other", "version": 1})
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    assert api.send("POST", sae + "/reports", {}).status_code == 409  # one draft at a time


def test_submission_is_the_investigators_and_final(app: FastAPI, sae: str) -> None:
    coordinator = Api(app, "coordinator")
    report = ok(coordinator.send("POST", sae + "/reports", GOOD), 201)
    path = f"{sae}/reports/{report['id']}"
    refused = coordinator.send("POST", path + "/submit", {"password": PASSWORD, "version": 1})
    assert refused.status_code == 403
    investigator = Api(app, "investigator")
    wrong = investigator.send("POST", path + "/submit", {"password": "nope", "version": 1})
    assert wrong.status_code == 422 and wrong.json()["error"]["field"] == "password"
    done = ok(investigator.send("POST", path + "/submit", {"password": PASSWORD, "version": 1}))
    assert done["state"] == "submitted" and done["signature"]["signer"] == "investigator"
    assert done["signature"]["meaning"] == "serious adverse event report"
    again = investigator.send("POST", path + "/submit", {"password": PASSWORD})
    assert again.status_code == 409
    changed = coordinator.send("PUT", path, {**GOOD, "narrative": "x", "version": done["version"]})
    assert changed.status_code == 409 and "follow-up" in changed.json()["error"]["message"]
    assert ok(coordinator.get(sae))["clock"]["state"] == "met"
    follow = ok(coordinator.send("POST", sae + "/reports", {"narrative": "discharged"}), 201)
    assert (follow["number"], follow["label"]) == (1, "follow-up report 1")
    clocks = ok(coordinator.get("/api/safety/sae-clocks"))
    assert [c["state"] for c in clocks] == ["met"]
    assert ok(coordinator.get("/api/safety/sae-clocks?running=true")) == []
    missing = investigator.send("POST", f"{sae}/reports/999/submit", {"password": PASSWORD})
    assert missing.status_code == 404


def test_the_cioms_boxes_and_a_monitor_reads_only(app: FastAPI, sae: str) -> None:
    coordinator = Api(app, "coordinator")
    report = ok(coordinator.send("POST", sae + "/reports", GOOD), 201)
    monitor = Api(app, "monitor")
    form = ok(monitor.get(f"{sae}/reports/{report['id']}/cioms"))
    boxes = {b["number"]: b for s in form["sections"] for row in s["rows"] for b in row}
    assert boxes["7+13"]["value"].endswith(GOOD["narrative"])
    assert boxes["8-12"]["ticks"][1]["ticked"] and form["draft"]
    assert boxes["24b"]["value"] == form["control_number"]
    assert ok(monitor.get("/api/safety/sae-clocks"))[0]["state"] == "open"
    assert monitor.send("POST", sae + "/reports", GOOD).status_code == 403
    assert monitor.send("PUT", f"{sae}/reports/{report['id']}", GOOD).status_code == 403
