"""The SAE report pages: a serious event's 24-hour clock and reports, a draft started and
saved (every error at its field at once, nothing stored; a stale save is a 409), the
investigator's submission (a coordinator may neither see the signature page nor post
it), a submitted report that never changes, the CIOMS I form as a print page and a PDF,
the open clocks on the dashboards, both languages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from trial.conduct_helpers import enrolled, inject
from trial.helpers import count
from trial.test_safety_helpers import EVENT
from trialdesk.trial.safety.sae_models import SaeReport
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.web.deps import now as real_now
from trialdesk.web.rooms.safety import sae_pages
from trialdesk.web.rooms.safety.sae_pages import SAE_ZH
from webclient import PASSWORD, client_as, csrf_token

BOXES = ("1", "1a", "2", "2a", "3", "4-6", "7+13", "8-12", "14", "15", "16", "17", "18",
         "19", "20", "21", "22", "23", "24a", "24b", "24c", "24d", "25a", "26")  # fmt: skip

GOOD = {
    "narrative": "Admitted with a hot swollen right knee; aspirated, culture negative.",
    "admitted_on": "2026-03-19",
    "discharged_on": "2026-03-24",
    "tests": "CRP 48 mg/L",
    "concomitant": "paracetamol 1 g prn",
    "reporter": "Dr Wang Li",
}


@pytest.fixture
def participant(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)  # day 1: 2026-03-16
    return pid


def _post(client: TestClient, path: str, data: dict[str, Any], page: str) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _errors(html: str) -> dict[str, str]:
    found = r'<p class="field-error" id="f-([a-z_]+)-error">.*?</span>(.*?)</p>'
    return dict(re.findall(found, html))


def _serious(client: TestClient, pid: int) -> str:
    """A serious event recorded from the page, now: its SAE page's path."""
    form = {**EVENT, "grade": "3", "term": "Arthritis", "seriousness": ["hospitalisation"]}
    events = f"/staff/participants/{pid}/adverse-events"
    done = _post(client, events, {k: v for k, v in form.items() if v not in ((), None)}, events)
    assert done.status_code == 303, done.text
    return str(done.headers["location"]).split("?")[0] + "/sae"


def _start(client: TestClient, sae: str, data: dict[str, Any] = GOOD) -> Any:
    return _post(client, sae + "/reports", data, sae)


def _report_path(response: Any) -> str:
    assert response.status_code == 303, response.text
    return str(response.headers["location"]).split("?")[0]


def _rows(store: Store) -> tuple[int, int]:
    return count(store, SaeReport), count(store, AuditRecord)


def test_draft_edit_and_stale(app: FastAPI, store: Store, participant: int) -> None:
    client = client_as(app, "coordinator")
    sae = _serious(client, participant)
    assert f'href="{sae}"' in client.get(sae.removesuffix("/sae")).text  # from the event
    page = client.get(sae)
    assert page.status_code == 200
    assert "24-hour clock" in page.text and 'data-clock="open"' in page.text
    assert re.search(r"time left 2[34] h \d\d min", page.text)
    assert "No report yet." in page.text and "Start the initial report" in page.text
    before = _rows(store)
    bad = _start(client, sae, {**GOOD, "admitted_on": "19/03/2026", "discharged_on": "2026-03-01",
                               "reporter": "x" * 201})  # fmt: skip
    assert bad.status_code == 422
    errors = _errors(bad.text)
    assert set(errors) == {"admitted_on", "reporter"}
    assert "is not a date (YYYY-MM-DD)" in errors["admitted_on"]
    assert "Admitted with a hot swollen right knee" in bad.text  # what was typed comes back
    assert _rows(store) == before
    report = _report_path(_start(client, sae, {"narrative": "first notes"}))
    shown = client.get(report).text
    assert "initial report" in shown and 'name="version" value="1"' in shown
    assert "first notes" in shown and 'badge badge-warn">draft' in shown
    saved = _post(client, report, {**GOOD, "version": "1"}, report)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=1")
    assert "Saved." in client.get(report + "?saved=1").text
    stale = _post(client, report, {**GOOD, "narrative": "other", "version": "1"}, report)
    assert stale.status_code == 409 and "reload" in stale.text
    again = _start(client, sae)
    assert again.status_code == 409 and "still in draft" in again.text


