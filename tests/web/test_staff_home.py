"""The staff home and shell (walkthrough D24): the work queues of the user's role, zero
shown neutral (no green zero badges), the study link to a staff view with the public page
named as such, and staff pages without the patient's footer."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.trial.store.db import Store
from trialdesk.web.rooms.dashboard.queues import Queue
from webclient import Api, client_as

STUDY = "NCT06947746"
NOT_ADVICE = "Nothing on this site is medical advice"


def _main(html: str) -> str:
    return html.split("<main", 1)[1].split("</main>", 1)[0]


def _queues(html: str) -> dict[str, tuple[int, str]]:
    """Each queue on the page: its count and its badge's classes."""
    found = re.findall(
        r'id="queue-([a-z_]+)-'
        + STUDY
        + r'" data-count="(\d+)"><a href="[^"]+"><span class="([^"]+)"',
        html,
    )
    return {key: (int(count), tone) for key, count, tone in found}


def test_a_coordinator_sees_the_queues_of_the_role(app: FastAPI) -> None:
    api = Api(app, "coordinator")
    for name in ("A", "B"):
        assert api.post("/api/candidates", {"study": STUDY, "name": name}).status_code == 201
    home = api.client.get("/staff").text
    queues = _queues(home)
    assert queues["screening"] == (2, "badge badge-warn")
    assert queues["leads_new"] == (0, "badge badge-none")
    assert {"visits_overdue", "visits_due", "queries_open", "sae_clocks"} <= set(queues)
    assert "queries_answered" not in queues  # closing queries is the monitor's
    assert "badge-ok" not in _main(home)  # no green "0"
    assert f'href="/staff/candidates?study={STUDY}&amp;status=screening"' in home


def test_the_monitor_sees_other_queues(app: FastAPI) -> None:
    queues = _queues(client_as(app, "monitor").get("/staff").text)
    assert set(queues) == {"queries_answered"}


def test_an_admin_is_told_nothing_waits(app: FastAPI) -> None:
    home = client_as(app, "admin").get("/staff").text
    assert _queues(home) == {} and "Nothing waits here for your role." in home


@pytest.mark.parametrize(
    ("role", "view"),
    [("coordinator", "/staff/participants"), ("monitor", "/staff/participants"),
     ("admin", "/staff/leads")],
)  # fmt: skip
def test_the_study_opens_a_staff_view_and_names_the_public_page(
    app: FastAPI, role: str, view: str
) -> None:
    home = client_as(app, role).get("/staff").text
    heading = re.search(r'<h2 id="study-title-' + STUDY + r'"><a href="([^"]+)"', home)
    assert heading and heading.group(1) == f"{view}?study={STUDY}"
    assert (
        f'<a href="/studies/{STUDY}" class="public-page-link">Public page (what patients see)</a>'
        in home
    )


def test_the_home_reads_in_chinese(app: FastAPI) -> None:
    home = client_as(app, "coordinator").get("/staff?lang=zh-CN").text
    assert "待办事项" in home and "筛选中的候选人" in home and "公开页面（患者所见）" in home


@pytest.mark.parametrize("path", ["/staff", "/staff/audit", "/staff/leads", "/admin/users"])
def test_staff_pages_have_the_teams_footer(app: FastAPI, path: str) -> None:
    page = client_as(app, "admin").get(path)
    assert page.status_code == 200, path
    footer = page.text.split('<footer class="site-footer">', 1)[1]
    assert NOT_ADVICE not in footer and "For the study team" in footer


def test_public_pages_keep_the_patients_footer(client: TestClient) -> None:
    footer = client.get("/").text.split('<footer class="site-footer">', 1)[1]
    assert NOT_ADVICE in footer and "ClinicalTrials.gov" in footer


@pytest.mark.parametrize(
    ("count", "urgent", "tone"),
    [(0, False, "badge badge-none"), (0, True, "badge badge-none"),
     (3, False, "badge badge-warn"), (1, True, "badge badge-bad")],
)  # fmt: skip
def test_a_queue_is_neutral_at_zero_and_urgent_only_when_late(
    count: int, urgent: bool, tone: str
) -> None:
    assert Queue("x", count, "/", urgent).tone == tone


def test_the_store_is_only_read(app: FastAPI, store: Store) -> None:
    from trialdesk.trial.store import audit

    with store.read() as session:
        before = audit.head(session)
    client_as(app, "coordinator").get("/staff")
    with store.read() as session:
        after = audit.head(session)
    # signing in writes its own entry; rendering the home writes none
    assert after[0] - before[0] == 1
