"""Accounts through the pages (issue 17, point 8): two-step sign-in set up from its QR
code, signing in with a code or a recovery code, a wrong code, turning it off, an
administrator's reset of a password (forced change at the next sign-in: pages redirect,
the API answers 403) and of a lost second factor."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from trialdesk.trial import accounts
from trialdesk.trial.accounts import totp
from trialdesk.trial.store.audit_key import KEY_ENV
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.web import create_app
from trialdesk.web.throttle import ClientThrottle
from webclient import PASSWORD, add_staff, client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")

SECRET_KEY = re.compile(r'id="secret-key">([A-Z2-7 ]+)</code>')
RECOVERY = re.compile(r"<li><code>([a-z2-7-]{19})</code></li>")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store with an audit key, as `trialdesk serve` makes one (the second factor's
    secret is sealed under it)."""
    monkeypatch.setenv(KEY_ENV, "cd" * 32)
    return open_store(f"sqlite:///{tmp_path / 'web.db'}")


def _code(secret: str, ahead: int = 0) -> str:
    return totp.code_at(secret, totp.step_of(datetime.now(UTC)) + ahead)


def _post(client: TestClient, path: str, page: str, **data: str) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client, page)})


def _enrol(app: FastAPI, role: str = "investigator") -> tuple[TestClient, str, list[str]]:
    """(the signed-in client, the secret shown, the recovery codes shown)."""
    me = client_as(app, role)
    page = me.get("/staff/second-factor")
    assert page.status_code == 200 and 'id="sf-state"' in page.text
    started = _post(me, "/staff/second-factor/start", "/staff/second-factor")
    assert started.status_code == 303  # type: ignore[attr-defined]
    shown = me.get("/staff/second-factor").text
    assert 'src="data:image/svg+xml' in shown  # the QR code, as the CSP allows it
    found = SECRET_KEY.search(shown)
    assert found is not None
    secret = found.group(1).replace(" ", "")
    wrong = _post(me, "/staff/second-factor/confirm", "/staff/second-factor", code="000000")
    assert wrong.status_code == 422 and 'data-field="code"' in wrong.text  # type: ignore[attr-defined]
    done = _post(me, "/staff/second-factor/confirm", "/staff/second-factor", code=_code(secret))
    assert done.status_code == 200  # type: ignore[attr-defined]
    codes = RECOVERY.findall(done.text)  # type: ignore[attr-defined]
    assert len(codes) == 10
    assert secret not in me.get("/staff/second-factor").text  # never shown again
    return me, secret, codes


def _password(client: TestClient, username: str, password: str = PASSWORD) -> object:
    return client.post(
        "/login",
        data={"username": username, "password": password, "next": "/staff/candidates",
              "csrf_token": csrf_token(client)},
    )  # fmt: skip


def test_set_up_then_sign_in_with_a_code(app: FastAPI, store: Store) -> None:
    _, secret, _ = _enrol(app)
    browser = TestClient(app, follow_redirects=False)
    first = _password(browser, "investigator")
    assert first.status_code == 303  # type: ignore[attr-defined]
    assert first.headers["location"].startswith("/login/code?next=")  # type: ignore[attr-defined]
    assert "td_session" not in browser.cookies and "td_sign_in" in browser.cookies
    assert browser.get("/staff").status_code == 303  # no staff page on the password alone
    page = browser.get(first.headers["location"])  # type: ignore[attr-defined]
    assert page.status_code == 200 and "investigator" in page.text
    wrong = _post(browser, "/login/code", "/login/code", code="123456", next="/staff/candidates")
    assert wrong.status_code == 401 and 'id="code-error"' in wrong.text  # type: ignore[attr-defined]
    right = _post(browser, "/login/code", "/login/code", code=_code(secret, 1),
                  next="/staff/candidates")  # fmt: skip
    assert right.status_code == 303  # type: ignore[attr-defined]
    assert right.headers["location"] == "/staff/candidates"  # type: ignore[attr-defined]
    assert browser.get("/staff/candidates").status_code == 200
    assert "td_sign_in" not in browser.cookies
    with store.read() as session:
        entry = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "login").order_by(AuditRecord.id)
        ).all()[-1]
        assert entry.reason == "password and authenticator app code"
        trail = " ".join(str(e.changes) for e in session.scalars(select(AuditRecord)))
    assert secret not in trail


