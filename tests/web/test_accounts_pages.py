"""Accounts through the pages (walkthrough D17, D23): the role picker offers no default,
the printed name is required, a user changes their own password, and a setup link that
cannot be used says so when it is opened; creating the admin is confirmed."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from trialdesk.trial import accounts
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.web import create_app
from webclient import PASSWORD, client_as, csrf_token, sign_in

NEW = "a new password for me"


def test_the_role_picker_has_no_default_and_the_full_name_is_required(
    app: FastAPI, store: Store
) -> None:
    admin = client_as(app, "admin")
    html = admin.get("/admin/users").text
    picker = re.search(r'<select id="new-role" name="role" required>(.*?)</select>', html, re.S)
    assert picker is not None
    options = re.findall(r'<option value="([^"]*)"( selected)?', picker.group(1))
    assert options[0] == ("", " selected")  # "choose a role…", chosen until one is
    assert [v for v, chosen in options if chosen] == [""]
    assert [v for v, _ in options][1] == "monitor"  # the least privileged first
    token = csrf_token(admin, "/admin/users")
    refused = admin.post(
        "/admin/users",
        data={"username": "nina", "password": PASSWORD, "csrf_token": token},
    )
    assert refused.status_code == 422
    assert "full_name" in refused.text and "role" in refused.text  # both at once
    assert 'value="nina"' in refused.text  # the form keeps what was typed
    with store.read() as session:
        assert accounts.find_user(session, "nina") is None
    added = admin.post(
        "/admin/users",
        data={"username": "nina", "password": PASSWORD, "role": "coordinator",
              "full_name": "Nina Zhou", "csrf_token": token},
    )  # fmt: skip
    assert added.status_code == 303, added.text
    with store.read() as session:
        nina = accounts.find_user(session, "nina")
        assert nina is not None and nina.full_name == "Nina Zhou"


def test_a_user_changes_their_own_password(app: FastAPI, store: Store) -> None:
    me = client_as(app, "monitor")
    other = client_as(app, "monitor")  # the same user in another browser
    token = csrf_token(me, "/staff/password")
    wrong = me.post(
        "/staff/password",
        data={"current_password": "not it at all", "new_password": NEW,
              "new_password_again": NEW, "csrf_token": token},
    )  # fmt: skip
    assert wrong.status_code == 422
    assert 'data-field="current_password"' in wrong.text
    with store.read() as session:
        user = accounts.find_user(session, "monitor")
        assert user is not None and user.failed_logins == 1
    mismatch = me.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": NEW,
              "new_password_again": NEW + "x", "csrf_token": token},
    )  # fmt: skip
    assert mismatch.status_code == 422 and 'data-field="new_password"' in mismatch.text
    done = me.post(
        "/staff/password",
        data={"current_password": PASSWORD, "new_password": NEW,
              "new_password_again": NEW, "csrf_token": token},
    )  # fmt: skip
    assert done.status_code == 303
    assert "password-changed" in me.get(done.headers["location"]).text  # still signed in
    assert other.get("/staff").status_code in (302, 303, 401)  # the other session ended
    fresh = TestClient(app, follow_redirects=False)
    sign_in(fresh, "monitor", NEW)
    with store.read() as session:
        user = accounts.find_user(session, "monitor")
        assert user is not None
        entries = session.scalars(
            select(AuditRecord).where(
                AuditRecord.entity == "user_account", AuditRecord.entity_id == str(user.id)
            )
        ).all()
        changed = [e for e in entries if e.reason and "own password changed" in e.reason]
        assert len(changed) == 1 and changed[0].actor == "monitor"
        assert NEW not in str(changed[0].changes)


def test_a_setup_link_that_cannot_be_used_says_so_at_once(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'setup.db'}")
    app = create_app(store, studies={}, secret_key=b"k" * 32)
    client = TestClient(app, follow_redirects=False)
    bogus = client.get("/setup/bogus-token")
    assert bogus.status_code == 410
    assert "not valid" in bogus.text and 'name="password"' not in bogus.text
    from datetime import UTC, datetime

    with store.transaction() as session:
        link = accounts.create_setup_token(session, datetime.now(UTC))
    form = client.get(f"/setup/{link}")
    assert form.status_code == 200 and 'name="full_name"' in form.text
    token = csrf_token(client, f"/setup/{link}")
    data = {"username": "root", "password": PASSWORD, "password_again": PASSWORD,
            "csrf_token": token}  # fmt: skip
    nameless = client.post(f"/setup/{link}", data=data)
    assert nameless.status_code == 422 and "full name" in nameless.text
    created = client.post(f"/setup/{link}", data=data | {"full_name": "Li Na"})
    assert created.status_code == 200
    assert 'id="setup-done"' in created.text and 'href="/login?next=/admin/users"' in created.text
    used = client.get(f"/setup/{link}")
    assert used.status_code == 410 and "already been used" in used.text
    assert 'name="password"' not in used.text
    again = client.post(f"/setup/{link}", data=data | {"full_name": "Li Na"})
    assert again.status_code == 410 and 'name="password"' not in again.text
