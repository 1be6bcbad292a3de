"""The web side of the security probe's findings (issue 18, point 5), through the app's
HTTP interface: sign-in floods bounded per client (F7) and the lockout the same for names
with and without an account (F8); cookies Secure when a trusted proxy says HTTPS (F9);
an upload that leaves the event loop free (F10); consent only as JSON true (F11); no
``Host`` reflected in redirects (F12); lead changes checked against their version (F13);
CSV cells neutralised in their Unicode look-alikes (F15); anonymous requests refused
before their body is read, and ``no-store`` on every page with answers (F16); and an
unexpected error logged without what the request carried (F6).
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from trialdesk.reports.csv_cells import safe_cell
from trialdesk.trial.screening import imports, leads
from trialdesk.trial.screening.models import Lead
from trialdesk.trial.store.db import Store
from trialdesk.web import create_app, serve
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.throttle import Busy, ClientThrottle, HashSlots, Throttled
from webclient import PASSWORD, Api, add_staff, client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")

NCT = "NCT06947746"
WRONG = "not the password at all"


def _attempt(client: TestClient, username: str, password: str = WRONG) -> httpx.Response:
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def _from(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, follow_redirects=False, client=(address, 40000))


@pytest.fixture
def app(store: Store, studies: dict[str, object]) -> FastAPI:
    """The app of tests/web/conftest.py, answering refused sign-ins at once (the pause is
    tested on its own below)."""
    add_staff(store)
    app = create_app(store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]
    app.state.tarpit.seconds = 0
    return app


# ------------------------------------------------------------------ F7: sign-in floods


def test_a_client_flooding_sign_in_is_throttled_and_others_are_not(app: FastAPI) -> None:
    flood = _from(app, "203.0.113.7")
    statuses = [_attempt(flood, f"nobody{i}").status_code for i in range(12)]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429], statuses
    refused = _attempt(flood, "coordinator", PASSWORD)  # even with the right password
    assert refused.status_code == 429
    wait = int(refused.headers["retry-after"])
    assert 1 <= wait <= 60 and f"Wait {wait} seconds" in refused.text
    assert "td_session" not in refused.cookies
    chinese = flood.post(
        "/login",
        data={"username": "x", "password": WRONG, "csrf_token": csrf_token(flood)},
        headers={"accept-language": "zh-CN"},
    )
    assert chinese.status_code == 429 and "登录尝试过多" in chinese.text
    # another address signs in as usual
    assert _attempt(_from(app, "203.0.113.8"), "coordinator", PASSWORD).status_code == 303


def test_a_refused_flood_is_answered_after_a_pause_for_a_bounded_number(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trialdesk.web import throttle

    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)

    monkeypatch.setattr(throttle, "pause", sleep)
    app.state.tarpit.seconds = 2.0
    flood = _from(app, "203.0.113.9")
    statuses = [_attempt(flood, f"n{i}").status_code for i in range(12)]
    assert statuses[-2:] == [429, 429] and pauses == [2.0, 2.0]  # only the refused waited
    app.state.tarpit.held = app.state.tarpit.most  # as many held as it holds
    assert _attempt(flood, "n").status_code == 429 and pauses == [2.0, 2.0]


def test_successful_sign_ins_do_not_count_against_a_client(app: FastAPI) -> None:
    """A hospital's staff behind one address sign in all morning."""
    office = _from(app, "192.0.2.10")
    for _ in range(15):
        office.cookies.clear()
        assert _attempt(office, "coordinator", PASSWORD).status_code == 303


def test_the_client_throttle_slides_and_forgets_the_oldest_clients() -> None:
    now = [0.0]
    throttle = ClientThrottle(limit=3, window=60, clients=2, clock=lambda: now[0])
    for _ in range(3):
        throttle.admit("a")
    with pytest.raises(Throttled) as refused:
        throttle.admit("a")
    assert refused.value.retry_after == 60
    now[0] = 30.0
    throttle.give_back("a")  # one succeeded: room for one more
    throttle.admit("a")
    now[0] = 61.0  # the first attempts left the window
    throttle.admit("a")
    throttle.admit("b")
    throttle.admit("c")  # a third client: the least recent ("a") is forgotten
    assert set(throttle._seen) == {"b", "c"}


