"""Follow-up in a real browser: the coordinator records the injection, opens week 4 and
enters the joint counts, the CRP (in mg/dL, converted) and the patient's global, and sees
DAS28-CRP appear; the investigator signs the visit; the coordinator corrects a count and
the score changes while the investigator's signature lapses, visibly.

Its own server over its own SQLite store; the participant is enrolled, and week 4's other
forms entered, through the trial services (tests/trial/conduct_helpers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trial.conduct_helpers import enrolled, save, typical_values
from trial.helpers import PASSWORD as INVESTIGATOR_PASSWORD
from trial.screening_helpers import INVESTIGATOR, STUDY
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store, open_store

from .conftest import serve
from .flows import COORDINATOR, PASSWORD, screenshot, sign_in, staff_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DONE_IN_BROWSER = ("joint_counts", "acute_phase", "global_assessments", "disease_activity")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Store, int]]:
    store = open_store(f"sqlite:///{tmp_path / 'conduct.db'}")
    _, (pid,) = enrolled(store)
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=COORDINATOR, password=PASSWORD,
            role=Role.COORDINATOR, reason="e2e fixture",
        )  # fmt: skip
    with serve(store) as base_url:
        yield base_url, store, pid
    store.close()


def _fill(page: Page, values: dict[str, str]) -> None:
    for item, value in values.items():
        field = page.locator(f"#f-{item}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _das28(page: Page) -> str:
    return page.locator('[data-item="das28_crp"] .derived-value').inner_text()


def test_week_4_scores_and_the_visit_signature(
    browser: Browser, site: tuple[str, Store, int]
) -> None:
    base_url, store, pid = site
    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.get_by_role("link", name="Participants").click()
    coordinator.get_by_role("link", name="01-001").first.click()
    assert "awaiting day 1" in coordinator.content()

    # the injection, on day 1's visit
    coordinator.get_by_role("link", name="Day 1").first.click()
    coordinator.get_by_role("link", name="Injection").first.click()
    _fill(coordinator, {
        "administered_at": "2026-03-16T10:30", "knee": "right", "product_lot": "HISC-2026-007",
        "release_checked": "yes", "dose": "50", "volume": "5", "given_by": "Dr. Lin Zhao",
        "pre_sysbp": "128", "pre_diabp": "78", "pre_pulse": "72", "pre_temp": "36.6",
        "post_sysbp": "126", "post_diabp": "80", "post_pulse": "74", "post_temp": "36.7",
        "immediate_reaction": "no",
    })  # fmt: skip
    coordinator.get_by_role("button", name="Save and mark complete").click()
    coordinator.get_by_role("status").wait_for()
    coordinator.goto(f"/staff/participants/{pid}")
    assert "awaiting day 1" not in coordinator.content()
    screenshot(coordinator, "conduct-01-calendar-after-injection")

    # week 4 took place; its other forms are entered through the services
    coordinator.get_by_role("link", name="Week 4", exact=True).click()
    coordinator.get_by_label("Date", exact=True).fill("2026-04-13")
    coordinator.get_by_role("button", name="Save the date").click()
    coordinator.wait_for_url("**/visits/W4")
    for form_id in STUDY.schedule.visit("W4").forms:
        if form_id not in DONE_IN_BROWSER:
            save(store, pid, form_id, typical_values(form_id), visit="W4")

    entries = {
        "Tender and swollen joint counts": {
            "tjc28": "4", "sjc28": "2", "tjc68": "30", "sjc66": "20",
        },
        "CRP and ESR": {"crp": "1.2", "esr": "30"},
        "Global assessments of disease activity": {
            "patient_global": "50", "evaluator_global": "40",
        },
    }  # fmt: skip
    for title, values in entries.items():
        coordinator.goto(f"/staff/participants/{pid}/visits/W4")
        coordinator.get_by_role("link", name=title).click()
        _fill(coordinator, values)
        if "crp" in values:
            coordinator.locator("#u-crp").fill("mg/dL")  # converted to the item's mg/L
        coordinator.get_by_role("button", name="Save and mark complete").click()
        coordinator.get_by_role("status").wait_for()
    coordinator.goto(f"/staff/participants/{pid}/visits/W4/forms/disease_activity")
    assert _das28(coordinator) == "4.10"  # 0.56√4 + 0.28√2 + 0.36 ln(12+1) + 0.014·50 + 0.96
    screenshot(coordinator, "conduct-02-week4-scores")

    # the investigator signs the visit
    investigator = staff_page(browser, base_url)
    sign_in(investigator, INVESTIGATOR, INVESTIGATOR_PASSWORD)
    investigator.goto(f"/staff/participants/{pid}/visits/W4")
    investigator.get_by_label("Your password").fill(INVESTIGATOR_PASSWORD)
    investigator.get_by_role("button", name="Sign the visit").click()
    investigator.locator("#signature-card .badge-ok").wait_for()
    screenshot(investigator, "conduct-03-week4-signed")

    # a correction: the score moves, the signature lapses
    coordinator.goto(f"/staff/participants/{pid}/visits/W4/forms/joint_counts")
    coordinator.locator("#f-tjc28").fill("9")
    coordinator.get_by_role("button", name="Save and mark complete").click()
    assert "Give the reason" in coordinator.locator(".error-summary").inner_text()
    coordinator.locator("#f-reason").fill("recounted at source verification")
    coordinator.get_by_role("button", name="Save and mark complete").click()
    coordinator.get_by_role("status").wait_for()
    coordinator.goto(f"/staff/participants/{pid}/visits/W4/forms/disease_activity")
    assert _das28(coordinator) == "4.66"
    investigator.reload()
    assert investigator.locator("#signature-card .badge-bad").inner_text() == "signature lapsed"
    screenshot(investigator, "conduct-04-week4-signature-lapsed")
    coordinator.goto(f"/staff/participants/{pid}")
    screenshot(coordinator, "conduct-05-calendar")
