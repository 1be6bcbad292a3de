"""The week-24 report page: a monitor reads it (every count a link to the participants
behind it) and downloads its PDF and JSON; an administrator, who reads no clinical data,
is refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI

from trialdesk.study.loader import load_study
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store
from trialdesk.web import create_app
from webclient import add_staff, client_as


@pytest.fixture
def simulated(tmp_path: Path, studies: dict[str, object]) -> FastAPI:
    """A simulated trial (its own store: simulate wants one with no staff), then the staff."""
    store = open_store(f"sqlite:///{tmp_path / 'trial.db'}")
    simulate(store, load_study("NCT06947746"), participants=4, seed=3, as_of=date(2026, 9, 30))
    add_staff(store)
    return create_app(store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]


def test_a_monitor_reads_the_report_with_its_people(simulated: FastAPI) -> None:
    client = client_as(simulated, "monitor")
    page = client.get("/staff/report/week24?lang=zh-CN")
    assert page.status_code == 200
    text = page.text
    assert "第24周报告" in text and 'id="w24-assumptions"' in text
    assert 'class="who" href="#who-1"' in text and 'id="who-1"' in text
    assert "NCT06947746-01-001" in text  # the appendix names the participants
    assert 'src="data:image/svg+xml;base64,' in text  # figures as images under the CSP
    assert "<style" not in text.split("<body", 1)[1]  # no inline style: the CSP forbids it
    css = client.get("/staff/report/week24.css")  # the standalone report's own rules
    assert 'href="/staff/report/week24.css"' in text and css.status_code == 200
    assert css.headers["content-type"].startswith("text/css") and ".w24" in css.text
    data = client.get("/staff/report/week24.json").json()
    assert data["study"] == "NCT06947746" and data["tables"]
    pdf = client.get("/staff/report/week24.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")


@pytest.mark.parametrize("path", ["/staff/report/week24", "/staff/report/week24.json"])
def test_an_administrator_is_refused(app: FastAPI, path: str) -> None:
    assert client_as(app, "admin").get(path).status_code == 403
