"""Walkthrough D12: the anonymous endpoints (the self-check, the contact request, the JSON
API's leads) are bounded per client, with a clear message, Retry-After, and nothing stored."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from trialdesk.errors import InputError
from trialdesk.trial.screening.models import Lead
from trialdesk.trial.store.db import Store
from trialdesk.web.throttle import ClientThrottle, PublicLimits

NCT = "NCT06947746"
LEAD = {"name": "Anna Test", "email": "anna@example.org", "consent": True, "answers": {"age": "45"}}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(app: FastAPI) -> Clock:
    """Small limits on a clock the test moves: 3 self-checks a minute, 2 leads in 10."""
    clock = Clock()
    app.state.public_limits = PublicLimits(
        checks=ClientThrottle(limit=3, window=60, clock=clock),
        leads=ClientThrottle(limit=2, window=600, clock=clock),
    )
    return clock


def _leads(store: Store) -> int:
    with store.read() as session:
        return session.query(Lead).count()


def test_the_walkthroughs_loop_of_25_leads_is_stopped(client: TestClient, store: Store) -> None:
    codes = [client.post(f"/api/studies/{NCT}/leads", json=LEAD).status_code for _ in range(25)]
    assert codes == [201] * 10 + [429] * 15
    assert _leads(store) == 10


def test_the_api_says_how_long_to_wait(client: TestClient, clock: Clock, store: Store) -> None:
    assert [client.post(f"/api/studies/{NCT}/leads", json=LEAD).status_code for _ in range(2)] == [
        201, 201
    ]  # fmt: skip
    clock.now += 100
    refused = client.post(f"/api/studies/{NCT}/leads", json=LEAD)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "500"
    error = refused.json()["error"]
    assert error["code"] == "too_many_requests"
    assert error["message"] == (
        "Too many requests from your address in a short time. Wait 500 seconds, then try "
        "again. Nothing was stored."
    )
    zh = client.post(f"/api/studies/{NCT}/leads", json=LEAD, headers={"accept-language": "zh-CN"})
    assert "请等待 500 秒后再试" in zh.json()["error"]["message"]
    assert _leads(store) == 2
    clock.now += 501  # the window has passed
    assert client.post(f"/api/studies/{NCT}/leads", json=LEAD).status_code == 201


def test_refused_requests_do_not_use_up_the_leads(client: TestClient, clock: Clock) -> None:
    # a person correcting their details is bounded by the self-check limit only
    bad = {**LEAD, "email": "anna@"}
    assert client.post(f"/api/studies/{NCT}/leads", json=bad).status_code == 422
    clock.now += 60
    assert client.post(f"/api/studies/{NCT}/leads", json=LEAD).status_code == 201
    assert client.post(f"/api/studies/{NCT}/leads", json=LEAD).status_code == 201


def test_self_check_evaluations_are_bounded(client: TestClient, clock: Clock) -> None:
    codes = [
        client.post(f"/api/studies/{NCT}/self-check", json={"answers": {}}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    clock.now += 61
    assert client.post(f"/api/studies/{NCT}/self-check", json={"answers": {}}).status_code == 200


def _token(client: TestClient) -> str:
    page = client.get(f"/studies/{NCT}/self-check")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_the_pages_say_it_in_the_readers_language(
    client: TestClient, clock: Clock, store: Store
) -> None:
    token = _token(client)
    form = {"csrf_token": token, "a.age": "45", "name": "Anna", "email": "a@example.org",
            "consent": "yes"}  # fmt: skip
    assert client.post(f"/studies/{NCT}/self-check/contact", data=form).status_code == 303
    assert client.post(f"/studies/{NCT}/self-check/contact", data=form).status_code == 303
    refused = client.post(
        f"/studies/{NCT}/self-check/contact", data=form, headers={"accept-language": "zh-CN"}
    )
    assert refused.status_code == 429 and refused.headers["retry-after"] == "600"
    assert "短时间内来自您所在地址的请求过多。请等待 600 秒后再试。未保存任何信息。" in refused.text
    assert 'value="Anna"' in refused.text  # what they typed is kept for later
    assert _leads(store) == 2
    clock.now += 61  # the self-check's own minute has passed; the leads' ten have not
    page = client.post(f"/studies/{NCT}/self-check", data={"csrf_token": token})
    assert page.status_code == 200
    for _ in range(2):
        client.post(f"/studies/{NCT}/self-check", data={"csrf_token": token})
    throttled = client.post(f"/studies/{NCT}/self-check", data={"csrf_token": token, "age": "4"})
    assert throttled.status_code == 429
    assert "Too many requests from your address in a short time." in throttled.text
    assert 'value="4"' in throttled.text


def test_one_client_over_its_limit_leaves_others_alone() -> None:
    limits = PublicLimits(leads=ClientThrottle(limit=1, window=600, clock=lambda: 0.0))
    limits.leads.admit("203.0.113.7")
    assert limits.leads.waiting("203.0.113.7") == 600
    assert limits.leads.waiting("198.51.100.2") is None


@pytest.mark.parametrize(
    ("value", "checks", "leads"),
    [("", (60, 60.0), (10, 600.0)), ("5/30,2/300", (5, 30.0), (2, 300.0))],
)
def test_the_limits_are_set_by_the_environment(
    value: str, checks: tuple[int, float], leads: tuple[int, float]
) -> None:
    limits = PublicLimits.from_env({"TRIALDESK_PUBLIC_LIMITS": value})
    assert (limits.checks.limit, limits.checks.window) == checks
    assert (limits.leads.limit, limits.leads.window) == leads


def test_off_is_for_load_tests_and_nonsense_is_refused() -> None:
    off = PublicLimits.from_env({"TRIALDESK_PUBLIC_LIMITS": "off"})
    for _ in range(1000):
        off.checks.admit("127.0.0.1")
    assert off.checks.waiting("127.0.0.1") is None
    with pytest.raises(InputError) as caught:
        PublicLimits.from_env({"TRIALDESK_PUBLIC_LIMITS": "lots"})
    assert caught.value.field == "TRIALDESK_PUBLIC_LIMITS"
