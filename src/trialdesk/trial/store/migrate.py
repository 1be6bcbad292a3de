"""Alembic, driven from code: the migrations ship inside the package, no alembic.ini.

Developers run ``trialdesk db upgrade`` / ``db current`` / ``db revision -m "..."
--autogenerate`` (cli/trial.py) instead of the ``alembic`` command.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine

from trialdesk.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
# Alembic's ``context`` and ``op`` are module-level proxies: one migration per process
# at a time. Between processes, env.py takes a database lock.
_MIGRATING = threading.Lock()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    # env.py uses this engine, so SQLite gets the same pragmas and BEGIN IMMEDIATE.
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "the trial store has no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    try:
        with _MIGRATING:
            command.upgrade(alembic_config(engine), revision)
    except CommandError as error:
        raise StoreError(f"cannot migrate the trial store: {error}") from None


def check_current(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        raise StoreError(
            f"the trial store is at schema revision {current or 'none'}, this trialdesk "
            f"needs {head}: run 'trialdesk db upgrade'"
        )


def revision(engine: Engine, message: str, *, autogenerate: bool) -> None:
    """Write a new migration file (for developers; compare it before committing)."""
    try:
        with _MIGRATING:
            command.revision(alembic_config(engine), message=message, autogenerate=autogenerate)
    except CommandError as error:
        raise StoreError(f"cannot write a migration: {error}") from None
