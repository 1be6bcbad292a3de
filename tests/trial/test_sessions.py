"""Staff sessions: idle and absolute timeouts, sign-out, only the token hash stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from trialdesk.trial import accounts
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.models import LoginSession, User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store

from .helpers import NOW, PASSWORD, audit_rows


@pytest.fixture
def token(store: Store) -> str:
    with store.transaction() as session:
        user = accounts.create_user(
            session, actor="system", username="ann", password=PASSWORD, role=Role.MONITOR
        )
        return sessions.start(session, user, NOW)


def resolve(store: Store, token: str, minutes: float) -> User | None:
    with store.transaction() as session:
        return sessions.resolve(session, token, NOW + timedelta(minutes=minutes))


def test_only_the_hash_of_the_token_is_stored(store: Store, token: str) -> None:
    assert len(token) >= 43
    with store.read() as session:
        row = session.scalars(select(LoginSession)).one()
    assert row.token_hash == sessions.token_hash(token) != token
    assert row.expires_at == NOW + timedelta(hours=12)


def test_resolve_within_the_idle_timeout(store: Store, token: str) -> None:
    user = resolve(store, token, 29)
    assert user is not None and user.username == "ann"
    assert resolve(store, "", 0) is None and resolve(store, "x" * 1000, 0) is None
    assert resolve(store, token + "x", 0) is None


def test_idle_timeout_is_thirty_minutes(store: Store, token: str) -> None:
    assert resolve(store, token, 30) is None


def test_activity_extends_the_idle_timeout_up_to_the_absolute_limit(
    store: Store, token: str
) -> None:
    for minutes in range(25, 12 * 60, 25):
        assert resolve(store, token, minutes) is not None, minutes
    assert resolve(store, token, 12 * 60) is None


def test_last_seen_is_written_at_most_once_a_minute(store: Store, token: str) -> None:
    resolve(store, token, 0.5)
    with store.read() as session:
        assert session.scalars(select(LoginSession.last_seen_at)).one() == NOW
    resolve(store, token, 1)
    with store.read() as session:
        assert session.scalars(select(LoginSession.last_seen_at)).one() == NOW + timedelta(
            minutes=1
        )


def test_end_signs_out_and_is_audited(store: Store, token: str) -> None:
    with store.transaction() as session:
        sessions.end(session, token, NOW + timedelta(minutes=5))
    assert resolve(store, token, 6) is None
    entry = audit_rows(store)[-1]
    assert (entry.actor, entry.action, entry.entity) == ("ann", "logout", "login_session")
    with store.transaction() as session:  # ending twice changes nothing
        sessions.end(session, token, NOW + timedelta(minutes=7))
        sessions.end(session, "unknown", NOW)
    assert len(audit_rows(store)) == 2


def test_disabled_user_session_no_longer_resolves(store: Store, token: str) -> None:
    with store.transaction() as session:
        user = session.scalars(select(User)).one()
        user.active = False  # even without going through set_active (which also ends it)
    assert resolve(store, token, 1) is None


def test_peek_reads_only_and_says_when_a_touch_is_due(store: Store, token: str) -> None:
    def peek(minutes: float) -> tuple[str, bool] | None:
        with store.read() as session:
            found = sessions.peek(session, token, NOW + timedelta(minutes=minutes))
            return None if found is None else (found.username, found.touch_due)

    assert peek(0.5) == ("ann", False)
    assert peek(1) == ("ann", True)
    with store.read() as session:  # peeking wrote nothing
        assert session.scalars(select(LoginSession.last_seen_at)).one() == NOW
    assert peek(30) is None  # idle timeout, as resolve
    with store.read() as session:
        assert sessions.peek(session, "not-a-token", NOW) is None
