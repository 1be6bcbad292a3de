"""The staff screening workflow in a real browser, one person per browser context.

A coordinator uploads a FHIR record, dates the screening, enters a missing lab and sees the
checklist change; an investigator registers the consent form and signs the judgment
criteria (re-entering the password, from the keyboard); the coordinator enrols. The 15th
place is the last one, a wrong password signs nothing, a monitor only reads, and the
screening log draws its CONSORT diagram and exports its CSV.

Each test runs its own server over its own SQLite store (``serve`` in conftest.py), so the
enrolment count one test moves cannot change what another sees ("Subject 01-001", the
15-place limit), in any order. What a test only needs as background (fourteen enrolled
participants, an eligible candidate for the monitor to look at) is prepared through the
trial services themselves, not by writing rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from trialdesk.trial import accounts
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment, imports, judgments
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.models import Candidate, Enrolment, Judgment
from trialdesk.trial.store.db import Store, open_store
from trialdesk.web.app import bundled_studies

from .conftest import serve
from .flows import COORDINATOR, NCT, PASSWORD, ROOT, SHOTS, screenshot, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

    from trialdesk.study.loader import Study

EXAMPLES = ROOT / "examples"
INVESTIGATOR, MONITOR = "ines", "monty"
# Signs the judgments of the candidates prepared through the services; its hash is cheap
# so that preparing fourteen participants (84 signatures) takes well under a second each.
PREPARER = "prep-investigator"
# ex-01 needs the investigator's decision on these (examples/README.md)
JUDGED = {"I4": "met", "E2": "not_met", "E21": "not_met", "E25": "not_met", "E26": "not_met",
          "E28": "not_met"}  # fmt: skip
SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
CONSENTED_AT = datetime(2026, 2, 27, 9, 30, tzinfo=UTC)
FULL = "Enrolment is full: all 15 places of this study are taken"
SURNAMES = ["Abara", "Bellamy", "Castellanos", "Dunmore", "Eskildsen", "Farrow", "Galloway",
            "Halvorsen", "Ibarra", "Jankowski", "Kettering", "Lindqvist", "Marchetti",
            "Nakamura", "Oyelaran", "Pemberton"]  # fmt: skip


# ------------------------------------------------------------------------------ the site


@dataclass
class Site:
    """A server over a store of its own, and a browser context per person signed in."""

    base_url: str
    store: Store
    study: Study
    browser: Browser
    contexts: list[BrowserContext] = field(default_factory=list)

    def page_as(self, username: str) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        sign_in(page, username)
        page.wait_for_url("**/staff")
        return page

    def count(self, model: type) -> int:
        with self.store.read() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0


def _add_people(store: Store) -> None:
    with store.transaction() as session:
        for name, role in (
            (COORDINATOR, Role.COORDINATOR),
            (INVESTIGATOR, Role.INVESTIGATOR),
            (MONITOR, Role.MONITOR),
            (PREPARER, Role.INVESTIGATOR),
        ):
            accounts.create_user(
                session, actor="system", username=name, password=PASSWORD, role=role,
                reason="e2e screening fixture",
            )  # fmt: skip
        preparer = session.scalars(select(User).where(User.username == PREPARER)).one()
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        preparer.password_hash = cheap.hash(PASSWORD)


@pytest.fixture
def site(browser: Browser, tmp_path: Path) -> Iterator[Site]:
    pytest.importorskip("uvicorn")
    store = open_store(f"sqlite:///{tmp_path / 'screening.db'}")
    _add_people(store)
    study = dict(bundled_studies())[NCT]
    assert study.target_enrollment == 15
    try:
        with serve(store) as base_url:
            here = Site(base_url, store, study, browser)
            yield here
            for context in here.contexts:
                context.close()
    finally:
        store.close()


# ------------------------------------------------- background prepared through services


def _bundle(n: int) -> bytes:
    """ex-01 as a different (invented) person: own ids, record number and surname."""
    text = (EXAMPLES / "01-eligible-looking.json").read_text(encoding="utf-8")
    text = text.replace("ex-01", f"px-{n:02d}").replace("EX-2026-0001", f"EX-2026-9{n:03d}")
    return text.replace("Qiao", SURNAMES[n % len(SURNAMES)]).encode()


def prepare(site: Site, count: int, *, sign: bool = True, enrol: int = 0) -> list[int]:
    """``count`` ex-01-like candidates, dated and consented; with ``sign`` their judgment
    criteria signed (so eligible); the first ``enrol`` of them enrolled."""
    now = datetime.now(UTC)
    ids: list[int] = []
    first = site.count(Candidate)  # each prepared person distinct: no duplicate warnings
    with site.store.transaction() as session:
        if not consent.form_versions(session, site.study.id):
            consent.add_form_version(
                session, actor=PREPARER, study_id=site.study.id, version="1.0",
                effective_on=date(2026, 1, 1), now=now,
            )  # fmt: skip
        signer = session.scalars(select(User).where(User.username == PREPARER)).one()
        for n in range(first, first + count):
            (candidate,) = imports.import_fhir(
                session, actor=COORDINATOR, study_id=site.study.id,
                filename=f"prepared-{n:02d}.json", data=_bundle(n), now=now,
            )  # fmt: skip
            cid = candidate.id
            cands.set_screening_details(
                session, actor=COORDINATOR, study=site.study, candidate_id=cid,
                expected_version=None, dates={"screening": SCREENING, "baseline": BASELINE},
                parameters={"target_knee": "right"}, reason="screening visit booked", now=now,
            )  # fmt: skip
            consent.record_consent(
                session, actor=COORDINATOR, candidate_id=cid, form_version="1.0",
                consented_at=CONSENTED_AT, obtained_by="Dr. Lin Zhao",
                participant_signed_on=CONSENTED_AT.date(), now=now,
            )  # fmt: skip
            if sign:
                bases = build_checklist(session, site.study, candidate, now.date()).bases
                for criterion, decision in JUDGED.items():
                    judgments.sign_judgment(
                        session, user=signer, password=PASSWORD, study=site.study,
                        candidate_id=cid, criterion_id=criterion, decision=decision,
                        reason="checked at the screening visit", basis=bases[criterion],
                        today=now.date(), now=now,
                    )  # fmt: skip
            ids.append(cid)
        for cid in ids[:enrol]:
            enrolment.enrol(
                session, actor=COORDINATOR, study=site.study, candidate_id=cid,
                expected_version=None, today=now.date(), now=now,
            )  # fmt: skip
    return ids


# ----------------------------------------------------------------------- page helpers


def row(page: Page, criterion: str) -> Locator:
    return page.locator(f"#criterion-{criterion}")


def shot_of(part: Locator, name: str) -> None:
    """A screenshot of one part of a page (a checklist row, a section), beside the
    full-page ones: the screening page is over 10,000 px tall."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    part.screenshot(path=str(SHOTS / f"{name}.png"))


