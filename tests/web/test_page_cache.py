"""The screening page is kept rendered between writes: a kept page must never show what
has changed since, nor one person's page to another."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI
from test_screening_flow import STUDY, page, upload

from trialdesk.study.loader import load_study
from trialdesk.trial.screening import facts
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.store.db import Store
from trialdesk.web.page_cache import PageCache
from trialdesk.web.rooms.screening import candidate_page as route
from trialdesk.web.rooms.screening import site_clock
from webclient import client_as


@pytest.fixture
def store(db_store: Store) -> Store:
    """This module runs on SQLite and on PostgreSQL, whose read transactions are snapshots
    of their own (REPEATABLE READ) that the change marker relies on."""
    return db_store


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Candidate ids each time the page was built rather than served kept."""
    calls: list[int] = []
    real = route._screening_context

    def counting(session, study, candidate):  # type: ignore[no-untyped-def]
        calls.append(candidate.id)
        return real(session, study, candidate)

    monkeypatch.setattr(route, "_screening_context", counting)
    return calls


def test_a_page_is_built_once_until_something_changes(app: FastAPI, built: list[int]) -> None:
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    first = page(coordinator, cid)
    assert page(coordinator, cid) == first
    assert page(coordinator, cid) == first
    assert built == [cid]


def test_a_write_through_another_worker_shows_at_once(
    app: FastAPI, store: Store, built: list[int]
) -> None:
    """The marker is read from the store, so a write this process never saw (another
    worker, the CLI) still retires the kept page."""
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    assert "EnteredFact/" not in page(coordinator, cid)
    entry = FactEntry("alt", date(2026, 3, 1), value="30", unit="U/L",
                      source_document="lab report 2026-03-01")  # fmt: skip
    with store.transaction() as session:
        facts.add_fact(
            session, actor="coordinator", study=load_study(STUDY), candidate_id=cid,
            entry=entry, now=datetime.now(UTC),
        )  # fmt: skip
    assert "lab report 2026-03-01" in page(coordinator, cid)
    assert built == [cid, cid]


def test_each_person_gets_their_own_page(app: FastAPI) -> None:
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    mine = page(coordinator, cid)
    monitor = page(client_as(app, "monitor"), cid)
    investigator = page(client_as(app, "investigator"), cid)
    assert 'name="password"' in investigator and 'name="password"' not in monitor
    assert monitor.count('name="csrf_token"') == 1  # a monitor's only form: sign out
    # Another browser of the same coordinator: the same page, with its own CSRF token in
    # every form, exactly as rendering for it gives.
    browser = client_as(app, "coordinator")
    other = page(browser, cid)
    assert _token(other) != _token(mine)
    assert other.replace(_token(other), "") == mine.replace(_token(mine), "")
    assert other.count(_token(other)) == mine.count(_token(mine)) > 3
    assert app.state.staff_pages.placeholder not in other + mine + monitor + investigator
    browser.cookies.delete("td_csrf")  # no cache: the page built for this browser alone
    fresh = browser.get(f"/staff/candidates/{cid}").text
    assert fresh.replace(_token(fresh), "") == other.replace(_token(other), "")


def test_a_new_day_rebuilds_the_page(
    app: FastAPI, built: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Which consent form is in effect, and the default screening date, follow the date."""
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    page(coordinator, cid)
    # the page's day is the site's (issue 17): the instant it reads, in the site's zone
    later = datetime(2099, 1, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(route, "now", lambda: later)
    monkeypatch.setattr(site_clock, "now", lambda: later)
    assert "today (2099-01-01) used" in page(coordinator, cid)
    assert built == [cid, cid]


def test_a_browser_without_its_csrf_cookie_gets_a_fresh_page(
    app: FastAPI, built: list[int]
) -> None:
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    page(coordinator, cid)
    coordinator.cookies.delete("td_csrf")
    response = coordinator.get(f"/staff/candidates/{cid}")
    assert response.status_code == 200 and "td_csrf" in response.headers["set-cookie"]
    assert built == [cid, cid]


def test_an_empty_csrf_cookie_is_replaced_not_served_a_page_it_cannot_post_from(
    app: FastAPI, built: list[int]
) -> None:
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    coordinator.cookies.set("td_csrf", "")
    response = coordinator.get(f"/staff/candidates/{cid}")
    assert response.status_code == 200 and "td_csrf=" in response.headers["set-cookie"]
    minted = response.headers["set-cookie"].split("td_csrf=", 1)[1].split(";", 1)[0]
    assert minted.strip('"')


def test_an_unknown_concept_is_kept_as_the_page_without_a_form(
    app: FastAPI, built: list[int]
) -> None:
    """Any text in ?concept= would otherwise be a page of its own in the cache."""
    coordinator = client_as(app, "coordinator")
    cid = upload(coordinator, "01-eligible-looking.json")
    plain = page(coordinator, cid)
    for junk in ("x", "y", "zz"):
        assert coordinator.get(f"/staff/candidates/{cid}?concept={junk}").text == plain
    assert 'name="upper_limit"' in coordinator.get(f"/staff/candidates/{cid}?concept=alt").text
    assert built == [cid, cid]  # the page, and the page with the ALT form


def test_the_cache_is_bounded_by_size() -> None:
    cache = PageCache(limit=100)
    cache.put("a", b"x" * 60)
    cache.put("b", b"y" * 60)  # a is evicted to make room
    cache.put("huge", b"z" * 101)  # larger than the whole cache: not kept
    assert cache.get("a") is None and cache.get("b") == b"y" * 60 and cache.get("huge") is None


def _token(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
