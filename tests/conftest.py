"""Shared fixtures, and the Hypothesis profile CI uses.

``db_url`` is an empty trial database on SQLite and on PostgreSQL: PostgreSQL tests get a
schema of their own (via the connection's search_path) that is dropped afterwards, so they
never collide with other tests using the same database. They are skipped, with the
reason, when PostgreSQL is unreachable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import settings

from shared_data import RA_PATIENTS, need
from trialdesk.trial.accounts import passwords
from trialdesk.trial.store.db import Store, open_store

# CI replays the same examples every run (a red build must mean a change, not a new draw);
# new examples are explored locally, where failures are kept in .hypothesis/ and replayed.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Minimal Argon2 cost so a module that signs in often stays fast (its modules ask for
    it with ``pytestmark``); tests/trial/test_passwords checks the defaults."""
    monkeypatch.setattr(
        passwords, "hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def ra_patients() -> Path:
    return need(RA_PATIENTS)


PG_URLS = (
    "postgresql+psycopg://postgres@127.0.0.1:5432/test",
    "postgresql+psycopg://root@127.0.0.1:5432/test",
)


@pytest.fixture(scope="session")
def pg_server() -> str:
    import psycopg

    reasons = []
    for url in PG_URLS:
        try:
            psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
            return url
        except psycopg.Error as error:
            reasons.append(" ".join(str(error).split()))
    pytest.skip(f"PostgreSQL unreachable at {PG_URLS[0]} (or as root): {reasons[0]}")


def _pg_exec(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'trial.db'}"
        return
    server: str = request.getfixturevalue("pg_server")
    schema = f"td_trial_{os.getpid()}_{os.urandom(4).hex()}"
    _pg_exec(server, f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{server}?options=-csearch_path%3D{schema}"
    finally:
        _pg_exec(server, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def db_store(db_url: str) -> Iterator[Store]:
    """A trial store over ``db_url``: SQLite and PostgreSQL."""
    s = open_store(db_url)
    try:
        yield s
    finally:
        s.close()
