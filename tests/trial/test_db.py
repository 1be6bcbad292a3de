"""Opening the store: URLs, errors, SQLite settings, transactions, migrations."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from trialdesk.errors import StoreError, TrialdeskError
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store.db import DEFAULT_DATABASE_URL, Store, database_url, open_store, redact
from trialdesk.trial.store.migrate import current_revision, head_revision
from trialdesk.trial.store.models import AuditHead
from trialdesk.trial.tables import METADATA

from .helpers import NOW, count


@pytest.mark.parametrize(
    ("explicit", "env", "expected"),
    [
        (None, None, DEFAULT_DATABASE_URL),
        (None, "sqlite:///x.db", "sqlite:///x.db"),
        ("sqlite:///y.db", "sqlite:///x.db", "sqlite:///y.db"),
        ("postgresql://u@h/db", None, "postgresql+psycopg://u@h/db"),
        ("postgres://u@h/db", None, "postgresql+psycopg://u@h/db"),
        (None, "postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", None, "postgresql+psycopg://u@h/db"),
    ],
)
def test_database_url(
    monkeypatch: pytest.MonkeyPatch, explicit: str | None, env: str | None, expected: str
) -> None:
    if env is None:
        monkeypatch.delenv("TRIALDESK_DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("TRIALDESK_DATABASE_URL", env)
    assert database_url(explicit) == expected


def test_redact_hides_the_password() -> None:
    assert "s3cret" not in redact("postgresql+psycopg://u:s3cret@h:5432/db")
    assert "s3cret" not in redact("not a url://u:s3cret@h")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nosuchdialect://u:s3cret@h/db", "nosuchdialect://u:***@h/db"),
        ("sqlite:////no/such/folder/trial.db", "/no/such/folder/trial.db"),
        ("postgresql://nobody:s3cret@127.0.0.1:1/none", "127.0.0.1:1"),
        ("::::", "::::"),
    ],
)
def test_bad_or_unreachable_url_is_one_clear_store_error(url: str, expected: str) -> None:
    with pytest.raises(StoreError) as info:
        open_store(url)
    message = str(info.value)
    assert isinstance(info.value, TrialdeskError)
    assert expected in message
    assert "s3cret" not in message
    assert "\n" not in message


def test_migrations_run_from_empty_and_reopen_is_idempotent(db_url: str) -> None:
    store = open_store(db_url)
    assert current_revision(store.engine) == head_revision()
    with store.transaction() as session:
        from trialdesk.trial.accounts import create_user

        create_user(
            session, actor="system", username="ann", password="x" * 11 + "y", role=Role.ADMIN
        )
    store.close()
    again = open_store(db_url)
    assert current_revision(again.engine) == head_revision()
    assert count(again, User) == 1
    assert count(again, AuditHead) == 1
    again.close()
    open_store(db_url, migrate=False).close()


def test_unmigrated_store_is_refused_without_migrate(db_url: str) -> None:
    with pytest.raises(StoreError, match="trialdesk db upgrade"):
        open_store(db_url, migrate=False)


def test_migration_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, METADATA) == []


def test_sqlite_settings(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 't.db'}")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert (conn.execute(text("PRAGMA busy_timeout")).scalar() or 0) >= 1000
    store.close()


def test_transaction_commits_or_rolls_back(store: Store) -> None:
    from trialdesk.trial.accounts import create_user

    with pytest.raises(RuntimeError), store.transaction() as session:
        create_user(session, actor="system", username="ann", password="a" * 11 + "b", role="admin")  # type: ignore[arg-type]
        raise RuntimeError("boom")
    assert count(store, User) == 0
    with store.transaction() as session:
        create_user(
            session, actor="system", username="ann", password="a" * 11 + "b", role=Role.ADMIN
        )
    assert count(store, User) == 1


def test_sqlite_write_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE: a second writer waits (here: times out) instead of both reading
    the same audit head and one failing at commit."""
    url = f"sqlite:///{tmp_path / 't.db'}"
    store = open_store(url)
    other = open_store(url)
    with other.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA busy_timeout = 50")
    with store.transaction() as session:
        session.execute(text("SELECT 1"))
        with pytest.raises(OperationalError, match="locked"), other.transaction() as second:
            second.execute(text("SELECT 1"))
        with other.read() as reader:  # readers are never blocked (WAL)
            assert reader.execute(text("SELECT count(*) FROM audit_log")).scalar() == 0
    store.close()
    other.close()


def test_datetimes_read_back_as_aware_utc(store: Store) -> None:
    from trialdesk.trial.accounts import authenticate, create_user

    with store.transaction() as session:
        create_user(
            session, actor="system", username="ann", password="a" * 11 + "b", role=Role.ADMIN
        )
    with store.transaction() as session:
        authenticate(session, username="ann", password="a" * 11 + "b", now=NOW)
    with store.read() as session:
        user = session.query(User).one()
        assert user.last_login_at == NOW
        assert user.last_login_at is not None and user.last_login_at.utcoffset() is not None


def test_threads_starting_together_migrate_once(db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as pool:
        stores = list(pool.map(lambda _: open_store(db_url), range(3)))
    for s in stores:
        assert current_revision(s.engine) == head_revision()
        s.close()


def test_processes_starting_together_migrate_once(db_url: str) -> None:
    code = (
        "import sys; from trialdesk.trial.store.db import open_store; "
        "open_store(sys.argv[1]).close()"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for p in procs:
        _, stderr = p.communicate(timeout=60)
        assert p.returncode == 0, stderr.decode()
    store = open_store(db_url, migrate=False)
    assert current_revision(store.engine) == head_revision()
    store.close()