def badge(page: Page, criterion: str) -> str:
    return row(page, criterion).locator("td").first.locator(".badge").inner_text()


def confirm(page: Page, action: str) -> None:
    """The confirmation step of an irreversible outcome (issue 17, D10): a page of its own,
    the date filled in with today at the site."""
    page.get_by_role("heading", name=f"Confirm: {action}").wait_for()
    assert page.locator("#confirm-date").input_value()


def verdict(page: Page) -> str:
    return page.locator("#outcome-title .badge").inner_text()


def alert(page: Page) -> Locator:
    """The error summary at the top of a page whose change was refused."""
    return page.locator("main .error-summary[role=alert] li")


def upload(page: Page, example: str) -> int:
    """Upload a FHIR file on the candidates page; returns the new candidate's id."""
    page.goto(f"/staff/candidates?study={NCT}")
    form = page.locator('form[action="/staff/candidates/upload"]')
    form.get_by_label("File(s)", exact=True).set_input_files(str(EXAMPLES / example))
    form.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/staff/candidates/\d+$"))
    found = re.search(r"/staff/candidates/(\d+)$", page.url)
    assert found, page.url
    return int(found.group(1))


def set_details(page: Page) -> None:
    details = page.locator("#details")
    details.get_by_label("Screening date").fill(SCREENING.isoformat())
    details.get_by_label("Planned baseline (injection) date").fill(BASELINE.isoformat())
    details.get_by_label("Target knee").select_option("right")
    details.get_by_label("Reason for the change").fill("screening visit booked")
    details.get_by_role("button", name="Save dates and knee").click()
    page.wait_for_url(re.compile(r"/staff/candidates/\d+#details$"))
    page.locator("#f-screening_date").wait_for()