def test_only_the_investigator_submits_and_it_never_changes(
    app: FastAPI, store: Store, participant: int
) -> None:
    coordinator = client_as(app, "coordinator")
    sae = _serious(coordinator, participant)
    report = _report_path(_start(coordinator, sae))
    assert "Only the investigator submits a report." in coordinator.get(report).text
    assert coordinator.get(report + "/submit").status_code == 403
    token = csrf_token(coordinator, report)
    refused = coordinator.post(
        report + "/submit", data={"password": PASSWORD, "version": "1", "csrf_token": token}
    )
    assert refused.status_code == 403

    investigator = client_as(app, "investigator")
    page = investigator.get(report + "/submit")
    assert page.status_code == 200 and "Sign and submit" in page.text
    assert "I submit this serious adverse event report to the sponsor as shown" in page.text
    before = _rows(store)
    wrong = _post(investigator, report + "/submit", {"password": "nope", "version": "1"},
                  report + "/submit")  # fmt: skip
    assert wrong.status_code == 422 and "password is not correct" in wrong.text
    assert count(store, SaeReport) == before[0]
    done = _post(investigator, report + "/submit", {"password": PASSWORD, "version": "1"},
                 report + "/submit")  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("?submitted=1")
    shown = investigator.get(report + "?submitted=1").text
    assert "Submitted." in shown and 'badge badge-ok">submitted' in shown
    assert "Submitted and signed by" in shown and "(investigator)" in shown
    assert 'data-clock="met"' in shown
    assert "never changes" in shown and 'id="report-form"' not in shown
    changed = _post(coordinator, report, {**GOOD, "narrative": "changed", "version": "2"}, report)
    assert changed.status_code == 409 and "write a follow-up report" in changed.text
    follow = _report_path(_start(coordinator, sae, {"narrative": "discharged"}))
    assert "follow-up report 1" in coordinator.get(follow).text


def test_cioms_print_page_and_pdf(app: FastAPI, participant: int) -> None:
    client = client_as(app, "monitor")
    coordinator = client_as(app, "coordinator")
    sae = _serious(coordinator, participant)
    report = _report_path(_start(coordinator, sae, {**GOOD, "narrative": "右膝红肿 hot knee"}))
    page = client.get(report + "/cioms")
    assert page.status_code == 200
    for number in BOXES:
        assert f'data-box="{number}"' in page.text, number
    assert "右膝红肿 hot knee" in page.text and "可疑不良反应报告" in page.text
    assert "DRAFT, NOT SUBMITTED" in page.text and "/static/cioms.css" in page.text
    pdf = client.get(report + "/cioms.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert "右膝红肿 hot knee" in text and "DRAFT" in text
    control = re.search(r"NCT06947746-\S+?-AE1", page.text)  # box 24b, the same on both
    assert control is not None and control.group(0) in text
    # a monitor reads and changes nothing
    assert _start(client, sae).status_code == 403
    assert client.get(report + "/submit").status_code == 403


def test_open_clocks_on_the_dashboards(
    app: FastAPI, participant: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_as(app, "coordinator")
    sae = _serious(client, participant)
    board = client.get("/staff/participants").text
    assert "Open SAE clocks" in board and f'href="{sae}"' in board
    assert re.search(r"time left 2[34] h \d\d min", board)
    person = client.get(f"/staff/participants/{participant}").text
    assert "Open SAE clocks" in person and f'href="{sae}"' in person
    # 25 hours on, with no write in between: the kept page shows it overdue
    later: datetime = real_now() + timedelta(hours=25)
    monkeypatch.setattr(sae_pages, "now", lambda: later)
    board = client.get("/staff/participants").text
    assert re.search(r"overdue by (0|1) h \d\d min", board) and 'data-clock="overdue"' in board
    chinese = client.get(f"/staff/participants/{participant}?lang=zh-CN").text
    assert "进行中的严重不良事件时限" in chinese
    assert re.search(r"已逾期 [01] 小时 \d\d 分钟", chinese)
    monkeypatch.undo()
    report = _report_path(_start(client, sae))
    investigator = client_as(app, "investigator")
    done = _post(investigator, report + "/submit", {"password": PASSWORD, "version": "1"},
                 report + "/submit")  # fmt: skip
    assert done.status_code == 303
    board = client.get("/staff/participants?lang=en").text  # the Chinese was remembered
    assert "No open SAE clock." in board and f'href="{sae}"' not in board


def test_every_sae_page_in_chinese(app: FastAPI, participant: int) -> None:
    client = client_as(app, "investigator")
    sae = _serious(client, participant)
    report = _report_path(_start(client, sae))
    for page in (sae, report, report + "/submit", report + "/cioms"):
        shown = client.get(page + "?lang=zh-CN")
        assert shown.status_code == 200, (page, shown.text[:500])
    assert "24小时时限" in client.get(sae + "?lang=zh-CN").text
    assert "叙述（描述事件、经过及治疗）" in client.get(report + "?lang=zh-CN").text
    assert "签署并提交" in client.get(report + "/submit?lang=zh-CN").text


def test_every_sae_word_has_its_chinese() -> None:
    assert all(SAE_ZH.values()) and all(k.strip() for k in SAE_ZH)
