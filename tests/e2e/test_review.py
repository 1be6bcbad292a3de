"""The monitor's review in a real browser: the monitor raises a query on a baseline joint
count, the coordinator sees it on the form, corrects the datum and answers; the monitor
closes the query and verifies the corrected item against the source (the plan verifies
the primary endpoint's baseline inputs in full).

Its own server over its own SQLite store; the participant is enrolled, injected and has
baseline joint counts entered through the trial services (tests/trial/conduct_helpers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trial.conduct_helpers import enrolled, inject, save, typical_values
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store, open_store

from .conftest import serve
from .flows import COORDINATOR, PASSWORD, screenshot, sign_in, staff_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

MONITOR = "mona"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Store, int]]:
    store = open_store(f"sqlite:///{tmp_path / 'review.db'}")
    _, (pid,) = enrolled(store)
    inject(store, pid)
    save(store, pid, "joint_counts", typical_values("joint_counts", tjc28=7), visit="D1")
    with store.transaction() as session:
        for name, role in ((COORDINATOR, Role.COORDINATOR), (MONITOR, Role.MONITOR)):
            accounts.create_user(
                session, actor="system", username=name, password=PASSWORD, role=role,
                reason="e2e fixture",
            )  # fmt: skip
    with serve(store) as base_url:
        yield base_url, store, pid
    store.close()


def test_a_query_answered_by_a_correction_then_closed_and_the_item_verified(
    browser: Browser, site: tuple[str, Store, int]
) -> None:
    base_url, _, pid = site
    monitor = staff_page(browser, base_url)
    sign_in(monitor, MONITOR)
    monitor.goto(f"/staff/participants/{pid}/queries")
    monitor.locator("#r-kind").select_option("item")
    monitor.locator("#r-visit").fill("D1")
    monitor.locator("#r-form").fill("joint_counts")
    monitor.locator("#r-item").fill("tjc28")
    monitor.locator("#r-text").fill("The source notes 5 tender joints, not 7")
    monitor.get_by_role("button", name="Raise the query").click()
    card = monitor.locator("article.query").first
    card.wait_for()
    assert card.get_attribute("data-state") == "open"
    query = card.get_attribute("data-query")
    screenshot(monitor, "review-01-query-raised")

    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto(f"/staff/participants/{pid}/visits/D1/forms/joint_counts")
    screenshot(coordinator, "review-02-query-on-the-form")
    coordinator.locator("#f-tjc28").fill("5")
    coordinator.locator("#f-reason").fill("transcription error, corrected from the source notes")
    coordinator.get_by_role("button", name="Save and mark complete").click()
    coordinator.goto(f"/staff/participants/{pid}/queries")
    assert coordinator.locator(f"#close-{query}").count() == 0  # only the monitor closes
    coordinator.locator(f"#reply-{query}").fill("Corrected to 5 from the source notes")
    coordinator.locator(f"#q-{query} input[name=correction]").check()
    coordinator.locator(f"#q-{query}").get_by_role("button", name="Send the reply").click()
    answered = coordinator.locator(f"#q-{query}")
    answered.wait_for()
    assert answered.get_attribute("data-state") == "answered"
    screenshot(coordinator, "review-03-answered-by-a-correction")

    monitor.goto(f"/staff/participants/{pid}/queries")
    monitor.locator(f"#close-{query}").fill("Matches the source now")
    monitor.locator(f"#q-{query}").get_by_role("button", name="Close the query").click()
    monitor.locator(f'#q-{query}[data-state="closed"]').wait_for()

    monitor.goto(f"/staff/participants/{pid}/sdv")
    box = monitor.locator('input[type=checkbox][value^="item:D1/joint_counts#1/tjc28|"]')
    box.check()
    form = box.locator("xpath=ancestor::form")
    form.get_by_role("button", name="Mark the selected items verified").click()
    monitor.locator('input[type=checkbox][value^="item:D1/joint_counts#1/tjc28|"]').wait_for(
        state="detached"
    )  # verified: no box left to tick
    screenshot(monitor, "review-04-verified")


DATA_MANAGER = "dana"


def test_the_lock_is_refused_with_its_blockers_then_given(
    browser: Browser, site: tuple[str, Store, int]
) -> None:
    """The data manager's lock is refused with what blocks it; once the items are
    verified, the proposed deviations decided and the investigator has signed the casebook
    (on the page, with the password), the lock is given with the hash of the data, and a
    coordinator's save is refused with the one named error."""
    from datetime import UTC, datetime

    from trial.test_database_lock import _dismiss_proposals, _verify_everything

    base_url, store, pid = site
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=DATA_MANAGER, password=PASSWORD,
            role=Role.DATA_MANAGER, full_name="Dana Data", reason="e2e fixture",
        )  # fmt: skip
        accounts.create_user(
            session, actor="system", username="ines", password=PASSWORD,
            role=Role.INVESTIGATOR, full_name="Dr Ines Wang", reason="e2e fixture",
        )  # fmt: skip
    manager = staff_page(browser, base_url)
    sign_in(manager, DATA_MANAGER)
    manager.goto("/staff/lock")
    manager.locator("#lock-password").fill(PASSWORD)
    manager.get_by_role("button", name="Lock the database").click()
    blockers = manager.locator("#lock-blockers li")
    blockers.first.wait_for()
    kinds = {blockers.nth(i).get_attribute("data-kind") for i in range(blockers.count())}
    assert {"sdv_not_met", "unsigned_casebooks"} <= kinds
    assert "cannot be locked yet" in manager.content()
    screenshot(manager, "lock-01-refused-with-its-blockers")

    now = datetime.now(UTC)
    _verify_everything(store, pid, now)
    _dismiss_proposals(store, now)
    investigator = staff_page(browser, base_url)
    sign_in(investigator, "ines")
    investigator.goto("/staff/lock")
    investigator.locator(f"#cb-{pid}").check()
    investigator.locator("#sign-password").fill(PASSWORD)
    investigator.get_by_role("button", name="Sign the selected casebooks").click()
    investigator.locator(f"#casebook-{pid} .badge-ok").wait_for()
    screenshot(investigator, "lock-02-casebook-signed")

    manager.goto("/staff/lock")
    assert manager.locator("#lock-blockers").inner_text().startswith("Nothing blocks")
    manager.locator("#lock-password").fill(PASSWORD)
    manager.get_by_role("button", name="Lock the database").click()
    manager.locator("#lock-hash").wait_for()
    assert len(manager.locator("#lock-hash").inner_text()) == 64
    assert manager.locator("#lock-intact").inner_text().startswith("The casebooks still hash")
    screenshot(manager, "lock-03-locked")

    coordinator = staff_page(browser, base_url)
    sign_in(coordinator, COORDINATOR)
    coordinator.goto(f"/staff/participants/{pid}/visits/D1/forms/joint_counts")
    coordinator.locator("#f-tjc28").fill("6")
    coordinator.locator("#f-reason").fill("a late correction")
    coordinator.get_by_role("button", name="Save and mark complete").click()
    assert "is locked: nothing can change" in coordinator.content()
    screenshot(coordinator, "lock-04-a-save-refused")