def test_a_recovery_code_signs_in_and_the_page_answers_in_chinese(app: FastAPI) -> None:
    _, _, codes = _enrol(app)
    browser = TestClient(app, follow_redirects=False)
    _password(browser, "investigator")
    page = browser.get("/login/code?lang=zh-CN")
    assert "输入验证码" in page.text
    used = _post(browser, "/login/code", "/login/code", code=codes[0])
    assert used.status_code == 303  # type: ignore[attr-defined]
    again = TestClient(app, follow_redirects=False)
    _password(again, "investigator")
    refused = _post(again, "/login/code", "/login/code", code=codes[0])  # once only
    assert refused.status_code == 401  # type: ignore[attr-defined]


def test_code_attempts_count_against_the_clients_sign_in_throttle(app: FastAPI) -> None:
    _enrol(app)
    app.state.sign_in_throttle = ClientThrottle(limit=3)  # the sign-in page's own throttle
    app.state.tarpit.seconds = 0
    browser = TestClient(app, follow_redirects=False)
    _password(browser, "investigator")  # right: given back, as a sign-in that succeeds
    statuses = [
        _post(browser, "/login/code", "/login/code", code="000000").status_code  # type: ignore[attr-defined]
        for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


def test_turning_it_off_reports_both_wrong_fields_then_works(app: FastAPI) -> None:
    me, secret, _ = _enrol(app)
    wrong = _post(me, "/staff/second-factor/off", "/staff/second-factor",
                  password="not my password", code="000000")  # fmt: skip
    assert wrong.status_code == 422  # type: ignore[attr-defined]
    assert 'data-field="password"' in wrong.text and 'data-field="code"' in wrong.text  # type: ignore[attr-defined]
    done = _post(me, "/staff/second-factor/off", "/staff/second-factor",
                 password=PASSWORD, code=_code(secret, 1))  # fmt: skip
    assert done.status_code == 200 and 'id="sf-notice"' in done.text  # type: ignore[attr-defined]
    browser = TestClient(app, follow_redirects=False)
    assert _password(browser, "investigator").headers["location"] == "/staff/candidates"  # type: ignore[attr-defined]


def test_an_admin_resets_a_lost_second_factor(app: FastAPI, store: Store) -> None:
    _enrol(app, "coordinator")
    with store.read() as session:
        target = accounts.find_user(session, "coordinator")
        assert target is not None
        uid = target.id
    admin = client_as(app, "admin")
    listed = admin.get("/admin/users").text
    assert 'data-badge="two-step"' in listed
    done = _post(admin, f"/admin/users/{uid}/second-factor/reset", "/admin/users",
                 reason="lost phone")  # fmt: skip
    assert done.status_code == 200 and 'id="users-done"' in done.text  # type: ignore[attr-defined]
    browser = TestClient(app, follow_redirects=False)
    assert _password(browser, "coordinator").headers["location"] == "/staff/candidates"  # type: ignore[attr-defined]


def test_an_admin_reset_forces_a_new_password_first(app: FastAPI, store: Store) -> None:
    with store.read() as session:
        target = accounts.find_user(session, "monitor")
        assert target is not None
        uid = target.id
    admin = client_as(app, "admin")
    own = _post(admin, "/admin/users/1/password", "/admin/users")  # not one's own
    assert own.status_code == 422  # type: ignore[attr-defined]
    reset = _post(admin, f"/admin/users/{uid}/password", "/admin/users", reason="forgot it")
    assert reset.status_code == 200  # type: ignore[attr-defined]
    shown = re.search(r'id="temporary-password">([^<]+)<', reset.text)  # type: ignore[attr-defined]
    assert shown is not None
    temporary = shown.group(1)
    with store.read() as session:
        entries = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
    assert entries[-1].changes["must_change_password"] == [False, True]
    assert all(temporary not in f"{e.changes} {e.reason}" for e in entries)
    assert 'data-badge="must-change"' in admin.get("/admin/users").text

    user = TestClient(app, follow_redirects=False)
    assert _password(user, "monitor", temporary).status_code == 303  # type: ignore[attr-defined]
    for page in ("/staff", "/staff/candidates", "/staff/second-factor"):
        answer = user.get(page)
        assert (answer.status_code, answer.headers["location"]) == (303, "/staff/password")
    api = user.get("/api/candidates")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "password_change_required"
    form = user.get("/staff/password")
    assert form.status_code == 200 and 'id="password-must-change"' in form.text
    anew = PASSWORD + " anew"
    changed = _post(user, "/staff/password", "/staff/password", current_password=temporary,
                    new_password=anew, new_password_again=anew)  # fmt: skip
    assert changed.status_code == 303  # type: ignore[attr-defined]
    assert user.get("/staff").status_code == 200
    assert user.get("/api/candidates").status_code == 200


@pytest.mark.parametrize(
    "code", ["", "\x00123456", "１２３４５６", "1" * 41, "12345６", "abcd-efgh-ijkl-mnop\x00"]
)
def test_odd_codes_are_refused_never_500(app: FastAPI, code: str) -> None:
    me, _, _ = _enrol(app)
    for path in ("/staff/second-factor/recovery-codes", "/staff/second-factor/off"):
        answer = _post(me, path, "/staff/second-factor", code=code, password=PASSWORD)
        assert 400 <= answer.status_code < 500, (path, code)  # type: ignore[attr-defined]
    browser = TestClient(app, follow_redirects=False)
    _password(browser, "investigator")
    answer = _post(browser, "/login/code", "/login/code", code=code)
    assert answer.status_code in (401, 422), code  # type: ignore[attr-defined]


@pytest.mark.parametrize("token", ["", "x" * 300, "\x00", "not-a-token"])
def test_a_missing_or_unknown_challenge_goes_back_to_the_password(app: FastAPI, token: str) -> None:
    browser = TestClient(app, follow_redirects=False)
    if token:
        browser.cookies.set("td_sign_in", token)
    assert browser.get("/login/code").status_code == 303
    answer = _post(browser, "/login/code", "/login", code="123456")
    assert answer.status_code in (303, 401), token  # type: ignore[attr-defined]
    assert "td_session" not in browser.cookies


@pytest.mark.parametrize("user_id", ["2147483648", "²", "0", "999"])
def test_admin_resets_of_odd_user_ids_are_refused(app: FastAPI, user_id: str) -> None:
    admin = client_as(app, "admin")
    for path in (f"/admin/users/{user_id}/password", f"/admin/users/{user_id}/second-factor/reset"):
        answer = _post(admin, path, "/admin/users")
        assert answer.status_code in (404, 422), (path, answer.status_code)  # type: ignore[attr-defined]


def test_a_store_without_an_audit_key_says_so_before_enrolment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, studies: dict[str, object]
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    unkeyed = open_store(f"sqlite:///{tmp_path / 'unkeyed.db'}")
    add_staff(unkeyed)
    app = create_app(unkeyed, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]
    me = client_as(app, "coordinator")
    page = me.get("/staff/second-factor")
    assert "trialdesk audit key init" in page.text and "/staff/second-factor/start" not in page.text
    refused = _post(me, "/staff/second-factor/start", "/staff/second-factor")
    assert refused.status_code == 409  # type: ignore[attr-defined]
