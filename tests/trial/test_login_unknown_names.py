"""The lockout does not tell whether an account exists (security probe F8): a name with no
account fails, locks and unlocks exactly as an account does; only a digest of the name is
kept, and for a day after its last failure. Names no account could have (a NUL in them)
never reach the database. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from trialdesk.trial import accounts
from trialdesk.trial.accounts.login import LoginFailure, check_password
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store, open_store

from .helpers import NOW, PASSWORD, audit_rows

WRONG = "not the password at all"


def _outcome(store: Store, name: str, password: str = WRONG, minutes: float = 0) -> str:
    """What signing in answers: "ok", "failed" or "locked" (failures committed)."""
    with store.transaction() as session:
        try:
            accounts.authenticate(
                session, username=name, password=password, now=NOW + timedelta(minutes=minutes)
            )
            return "ok"
        except accounts.AccountLocked:
            return "locked"
        except accounts.LoginFailed:
            return "failed"


@pytest.fixture
def ann(store: Store) -> None:
    with store.transaction() as session:
        accounts.create_user(
            session, actor="system", username="ann", password=PASSWORD, role=Role.COORDINATOR
        )


def _run(store: Store, name: str) -> list[str]:
    """Six wrong passwords at minutes 0-5, the right one at minute 10, then at minute 21."""
    seen = [_outcome(store, name, minutes=m) for m in range(6)]
    seen.append(_outcome(store, name, PASSWORD, minutes=10))
    seen.append(_outcome(store, name, WRONG, minutes=21))
    return seen


def test_a_name_without_an_account_locks_and_unlocks_as_an_account_does(
    store: Store, ann: None
) -> None:
    expected = ["failed"] * 5 + ["locked", "locked", "failed"]
    assert _run(store, "ann") == expected
    assert _run(store, "nobody") == expected  # ("ok" is out of its reach at minute 21)
    with store.read() as session:
        [row] = session.scalars(select(LoginFailure)).all()
        assert row.failed_logins == 1 and row.locked_until is None  # a fresh count after
        assert "nobody" not in row.name_digest and len(row.name_digest) == 64
    assert all("nobody" not in str(e.changes) + e.actor + e.entity_id for e in audit_rows(store))
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_locked_name_tells_the_same_time_as_an_account(store: Store, ann: None) -> None:
    messages = []
    for name in ("ann", "nobody"):
        for m in range(5):
            _outcome(store, name, minutes=m)
        with pytest.raises(accounts.AccountLocked) as locked, store.transaction() as session:
            accounts.authenticate(
                session, username=name, password=WRONG, now=NOW + timedelta(minutes=6)
            )
        messages.append(str(locked.value))
    assert messages[0] == messages[1] and "locked" in messages[0]


def test_failures_of_unknown_names_are_forgotten_after_a_day(store: Store) -> None:
    for name in ("old1", "old2"):
        _outcome(store, name)
    _outcome(store, "recent", minutes=24 * 60 - 1)
    _outcome(store, "later", minutes=24 * 60 + 1)  # removes the failures over a day old
    with store.read() as session:
        assert len(session.scalars(select(LoginFailure)).all()) == 2


@pytest.mark.parametrize("name", ["a\x00b", "\x00", "ann\x00", "x" * 65, "ann\u202e"])
def test_names_no_account_could_have_are_refused_without_the_database_failing(
    store: Store, ann: None, name: str
) -> None:
    """PostgreSQL refuses a NUL in text: such a name is never sent to it."""
    with store.read() as session:
        checked = check_password(session, username=name, password=PASSWORD)
    assert checked.checked_hash is None and not checked.matches
    assert [_outcome(store, name, PASSWORD, minutes=m) for m in range(6)] == (
        ["failed"] * 5 + ["locked"]
    )


def test_the_same_new_name_failing_at_once_is_counted_once_each(store: Store, db_url: str) -> None:
    """Concurrent first failures of one name: the second insert of its row is refused by
    the unique digest, and counted on the first's row instead of failing."""
    racers = 6
    barrier = threading.Barrier(racers, timeout=60)

    def attempt(_: int) -> str:
        own = open_store(db_url, migrate=False)
        try:
            with own.read() as session:
                session.scalar(select(1))
            barrier.wait()
            return _outcome(own, "same-new-name")
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=racers) as pool:
        outcomes = list(pool.map(attempt, range(racers)))
    assert sorted(outcomes) == ["failed"] * 5 + ["locked"] * (racers - 5), outcomes
    with store.read() as session:
        [row] = session.scalars(select(LoginFailure)).all()
        assert row.failed_logins == accounts.MAX_FAILED_LOGINS and row.locked_until is not None
        assert audit.verify(session).ok
