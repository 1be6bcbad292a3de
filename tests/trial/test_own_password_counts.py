"""Wrong current passwords typed to change one's password each count towards the lockout,
even concurrently (review finding 4): the count is read on the user's locked row. On
PostgreSQL an unlocked read let a second attempt overwrite the first one's increment. A
lock set meanwhile stays. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from trialdesk.errors import InputError
from trialdesk.trial import accounts
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.own_password import (
    change_own_password,
    count_wrong_current_password,
)
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import Store

from .helpers import NOW, PASSWORD, audit_rows


def _user(store: Store) -> int:
    with store.transaction() as session:
        user = accounts.create_user(
            session, actor="system", username="nils", password=PASSWORD,
            role=Role.COORDINATOR, reason="test fixture",
        )  # fmt: skip
        return user.id


def _state(store: Store, user_id: int) -> tuple[int, object]:
    with store.read() as session:
        row = session.execute(
            select(User.failed_logins, User.locked_until).where(User.id == user_id)
        ).one()
        return row.failed_logins, row.locked_until


def test_concurrent_wrong_attempts_each_count(store: Store) -> None:
    user_id = _user(store)
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with store.transaction() as session:
                count_wrong_current_password(session, user_id=user_id, now=NOW)
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread
            errors.append(error)

    with store.transaction() as session:
        count_wrong_current_password(session, user_id=user_id, now=NOW)
        other = threading.Thread(target=second)
        other.start()
        time.sleep(0.5)  # the second reads the user while the first is uncommitted
    other.join(timeout=30)
    assert not other.is_alive() and errors == []
    assert _state(store, user_id)[0] == 2
    assert [e.action for e in audit_rows(store)][-2:] == ["login_failed", "login_failed"]


def test_an_account_locked_meanwhile_stays_locked(store: Store) -> None:
    user_id = _user(store)
    for _ in range(accounts.MAX_FAILED_LOGINS):
        with store.transaction() as session:
            count_wrong_current_password(session, user_id=user_id, now=NOW)
    failed, until = _state(store, user_id)
    assert failed == accounts.MAX_FAILED_LOGINS and until is not None
    with store.transaction() as session:  # a late wrong attempt, judged on the locked row
        count_wrong_current_password(session, user_id=user_id, now=NOW + timedelta(minutes=1))
    assert _state(store, user_id) == (failed, until)
    with pytest.raises(InputError, match="locked"), store.transaction() as session:
        change_own_password(
            session, user_id=user_id, current_password=PASSWORD, new_password="x" * 16,
            new_password_again="x" * 16, now=NOW + timedelta(minutes=1),
        )  # fmt: skip
