"""The walkthrough's defects a patient and a lead-handling coordinator saw, in a real browser,
in English and Chinese, at 1280, 768 and 390 px (screenshots in test-output/screenshots/):
D5 (no answers: "we could not tell"), D6/D7 (every error at once, at its field, in
sentences), D9 (a lead's answers by question, carried into the screening), D12 (a flood
refused with a clear message), D14 (real attributes), D25 (wording), D26 (the trial page's
contact line, staleness hint and one call to action), D30 (the same person twice)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from trialdesk.study.loader import load_study
from trialdesk.study.page import trial_page
from trialdesk.trial.screening.models import Lead
from trialdesk.trial.store.db import open_store
from trialdesk.web.rooms.public.notices import stale_status

from .conftest import serve
from .flows import (
    COORDINATOR,
    MAY_BE_ELIGIBLE,
    SELF_CHECK,
    STUDY,
    answer_self_check,
    do_self_check,
    screenshot,
    sign_in,
    staff_page,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page

    from .conftest import Server

WIDTHS = (1280, 768, 390)
LANGS = ("en", "zh-CN")


@pytest.fixture
def reader(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A patient's browser at a width and in a language (``(width, lang)`` as the param)."""
    width, lang = request.param
    context = browser.new_context(
        base_url=server.base_url,
        viewport={"width": width, "height": 900},
        extra_http_headers={"Accept-Language": lang},
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


EVERY = [(w, lang) for w in WIDTHS for lang in LANGS]
IDS = [f"{w}-{lang}" for w, lang in EVERY]


def _fits(page: Page) -> None:
    """Nothing wider than the screen (no sideways scrolling on a phone)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None and width <= viewport["width"], width


def _shot(page: Page, name: str) -> None:
    viewport = page.viewport_size
    width = viewport["width"] if viewport else 0
    screenshot(page, f"{name}-{width}-{'zh' if _is_zh(page) else 'en'}")


def _is_zh(page: Page) -> bool:
    return page.locator("html").get_attribute("lang") == "zh-CN"


def _lang(page: Page) -> str:
    return "zh-CN" if _is_zh(page) else "en"


# What the pages say, in each language (the texts modules' words, as a reader meets them).
SAID: dict[str, dict[str, Any]] = {
    "en": {
        "cannot_tell": "We could not tell from your answers",
        "answers": {
            "age": "Enter a number from 10 to 120 years.",
            "height": "Enter a number from 100 to 250 cm.",
            "weight": "Enter a number from 25 to 350 kg.",
        },
        "contact": {
            "name": "Enter your name.",
            "email": "Enter an e-mail address in the correct format",
            "phone": "Enter a phone number with at least 6 digits",
            "consent": "Tick the box to agree",
        },
        "no_contact": "has not published a phone number",
    },
    "zh-CN": {
        "cannot_tell": "根据您的答案，我们无法判断",
        "answers": {
            "age": "请输入 10 到 120 之间的数字（岁）。",
            "height": "请输入 100 到 250 之间的数字（厘米）。",
            "weight": "请输入 25 到 350 之间的数字（公斤）。",
        },
        "contact": {
            "name": "请输入您的姓名。",
            "email": "请输入格式正确的电子邮箱地址",
            "phone": "请输入至少 6 位数字的电话号码",
            "consent": "请勾选此框",
        },
        "no_contact": "研究团队未公布电话号码或电子邮箱地址",
    },
}


def _check_all(page: Page) -> None:
    """The whole self-check answered as the eligible woman, in either language."""
    page.goto(SELF_CHECK)
    answer_self_check(page, MAY_BE_ELIGIBLE)
    _submit(page)


def _submit(page: Page) -> None:
    page.locator("form.selfcheck button[type=submit]").click()
    page.locator("#result-title, .error-summary").first.wait_for()


@pytest.mark.parametrize("reader", EVERY, ids=IDS, indirect=True)
def test_no_answers_cannot_tell(reader: Page) -> None:
    reader.goto(SELF_CHECK)
    _submit(reader)
    title = reader.locator("#result-title").inner_text()
    assert title == SAID[_lang(reader)]["cannot_tell"]
    result = reader.locator("section.result")
    assert result.get_attribute("data-verdict") == "cannot_tell"
    assert "result-ok" not in (result.get_attribute("class") or "")
    assert "You may be eligible" not in reader.locator("main").inner_text()
    _fits(reader)
    _shot(reader, "d5-cannot-tell")


@pytest.mark.parametrize("reader", EVERY, ids=IDS, indirect=True)
def test_every_wrong_answer_at_once(reader: Page) -> None:
    reader.goto(SELF_CHECK)
    form = reader.locator("form.selfcheck")
    form.locator("#q-age").fill("150")
    form.locator("#q-height").fill("5.6")
    form.locator("#q-weight").fill("0")
    _submit(reader)
    summary = reader.locator(".error-summary")
    items = summary.locator("li").all_inner_texts()
    assert len(items) == 3, items
    expected = SAID[_lang(reader)]["answers"]
    for qid, message in expected.items():
        at_field = reader.locator(f"#q-{qid}-error")
        assert at_field.is_visible() and message in at_field.inner_text()
        assert reader.locator(f"#q-{qid}").get_attribute("aria-invalid") == "true"
        assert any(message in item for item in items)
    assert reader.locator("#q-age").input_value() == "150"  # kept to correct
    summary.locator("a").first.click()  # the summary leads to the question
    assert reader.evaluate("location.hash") == "#q-age"
    _fits(reader)
    _shot(reader, "d6-selfcheck-errors")


@pytest.mark.parametrize("reader", EVERY, ids=IDS, indirect=True)
def test_every_contact_mistake_at_once(reader: Page, server: Server) -> None:
    _check_all(reader)
    zh = _is_zh(reader)
    legend = reader.locator("fieldset.contact-reach legend").inner_text()
    hint = reader.locator("#contact-reach-hint").inner_text()
    assert legend == ("研究团队如何联系您" if zh else "How the study team can reach you")
    assert ("至少需要填写其中一项" if zh else "at least one of them is needed") in hint
    reader.locator("#contact-email").fill("anna@")
    reader.locator("#contact-phone").fill("abc")
    reader.locator(".contact-request button[type=submit]").click()
    summary = reader.locator(".error-summary")
    summary.wait_for()
    items = summary.locator("li").all_inner_texts()
    assert len(items) == 4, items
    words = SAID[_lang(reader)]["contact"]
    for field, message in words.items():
        assert message in reader.locator(f"#contact-{field}-error").inner_text(), field
    _fits(reader)
    _shot(reader, "d7-contact-errors")
    with server.store.read() as session:
        assert session.scalars(select(Lead).where(Lead.email == "anna@")).first() is None


def test_the_wording_of_the_questions(page: Page) -> None:
    page.goto(SELF_CHECK)
    text = page.locator("form.selfcheck").inner_text()
    assert "I don't know" in text and "I'm not sure" not in text
    for american in ("defense", "breast-feeding", "FluMist", "Trexall"):
        assert american not in text
    assert page.locator('input[name="sex"][value="other"]').count() == 1
    month = page.locator("#q-ra_since")
    today = date.today()
    assert month.get_attribute("min") == "1900-01"
    assert month.get_attribute("max") == f"{today.year:04d}-{today.month:02d}"
    assert page.locator("#q-age").get_attribute("min") == "10.0"


@pytest.mark.parametrize("reader", EVERY, ids=IDS, indirect=True)
def test_the_trial_page(reader: Page) -> None:
    reader.goto(STUDY)
    zh = _is_zh(reader)
    no_contact = reader.locator("#no-contact")
    assert no_contact.is_visible()
    assert SAID[_lang(reader)]["no_contact"] in no_contact.inner_text()
    stale = stale_status(trial_page(load_study()), date.today())
    hint = reader.locator("#status-stale")
    if stale is not None:
        assert ("登记记录最后更新于" if zh else "last updated on") in hint.inner_text()
    else:
        assert hint.count() == 0
    # one complementary landmark for the call to action; every landmark name unique
    names = reader.evaluate(
        """() => [...document.querySelectorAll('aside, nav, section[aria-labelledby]')]
            .map(e => e.tagName + ':' + (e.getAttribute('aria-label') ||
                 document.getElementById(e.getAttribute('aria-labelledby') || '')?.textContent))"""
    )
    assert len(names) == len(set(names)), names
    assert reader.locator("aside.cta").count() == 1
    assert reader.locator("a.button-primary[href$='/self-check']").count() == 2
    _fits(reader)
    _shot(reader, "d26-trial-page")


def _send(page: Page, name: str, email: str) -> str:
    do_self_check(page, MAY_BE_ELIGIBLE)
    page.locator("#contact-name").fill(name)
    page.locator("#contact-email").fill(email)
    page.locator("#contact-consent").check()
    page.locator(".contact-request button[type=submit]").click()
    page.wait_for_url(re.compile(r"/self-check/thanks\?ref="))
    return page.locator(".reference-code").inner_text()


def test_the_same_person_twice_and_their_answers(browser: Browser, server: Server) -> None:
    patient = staff_page(browser, server.base_url)
    first = _send(patient, "Ingrid Sølvberg", "ingrid.e2e.8812@example.org")
    second = _send(patient, "Ingrid Solvberg", "Ingrid.E2E.8812@example.org")
    patient.context.close()

    staff = staff_page(browser, server.base_url)
    sign_in(staff, COORDINATOR, next_path="/staff/leads")
    staff.wait_for_url("**/staff/leads")
    for reference in (first, second):
        row = staff.locator("tbody tr", has_text=reference)
        assert "possible duplicate" in row.inner_text()
    screenshot(staff, "d30-leads-duplicates")
    staff.locator("#leads-status").select_option("new")
    staff.get_by_role("button", name="Show these").click()
    staff.wait_for_url("**/staff/leads?status=new")
    assert staff.locator("tbody tr", has_text=first).count() == 1

    staff.get_by_role("link", name=second).click()
    notice = staff.locator("#lead-duplicates")
    assert first in notice.inner_text() and "same e-mail address" in notice.inner_text()
    answers = staff.locator("table.lead-answers")
    assert "How old are you?" in answers.inner_text()
    assert "methotrexate_how_long" not in answers.inner_text()
    row = answers.locator("tr", has_text="How old are you?")
    assert row.locator("td").inner_text() == "45 years"
    screenshot(staff, "d9-lead-answers")

    staff.get_by_role("button", name="Add as a screening candidate").click()
    staff.wait_for_url(re.compile(r"/staff/candidates/\d+$"))
    body = staff.locator("main").inner_text()
    assert "Patient self-report" in body and second in body
    screenshot(staff, "d9-candidate-self-report")

    # D14: the attributes are attributes (autocomplete off on the name, a file filter)
    staff.goto("/staff/candidates")
    assert staff.locator("#f-name").get_attribute("autocomplete") == "off"
    accept = staff.locator("#upload-file").get_attribute("accept")
    assert accept == ".json,.ndjson,application/json,application/fhir+json"
    staff.context.close()


def test_a_flood_is_refused_with_a_clear_message(browser: Browser, tmp_path: Path) -> None:
    # a server of its own: its limits must not stop the other tests' patients
    store = open_store(f"sqlite:///{tmp_path / 'flood.db'}")
    try:
        with serve(store) as base_url:
            page = staff_page(browser, base_url)
            lead = {"name": "Flood", "email": "flood@example.org", "consent": True}
            codes = [
                page.request.post(f"{base_url}/api/studies/NCT06947746/leads", data=lead).status
                for _ in range(12)
            ]
            assert codes == [201] * 10 + [429] * 2
            do_self_check(page, MAY_BE_ELIGIBLE[:2])
            page.locator("#contact-name").fill("Real Person")
            page.locator("#contact-phone").fill("+86 21 1234 5678")
            page.locator("#contact-consent").check()
            page.locator(".contact-request button[type=submit]").click()
            summary = page.locator(".error-summary")
            summary.wait_for()
            assert "Too many requests from your address in a short time." in summary.inner_text()
            assert "Nothing was stored." in summary.inner_text()
            assert page.locator("#contact-name").input_value() == "Real Person"
            screenshot(page, "d12-too-many")
            page.context.close()
            with store.read() as session:
                assert (
                    session.scalars(select(Lead).where(Lead.name == "Real Person")).first() is None
                )
    finally:
        store.close()
