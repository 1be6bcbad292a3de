"""Investigator signatures through the pages (issue 17 item 3, walkthrough D11): several
criteria signed with one password entry, the queue of what waits, the signature shown
with printed name, site time and zone, and meaning, and a lapse that stays, with its cause."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from trial.screening_helpers import (
    JUDGED,
    date_and_consent,
    example,
    import_candidates,
    prepare_study,
)
from trial.screening_helpers import STUDY as LOADED
from trialdesk.trial import accounts
from trialdesk.trial.screening import facts
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import Judgment
from trialdesk.trial.store.db import Store
from webclient import PASSWORD, client_as, csrf_token

STUDY = "NCT06947746"


@pytest.fixture
def investigator(app: FastAPI, store: Store) -> TestClient:
    with store.transaction() as session:  # the name printed on their signatures
        user = accounts.find_user(session, "investigator")
        assert user is not None
        accounts.set_full_name(
            session, actor="admin", user_id=user.id, full_name="Dr. Wei Chen", reason="fixture"
        )
    return client_as(app, "investigator")


@pytest.fixture
def coordinator(app: FastAPI) -> TestClient:
    return client_as(app, "coordinator")


def candidate(store: Store) -> int:
    """ex-01, dated and consented: its judgment criteria wait for the investigator."""
    prepare_study(store)
    [cid] = import_candidates(store, example("01-eligible-looking.json"))
    date_and_consent(store, cid)
    return cid


def sign_page(client: TestClient, cid: int) -> str:
    response = client.get(f"/staff/signatures/candidates/{cid}")
    assert response.status_code == 200, response.text
    return response.text


def bases(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="basis-([A-Z0-9]+)" value="([0-9a-f]{64})"', html))


def signed_count(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Judgment)) or 0


def sign_all(client: TestClient, cid: int, password: str = PASSWORD, **overrides: str) -> object:
    html = sign_page(client, cid)
    shown = bases(html)
    assert set(JUDGED) <= set(shown)
    data: dict[str, object] = {"criterion": list(shown), "password": password}
    for c, decision in JUDGED.items():
        data |= {f"decision-{c}": decision, f"reason-{c}": "checked at the screening visit"}
        data[f"basis-{c}"] = shown[c]
    data |= overrides
    data["csrf_token"] = csrf_token(client, f"/staff/signatures/candidates/{cid}")
    return client.post(f"/staff/signatures/candidates/{cid}", data=data)


def test_several_criteria_signed_with_one_password_entry(
    investigator: TestClient, store: Store
) -> None:
    cid = candidate(store)
    on_candidate = investigator.get(f"/staff/candidates/{cid}").text
    assert f'href="/staff/signatures/candidates/{cid}"' in on_candidate  # linked from there
    html = sign_page(investigator, cid)
    assert html.count('type="password"') == 1  # one password for every criterion
    assert "Dr. Wei Chen" in html and "eligibility decision" in html
    response = sign_all(investigator, cid)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert signed_count(store) == len(JUDGED)
    with store.read() as session:
        rows = session.scalars(select(Judgment)).all()
        assert {j.signature.printed_name for j in rows} == {"Dr. Wei Chen"}
        assert len({j.signature.signed_at for j in rows}) == 1  # one act
    assert "No criterion of this candidate waits" in sign_page(investigator, cid)


def test_every_problem_at_once_and_nothing_signed(investigator: TestClient, store: Store) -> None:
    cid = candidate(store)
    refused = sign_all(investigator, cid, **{"reason-E2": "", "reason-E21": " "})
    assert refused.status_code == 422  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert 'data-field="reason-E2"' in text and 'data-field="reason-E21"' in text
    assert signed_count(store) == 0
    wrong = sign_all(investigator, cid, password="not my password")
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert "password is not correct" in wrong.text  # type: ignore[attr-defined]
    assert signed_count(store) == 0
    with store.read() as session:
        user = accounts.find_user(session, "investigator")
        assert user is not None and user.failed_logins == 1  # counted like a sign-in


def test_the_queue_lists_what_waits_with_links_and_the_home_counts_it(
    investigator: TestClient, store: Store
) -> None:
    cid = candidate(store)
    queue = investigator.get("/staff/signatures")
    assert queue.status_code == 200
    row = re.search(rf'<tr data-candidate="{cid}">.*?</tr>', queue.text, re.S)
    assert row is not None
    assert all(c in row.group(0) for c in JUDGED)
    assert f'href="/staff/signatures/candidates/{cid}"' in row.group(0)
    home = investigator.get("/staff").text
    count = re.search(rf'id="signature-count-{STUDY}".*?data-total>(\d+)<', home, re.S)
    assert count is not None and int(count.group(1)) == len(JUDGED)
    sign_all(investigator, cid)
    assert f'data-candidate="{cid}"' not in investigator.get("/staff/signatures").text
    home = investigator.get("/staff").text
    count = re.search(rf'id="signature-count-{STUDY}".*?data-total>(\d+)<', home, re.S)
    assert count is not None and count.group(1) == "0"


def test_the_coordinator_sees_a_signature_and_why_it_lapsed(
    investigator: TestClient, coordinator: TestClient, store: Store
) -> None:
    cid = candidate(store)
    sign_all(investigator, cid)
    page = coordinator.get(f"/staff/candidates/{cid}").text
    # printed name, site time with the zone named, meaning (21 CFR 11.50)
    assert re.search(
        r"Signed not met by <strong class=\"printed-name\">Dr\. Wei Chen</strong> "
        r"\(investigator\), <time[^>]*>\d{4}-\d\d-\d\d \d\d:\d\d \(Asia/Shanghai, UTC\+08:00\)"
        r"</time>, meaning: eligibility decision",
        page,
    ), page
    later = datetime.now(UTC) + timedelta(minutes=1)  # after the web app's signing clock
    entry = FactEntry(concept="alt", on=later.date(), value="30", unit="U/L", source_document="lab")
    with store.transaction() as session:
        row = facts.add_fact(
            session, actor="coordinator", study=LOADED, candidate_id=cid, entry=entry, now=later
        )
    with store.transaction() as session:
        facts.retract_fact(
            session, actor="coordinator", fact_id=row.id, reason="wrong", now=later + timedelta(1)
        )
    page = coordinator.get(f"/staff/candidates/{cid}").text
    cause = re.findall(r'<p class="lapse-cause" data-lapse>(.*?)</p>', page, re.S)
    assert cause, page
    assert any(
        "Lapsed: alt 30 U/L" in c and "added on" in c and "by coordinator" in c for c in cause
    )
    zh = coordinator.get(f"/staff/candidates/{cid}?lang=zh-CN").text
    assert "已失效" in zh
