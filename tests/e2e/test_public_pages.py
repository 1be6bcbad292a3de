"""The public trial page in a real browser: every section, keyboard use, and print."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trialdesk.study.loader import load_study
from trialdesk.study.page import TrialPage, trial_page

from .flows import NCT, ROOT, SELF_CHECK, STUDY, screenshot

if TYPE_CHECKING:
    from playwright.sync_api import Page

SEED_PAGE = ROOT.parent / "shared" / "seed" / f"{NCT}-trial-page.txt"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def record() -> TrialPage:
    return trial_page(load_study(NCT))


@pytest.fixture
def study_text(page: Page) -> str:
    page.goto(STUDY)
    screenshot(page, "01-trial-page")
    return _flat(page.locator("body").inner_text())


def test_trial_page_has_every_section_of_the_seed_page(study_text: str, record: TrialPage) -> None:
    if not SEED_PAGE.is_file():
        pytest.skip(f"no seed page at {SEED_PAGE} (../shared is absent in this checkout)")
    expected = [record.title, "Sponsor", record.sponsor or ""]
    for line in SEED_PAGE.read_text(encoding="utf-8").splitlines():
        if line == "Loading...":  # the registry's map widget
            continue
        expected.append(line)
        if line.startswith("Data sourced from"):
            break  # the rest is the registry site's own footer
    text, at = study_text.lower(), 0
    for line in expected:
        found = text.find(_flat(line).lower(), at)
        assert found >= 0, f"{line!r} missing from the page, or out of the seed's order"
        at = found + 1


def test_trial_page_shows_the_bundled_record(
    page: Page, study_text: str, record: TrialPage
) -> None:
    assert page.locator("h1").inner_text() == record.title
    facts = [
        record.sponsor,
        record.status,
        *record.conditions,
        record.brief_summary,
        *record.detailed_description,
        record.enrollment,
        record.sex,
        record.ages,
        record.healthy_volunteers,
        record.groups_summary,
    ]
    facts += [t.label for t in record.treatments]
    facts += [f"{name} {value}" for name, value in record.design.facts]  # type: ignore[union-attr]
    facts += [c.name for c in record.central_contacts if c.name]
    for fact in facts:
        assert fact and _flat(fact) in study_text, fact
    for heading in (
        "About",
        "Full description",
        "Participation requirements",
        "Inclusion criteria",
        "Exclusion criteria",
        "Study design",
        "Central trial contact",
        "Research sites",
    ):
        assert page.get_by_role("heading", name=re.compile(f"^{heading}")).count(), heading
    assert record.groups_summary == "15 participants in 1 patient group"
    # every criterion verbatim, in registry order, as the numbered item with its id
    for kind, items in (("inclusion", record.inclusion), ("exclusion", record.exclusion)):
        shown = page.locator(f"ol.criteria-{kind} > li")
        assert shown.count() == len(items)
        for i, item in enumerate(items):
            li = shown.nth(i)
            assert li.get_attribute("id") == item.id
            assert _flat(li.inner_text()) == _flat(item.text), item.id
    # every research site, with a map link that opens the site on a map
    sites = page.locator("#sites li.site")
    assert sites.count() == len(record.sites) >= 1
    for i, site in enumerate(record.sites):
        link = sites.nth(i).locator("a.map-link")
        assert link.get_attribute("href") == site.map_url
        assert site.map_url.startswith("https://www.openstreetmap.org/")
        assert (site.facility or site.place or "") in sites.nth(i).inner_text()


def test_home_lists_the_study(page: Page, record: TrialPage) -> None:
    page.goto("/")
    screenshot(page, "00-home")
    card = page.locator("li.study-card")
    assert card.count() == 1
    assert NCT in card.inner_text() and record.conditions[0] in card.inner_text()
    link = card.get_by_role("link", name=record.title, exact=True)
    assert link.get_attribute("href") == STUDY
    link.click()
    page.wait_for_url(f"**{STUDY}")
    assert page.locator("h1").inner_text() == record.title


def test_keyboard_skip_link_first_and_call_to_action_reachable(page: Page) -> None:
    page.goto(STUDY)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.outerHTML")
    assert 'class="skip-link"' in focused and "Skip to main content" in focused
    assert page.locator(".skip-link").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(40):  # from the top of main, the first call to action comes soon
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == SELF_CHECK:
            break
    else:
        pytest.fail("the self-check call to action is not reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{SELF_CHECK}")
    assert page.locator("h1").inner_text() == "Check if this trial may suit you"


def test_trial_page_prints_without_the_navigation(page: Page, tmp_path: Path) -> None:
    page.goto(STUDY)
    assert page.locator(".site-nav").is_visible()
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".skip-link", ".cta", ".toc"):
        assert page.locator(hidden).first.is_hidden(), hidden
    assert page.locator("ol.criteria-exclusion").is_visible()
    assert page.locator(".map-link").first.is_visible()  # with its address printed after it
    pdf = page.pdf(path=str(tmp_path / "trial-page.pdf"), format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
