"""What staff see of walkthrough D20, D21, D22, D24 and D28 in a real browser, in English
and Chinese, at 1280, 768 and 390 px: the home's work queues and the team's footer, the
refusal in words, units as printed, the audit trail's changes and links, the sponsor's
pseudonymised log, and the API docs served from this machine. Screenshots are saved under
test-output/screenshots/ (staff-shell-*)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Role

from .flows import ADMIN, COORDINATOR, NCT, PASSWORD, ROOT, screenshot, sign_in, staff_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from .conftest import Server

MONITOR = "mona"
WIDTHS = (1280, 768, 390)


@pytest.fixture(scope="module")
def monitor(server: Server) -> str:
    with server.store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=MONITOR, password=PASSWORD, role=Role.MONITOR,
            reason="e2e fixture",
        )  # fmt: skip
    return MONITOR


def _signed_in(browser: Browser, server: Server, who: str, width: int = 1280) -> Page:
    page = staff_page(browser, server.base_url)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, who)
    page.wait_for_url("**/staff")
    return page


def _api(page: Page, method: str, path: str, **kw: Any) -> Any:
    """The signed-in browser's own API call (its cookies, its CSRF token)."""
    token = page.request.get("/api/me").json()["csrf_token"]
    answer = page.request.fetch(path, method=method, headers={"X-CSRF-Token": token}, **kw)
    assert answer.ok, answer.text()
    return answer.json()


def test_the_home_shows_the_work_queues_and_the_teams_footer(
    browser: Browser, server: Server
) -> None:
    for width in WIDTHS:
        for lang in ("en", "zh-CN"):
            page = _signed_in(browser, server, COORDINATOR, width)
            page.goto(f"/staff?lang={lang}")
            queues = page.locator(".work-queue")
            assert queues.count() >= 5
            screening = page.locator(f"#queue-screening-{NCT}")
            assert screening.is_visible()
            zero = page.locator(".work-queue .badge-none").first
            assert zero.inner_text() == "0"
            assert "badge-ok" not in page.locator("main").inner_html()
            footer = page.locator("footer.site-footer").inner_text()
            assert "medical advice" not in footer and "医疗建议" not in footer
            # nothing wider than the screen: the page does not scroll sideways
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            screenshot(page, f"staff-shell-home-{lang}-{width}")
            page.context.close()


def test_a_refused_page_names_the_role_and_the_action(browser: Browser, server: Server) -> None:
    page = _signed_in(browser, server, ADMIN)
    for lang, words in (("en", "Your role (administrator) may not see the screening candidates."),
                        ("zh-CN", "您的角色（管理员）不能查看筛选候选人。")):  # fmt: skip
        answer = page.goto(f"/staff/candidates?lang={lang}")
        assert answer is not None and answer.status == 403
        main = page.locator("main").inner_text()
        assert words in main and "view_candidates" not in main and "forbidden" not in main
        screenshot(page, f"staff-shell-403-{lang}")
    page.context.close()


def test_units_and_names_on_the_candidate_page(browser: Browser, server: Server) -> None:
    page = _signed_in(browser, server, COORDINATOR)
    added = _api(page, "POST", "/api/candidates", data={"study": NCT, "name": "Units Shown"})
    cid = added["id"]
    for body in ({"concept": "wbc", "value": "6.1", "unit": "10*9/L"},
                 {"concept": "body_weight", "value": "61", "unit": "kg"},
                 {"concept": "womac_pain", "value": "6.5"}):  # fmt: skip
        _api(page, "POST", f"/api/candidates/{cid}/facts",
             data=body | {"on": "2026-03-01", "source_document": "lab report"})  # fmt: skip
    page.goto(f"/staff/candidates/{cid}")
    facts = page.locator("#facts")
    text = facts.inner_text()
    assert "6.1 ×10⁹/L" in text and "Body weight" in text and "body_weight" not in text
    # everything but the audit trail, which keeps the values as stored (UCUM codes)
    shown = page.evaluate(
        "() => { const m = document.querySelector('main').cloneNode(true);"
        " m.querySelector('#trail')?.remove(); return m.innerText; }"
    )
    assert "{score}" not in shown and "10*9" not in shown
    facts.screenshot(path=str(_shot("staff-shell-facts")))
    page.context.close()


def _shot(name: str) -> Path:
    path = ROOT / "test-output" / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def test_the_audit_trail_shows_changes_and_links_an_upload(
    browser: Browser, server: Server, monitor: str
) -> None:
    coordinator = _signed_in(browser, server, COORDINATOR)
    token = coordinator.request.get("/api/me").json()["csrf_token"]
    upload = coordinator.request.post(
        f"/api/candidates/fhir?study={NCT}&filename=03.json",
        headers={"X-CSRF-Token": token, "content-type": "application/json"},
        data=(ROOT / "examples" / "03-incomplete-no-labs.json").read_bytes(),
    )
    assert upload.ok, upload.text()
    (created,) = [c["id"] for c in upload.json()]
    coordinator.context.close()

    page = _signed_in(browser, server, monitor)
    page.goto("/staff/audit")
    assert page.locator("#audit-rows tbody tr").count() > 0
    assert "→" in page.locator("#audit-rows").inner_text()
    page.get_by_label("Kind of record").select_option("fhir_upload")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"entity=fhir_upload"))
    screenshot(page, "staff-shell-audit-upload")
    page.get_by_role("link", name=f"Candidate {created}").first.click()
    page.wait_for_url(f"**/staff/candidates/{created}")
    with page.expect_download() as caught:
        page.goto("/staff/audit?entity=fhir_upload")
        page.locator("#audit-export").click()
    data = Path(caught.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert any(r["candidates"] == str(created) for r in rows)
    page.goto("/staff/audit?lang=zh-CN")
    screenshot(page, "staff-shell-audit-zh-CN")
    page.context.close()


def test_the_sponsors_log_is_pseudonymised(browser: Browser, server: Server) -> None:
    page = _signed_in(browser, server, COORDINATOR)
    _api(page, "POST", "/api/candidates",
         data={"study": NCT, "name": "王芳", "birth_date": "1970-03-04",
               "record_number": "ZS-4411"})  # fmt: skip
    page.goto(f"/staff/screening-log?study={NCT}")
    screenshot(page, "staff-shell-log")
    with page.expect_download() as caught:
        page.get_by_role("link", name="Pseudonymised CSV for the sponsor").click()
    assert caught.value.suggested_filename.endswith("-pseudonymised.csv")
    text = Path(caught.value.path()).read_bytes().decode("utf-8-sig")
    assert "王芳" not in text and "ZS-4411" not in text and "1970-03-04" not in text
    with page.expect_download() as site:
        page.get_by_role("link", name="Export CSV").click()
    raw = Path(site.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and "王芳".encode() in raw
    page.context.close()


def test_the_api_docs_load_from_this_machine_only(browser: Browser, server: Server) -> None:
    page = _signed_in(browser, server, COORDINATOR)
    asked: list[str] = []
    blocked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/staff/api-docs")
    # the first request builds the OpenAPI document (every route's schema): give it time
    page.locator("#operations-tag-screening").wait_for(timeout=60_000)
    assert page.locator(".opblock").count() > 50
    assert all(url.startswith(server.base_url) for url in asked), asked
    assert not blocked, blocked
    screenshot(page, "staff-shell-api-docs")
    page.context.close()
