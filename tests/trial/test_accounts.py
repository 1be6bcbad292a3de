"""Account management and the setup link: each write audited once, failures store nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from trialdesk.errors import TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.models import LoginSession, SetupToken, User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .helpers import NOW, PASSWORD, audit_rows, count


def add(store: Store, username: str, role: Role = Role.ADMIN, actor: str = "system") -> int:
    with store.transaction() as session:
        return accounts.create_user(
            session, actor=actor, username=username, password=PASSWORD, role=role, reason="hired"
        ).id


def test_create_user_is_audited_once_without_the_password(store: Store) -> None:
    uid = add(store, "  Ann.Lee@Site ")
    with store.read() as session:
        user = session.get(User, uid)
        assert user is not None and user.username == "ann.lee@site"
        assert accounts.verify_password(user.password_hash, PASSWORD)
    [entry] = audit_rows(store)
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        "system", "create", "user_account", str(uid)
    )  # fmt: skip
    assert entry.changes == {
        "username": [None, "ann.lee@site"],
        "role": [None, "admin"],
        "active": [None, True],
    }
    assert entry.reason == "hired"
    assert PASSWORD not in str(entry.changes) and "argon2" not in str(entry.changes)


@pytest.mark.parametrize(
    ("username", "password", "error", "words"),
    [
        ("ann", PASSWORD, accounts.AccountError, "already exists"),
        ("ANN", PASSWORD, accounts.AccountError, "already exists"),
        ("bob", "short", accounts.PasswordPolicyError, "at least 12"),
        ("bob", "a" * 20, accounts.PasswordPolicyError, "one character"),
        ("bobbobbobbob", "BobBobBobBob", accounts.PasswordPolicyError, "username"),
        ("", PASSWORD, accounts.AccountError, "username"),
        ("bad name", PASSWORD, accounts.AccountError, "username"),
        ("system", PASSWORD, accounts.AccountError, "reserved"),
    ],
)
def test_refused_create_stores_nothing_and_audits_nothing(
    store: Store, username: str, password: str, error: type[TrialdeskError], words: str
) -> None:
    add(store, "ann")
    with pytest.raises(error, match=words), store.transaction() as session:
        accounts.create_user(
            session, actor="system", username=username, password=password, role=Role.MONITOR
        )
    assert count(store, User) == 1
    assert len(audit_rows(store)) == 1


def test_set_role_is_audited_old_to_new(store: Store) -> None:
    add(store, "root")
    uid = add(store, "cara", Role.COORDINATOR)
    with store.transaction() as session:
        accounts.set_role(
            session, actor="root", user_id=uid, role=Role.INVESTIGATOR, reason="promoted"
        )
    entry = audit_rows(store)[-1]
    assert (entry.actor, entry.action, entry.changes, entry.reason) == (
        "root", "update", {"role": ["coordinator", "investigator"]}, "promoted"
    )  # fmt: skip
    with store.transaction() as session:  # no change, no entry
        accounts.set_role(session, actor="root", user_id=uid, role=Role.INVESTIGATOR)
    assert len(audit_rows(store)) == 3


def test_disable_ends_sessions_and_is_audited(store: Store) -> None:
    add(store, "root")
    uid = add(store, "cara", Role.COORDINATOR)
    with store.transaction() as session:
        user = session.get(User, uid)
        assert user is not None
        token = sessions.start(session, user, NOW)
    with store.transaction() as session:
        accounts.set_active(session, actor="root", user_id=uid, active=False, reason="left")
    entry = audit_rows(store)[-1]
    assert entry.changes == {"active": [True, False], "open_sessions": [1, 0]}
    assert entry.reason == "left"
    with store.transaction() as session:
        assert sessions.resolve(session, token, NOW) is None
    with store.transaction() as session:
        accounts.set_active(session, actor="root", user_id=uid, active=True, reason="back")
    assert audit_rows(store)[-1].changes == {"active": [False, True]}


def test_admin_cannot_disable_themselves(store: Store) -> None:
    add(store, "root")
    uid = add(store, "ann")
    with pytest.raises(accounts.AccountError, match="your own"), store.transaction() as session:
        accounts.set_active(session, actor="ann", user_id=uid, active=False)


def test_last_active_admin_cannot_be_disabled_or_demoted(store: Store) -> None:
    uid = add(store, "ann")
    other = add(store, "bea", Role.ADMIN)
    with store.transaction() as session:
        accounts.set_active(session, actor="ann", user_id=other, active=False)
    for change in (
        lambda s: accounts.set_active(s, actor="system", user_id=uid, active=False),
        lambda s: accounts.set_role(s, actor="system", user_id=uid, role=Role.MONITOR),
    ):
        with (
            pytest.raises(accounts.AccountError, match="last active admin"),
            store.transaction() as session,
        ):
            change(session)
    assert len(audit_rows(store)) == 3
    with store.read() as session:
        assert not accounts.needs_setup(session)


def test_reset_password_unlocks_and_signs_out(store: Store) -> None:
    add(store, "root")
    uid = add(store, "cara", Role.COORDINATOR)
    with store.transaction() as session:
        user = session.get(User, uid)
        assert user is not None
        user.failed_logins, user.locked_until = 5, NOW + timedelta(minutes=15)
        token = sessions.start(session, user, NOW)
    new = "a new passphrase 42"
    with store.transaction() as session:
        accounts.reset_password(session, actor="root", user_id=uid, password=new, reason="forgot")
    entry = audit_rows(store)[-1]
    assert entry.changes["password_hash"] == ["[redacted]", "[redacted]"]
    assert entry.changes["failed_logins"] == [5, 0]
    assert entry.changes["open_sessions"] == [1, 0]
    assert new not in str(entry.changes)
    with store.transaction() as session:
        assert sessions.resolve(session, token, NOW) is None
        assert accounts.authenticate(session, username="cara", password=new, now=NOW).id == uid


def test_unknown_user_id_is_a_clear_error(store: Store) -> None:
    with (
        pytest.raises(accounts.NotFoundError, match="no user with id 99"),
        store.transaction() as session,
    ):
        accounts.set_role(session, actor="x", user_id=99, role=Role.ADMIN)


def test_list_users_is_sorted(store: Store) -> None:
    add(store, "zed")
    add(store, "amy", Role.MONITOR)
    with store.read() as session:
        assert [u.username for u in accounts.list_users(session)] == ["amy", "zed"]


# -- the first-admin setup link ------------------------------------------------------


def test_setup_link_creates_the_first_admin_once(store: Store) -> None:
    with store.transaction() as session:
        assert accounts.needs_setup(session)
        token = accounts.create_setup_token(session, NOW)
    with store.read() as session:
        assert session.scalar(select(SetupToken.token_hash)) != token  # only the hash
    with store.transaction() as session:
        user = accounts.complete_setup(
            session, token=token, username="Ann", password=PASSWORD, now=NOW + timedelta(hours=1)
        )
        assert user.role is Role.ADMIN
    with store.read() as session:
        assert not accounts.needs_setup(session)
    actions = [(r.actor, r.action, r.entity) for r in audit_rows(store)]
    assert actions == [
        ("system", "create", "setup_token"),
        ("ann", "create", "user_account"),
        ("ann", "update", "setup_token"),
    ]
    with (
        pytest.raises(accounts.SetupError, match="already been used"),
        store.transaction() as session,
    ):
        accounts.complete_setup(session, token=token, username="eve", password=PASSWORD, now=NOW)
    with pytest.raises(accounts.SetupError, match="admin exists"), store.transaction() as session:
        accounts.create_setup_token(session, NOW)
    assert count(store, User) == 1


@pytest.mark.parametrize(
    ("token", "later", "words"),
    [
        (None, timedelta(hours=24), "expired"),
        (None, timedelta(days=3), "expired"),
        ("not-a-token", timedelta(0), "not valid"),
    ],
)
def test_bad_setup_links_are_refused(
    store: Store, token: str | None, later: timedelta, words: str
) -> None:
    with store.transaction() as session:
        issued = accounts.create_setup_token(session, NOW)
    with pytest.raises(accounts.SetupError, match=words), store.transaction() as session:
        accounts.complete_setup(
            session, token=token or issued, username="ann", password=PASSWORD, now=NOW + later
        )
    assert count(store, User) == 0 and len(audit_rows(store)) == 1


def test_setup_with_a_bad_password_stores_nothing(store: Store) -> None:
    with store.transaction() as session:
        token = accounts.create_setup_token(session, NOW)
    with pytest.raises(accounts.PasswordPolicyError), store.transaction() as session:
        accounts.complete_setup(session, token=token, username="ann", password="short", now=NOW)
    with store.read() as session:
        assert session.scalar(select(SetupToken.used_at)) is None
    assert count(store, AuditRecord) == 1 and count(store, LoginSession) == 0
