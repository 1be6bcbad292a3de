"""A patient does the self-check through the real form, and leaves contact details only
with consent; a coordinator then works the lead."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select

from trialdesk.trial.screening.models import Lead
from trialdesk.trial.store.models import AuditRecord

from .flows import (
    COORDINATOR,
    MAY_BE_ELIGIBLE,
    SELF_CHECK,
    answer_self_check,
    answers_with,
    do_self_check,
    screenshot,
    sign_in,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import Server

# Distinctive enough that finding them anywhere else can only mean a leak.
NAME, EMAIL, PHONE = "Zebulon Quillfeather", "zq.e2e.4471@example.org", "+44 20 7946 0958"


def test_may_be_eligible(page: Page) -> None:
    page.goto(SELF_CHECK)
    follow_up = page.locator("#question-ra_since")
    assert follow_up.is_hidden()  # shown only once RA is answered yes
    answer_self_check(page, MAY_BE_ELIGIBLE[:3])
    assert follow_up.is_visible()
    answer_self_check(page, MAY_BE_ELIGIBLE[3:])
    screenshot(page, "02-self-check-form")
    page.get_by_role("button", name="See my result").click()
    result = page.locator("section.result")
    assert page.locator("#result-title").inner_text() == "You may be eligible"
    assert "result-ok" in (result.get_attribute("class") or "")
    to_check = result.locator("details.site-checks")
    assert "The study team will still check" in to_check.locator("summary").inner_text()
    to_check.locator("summary").click()  # the list is folded so the contact form stays near
    checks = result.locator("ul > li").all_inner_texts()
    assert len(checks) >= 5
    assert any("consent form" in c for c in checks)
    assert any("knee pain questionnaire" in c for c in checks)
    assert "probably not" not in result.inner_text()
    screenshot(page, "03-result-may-be-eligible")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"age": "70"}, "You need to be aged 18 to 65."),
        ({"pregnancy": "pregnant"}, "You cannot take part if you are pregnant or breastfeeding"),
    ],
    ids=["age-70", "pregnant"],
)
def test_probably_not_eligible(page: Page, change: dict[str, str], reason: str) -> None:
    do_self_check(page, answers_with(**change))
    assert page.locator("#result-title").inner_text() == "You are probably not eligible"
    reasons = page.locator("section.result ul > li").all_inner_texts()
    assert any(r.startswith(reason) for r in reasons), reasons
    assert len(reasons) == 1  # only what the answers rule out, not every site check
    assert page.get_by_role("link", name="start the self-check again").is_visible()
    screenshot(page, f"04-result-probably-not-{next(iter(change))}")


def _leads_named(server: Server, name: str) -> list[Lead]:
    with server.store.read() as session:
        return list(session.scalars(select(Lead).where(Lead.name == name)))


def _lead_count(server: Server) -> int:
    with server.store.read() as session:
        return session.scalar(select(func.count()).select_from(Lead)) or 0


def _fill_contact(page: Page) -> None:
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Phone number").fill(PHONE)


def test_lead_only_with_consent_then_coordinator_works_it(page: Page, server: Server) -> None:
    before = _lead_count(server)
    do_self_check(page, MAY_BE_ELIGIBLE)

    # without the consent box: an error, and nothing stored
    _fill_contact(page)
    page.get_by_role("button", name="Send my details").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "Nothing is stored without your consent" in summary.inner_text()
    assert page.locator("#contact-consent-error").is_visible()
    assert page.get_by_label("Your name").input_value() == NAME  # kept for the retry
    screenshot(page, "05-contact-without-consent")
    assert _lead_count(server) == before and _leads_named(server, NAME) == []

    # with consent: exactly one lead, and its reference shown
    page.locator("#contact-consent").check()
    page.get_by_role("button", name="Send my details").click()
    page.wait_for_url(re.compile(r"/self-check/thanks\?ref="))
    reference = page.locator(".reference-code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", reference), reference
    screenshot(page, "06-thanks")
    (lead,) = _leads_named(server, NAME)
    assert _lead_count(server) == before + 1
    assert (lead.reference, lead.email, lead.phone) == (reference, EMAIL, PHONE)
    assert lead.outcome["verdict"] == "may_be_eligible" and lead.consented_at is not None
    assert lead.answers["age"] == "45" and lead.status == "new"

    # the coordinator signs in, finds the lead, and changes its status with a reason
    page.context.clear_cookies()
    sign_in(page, COORDINATOR, next_path="/staff/leads")
    page.wait_for_url("**/staff/leads")
    row = page.locator("tbody tr", has_text=reference)
    assert NAME in row.inner_text() and "may be eligible" in row.inner_text()
    screenshot(page, "08-staff-leads")
    row.get_by_role("link", name=reference).click()
    page.wait_for_url(f"**/staff/leads/{lead.id}")
    assert EMAIL in page.locator("main").inner_text()
    page.get_by_label("Status").select_option("contacted")
    page.get_by_label("Note").fill("Left a voicemail")
    page.get_by_label("Reason for the change (audit trail)").fill("first call made")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/staff/leads/{lead.id}")
    assert page.locator("h1 .badge").inner_text() == "contacted"
    trail = page.locator("section.card", has=page.get_by_role("heading", name="Audit trail"))
    last = trail.locator("tbody tr").last
    for shown in (COORDINATOR, "update", "status", "new → contacted", "first call made"):
        assert shown in last.inner_text(), shown
    screenshot(page, "09-lead-detail")

    with server.store.read() as session:
        stored = session.get(Lead, lead.id)
        assert stored is not None
        assert (stored.status, stored.status_note) == ("contacted", "Left a voicemail")
        audit = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.entity == Lead.__tablename__, AuditRecord.entity_id == str(lead.id))
            .order_by(AuditRecord.id)
        ).all()
        assert [(a.actor, a.action) for a in audit] == [
            ("public", "create"),
            (COORDINATOR, "update"),
        ]
        assert audit[-1].reason == "first call made"

    # nothing the person typed reached any log of the server during the whole flow
    logged = server.logs.text()
    assert "/self-check/contact" in logged  # the access log was captured
    for secret in (NAME, EMAIL, PHONE, "Zebulon", "zq.e2e.4471", "7946"):
        assert secret not in logged, secret


def test_contact_errors_are_brought_into_view(page: Page, server: Server) -> None:
    """After a refused contact form the error summary takes the focus (as on the self-check
    form), so a person who left the consent box empty learns it without hunting for it."""
    do_self_check(page, MAY_BE_ELIGIBLE)
    _fill_contact(page)
    page.get_by_role("button", name="Send my details").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), (
        "the error summary is not focused: it sits below the whole result, out of view"
    )
