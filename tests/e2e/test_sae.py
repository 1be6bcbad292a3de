"""The SAE report in a real browser: a serious event's clock on the participants'
dashboard, the coordinator drafts the initial report from it, the investigator submits
it with a signature, and the report prints as the CIOMS I form (screen and print media).

Its own server over its own SQLite store; the participant is enrolled and injected and
the event recorded through the trial services, now, so its clock runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trial.conduct_helpers import enrolled, inject
from trial.helpers import PASSWORD as INVESTIGATOR_PASSWORD
from trial.screening_helpers import INVESTIGATOR
from trial.test_safety_helpers import record
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store, open_store

from .conftest import serve
from .flows import COORDINATOR, PASSWORD, screenshot, sign_in, staff_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, int, int]]:
    store: Store = open_store(f"sqlite:///{tmp_path / 'sae.db'}")
    _, (pid,) = enrolled(store)
    inject(store, pid)
    event = record(
        store, pid, seriousness=("hospitalisation",), grade=3, term="Arthritis",
        end=None, outcome="RECOVERING/RESOLVING", now=datetime.now(UTC),
    ).event  # fmt: skip
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=COORDINATOR, password=PASSWORD,
            role=Role.COORDINATOR, reason="e2e fixture",
        )  # fmt: skip
    with serve(store) as base_url:
        yield base_url, pid, event.id
    store.close()


def test_draft_submit_and_print_the_sae_report(
    browser: Browser, site: tuple[str, int, int]
) -> None:
    base_url, pid, event_id = site
    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto("/staff/participants")
    panel = coordinator.locator("#sae-clocks")
    assert "time left 23 h" in panel.inner_text() or "time left 24 h" in panel.inner_text()
    screenshot(coordinator, "sae-01-dashboard-clock")
    panel.get_by_role("link").first.click()
    coordinator.wait_for_url(f"**/adverse-events/{event_id}/sae")
    assert coordinator.locator('#clock-card [data-clock="open"]').count() == 1
    coordinator.locator("#f-narrative").fill(
        "Two days after the injection: hot, swollen right knee; admitted, aspirated, "
        "synovial fluid culture negative. 注射后第2天右膝红肿热痛，收入院。"
    )
    coordinator.locator("#f-admitted_on").fill("2026-03-19")
    coordinator.locator("#f-tests").fill("CRP 48 mg/L; synovial WBC 12,000/µL")
    coordinator.locator("#f-reporter").fill("Dr Wang Li")
    coordinator.get_by_role("button", name="Save the draft").click()
    coordinator.wait_for_url("**/sae/reports/*")
    assert "Only the investigator submits a report." in coordinator.content()
    screenshot(coordinator, "sae-02-draft")

    investigator = staff_page(browser, base_url)
    sign_in(investigator, INVESTIGATOR, INVESTIGATOR_PASSWORD)
    investigator.goto(coordinator.url)
    investigator.locator("#submit-link").click()
    investigator.locator("#f-password").fill(INVESTIGATOR_PASSWORD)
    screenshot(investigator, "sae-03-submit")
    investigator.get_by_role("button", name="Sign and submit").click()
    investigator.get_by_role("status").wait_for()
    assert investigator.locator('#clock-card [data-clock="met"]').count() == 1
    screenshot(investigator, "sae-04-submitted")

    investigator.get_by_role("link", name="CIOMS I form (print)").click()
    investigator.locator('[data-box="7+13"]').wait_for()
    assert "注射后第2天右膝红肿热痛" in investigator.locator('[data-box="7+13"]').inner_text()
    screenshot(investigator, "sae-05-cioms-screen")
    investigator.emulate_media(media="print")
    assert not investigator.locator(".site-header").is_visible()
    screenshot(investigator, "sae-06-cioms-print")
    investigator.emulate_media(media="screen")
    investigator.goto(f"/staff/participants/{pid}/adverse-events/{event_id}/sae?lang=zh-CN")
    assert "首次报告" in investigator.locator("#report-list").inner_text()
    screenshot(investigator, "sae-07-reports-zh")
    coordinator.goto("/staff/participants?lang=zh-CN")
    assert "没有进行中的严重不良事件时限。" in coordinator.locator("#sae-clocks").inner_text()