def test_hash_slots_bound_the_checks_at_once_and_the_line() -> None:
    """Two slots, a line of one: the fourth concurrent check is refused at once."""

    async def scenario() -> list[str]:
        slots = HashSlots(slots=2, queue=1)
        release = asyncio.Event()
        running: list[int] = []
        peak = [0]

        async def check(i: int) -> str:
            try:
                async with slots.slot():
                    running.append(i)
                    peak[0] = max(peak[0], len(running))
                    await release.wait()
                    running.remove(i)
                    return "done"
            except Busy:
                return "busy"

        tasks = [asyncio.create_task(check(i)) for i in range(4)]
        await asyncio.sleep(0.05)
        release.set()
        outcomes = await asyncio.gather(*tasks)
        assert peak[0] == 2
        return outcomes

    assert sorted(_run(scenario())) == ["busy", "done", "done", "done"]


# ------------------------------------------------------------ F8: no account enumeration


def test_a_name_without_an_account_locks_like_an_account(app: FastAPI, store: Store) -> None:
    """Five failures, then 423 for fifteen minutes, with or without an account; the
    messages differ only in the time."""
    answers = {}
    for i, name in enumerate(("monitor", "no-such-person")):
        client = _from(app, f"198.51.100.{i + 1}")
        answers[name] = [_attempt(client, name) for _ in range(6)]
    for name, responses in answers.items():
        assert [r.status_code for r in responses] == [401] * 5 + [423], name
    known, unknown = (
        re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "TIME", answers[n][-1].text)
        for n in ("monitor", "no-such-person")
    )
    known = known.replace('value="monitor"', 'value="NAME"')
    unknown = unknown.replace('value="no-such-person"', 'value="NAME"')
    strip = re.compile(r'name="csrf_token" value="[^"]+"')
    assert strip.sub("", known) == strip.sub("", unknown)
    with store.read() as session:  # only a digest of the made-up name is kept
        from trialdesk.trial.accounts.login import LoginFailure

        [row] = session.query(LoginFailure).all()
        assert "no-such-person" not in row.name_digest and row.failed_logins == 5


# --------------------------------------------------------- F9: Secure behind a proxy


def _behind(app: FastAPI, proxy: str, trusted: str = "127.0.0.1") -> TestClient:
    wrapped = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # as uvicorn runs it
    return TestClient(wrapped, follow_redirects=False, client=(proxy, 40000))  # type: ignore[arg-type]


def _session_cookie(response: httpx.Response) -> str:
    [cookie] = [c for c in response.headers.get_list("set-cookie") if c.startswith("td_session")]
    return cookie


@pytest.mark.parametrize(
    ("proxy", "proto", "secure"),
    [
        ("127.0.0.1", "https", True),  # the TLS proxy on this machine says HTTPS
        ("127.0.0.1", "http", False),
        ("10.9.8.7", "https", False),  # anyone else saying so is not believed
    ],
)
def test_cookies_are_secure_when_a_trusted_proxy_says_https(
    app: FastAPI, proxy: str, proto: str, secure: bool
) -> None:
    client = _behind(app, proxy)
    headers = {"x-forwarded-proto": proto, "x-forwarded-for": "192.0.2.44"}
    page = client.get("/login", headers=headers)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    browser = re.search(r"td_csrf=([^;]+)", page.headers["set-cookie"])
    assert token and browser
    assert ("; secure" in page.headers["set-cookie"].lower()) is secure
    client.cookies.clear()  # sent by hand: the test client itself speaks plain HTTP
    signed = client.post(
        "/login",
        data={"username": "coordinator", "password": PASSWORD, "csrf_token": token.group(1)},
        headers={**headers, "cookie": f"td_csrf={browser.group(1)}"},
    )
    assert signed.status_code == 303, signed.text
    assert ("; secure" in _session_cookie(signed).lower()) is secure


def test_the_client_a_trusted_proxy_names_is_the_one_throttled(app: FastAPI) -> None:
    client = _behind(app, "127.0.0.1")
    for i in range(10):
        assert _attempt_via(client, f"n{i}", "192.0.2.50").status_code == 401
    assert _attempt_via(client, "n", "192.0.2.50").status_code == 429
    assert _attempt_via(client, "n", "192.0.2.51").status_code == 401  # another client


def _attempt_via(client: TestClient, name: str, real: str) -> httpx.Response:
    headers = {"x-forwarded-for": real}
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login", headers=headers).text
    )
    assert token
    return client.post(
        "/login",
        data={"username": name, "password": WRONG, "csrf_token": token.group(1)},
        headers=headers,
    )


