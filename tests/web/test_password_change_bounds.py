"""Changing one's own password within the sign-in's bounds (review finding 4): a locked
account is refused before any password is hashed, and the hashing waits for the server's
hashing slots (web/throttle.py), answering 503 with Retry-After when the line is full."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from sqlalchemy import select, update

from trialdesk.trial.accounts import passwords
from trialdesk.trial.accounts.models import User
from trialdesk.trial.store.db import Store
from trialdesk.web.throttle import Busy
from webclient import PASSWORD, client_as, csrf_token

pytestmark = pytest.mark.usefixtures("cheap_argon2")
NEW = "a new password for me"


class _Slots:
    """Stands in for the app's HashSlots: counts the slots taken, or is full."""

    def __init__(self, full: bool) -> None:
        self.full, self.taken = full, 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self.full:
            raise Busy()
        self.taken += 1
        yield


def _form(token: str, current: str = PASSWORD) -> dict[str, str]:
    return {"current_password": current, "new_password": NEW, "new_password_again": NEW,
            "csrf_token": token}  # fmt: skip


def _post(app: FastAPI, current: str = PASSWORD) -> object:
    me = client_as(app, "coordinator")
    token = csrf_token(me, "/staff/password")
    return me.post(
        "/staff/password",
        data=_form(token, current),
    )


def _hash_of(store: Store) -> str:
    with store.read() as session:
        return session.scalars(
            select(User.password_hash).where(User.username == "coordinator")
        ).one()


def test_a_locked_account_is_refused_before_any_hashing(
    app: FastAPI, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = client_as(app, "coordinator")  # signed in before the lock
    token = csrf_token(me, "/staff/password")
    until = datetime.now(UTC) + timedelta(minutes=15)
    with store.transaction() as session:
        session.execute(update(User).where(User.username == "coordinator").values(
            locked_until=until, failed_logins=5))  # fmt: skip
    before = _hash_of(store)
    checks: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            checks.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "hasher", Counting(time_cost=1, memory_cost=8, parallelism=1))
    refused = me.post(
        "/staff/password",
        data=_form(token),
    )
    assert refused.status_code == 422 and "locked" in refused.text
    assert checks == []  # no argon2 for a locked account
    assert _hash_of(store) == before


def test_the_change_takes_a_hashing_slot(app: FastAPI, store: Store) -> None:
    slots = _Slots(full=False)
    app.state.hash_slots = slots
    done = _post(app)
    assert done.status_code == 303  # type: ignore[attr-defined]
    assert slots.taken == 2  # the sign-in's, then the change's
    assert passwords.verify_password(_hash_of(store), NEW)


def test_a_full_line_is_answered_503_and_nothing_changes(app: FastAPI, store: Store) -> None:
    before = _hash_of(store)
    me = client_as(app, "coordinator")
    token = csrf_token(me, "/staff/password")
    app.state.hash_slots = _Slots(full=True)
    busy = me.post(
        "/staff/password",
        data=_form(token),
    )
    assert busy.status_code == 503 and busy.headers["retry-after"] == "2"
    assert "The server is busy" in busy.text
    assert _hash_of(store) == before
