"""Fixtures for the trial store: every test runs on SQLite and on PostgreSQL (``db_url``,
tests/conftest.py)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from trialdesk.trial.accounts import passwords
from trialdesk.trial.store.db import Store


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Minimal Argon2 cost so the suite stays fast; test_passwords checks the defaults."""
    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def store(db_store: Store) -> Store:
    return db_store
