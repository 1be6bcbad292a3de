"""Open the trial store: engine, sessions, one transaction per unit of work, migrations.

SQLite (the zero set-up default) is configured for a small multi-user web app: foreign
keys enforced, WAL so readers do not block the writer, a busy timeout instead of an
immediate "database is locked", and ``BEGIN IMMEDIATE`` for write transactions so two
writers never both read the same audit head (SQLAlchemy docs, "Serializable isolation /
Savepoints / Transactional DDL", pysqlite recipe). PostgreSQL serialises appends with
``SELECT ... FOR UPDATE`` on the audit head row instead.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from trialdesk.errors import StoreError

__all__ = [
    "DEFAULT_DATABASE_URL",
    "Session",
    "Store",
    "create_store_engine",
    "database_url",
    "open_store",
    "redact",
    "schema_revision",
]

DEFAULT_DATABASE_URL = "sqlite:///./trialdesk.db"
ENV_VAR = "TRIALDESK_DATABASE_URL"
SQLITE_BUSY_TIMEOUT_MS = 10_000
_READ = "trialdesk_read"  # execution option marking the read-only session's connections


def database_url(explicit: str | None = None) -> str:
    """``explicit``, else ``$TRIALDESK_DATABASE_URL``, else the SQLite default; PostgreSQL
    URLs are pointed at the psycopg 3 driver."""
    url = explicit or os.environ.get(ENV_VAR) or DEFAULT_DATABASE_URL
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def redact(url: str) -> str:
    """``url`` without its password, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)


class Store:
    """An engine plus sessions: ``transaction()`` for writes, ``read()`` for reads. The
    session they give (SQLAlchemy's ``Session``, named here as the store's unit of work)
    is what every service takes; code outside the trial store never imports SQLAlchemy."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = redact(engine.url.render_as_string(hide_password=False))
        self.sessionmaker = sessionmaker(engine, expire_on_commit=False)
        read_options: dict[str, Any] = {_READ: True}
        if engine.dialect.name == "postgresql":
            # One snapshot for the whole read: audit verify sees rows and head consistently,
            # and a kept staff page matches the audit head it is kept under (page_cache).
            read_options["isolation_level"] = "REPEATABLE READ"
        self._read_sessions = sessionmaker(
            engine.execution_options(**read_options), expire_on_commit=False
        )

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self.sessionmaker() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads; anything left unflushed or uncommitted is rolled back."""
        with self._read_sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


class _NoRowLogging(logging.Filter):
    """Drop SQLAlchemy's DEBUG records: they carry the rows read back (names, emails)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


# Personal data must not reach logs even when someone turns logging up to DEBUG (OWASP
# Logging Cheat Sheet, "Data to exclude"). Bound parameters are hidden by the engine's
# hide_parameters=True, also in error messages and tracebacks.
logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowLogging())


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        # pysqlite's own BEGIN handling is off; _on_begin below emits BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(_READ, False):
            # A deferred BEGIN takes no lock, so it cannot fail: straight to the driver, as
            # it runs on nearly every request.
            driver = conn.connection.driver_connection
            assert driver is not None  # a checked-out connection always has one
            driver.execute("BEGIN")
        else:  # through the engine, so a busy database raises SQLAlchemy's OperationalError
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(url: str) -> Engine:
    try:
        # hide_parameters: statement parameters (names, emails) never reach logs or errors.
        engine = create_engine(database_url(url), hide_parameters=True)
    except (exc.ArgumentError, ImportError, ValueError) as error:
        raise StoreError(f"cannot use database URL {redact(url)}: {error}") from None
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


@contextmanager
def _reported(engine: Engine) -> Iterator[None]:
    """Turn driver errors (unreachable, refused, no such file) into one-line StoreErrors
    naming the URL without its password; dispose of the engine on failure."""
    try:
        yield
    except exc.DBAPIError as error:
        engine.dispose()
        reason = " ".join(str(error.orig).split()) or type(error.orig).__name__
        if engine.url.password:
            reason = reason.replace(str(engine.url.password), "***")
        shown = redact(engine.url.render_as_string(hide_password=False))
        raise StoreError(f"cannot open the trial store at {shown}: {reason}") from None
    except StoreError:
        engine.dispose()
        raise


def open_store(url: str | None = None, *, migrate: bool = True, guarded: bool = True) -> Store:
    """Open the store at ``url`` (see ``database_url``), upgrading its schema to the
    newest revision unless ``migrate`` is false, in which case it must already be there.

    A store whose audit log's append-only triggers are missing or disabled is refused
    (migrate.check_audit_triggers): ``serve``, ``db upgrade`` and every command that works
    on the store stop with a clear message. Only a tool that examines such a store (``audit
    verify``) opens it with ``guarded=False``."""
    from trialdesk.trial.store.migrate import check_audit_triggers, check_current, upgrade

    engine = create_store_engine(database_url(url))
    with _reported(engine):
        if migrate:
            upgrade(engine)
        else:
            check_current(engine)
        if guarded:
            check_audit_triggers(engine)
    return Store(engine)


def schema_revision(url: str | None = None) -> str | None:
    """The store's current schema revision (None when empty), changing nothing."""
    from trialdesk.trial.store.migrate import current_revision

    engine = create_store_engine(database_url(url))
    with _reported(engine):
        revision = current_revision(engine)
    engine.dispose()
    return revision
