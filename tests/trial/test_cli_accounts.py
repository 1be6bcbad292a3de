"""`trialdesk user reset-password` (temporary unless told otherwise), `user
reset-second-factor` and what `user list` says of both."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from trialdesk.cli.trial import user_app
from trialdesk.trial import accounts
from trialdesk.trial.accounts import second_factor, totp
from trialdesk.trial.store.audit_key import KEY_ENV
from trialdesk.trial.store.db import open_store

from .helpers import audit_rows
from .test_cli import add_admin

runner = CliRunner()
NEW = "another long passphrase"


def _flag(db_url: str, name: str) -> bool:
    store = open_store(db_url)
    try:
        with store.read() as session:
            user = accounts.find_user(session, name)
            assert user is not None
            return user.must_change_password
    finally:
        store.close()


def _reset(db_url: str, *extra: str) -> str:
    result = runner.invoke(
        user_app,
        ["reset-password", "ann", "--password-stdin", *extra, "--database-url", db_url],
        input=NEW + "\n",
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_reset_password_is_temporary_unless_told_otherwise(db_url: str) -> None:
    add_admin(db_url)
    assert "must change it" in _reset(db_url)
    assert _flag(db_url, "ann")
    listed = runner.invoke(user_app, ["list", "--database-url", db_url])
    row = listed.output.split("ann", 1)[1].splitlines()[0]
    assert [cell.strip() for cell in row.split("│")][-3:-1] == ["off", "yes"]  # two-step, change
    assert "must change" not in _reset(db_url, "--not-temporary")
    assert not _flag(db_url, "ann")
    store = open_store(db_url)
    entries = audit_rows(store)
    store.close()
    assert [e.changes.get("must_change_password") for e in entries[-2:]] == [
        [False, True],
        [True, False],
    ]
    assert NEW not in " ".join(str(e.changes) for e in entries)


def test_reset_second_factor(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "ef" * 32)
    add_admin(db_url)
    store = open_store(db_url)
    now = datetime.now(UTC)
    with store.transaction() as session:
        user = accounts.find_user(session, "ann")
        assert user is not None
        uid = user.id
        secret = second_factor.begin_enrolment(session, user_id=uid, now=now).secret
    with store.transaction() as session:
        code = totp.code_at(secret, totp.step_of(now))
        second_factor.confirm_enrolment(session, user_id=uid, code=code, now=now)
    listed = runner.invoke(user_app, ["list", "--database-url", db_url])
    row = listed.output.split("ann", 1)[1].splitlines()[0]
    assert [cell.strip() for cell in row.split("│")][-3:-1] == ["on", ""]
    result = runner.invoke(
        user_app,
        ["reset-second-factor", "ann", "--reason", "lost phone", "--database-url", db_url],
    )
    assert result.exit_code == 0, result.output
    with store.read() as session:
        assert second_factor.active_of(session, uid) is None
    entry = audit_rows(store)[-1]
    store.close()
    assert (entry.actor, entry.entity) == ("system", "second_factor")
    assert entry.reason is not None and entry.reason.startswith("lost phone (OS user ")
    again = runner.invoke(user_app, ["reset-second-factor", "ann", "--database-url", db_url])
    assert again.exit_code == 2 and "no second factor" in again.output
