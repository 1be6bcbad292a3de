"""Proposed adverse events in a real browser: week 4's ALT (grade 2) and platelets (grade
2, worse than baseline's grade 1) are proposed; the investigator dismisses one with a
reason after being refused without one, confirms the other with the prefill edited, and
the page shows each decision; the coordinator sees the list without the forms.

Its own server over its own SQLite store; the participant is enrolled, injected and their
lab values entered through the trial services (tests/trial/conduct_helpers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trial.conduct_helpers import enrolled, inject, save, visit_on
from trial.helpers import PASSWORD as INVESTIGATOR_PASSWORD
from trial.screening_helpers import INVESTIGATOR
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import open_store

from .conftest import serve
from .flows import COORDINATOR, PASSWORD, screenshot, sign_in, staff_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

LABS = {
    "chemistry": ({"alt": "30", "alt_lln": "7", "alt_uln": "40"},
                  {"alt": "130", "alt_lln": "7", "alt_uln": "40"}),
    "haematology": ({"plt": "140", "plt_lln": "150", "plt_uln": "350"},
                    {"plt": "70", "plt_lln": "150", "plt_uln": "350"}),
}  # fmt: skip


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, int]]:
    store = open_store(f"sqlite:///{tmp_path / 'proposals.db'}")
    _, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "W4", date(2026, 4, 13))
    for form_id, (baseline, week4) in LABS.items():
        save(store, pid, form_id, baseline, visit="D1", complete=False)
        save(store, pid, form_id, week4, visit="W4", complete=False)
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=COORDINATOR, password=PASSWORD,
            role=Role.COORDINATOR, reason="e2e fixture",
        )  # fmt: skip
    with serve(store) as base_url:
        yield base_url, pid
    store.close()


def test_the_investigator_decides_each_proposal(browser: Browser, site: tuple[str, int]) -> None:
    base_url, pid = site
    investigator = staff_page(browser, base_url)
    sign_in(investigator, INVESTIGATOR, INVESTIGATOR_PASSWORD)
    investigator.goto(f"/staff/participants/{pid}/proposals")
    rows = investigator.locator("#ae-proposals tbody tr[id^=proposal-]")
    assert rows.count() == 2
    text = investigator.locator("#ae-proposals").inner_text()
    assert "Alanine aminotransferase increased, grade 2" in text
    assert "Platelet count decreased, grade 2" in text
    screenshot(investigator, "proposals-01-open")

    # dismissing needs a reason: refused, then given
    dismiss = investigator.get_by_role("button", name="Dismiss")
    investigator.locator("#f-reason-2").fill(" ")
    dismiss.nth(1).click()
    assert "give a reason" in investigator.locator(".error-summary").inner_text().lower()
    investigator.locator("#f-reason-2").fill("clumped sample, repeat count normal")
    investigator.get_by_role("button", name="Dismiss").nth(1).click()
    investigator.wait_for_url(f"**/staff/participants/{pid}/proposals")

    # confirming records the event, the onset edited
    investigator.locator("#f-event_onset-1").fill("2026-04-12")
    investigator.get_by_role("button", name="Confirm: record the adverse event").click()
    investigator.wait_for_url(f"**/staff/participants/{pid}/proposals")
    text = investigator.locator("#ae-proposals").inner_text()
    assert "confirmed" in text and "adverse event #1" in text
    assert "dismissed" in text and "clumped sample" in text
    assert investigator.get_by_role("button", name="Dismiss").count() == 0
    screenshot(investigator, "proposals-02-decided")

    investigator.goto(f"/staff/participants/{pid}/proposals?lang=zh-CN")
    assert "提示的不良事件" in investigator.content()
    screenshot(investigator, "proposals-03-zh-CN")

    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto(f"/staff/participants/{pid}/proposals")
    assert coordinator.locator("#ae-proposals tbody tr[id^=proposal-]").count() == 2
    assert coordinator.get_by_role("button", name="Dismiss").count() == 0
