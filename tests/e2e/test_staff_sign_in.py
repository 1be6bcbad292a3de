"""Staff sign-in in a real browser: success, lockout, sign-out, and the login redirect."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .flows import ADMIN, COORDINATOR, LOCKABLE, PASSWORD, screenshot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Page

LOCKED = "This account is locked after repeated failed sign-ins"


def test_sign_in_and_out(page: Page) -> None:
    page.goto("/login")
    screenshot(page, "07-login")
    sign_in(page, COORDINATOR)
    page.wait_for_url("**/staff")
    header = page.locator("header.site-header")
    assert COORDINATOR in header.inner_text() and "coordinator" in header.inner_text()
    nav = page.get_by_role("navigation", name="Staff")
    assert nav.get_by_role("link", name="Leads").is_visible()
    assert nav.get_by_role("link", name="Users").count() == 0  # not an admin
    assert {c["name"] for c in page.context.cookies()} >= {"td_session", "td_csrf"}

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(lambda url: url.endswith("/"))
    assert "td_session" not in {c["name"] for c in page.context.cookies()}
    assert page.get_by_role("link", name="Staff sign in").is_visible()
    page.goto("/staff")  # the old session no longer opens staff pages
    page.wait_for_url("**/login?next=%2Fstaff")


def test_anonymous_staff_visit_goes_to_login_and_back(page: Page) -> None:
    page.goto("/staff")
    page.wait_for_url("**/login?next=%2Fstaff")
    assert page.locator("h1").inner_text() == "Staff sign in"
    assert page.locator('input[name="next"]').input_value() == "/staff"
    page.goto("/staff/leads")
    page.wait_for_url("**/login?next=%2Fstaff%2Fleads")
    page.get_by_label("Username").fill(COORDINATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/leads")  # back where the visit started


def test_five_wrong_passwords_lock_the_account(page: Page) -> None:
    for attempt in range(5):
        sign_in(page, LOCKABLE, "not the password at all")
        error = page.locator("#login-error")
        assert error.inner_text() == "Wrong username or password", attempt
        assert page.get_by_label("Username").input_value() == LOCKABLE
    sign_in(page, LOCKABLE, PASSWORD)  # the sixth, with the right password
    error = page.locator("#login-error")
    assert error.inner_text().startswith(LOCKED)
    assert page.url.endswith("/login")
    assert "td_session" not in {c["name"] for c in page.context.cookies()}
    screenshot(page, "07-lockout")


def test_admin_sees_the_users(page: Page) -> None:
    sign_in(page, ADMIN, next_path="/admin/users")
    page.wait_for_url("**/admin/users")
    table = page.locator("table.table tbody")
    for name in (ADMIN, COORDINATOR, LOCKABLE):
        assert table.locator("tr", has_text=name).count() == 1, name
    screenshot(page, "10-admin-users")
