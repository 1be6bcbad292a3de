"""Accounts in a real browser (issue 17, point 8): setting up two-step sign-in from its QR
code, signing in with the code, and an administrator's reset that sends the user to choose
a new password before anything else. Screenshots in both languages, at 1280 and 390 px."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from trialdesk.trial import accounts
from trialdesk.trial.accounts import totp
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.audit_key import KEY_ENV
from trialdesk.trial.store.db import Store, open_store

from .conftest import serve
from .flows import PASSWORD, screenshot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ADMIN, IVY, MONI = "root", "ivy", "moni"


@dataclass
class Site:
    base_url: str
    store: Store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server of its own over a store with an audit key (as `trialdesk serve` makes
    one), which the authenticator app's secret is sealed under."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_ENV, "12" * 32)
        store = open_store(f"sqlite:///{tmp_path_factory.mktemp('two-step') / 'trial.db'}")
        with store.transaction() as session:
            for name, role in ((ADMIN, Role.ADMIN), (IVY, Role.INVESTIGATOR), (MONI, Role.MONITOR)):
                accounts.create_user(
                    session, actor="system", username=name, password=PASSWORD, role=role,
                    reason="e2e fixture", full_name=name.title(),
                )  # fmt: skip
        with serve(store) as base_url:
            yield Site(base_url, store)
        store.close()


def _page(browser: Browser, site: Site, width: int = 1280) -> Page:
    context = browser.new_context(base_url=site.base_url, viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


def _code(secret: str, ahead: int = 0) -> str:
    return totp.code_at(secret, totp.step_of(datetime.now(UTC)) + ahead)


def test_set_up_two_step_sign_in_then_sign_in_with_a_code(browser: Browser, site: Site) -> None:
    page = _page(browser, site)
    sign_in(page, IVY, next_path="/staff/second-factor")
    page.wait_for_url("**/staff/second-factor")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.wait_for_url("**/staff/second-factor")
    qr = page.get_by_role("img", name="QR code to add trialdesk (ivy) to an authenticator app")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 200  # type: ignore[index]
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    assert len(secret) == 32
    screenshot(page, "11-two-step-enrol")
    page.get_by_label("Code from the app").fill(_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = page.locator("#recovery-codes li")
    assert codes.count() == 10
    screenshot(page, "11-two-step-recovery-codes")
    page.get_by_role("link", name="I have kept them").click()
    assert "Two-step sign-in is on" in page.locator("#sf-state").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, IVY, next_path="/staff/candidates")
    page.wait_for_url("**/login/code?next=%2Fstaff%2Fcandidates")
    assert "ivy" in page.locator("main").inner_text()
    screenshot(page, "11-two-step-code")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Verify and sign in").click()
    assert page.locator("#code-error").inner_text().startswith("The code is not correct")
    screenshot(page, "11-two-step-code-wrong")
    page.get_by_label("Code from the app").fill(_code(secret, 1))
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url("**/staff/candidates")
    page.context.close()


def test_the_code_page_in_chinese_on_a_phone(browser: Browser, site: Site) -> None:
    page = _page(browser, site, width=390)
    sign_in(page, IVY)
    page.wait_for_url("**/login/code?**")
    page.goto("/login/code?lang=zh-CN")
    assert page.locator("h1").inner_text() == "输入验证码"
    assert page.locator("body").evaluate("b => b.scrollWidth") <= 390  # no sideways scroll
    screenshot(page, "11-two-step-code-zh-390")
    page.context.close()


def test_an_admin_reset_sends_the_user_to_choose_a_new_password(
    browser: Browser, site: Site
) -> None:
    admin = _page(browser, site)
    sign_in(admin, ADMIN, next_path="/admin/users")
    admin.wait_for_url("**/admin/users")
    with site.store.read() as session:
        moni = accounts.find_user(session, MONI)
        assert moni is not None
        moni_id = moni.id
    reset = admin.locator(f"#reset-password-{moni_id}")
    reset.get_by_text("Reset password").click()
    reset.get_by_label("Reason (audit trail)").fill("forgot it")
    reset.get_by_role("button", name="Set the temporary password").click()
    temporary = admin.locator("#temporary-password").inner_text()
    assert len(temporary) == 19
    assert admin.locator('[data-badge="must-change"]').count() == 1
    screenshot(admin, "11-admin-reset-password")
    admin.context.close()

    user = _page(browser, site)
    sign_in(user, MONI, temporary, next_path="/staff/candidates")
    user.wait_for_url("**/staff/password")  # not the page asked for: the password first
    assert user.locator("#password-must-change").is_visible()
    screenshot(user, "11-forced-password-change")
    user.goto("/staff/leads")
    user.wait_for_url("**/staff/password")
    user.get_by_label("Current password").fill(temporary)
    user.get_by_label("New password (at least 12 characters)").fill(PASSWORD + " again")
    user.get_by_label("New password again").fill(PASSWORD + " again")
    user.get_by_role("button", name="Change the password").click()
    user.wait_for_url("**/staff/password?changed=1")
    user.goto("/staff/candidates")
    user.wait_for_url("**/staff/candidates")
    user.context.close()
