"""What a person does in the browser, step by step, shared by the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
NCT = "NCT06947746"
STUDY = f"/studies/{NCT}"
SELF_CHECK = f"{STUDY}/self-check"
PASSWORD = "correct horse battery staple"
COORDINATOR, ADMIN, LOCKABLE = "carol", "ada", "lockable"

# A 45-year-old woman with RA for years, on a stable dose of methotrexate, with knee pain,
# answering no to every exclusion question. In question order: the page's script shows a
# follow-up question once the answer it depends on is given.
MAY_BE_ELIGIBLE: tuple[tuple[str, str], ...] = (
    ("age", "45"),
    ("sex", "female"),
    ("ra_diagnosed", "yes"),
    ("ra_since", "2018-03"),
    ("knee_pain", "yes"),
    ("methotrexate", "yes"),
    ("methotrexate_how_long", "3 years"),
    ("methotrexate_dose_changed", "no"),
    ("other_ra_medicine", "no"),
    ("steroid", "no"),
    ("knee_events", "no"),
    ("live_vaccine", "no"),
    ("infections", "none"),
    ("tb", "no"),
    ("cancer", "no"),
    ("pregnancy", "no"),
    ("other_study", "no"),
    ("implants", "no"),
    ("height", "165"),
    ("weight", "62"),
)


def screenshot(page: Page, name: str) -> Path:
    """A full-page screenshot under test-output/screenshots/ (git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def answers_with(**changes: str) -> tuple[tuple[str, str], ...]:
    return tuple((q, changes.get(q, v)) for q, v in MAY_BE_ELIGIBLE)


def answer_self_check(page: Page, answers: tuple[tuple[str, str], ...]) -> None:
    """Fill the self-check form as a person would: click the radio, type in the box."""
    form = page.locator("form.selfcheck")
    for question, value in answers:
        radio = form.locator(f'input[type="radio"][name="{question}"][value="{value}"]')
        if radio.count():
            radio.check()
        else:
            form.locator(f"#q-{question}").fill(value)


def do_self_check(page: Page, answers: tuple[tuple[str, str], ...]) -> None:
    page.goto(SELF_CHECK)
    answer_self_check(page, answers)
    page.get_by_role("button", name="See my result").click()
    page.wait_for_url(f"**{SELF_CHECK}")
    page.locator("#result-title").wait_for()


def sign_in(page: Page, username: str, password: str = PASSWORD, next_path: str = "") -> None:
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def staff_page(browser: Browser, base_url: str) -> Page:
    """A fresh browser of its own (its own cookies: one person), on a desktop screen."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()
