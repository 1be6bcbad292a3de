"""Walkthrough D14 and D26: form fields' extra attributes are real attributes, and the
public trial page says when its status may be out of date, that no phone or e-mail was
published, and has one call-to-action landmark."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.study.loader import load_study
from trialdesk.study.page import trial_page
from trialdesk.web.pages import templates
from trialdesk.web.rooms.public import pages as public_pages
from trialdesk.web.rooms.public.notices import has_published_contact, stale_status
from webclient import client_as

NCT = "NCT06947746"


def _field(extra: str) -> str:
    source = (
        '{% from "_fields.html" import field %}'
        "{{ field('name', 'Name', {}, {}, extra=" + extra + ") }}"
    )
    return templates.env.from_string(source).render()


def test_extra_attributes_are_attributes_with_escaped_values() -> None:
    html = _field(
        "{'autocomplete': 'off', 'accept': '.json,\"x\"', 'multiple': true, "
        "'hidden': false, 'data-none': none}"
    )
    assert ' autocomplete="off"' in html
    assert ' accept=".json,&#34;x&#34;"' in html  # a quote in a value cannot end it
    assert ' multiple="multiple"' in html
    assert "hidden" not in html and "data-none" not in html
    assert "&#34;off&#34;" not in html  # the walkthrough's autocomplete=&#34;off&#34;


def test_a_name_that_is_no_attribute_is_refused() -> None:
    with pytest.raises(ValueError):
        _field("{'onclick=alert(1) x': 'y'}")


def test_the_staff_forms_send_valid_attributes(app: FastAPI) -> None:
    page = client_as(app, "coordinator").get("/staff/candidates").text
    assert 'autocomplete="off"' in page
    assert 'accept=".json,.ndjson,application/json,application/fhir+json"' in page
    assert 'accept=".csv,text/csv"' in page and 'multiple="multiple"' in page
    assert "&#34;" not in re.sub(r'value="[^"]*"', "", page)


def test_staleness_starts_the_day_after_the_start_month() -> None:
    page = trial_page(load_study())  # not yet recruiting, estimated start 2025-05-01
    assert stale_status(page, date(2025, 5, 1)) is None
    stale = stale_status(page, date(2025, 5, 2))
    assert stale is not None and (stale.start, stale.last_updated) == ("2025-05-01", "2025-04-27")
    assert not has_published_contact(page)  # a name, no phone, no e-mail


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    day = [date(2025, 4, 1)]
    monkeypatch.setattr(public_pages, "today", lambda: day[0])
    return day


def test_the_trial_page_says_its_status_may_be_stale(
    client: TestClient, on_day: list[date]
) -> None:
    before = client.get(f"/studies/{NCT}").text
    assert 'id="status-stale"' not in before
    on_day[0] = date(2026, 12, 7)
    after = client.get(f"/studies/{NCT}").text
    assert (
        "The registry still says “Not yet recruiting”, but the estimated start date, "
        "2025-05-01, has passed. The registry record was last updated on 2025-04-27, so this "
        "may be out of date: ask the study team."
    ) in after
    zh = client.get(f"/studies/{NCT}", headers={"accept-language": "zh-CN"}).text
    assert "登记记录最后更新于 2025-04-27" in zh


def test_the_trial_page_says_there_is_no_phone_or_email(client: TestClient) -> None:
    page = client.get(f"/studies/{NCT}").text
    contact = page[page.index('id="contact"') :].split("</section>")[0]
    assert "The study team has not published a phone number or an e-mail address." in contact
    assert f'href="/studies/{NCT}/self-check"' in contact
    assert '<a href="#contact">' in page


def test_one_call_to_action_landmark(client: TestClient) -> None:
    page = client.get(f"/studies/{NCT}").text
    assert page.count('<aside class="cta"') == 1
    assert page.count("Start the self-check") == 2  # the button again after the record
    labelled = re.findall(r'<(aside|section|nav)[^>]*aria-labelledby="([^"]+)"', page)
    names = [name for _, name in labelled]
    assert len(names) == len(set(names))
