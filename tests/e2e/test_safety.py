"""The safety room in a real browser: the coordinator opens a participant's adverse
events, types a CTCAE term and sees its grade definitions appear (and grade 4, which
CTCAE does not define for it, disabled), marks the event serious, and sees it in the
list, its 24-hour clock on the participant's page and its alerts on the notifications
page; the investigator signs its causality; the study listing shows it.

Its own server over its own SQLite store; the participant is enrolled and injected
through the trial services (tests/trial/conduct_helpers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trial.conduct_helpers import enrolled, inject
from trial.helpers import PASSWORD as INVESTIGATOR_PASSWORD
from trial.screening_helpers import INVESTIGATOR
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store, open_store

from .conftest import serve
from .flows import COORDINATOR, PASSWORD, screenshot, sign_in, staff_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Store, int]]:
    store = open_store(f"sqlite:///{tmp_path / 'safety.db'}")
    _, (pid,) = enrolled(store)
    inject(store, pid)  # day 1: 2026-03-16
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=COORDINATOR, password=PASSWORD,
            role=Role.COORDINATOR, reason="e2e fixture",
        )  # fmt: skip
    with serve(store) as base_url:
        yield base_url, store, pid
    store.close()


def test_enter_a_serious_event_and_sign_its_causality(
    browser: Browser, site: tuple[str, Store, int]
) -> None:
    base_url, _, pid = site
    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto(f"/staff/participants/{pid}")
    coordinator.get_by_role("link", name="Adverse events").click()
    coordinator.wait_for_url(f"**/participants/{pid}/adverse-events")
    assert "No adverse events recorded." in coordinator.content()

    coordinator.locator("#f-verbatim").fill("painful swollen right knee, admitted overnight")
    coordinator.locator("#f-term").fill("Joint effusion")
    # the script fetches the term's grades: CTCAE defines 1-3 for it
    grade_2 = coordinator.locator('.grade-choice[data-grade="2"] .grade-text')
    grade_2.filter(has_text="Symptomatic; limiting instrumental ADL").wait_for()
    assert coordinator.locator("#f-grade-4").is_disabled()
    assert "Musculoskeletal" in coordinator.locator("#term-soc").inner_text()
    screenshot(coordinator, "safety-01-grades-of-the-term")
    coordinator.locator("#f-onset").fill("2026-03-18")
    coordinator.locator("#f-end").fill("2026-03-25")
    coordinator.locator("#f-grade-3").check()
    coordinator.locator("#f-seriousness-hospitalisation").check()
    coordinator.locator("#f-action_taken").select_option("NOT APPLICABLE")
    coordinator.locator("#f-outcome").select_option("RECOVERED/RESOLVED")
    coordinator.get_by_role("button", name="Save the adverse event").click()
    coordinator.get_by_role("status").wait_for()
    assert "Requires or prolongs hospitalisation" in coordinator.content()

    coordinator.get_by_role("link", name="Adverse events").last.click()
    row = coordinator.locator("tr[data-event]")
    assert row.count() == 1
    text = row.inner_text()
    assert "Joint effusion" in text and "Serious" in text and "TEAE" in text
    assert "not assessed" in text
    screenshot(coordinator, "safety-02-listed")

    # serious: its 24-hour clock runs on the participant's page, and the alert to the
    # investigator and the safety contact is in the outbox (no SMTP server here: pending)
    coordinator.goto(f"/staff/participants/{pid}")
    coordinator.locator('#sae-clocks [data-clock="open"]').wait_for()
    screenshot(coordinator, "safety-02b-clock")
    coordinator.goto("/staff/notifications")
    alerts = coordinator.locator("#notifications tr[data-message]")
    assert alerts.count() == 2
    assert "01-001" in alerts.first.inner_text()
    screenshot(coordinator, "safety-02c-alerts")

    investigator = staff_page(browser, base_url)
    sign_in(investigator, INVESTIGATOR, INVESTIGATOR_PASSWORD)
    investigator.goto(f"/staff/participants/{pid}/adverse-events")
    investigator.get_by_role("link", name="AE 1").click()
    investigator.locator("#f-relationship_product").select_option("possible")
    investigator.locator("#f-relationship_procedure").select_option("probable")
    investigator.locator("#f-expected").select_option("no")
    investigator.locator("#f-password").fill(INVESTIGATOR_PASSWORD)
    investigator.get_by_role("button", name="Sign", exact=True).click()
    investigator.locator("#causality-card .badge-ok").wait_for()
    assert "Probable" in investigator.locator("#causality-card").inner_text()
    screenshot(investigator, "safety-03-causality-signed")

    investigator.goto("/staff/safety?serious=yes")
    assert investigator.locator("tr[data-event]").count() == 1
    screenshot(investigator, "safety-04-listing")
    investigator.goto(f"/staff/participants/{pid}/adverse-events?lang=zh-CN")
    screenshot(investigator, "safety-05-events-zh")


def test_a_stopping_rule_pauses_the_study_until_a_signed_review(
    browser: Browser, site: tuple[str, Store, int]
) -> None:
    base_url, _, pid = site
    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto(f"/staff/participants/{pid}/adverse-events")
    coordinator.locator("#f-verbatim").fill("hot swollen knee, arthroscopic washout")
    coordinator.locator("#f-term").fill("Joint infection")
    coordinator.locator('.grade-choice[data-grade="3"] .grade-text').filter(
        has_text="Arthroscopic intervention indicated"
    ).wait_for()
    assert coordinator.locator("#f-grade-1").is_disabled()  # CTCAE: no grade 1 joint infection
    coordinator.locator("#f-onset").fill("2026-03-19")
    coordinator.locator("#f-grade-3").check()
    coordinator.locator("#f-seriousness-hospitalisation").check()
    coordinator.locator("#f-action_taken").select_option("NOT APPLICABLE")
    coordinator.locator("#f-outcome").select_option("RECOVERING/RESOLVING")
    coordinator.get_by_role("button", name="Save the adverse event").click()
    coordinator.get_by_role("status").wait_for()

    investigator = staff_page(browser, base_url)
    sign_in(investigator, INVESTIGATOR, INVESTIGATOR_PASSWORD)
    investigator.goto(coordinator.url.split("?")[0])
    investigator.locator("#f-relationship_product").select_option("possible")
    investigator.locator("#f-relationship_procedure").select_option("definite")
    investigator.locator("#f-expected").select_option("no")
    investigator.locator("#f-password").fill(INVESTIGATOR_PASSWORD)
    investigator.get_by_role("button", name="Sign", exact=True).click()
    investigator.locator("#study-hold").wait_for()

    coordinator.goto("/staff/participants")
    banner = coordinator.locator("#study-hold")
    assert "Any related septic arthritis or other joint infection" in banner.inner_text()
    screenshot(coordinator, "safety-06-dashboard-paused")

    investigator.locator("#study-hold").get_by_role("link", name="Safety review").click()
    assert "01-001 AE 1" in investigator.content()
    investigator.locator("#f-decision").fill(
        "Safety review: one joint infection, treated; injections resume with aseptic checks"
    )
    investigator.locator("#f-password").fill(INVESTIGATOR_PASSWORD)
    screenshot(investigator, "safety-07-review")
    investigator.get_by_role("button", name="Resume the study").click()
    investigator.get_by_role("status").wait_for()
    coordinator.reload()
    assert coordinator.locator("#study-hold").count() == 0
