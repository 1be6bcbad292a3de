"""Protocol deviations as pages: the study's list with its filters, a participant's with
the investigator's decide forms and the hand-entry form, in English and Chinese, the
count on the participants' dashboard; CSRF on every form, refusals store nothing."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from trial.conduct_helpers import enrolled, inject, visit_on
from trialdesk.trial.review.deviation_models import ProtocolDeviation
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from webclient import client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
def pid(app: FastAPI, store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "W4", date(2026, 4, 19))
    return pid


def stored(store: Store) -> int:
    with store.read() as session:
        assert audit.verify(session).ok
        return session.scalar(select(func.count()).select_from(ProtocolDeviation)) or 0


def page(pid: int) -> str:
    return f"/staff/participants/{pid}/deviations"


def test_the_pages_and_the_dashboard_count(app: FastAPI, pid: int) -> None:
    ivy = client_as(app, "investigator")
    shown = ivy.get(page(pid))
    assert shown.status_code == 200, shown.text
    assert "3 day(s) out of its window" in shown.text
    assert 'name="decision" value="confirm"' in shown.text
    chinese = ivy.get(page(pid) + "?lang=zh-CN")
    assert "方案偏离" in chinese.text and "待决定" in chinese.text
    coordinator = client_as(app, "coordinator").get(page(pid))
    assert coordinator.status_code == 200 and 'name="decision"' not in coordinator.text
    assert "Only the investigator" in coordinator.text and 'name="dvterm"' in coordinator.text
    listing = client_as(app, "monitor").get("/staff/deviations?kind=visit_out_of_window")
    assert listing.status_code == 200 and "VISIT OUT OF WINDOW" in listing.text
    assert "MISSED VISIT" not in listing.text
    assert client_as(app, "admin").get("/staff/deviations").status_code == 403
    dashboard = ivy.get("/staff/participants")
    assert 'id="deviation-count"' in dashboard.text


def test_the_page_reads_in_the_readers_language(app: FastAPI, pid: int) -> None:
    ivy = client_as(app, "investigator")
    chinese = ivy.get(page(pid), headers={"Accept-Language": "zh-CN"}).text
    assert "<title>方案偏离" in chinese and "手工录入方案偏离" in chinese
    assert "已排除" in chinese and "确认" in chinese
    for english in ("Enter a deviation by hand", "Visit / epoch", ">Dismiss<", ">dismissed:"):
        assert english not in chinese
    listing = ivy.get("/staff/deviations", headers={"Accept-Language": "zh-CN"}).text
    assert "<title>方案偏离" in listing and ">筛选<" in listing and ">Filter<" not in listing
    english = ivy.get(page(pid) + "?lang=en").text
    assert "<title>Protocol deviations" in english and "Enter a deviation by hand" in english
    assert "手工录入方案偏离" not in english


def test_decide_and_enter_on_the_page(app: FastAPI, store: Store, pid: int) -> None:
    ivy = client_as(app, "investigator")
    token = csrf_token(ivy, page(pid))
    term = "Week 4 visit (W4) on 2026-04-19 is 3 day(s) out of its window 2026-04-10 to 2026-04-16"
    assert f'name="dvterm" value="{term}"' in ivy.get(page(pid)).text
    form = {"csrf_token": token, "kind": "visit_out_of_window", "what": "W4", "dvterm": term}
    missing = ivy.post(page(pid) + "/decisions", data={**form, "decision": "dismiss"})
    assert missing.status_code == 422 and "give a reason" in missing.text
    forged = ivy.post(page(pid) + "/decisions", data={**form, "csrf_token": "x",
                                                      "decision": "confirm"})  # fmt: skip
    assert forged.status_code == 403 and stored(store) == 0
    coordinator = client_as(app, "coordinator")
    theirs = csrf_token(coordinator, page(pid))
    theirs_form = {**form, "csrf_token": theirs, "decision": "confirm"}
    refused = coordinator.post(page(pid) + "/decisions", data=theirs_form)
    assert refused.status_code == 403 and stored(store) == 0
    done = ivy.post(page(pid) + "/decisions", data={**form, "decision": "dismiss",
                                                    "reason": "public holiday"})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == page(pid)
    assert "public holiday" in ivy.get(page(pid)).text
    entry = {"csrf_token": theirs, "dvterm": "", "dvcat": "OTHER", "severity": "minor",
             "dvstdtc": "2026-03-20"}  # fmt: skip
    bad = coordinator.post(page(pid), data=entry)
    assert bad.status_code == 422 and stored(store) == 1
    good = coordinator.post(page(pid), data={**entry, "dvterm": "Diary not returned"})
    assert good.status_code == 303 and stored(store) == 2
    assert "Diary not returned" in ivy.get(page(pid)).text
