"""authenticate: generic failures, lockout after 5 for 15 minutes, disabled accounts."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from trialdesk.trial import accounts
from trialdesk.trial.accounts import passwords
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store

from .helpers import NOW, PASSWORD, audit_rows

WRONG = "not the password at all"


@pytest.fixture
def ann(store: Store) -> int:
    with store.transaction() as session:
        return accounts.create_user(
            session, actor="system", username="ann", password=PASSWORD, role=Role.COORDINATOR
        ).id


def login(store: Store, username: str, password: str, minutes: float = 0) -> User:
    """Sign in, committing failures as the web app does."""
    failure: accounts.LoginFailed | None = None
    with store.transaction() as session:
        try:
            return accounts.authenticate(
                session, username=username, password=password, now=NOW + timedelta(minutes=minutes)
            )
        except accounts.LoginFailed as error:
            failure = error
    raise failure


def test_success_is_audited_as_login(store: Store, ann: int) -> None:
    user = login(store, " ANN ", PASSWORD)
    assert user.id == ann and user.last_login_at == NOW
    entry = audit_rows(store)[-1]
    assert (entry.actor, entry.action, entry.entity_id) == ("ann", "login", str(ann))
    assert entry.changes == {"last_login_at": [None, NOW.isoformat()]}


@pytest.mark.parametrize(("username", "password"), [("ann", WRONG), ("nobody", PASSWORD)])
def test_wrong_password_and_unknown_user_get_the_same_generic_error(
    store: Store, ann: int, username: str, password: str
) -> None:
    with pytest.raises(accounts.LoginFailed) as info:
        login(store, username, password)
    assert type(info.value) is accounts.LoginFailed
    assert str(info.value) == "wrong username or password"
    entry = audit_rows(store)[-1]
    assert entry.action == "login_failed"
    assert "nobody" not in str(entry.changes) + entry.actor + entry.entity_id


def test_unknown_user_still_runs_argon2(
    store: Store, ann: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    with pytest.raises(accounts.LoginFailed):
        login(store, "nobody", WRONG)
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_lockout_after_five_failures_then_unlock_after_fifteen_minutes(
    store: Store, ann: int
) -> None:
    for attempt in range(4):
        with pytest.raises(accounts.LoginFailed):
            login(store, "ann", WRONG, minutes=attempt)
    with pytest.raises(accounts.LoginFailed) as fifth:
        login(store, "ann", WRONG, minutes=4)
    assert type(fifth.value) is accounts.LoginFailed  # the fifth failure itself is generic
    lockout = audit_rows(store)[-1]
    until = NOW + timedelta(minutes=4 + 15)
    assert lockout.action == "lockout"
    assert lockout.changes == {"failed_logins": [4, 5], "locked_until": [None, until.isoformat()]}
    # Locked: even the right password is refused, with the unlock time.
    with pytest.raises(accounts.AccountLocked) as locked:
        login(store, "ann", PASSWORD, minutes=10)
    assert locked.value.until == until and "locked" in str(locked.value)
    assert audit_rows(store)[-1].reason == "account locked"
    # Fifteen minutes after the fifth failure: unlocked, and success resets the counter.
    user = login(store, "ann", PASSWORD, minutes=19)
    assert (user.failed_logins, user.locked_until) == (0, None)
    assert audit_rows(store)[-1].changes["failed_logins"] == [5, 0]


def test_success_resets_the_count_of_consecutive_failures(store: Store, ann: int) -> None:
    for _ in range(4):
        with pytest.raises(accounts.LoginFailed):
            login(store, "ann", WRONG)
    login(store, "ann", PASSWORD)
    for _ in range(4):
        with pytest.raises(accounts.LoginFailed):
            login(store, "ann", WRONG)
    assert login(store, "ann", PASSWORD).failed_logins == 0


def test_a_failure_after_an_expired_lock_starts_a_fresh_count(store: Store, ann: int) -> None:
    for _ in range(5):
        with pytest.raises(accounts.LoginFailed):
            login(store, "ann", WRONG)
    with pytest.raises(accounts.LoginFailed) as info:
        login(store, "ann", WRONG, minutes=20)
    assert type(info.value) is accounts.LoginFailed
    assert audit_rows(store)[-1].changes["failed_logins"] == [5, 1]


def test_disabled_user_cannot_sign_in(store: Store, ann: int) -> None:
    with store.transaction() as session:
        accounts.set_active(session, actor="system", user_id=ann, active=False)
    with pytest.raises(accounts.LoginFailed, match="disabled"):
        login(store, "ann", PASSWORD)
    with pytest.raises(accounts.LoginFailed, match="wrong username or password"):
        login(store, "ann", WRONG)


def test_no_password_text_anywhere_in_the_audit(store: Store, ann: int) -> None:
    for password in (WRONG, WRONG, PASSWORD):
        with contextlib.suppress(accounts.LoginFailed):
            login(store, "ann", password)
    for entry in audit_rows(store):
        text = " ".join(str(v) for v in (entry.changes, entry.reason, entry.actor, entry.entity_id))
        assert PASSWORD not in text and WRONG not in text and "$argon2" not in text


def test_hash_is_upgraded_when_parameters_change(
    store: Store, ann: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )
    user = login(store, "ann", PASSWORD)
    assert "m=16,t=2,p=1" in user.password_hash
    assert audit_rows(store)[-1].changes["password_hash"] == ["[redacted]", "[redacted]"]
    assert login(store, "ann", PASSWORD).id == ann


def test_default_hasher_uses_rfc_9106_parameters() -> None:
    hashed = PasswordHasher().hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_passwords_are_unicode_normalised() -> None:
    composed, decomposed = "caf\u00e9 au lait!!", "cafe\u0301 au lait!!"
    assert accounts.verify_password(accounts.hash_password(composed), decomposed)
    assert not accounts.verify_password("not a hash", composed)


def test_a_check_made_before_the_transaction_counts_only_for_the_hash_it_checked(
    store: Store, ann: int
) -> None:
    """The web app checks the password (argon2) in a read, then signs in in a write
    transaction: a password changed in between must not let the old one in."""
    from trialdesk.trial.accounts.login import check_password

    with store.read() as session:
        checked = check_password(session, username="ANN", password=PASSWORD)
    assert checked.matches and checked.username == "ann"
    with store.transaction() as session:
        accounts.reset_password(
            session, actor="admin", user_id=ann, password="an entirely new passphrase"
        )
    with pytest.raises(accounts.LoginFailed), store.transaction() as session:
        accounts.authenticate(session, username="ann", password=PASSWORD, now=NOW, checked=checked)
    with store.read() as session:  # a wrong password checked before still counts as wrong
        wrong = check_password(session, username="ann", password=WRONG)
    assert not wrong.matches
    with store.transaction() as session, contextlib.suppress(accounts.LoginFailed):
        accounts.authenticate(session, username="ann", password=WRONG, now=NOW, checked=wrong)
    assert audit_rows(store)[-1].action == "login_failed"  # counted, and committed