def test_serve_believes_forwarded_headers_from_loopback_only_by_default(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    seen: dict[str, Any] = {}
    monkeypatch.setattr(serve.uvicorn, "run", lambda *a, **kw: seen.update(kw))
    monkeypatch.delenv(serve.PROXIES_ENV, raising=False)
    for name in (serve.URL_ENV, serve.SECURE_ENV, serve.STUDIES_ENV, serve.SECRET_ENV):
        monkeypatch.setenv(name, "")  # serve() sets them for its workers: restored after
    monkeypatch.setenv(serve.SECRET_ENV, "s" * 32)
    url = f"sqlite:///{tmp_path / 'serve.db'}"
    console = Console(file=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    serve.serve("127.0.0.1", 0, url, console)
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "127.0.0.1,::1"
    monkeypatch.setenv(serve.PROXIES_ENV, "10.0.0.5")
    serve.serve("127.0.0.1", 0, url, console)
    assert seen["forwarded_allow_ips"] == "10.0.0.5"
    serve.serve("127.0.0.1", 0, url, console, forwarded_allow_ips="10.0.0.6")
    assert seen["forwarded_allow_ips"] == "10.0.0.6"


# ---------------------------------------------------- F10: uploads off the event loop


def test_an_upload_being_stored_leaves_other_requests_served(
    app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import holds its worker thread until /healthz has been answered: were it run on
    the event loop, /healthz could not be answered meanwhile and the import would give up
    waiting."""
    answered = threading.Event()
    seen: dict[str, bool] = {}

    def slow_import(session: Any, **kwargs: Any) -> list[Any]:
        seen["healthz answered during the import"] = answered.wait(timeout=20)
        return []

    monkeypatch.setattr(imports, "import_fhir", slow_import)

    async def scenario() -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as ac:
            page = await ac.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            await ac.post(
                "/login",
                data={"username": "coordinator", "password": PASSWORD, "csrf_token": token[1]},
            )
            me = (await ac.get("/api/me")).json()
            upload = asyncio.create_task(
                ac.post(
                    f"/api/candidates/fhir?study={NCT}",
                    content=b"{}",
                    headers={"X-CSRF-Token": me["csrf_token"], "content-type": "application/json"},
                )
            )
            await asyncio.sleep(0.1)
            health = await ac.get("/healthz")
            assert health.status_code == 200
            answered.set()
            return (await upload).status_code

    assert _run(scenario()) == 201
    assert seen == {"healthz answered during the import": True}


# ------------------------------------------------------------------- F11: strict consent


@pytest.mark.parametrize("consent", ["yes", "on", "1", 1, 1.0, "t", "true", "TRUE"])
def test_consent_is_json_true_only(app: FastAPI, store: Store, consent: object) -> None:
    client = TestClient(app)
    body = {"answers": {}, "name": "Strict", "email": "s@example.org", "consent": consent}
    refused = client.post(f"/api/studies/{NCT}/leads", json=body)
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "consent"
    with store.read() as session:
        assert session.query(Lead).count() == 0
    assert (
        client.post(f"/api/studies/{NCT}/leads", json={**body, "consent": True}).status_code == 201
    )


# ---------------------------------------------------------------- F12: Host not reflected


@pytest.mark.parametrize("path", ["/admin/users/", "/staff/leads/", "//evil.example/x/"])
def test_redirects_never_name_the_host_the_request_sent(app: FastAPI, path: str) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.get(path, headers={"host": "evil.example"})
    if "location" not in response.headers:
        assert response.status_code == 404, path
        return
    location = response.headers["location"]
    assert "evil.example" not in location.split("?")[0], location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


# ----------------------------------------------------------- F13: lead versions, on pages


def _a_lead(store: Store) -> int:
    with store.transaction() as session:
        return leads.store_lead(
            session, study_id=NCT, contact=leads.LeadContact("Ver Sion", "v@example.org"),
            answers={}, outcome={}, consent_text="ok", consented=True, now=datetime.now(UTC),
        ).id  # fmt: skip


def test_a_lead_status_change_from_an_outdated_page_is_refused(app: FastAPI, store: Store) -> None:
    lead_id = _a_lead(store)
    first, second = client_as(app, "coordinator"), client_as(app, "investigator")
    pages = [c.get(f"/staff/leads/{lead_id}").text for c in (first, second)]
    versions = [re.search(r'name="version" value="(\d+)"', p) for p in pages]
    assert all(versions) and {v[1] for v in versions if v} == {"1"}
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', p) for p in pages]

    def post(client: TestClient, token: Any, status: str) -> httpx.Response:
        return client.post(
            f"/staff/leads/{lead_id}/status",
            data={"csrf_token": token[1], "status": status, "version": "1"},
        )

    assert post(first, tokens[0], "contacted").status_code == 303
    stale = post(second, tokens[1], "not_suitable")
    assert stale.status_code == 409 and "reload" in stale.text
    assert 'name="version" value="2"' in stale.text  # the page as it is now
    with store.read() as session:
        assert leads.lead_or_404(session, lead_id).status == "contacted"
    api = Api(app, "coordinator")
    refused = api.patch(f"/api/leads/{lead_id}", {"status": "new", "version": 1})
    assert refused.status_code == 409 and refused.json()["error"]["field"] == "version"
    done = api.patch(f"/api/leads/{lead_id}", {"status": "new", "version": 2})
    assert done.status_code == 200 and done.json()["version"] == 3


# -------------------------------------------------------------- F15: CSV look-alikes


@pytest.mark.parametrize(
    ("cell", "neutralised"),
    [
        ("=HYPERLINK(1)", True), ("+1", True), ("-1", True), ("@SUM(1)", True),
        ("\tx", True), ("\rx", True),
        ("＝1+1", True), ("＋1", True), ("－1", True), ("＠SUM(1)", True),  # fullwidth
        ("﹦1", True), ("﹢1", True), ("﹣1", True), ("﹫x", True),  # small forms
        ("−1", True),  # minus sign
        ("\u200b=1", True), ("\ufeff=1", True), ("\u200d\u200b+1", True),  # invisible first
        ("\u00a0=1", True), (" =1", True), ("\u2060@x", True),
        ("knee swelling", False), ("a=b", False), ("膝关节肿胀", False), ("", False),
        ("1-2", False), ("'=1", False),
    ],
)  # fmt: skip
def test_csv_cells_are_neutralised_in_unicode_variants(cell: str, neutralised: bool) -> None:
    assert (safe_cell(cell) == "'" + cell) is neutralised
    if not neutralised:
        assert safe_cell(cell) == cell


# -------------------------------------- F16: access before the body, and never cached


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/candidates"),
        ("PATCH", "/api/leads/1"),
        ("POST", "/api/consent-forms"),
        ("PUT", "/api/participants/1/visits/W4/date"),
    ],
)
def test_an_anonymous_malformed_body_gets_401_not_422(app: FastAPI, method: str, path: str) -> None:
    client = TestClient(app, follow_redirects=False)
    response = client.request(
        method, path, content=b'{"broken": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_signed_in"
    page = client.post("/staff/candidates", content=b"\xff" * 100)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_a_signed_in_malformed_body_still_gets_422(app: FastAPI) -> None:
    api = Api(app, "coordinator")
    response = api.client.post(
        "/api/candidates",
        content=b'{"broken": ',
        headers={**api.headers, "content-type": "application/json"},
    )
    assert response.status_code == 422


def test_pages_with_answers_and_staff_pages_are_never_stored(app: FastAPI) -> None:
    anonymous = TestClient(app, follow_redirects=False)
    token = csrf_token(anonymous, f"/studies/{NCT}/self-check")
    result = anonymous.post(f"/studies/{NCT}/self-check", data={"csrf_token": token, "a_age": "45"})
    assert result.status_code in (200, 422)
    assert result.headers["cache-control"] == "no-store"
    for path in (f"/studies/{NCT}/self-check", "/login", "/staff", "/staff/leads", "/api/me"):
        assert anonymous.get(path).headers["cache-control"] == "no-store", path
    for path in ("/", f"/studies/{NCT}", "/api/studies", f"/api/studies/{NCT}"):
        assert "cache-control" not in anonymous.get(path).headers, path
    staff = client_as(app, "coordinator")
    for path in ("/staff", "/staff/leads", "/", f"/studies/{NCT}"):
        assert staff.get(path).headers["cache-control"] == "no-store", path


# ------------------------------------------- F6: an unexpected error, logged bare


def test_an_unexpected_error_is_logged_without_what_the_request_carried(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(store)

    @app.get("/api/explodes", dependencies=[allow(PUBLIC)])
    async def explodes(q: str = "") -> None:
        int(q)

    caplog.set_level(logging.INFO)
    with TestClient(app) as client:  # raise_server_exceptions: the error is not raised on
        response = client.get("/api/explodes", params={"q": "secret-zq9"})
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1, caplog.text
    text = logged[0].getMessage()
    assert "GET /api/explodes" in text and "builtins.ValueError" in text and "int(q)" in text
    server = "\n".join(  # every record but the test client's own
        r.getMessage() + (r.exc_text or "") for r in caplog.records if r.name != "httpx"
    )
    assert "secret-zq9" not in server and "invalid literal" not in server


def _run(coroutine: Any) -> Any:
    """``asyncio.run`` in a thread of its own: the browser tests' driver may leave an event
    loop running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