def enter_fact(
    page: Page, concept: str, value: str, unit: str, source: str, upper_limit: str = ""
) -> None:
    """The two-step fact form: choose what to enter, then only that concept's fields."""
    form = page.locator("#enter")
    form.get_by_label("What to enter").select_option(concept)
    form.get_by_role("button", name="Choose").click()
    page.wait_for_url(re.compile(rf"concept={concept}#enter$"))
    form = page.locator("#enter")
    form.get_by_label("Date", exact=True).fill("2026-02-27")
    form.get_by_label("Value", exact=True).fill(value)
    form.get_by_label("Unit", exact=True).fill(unit)
    if upper_limit:
        form.get_by_label("Upper limit of normal").fill(upper_limit)
    form.get_by_label("Source document").fill(source)
    form.get_by_role("button", name="Add the fact").click()
    page.wait_for_url(re.compile(r"/staff/candidates/\d+#checklist$"))
    page.locator("#checklist").wait_for()


def sign_by_keyboard(page: Page, criterion: str, decision: str, password: str = PASSWORD) -> None:
    """Sign one judgment criterion with the keyboard only: the radio group is one tab stop
    (Space picks "met", an arrow key moves to and picks "not met"), then Tab to the reason
    and the password, and Enter submits."""
    form = row(page, criterion).locator("form.sign-form")
    form.locator('input[name="decision"][value="met"]').focus()  # as if tabbed to
    page.keyboard.press("Space" if decision == "met" else "ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("checked at the screening visit")
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")


# -------------------------------------------------------------------------- the tests


def test_coordinator_uploads_dates_and_enters_a_missing_lab(site: Site) -> None:
    page = site.page_as(COORDINATOR)
    nav = page.get_by_role("navigation", name="Staff")
    nav.get_by_role("link", name="Candidates").click()
    page.wait_for_url("**/staff/candidates")
    assert "No candidates yet" in page.locator("main").inner_text()

    cid = upload(page, "03-incomplete-no-labs.json")
    assert page.locator("h1").inner_text().startswith("Xiaoyu Tang")  # ex-03
    assert page.locator("h1 .badge").first.inner_text() == "screening"
    assert verdict(page) == "incomplete"
    # until the dates are set, the page says which defaults it used
    assert "screening date not set" in page.locator("#outcome").inner_text()

    set_details(page)
    assert "not set" not in page.locator("#outcome").inner_text()
    assert page.locator("#f-screening_date").input_value() == "2026-03-02"
    assert page.locator("#f-baseline_date").input_value() == "2026-03-16"
    assert page.locator("#f-target_knee").input_value() == "right"
    assert badge(page, "E10") == "unknown"
    missing = row(page, "E10").locator("td").nth(2)
    assert "Alanine aminotransferase (ALT)" in missing.inner_text()
    assert "Aspartate aminotransferase (AST)" in missing.inner_text()
    screenshot(page, "screening-01-missing-labs-before")
    shot_of(row(page, "E10"), "screening-01b-E10-before")

    # ALT alone: E10 still unknown, but it asks only for AST now
    enter_fact(page, "alt", "30", "U/L", "Lab report 2026-02-27, accession 4711")
    assert badge(page, "E10") == "unknown"
    still = row(page, "E10").locator("td").nth(2).inner_text()
    assert "ALT" not in still and "Aspartate aminotransferase (AST)" in still
    assert "30 U/L" in row(page, "E10").locator("td").nth(1).inner_text()

    # AST too, with the laboratory's own upper limit: both normal, so the exclusion
    # criterion E10 is "not met"
    enter_fact(page, "ast", "25", "U/L", "Lab report 2026-02-27, accession 4711", "40")
    assert badge(page, "E10") == "not met"
    evidence = row(page, "E10").locator("td").nth(1).inner_text()
    assert "30 U/L" in evidence and "25 U/L = 0.62×ULN (ULN 40" in evidence
    entered = page.locator("#facts tbody tr")
    assert entered.count() == 2
    assert "Lab report 2026-02-27, accession 4711" in entered.first.inner_text()
    assert verdict(page) == "incomplete"  # other screening tests are still missing
    screenshot(page, "screening-02-missing-labs-after")
    shot_of(row(page, "E10"), "screening-02b-E10-after")
    with site.store.read() as session:
        stored = session.get(Candidate, cid)
        assert stored is not None and stored.parameters == {"target_knee": "right"}


def test_consent_signatures_and_enrolment(site: Site) -> None:
    investigator = site.page_as(INVESTIGATOR)
    investigator.goto(f"/staff/consent-forms?study={NCT}")
    assert "No version registered yet" in investigator.locator("main").inner_text()
    investigator.get_by_label("New version").fill("1.0")
    investigator.get_by_label("In effect from").fill("2026-01-01")
    investigator.get_by_role("button", name="Register").click()
    investigator.wait_for_url(re.compile(r"/staff/consent-forms"))
    versions = investigator.locator("section.card", has_text="Versions").locator("li")
    assert versions.count() == 1
    assert "1.0 in effect from 2026-01-01" in versions.first.inner_text()
    assert versions.first.locator(".badge").inner_text() == "current"
    screenshot(investigator, "screening-03-consent-form-registered")

    coordinator = site.page_as(COORDINATOR)
    coordinator.goto("/staff/consent-forms")
    assert coordinator.get_by_role("button", name="Register").count() == 0  # investigators only
    cid = upload(coordinator, "01-eligible-looking.json")
    set_details(coordinator)
    # I1 waits for the consent recorded here; the record's FHIR Consent is shown (D16)
    assert verdict(coordinator) == "incomplete"
    consent_card = coordinator.locator("#consent")
    assert "No consent recorded for this study." in consent_card.inner_text()
    consent_card.get_by_label("Form version").select_option("1.0")
    consent_card.get_by_label("Date and time of consent").fill("2026-02-27T09:30")
    consent_card.get_by_label("Obtained by").fill("Dr. Lin Zhao")
    consent_card.get_by_label("Participant's signature date").fill("2026-02-27")
    consent_card.get_by_role("button", name="Record consent").click()
    coordinator.wait_for_url(re.compile(rf"/staff/candidates/{cid}#consent$"))
    recorded = coordinator.locator("#consent li").first.inner_text()
    # entered and read in the site's time (D2)
    assert (
        "Form 1.0, 2026-02-27 09:30 (Asia/Shanghai, UTC+08:00), obtained by Dr. Lin Zhao"
        in recorded
    )
    # the coordinator cannot sign
    assert coordinator.locator("form.sign-form").count() == 0

    investigator.goto(f"/staff/candidates/{cid}")
    forms = investigator.locator("form.sign-form")
    assert forms.count() == len(JUDGED)
    for criterion, decision in JUDGED.items():
        assert badge(investigator, criterion) == "needs review", criterion
        with investigator.expect_navigation(url=re.compile(rf"/staff/candidates/{cid}#checklist$")):
            sign_by_keyboard(investigator, criterion, decision)
        cell = row(investigator, criterion).locator("td").first
        assert cell.locator(".badge").inner_text() == decision.replace("_", " "), criterion
        assert "signed" in cell.inner_text(), criterion
        said = row(investigator, criterion).locator("td").nth(2).inner_text()
        assert f"Signed {decision.replace('_', ' ')} by {INVESTIGATOR}" in said, said
    assert investigator.locator("form.sign-form").count() == 0
    assert verdict(investigator) == "eligible"
    screenshot(investigator, "screening-04-checklist-signed")
    shot_of(investigator.locator("#checklist"), "screening-04b-checklist-signed-table")
    with site.store.read() as session:
        signed = session.scalars(select(Judgment).where(Judgment.candidate_id == cid)).all()
        assert {(j.criterion_id, j.decision, j.signature.signer) for j in signed} == {
            (c, d, INVESTIGATOR) for c, d in JUDGED.items()
        }

    coordinator.reload()
    assert verdict(coordinator) == "eligible"
    assert "Places taken: 0 of 15" in coordinator.locator("#outcome").inner_text()
    coordinator.get_by_role("button", name="Enrol").click()
    confirm(coordinator, "Enrol")  # the baseline 2026-03-16 has passed: warned of
    assert (
        "planned baseline date (2026-03-16) has passed"
        in coordinator.locator("#confirm-warnings").inner_text()
    )
    screenshot(coordinator, "screening-05a-confirm-enrolment")
    coordinator.get_by_role("button", name="Confirm: Enrol").click()
    coordinator.wait_for_url(re.compile(rf"/staff/candidates/{cid}#outcome$"))
    assert coordinator.locator("#subject-number").inner_text() == "Subject 01-001"
    assert coordinator.locator("h1 .badge").first.inner_text() == "enrolled"
    outcome = coordinator.locator("#outcome").inner_text()
    assert "Places taken: 1 of 15" in outcome and f"by {COORDINATOR}" in outcome
    assert coordinator.get_by_role("button", name="Enrol").count() == 0
    withdrawal = coordinator.locator("#outcome details", has_text="Record a withdrawal")
    assert not coordinator.get_by_role("button", name="Record withdrawal").is_visible()
    withdrawal.locator("summary").click()  # folded away: not the first thing to press
    assert coordinator.get_by_role("button", name="Record withdrawal").is_visible()
    screenshot(coordinator, "screening-05-enrolled")


def test_the_sixteenth_enrolment_is_refused(site: Site) -> None:
    fifteenth, sixteenth = prepare(site, 16, enrol=14)[14:]
    assert site.count(Enrolment) == 14
    page = site.page_as(COORDINATOR)

    # A second coordinator has the 16th candidate's page open while the 15th place goes.
    other = site.page_as(COORDINATOR)
    other.goto(f"/staff/candidates/{sixteenth}")
    assert verdict(other) == "eligible"
    assert "Places taken: 14 of 15" in other.locator("#outcome").inner_text()

    page.goto(f"/staff/candidates/{fifteenth}")
    assert "Places taken: 14 of 15" in page.locator("#outcome").inner_text()
    page.get_by_role("button", name="Enrol").click()
    confirm(page, "Enrol")
    page.get_by_role("button", name="Confirm: Enrol").click()
    page.wait_for_url(re.compile(rf"/staff/candidates/{fifteenth}#outcome$"))
    assert page.locator("#subject-number").inner_text() == "Subject 01-015"
    assert "Places taken: 15 of 15" in page.locator("#outcome").inner_text()

    # The page opened before still offers Enrol; the server refuses it, and says why.
    page = other
    page.get_by_role("button", name="Enrol").click()
    refusal = alert(page)
    refusal.wait_for()
    assert refusal.inner_text() == FULL
    assert page.locator("#subject-number").count() == 0
    assert page.locator("h1 .badge").first.inner_text() == "screening"
    assert "Places taken: 15 of 15" in page.locator("#outcome").inner_text()
    assert page.title().startswith("Error: ")
    screenshot(page, "screening-06-enrolment-full")
    # Opened now, the page says so up front and offers no Enrol button.
    page.goto(f"/staff/candidates/{sixteenth}")
    assert "All 15 places are taken" in page.locator("#outcome").inner_text()
    assert page.get_by_role("button", name="Enrol").count() == 0
    assert site.count(Enrolment) == 15
    with site.store.read() as session:
        left = session.get(Candidate, sixteenth)
        assert left is not None and left.status.value == "screening"


def test_a_wrong_password_signs_nothing_and_a_monitor_only_reads(site: Site) -> None:
    unsigned, eligible = prepare(site, 1, sign=False)[0], prepare(site, 1)[0]

    investigator = site.page_as(INVESTIGATOR)
    investigator.goto(f"/staff/candidates/{unsigned}")
    form = row(investigator, "E2").locator("form.sign-form")
    form.get_by_label("not met").check()
    form.get_by_label("Reason").fill("no other inflammatory arthritis on file")
    form.get_by_label("Your password, to sign").fill("not my password at all")
    form.get_by_role("button", name="Sign E2").click()
    refusal = alert(investigator)
    refusal.wait_for()
    assert refusal.inner_text() == "The password is not correct: nothing was signed"
    assert badge(investigator, "E2") == "needs review"
    assert "signed" not in row(investigator, "E2").locator("td").first.inner_text()
    form = row(investigator, "E2").locator("form.sign-form")
    assert form.is_visible()  # still there to try again
    assert form.get_by_label("Your password, to sign").input_value() == ""  # never echoed
    assert "not my password at all" not in investigator.content()
    screenshot(investigator, "screening-07-wrong-password")
    assert site.count(Judgment) == len(JUDGED)  # only the eligible candidate's

    coordinator = site.page_as(COORDINATOR)  # control: the coordinator does see the forms
    coordinator.goto(f"/staff/candidates/{eligible}")
    assert coordinator.get_by_role("button", name="Enrol").is_visible()
    assert coordinator.get_by_role("button", name="Choose").is_visible()  # the fact form

    monitor = site.page_as(MONITOR)
    monitor.goto(f"/staff/candidates/{eligible}")
    assert verdict(monitor) == "eligible"
    assert monitor.locator("#checklist tbody tr").count() > 20
    assert "signed" in row(monitor, "I4").locator("td").first.inner_text()
    for button in ("Enrol", "Choose", "Add the fact", "Save dates and knee", "Record consent",
                   "Record as declined", "Record screen failure"):  # fmt: skip
        assert monitor.get_by_role("button", name=button).count() == 0, button
    assert monitor.locator("main form").count() == 0
    # the dates are shown as text instead of the form
    assert "2026-03-02" in monitor.locator("#details").inner_text()
    screenshot(monitor, "screening-08-monitor-view")


def test_screening_log_consort_and_csv(site: Site) -> None:
    (enrolled,) = prepare(site, 1, enrol=1)
    page = site.page_as(COORDINATOR)

    failed = upload(page, "02-ineligible-alt-zoster-bmi.json")
    set_details(page)
    assert verdict(page) == "ineligible"
    page.get_by_role("button", name="Record screen failure").click()
    confirm(page, "Record screen failure")
    page.get_by_role("button", name="Confirm: Record screen failure").click()
    page.wait_for_url(re.compile(rf"/staff/candidates/{failed}#outcome$"))
    assert page.locator("h1 .badge").first.inner_text() == "screen failed"
    assert "excluded by E10, E15, E24" in page.locator("#outcome").inner_text()

    declined = upload(page, "03-incomplete-no-labs.json")
    page.locator("#outcome summary", has_text="Not taking part").focus()
    page.keyboard.press("Enter")  # keyboard only from here: open, Tab to the reason, type, Enter
    page.keyboard.press("Tab")
    page.keyboard.type("moved abroad")
    page.keyboard.press("Enter")
    confirm(page, "Record as declined")
    assert page.locator("#confirm-reason").input_value() == "moved abroad"
    with page.expect_navigation(url=re.compile(rf"/staff/candidates/{declined}#outcome$")):
        page.get_by_role("button", name="Confirm: Record as declined").press("Enter")
    assert page.locator("h1 .badge").first.inner_text() == "declined"
    assert "moved abroad" in page.locator("#outcome").inner_text()

    page.goto(f"/staff/candidates?study={NCT}")
    listed = page.locator("main table tbody tr")
    assert listed.count() == 3
    assert (
        listed.filter(has_text="Xiaoyu Tang").locator("td.status .badge").inner_text() == "declined"
    )
    screenshot(page, "screening-10-candidates-list")

    page.get_by_role("navigation", name="Staff").get_by_role("link", name="Screening log").click()
    page.wait_for_url("**/staff/screening-log")
    assert "Places taken: 1 of 15" in page.locator("main").inner_text()
    image = page.locator("img.consort")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") > 0
    assert image.evaluate("img => img.naturalHeight") > 0
    alt = image.get_attribute("alt") or ""
    assert alt.startswith("3 assessed; 2 excluded; 0 in screening; 1 enrolled of 15"), alt
    rows = page.locator("main table tbody tr")
    assert rows.count() == 3
    assert "01-001" in rows.filter(has_text="enrolled").inner_text()
    screenshot(page, "screening-09-log")

    with page.expect_download() as caught:
        page.get_by_role("link", name="Export CSV").click()
    download = caught.value
    assert re.fullmatch(
        rf"screening-log-{NCT}-\d{{4}}-\d{{2}}-\d{{2}}\.csv", download.suggested_filename
    )
    every = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert sorted(r["outcome"] for r in every) == ["declined", "enrolled", "screen_failed"]
    (subject,) = [r for r in every if r["outcome"] == "enrolled"]
    assert (subject["candidate_id"], subject["subject_number"]) == (str(enrolled), "01-001")
    assert subject["consented_on"] == "2026-02-27"
    (fail,) = [r for r in every if r["outcome"] == "screen_failed"]
    assert fail["failed_criteria"] == "E10 E15 E24"

    # filtered to the enrolled, the export follows the filter
    page.get_by_label("Outcome").select_option("enrolled")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=enrolled"))
    assert page.locator("main table tbody tr").count() == 1
    with page.expect_download() as caught:
        page.get_by_role("link", name="Export CSV").click()
    only = list(
        csv.DictReader(io.StringIO(Path(caught.value.path()).read_text(encoding="utf-8-sig")))
    )
    assert [(r["outcome"], r["subject_number"]) for r in only] == [("enrolled", "01-001")]


# ------------------------------------------- refusals stay with the form that was refused


def test_a_refused_form_keeps_its_values_and_its_error_to_itself(site: Site) -> None:
    """A refused change re-renders the page with what was typed; every form there has a
    field named "reason" (dates, signature, decline, screen failure, withdrawal), so the
    typed values and the error must go back to the form that was sent, not to the first
    form with a field of that name (the dates form, at the top)."""
    unsigned = prepare(site, 1, sign=False)[0]
    problems: list[str] = []

    investigator = site.page_as(INVESTIGATOR)
    investigator.goto(f"/staff/candidates/{unsigned}")
    form = row(investigator, "E2").locator("form.sign-form")
    form.get_by_label("not met").check()
    form.get_by_label("Reason").fill("no other inflammatory arthritis on file")
    form.get_by_label("Your password, to sign").fill("not my password at all")
    form.get_by_role("button", name="Sign E2").click()
    alert(investigator).wait_for()
    leaked = investigator.locator("#details").get_by_label("Reason for the change")
    if leaked.input_value():
        problems.append(
            f"the signature's reason was put in the dates form's audit reason: "
            f"{leaked.input_value()!r} (saving the dates would record it)"
        )

    coordinator = site.page_as(COORDINATOR)
    coordinator.goto(f"/staff/candidates/{unsigned}")
    coordinator.locator("#outcome summary", has_text="Not taking part").click()
    coordinator.locator("#decline-reason").evaluate("e => e.removeAttribute('required')")
    coordinator.get_by_role("button", name="Record as declined").click()  # no reason given
    coordinator.locator(".field-error, .notice-bad").first.wait_for()
    outcome = coordinator.locator("#outcome").inner_text()
    details = coordinator.locator("#details").inner_text()
    if "give a reason" not in outcome:
        problems.append("the decline's error is not shown at the decline form (#outcome)")
    if "give a reason" in details:
        problems.append(
            "the decline's error is shown under the dates form's "
            "'Reason for the change (audit trail)' (#details)"
        )
    screenshot(coordinator, "screening-11-decline-without-reason")
    assert not problems, problems


def _duplicate_ids(page: Page) -> list[str]:
    found: list[str] = page.evaluate(
        """() => { const seen = {}, twice = new Set();
                   for (const e of document.querySelectorAll('[id]')) {
                     if (seen[e.id]) twice.add(e.id); seen[e.id] = true; }
                   return [...twice].sort(); }"""
    )
    return found


def test_every_id_on_the_screening_pages_is_unique(site: Site) -> None:
    """A label's for= names one id; with two controls of that id the label (and a screen
    reader) points at the wrong one."""
    page = site.page_as(COORDINATOR)
    ineligible = upload(page, "02-ineligible-alt-zoster-bmi.json")
    set_details(page)
    assert verdict(page) == "ineligible"  # the page with the screen-failure note too
    found = {"candidate page": _duplicate_ids(page)}
    page.goto(f"/staff/candidates?study={NCT}")
    found["candidates list"] = _duplicate_ids(page)
    page.goto(f"/staff/screening-log?study={NCT}")
    found["screening log"] = _duplicate_ids(page)
    assert found == {k: [] for k in found}, (ineligible, found)
