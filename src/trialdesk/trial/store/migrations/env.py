"""Alembic environment for the trial store (online mode only: a database is required)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

# Every wing's tables, for autogenerate: the one place in the store wing that reads the
# wings above it (migrations are scripts Alembic loads, not a package import-linter sees).
from trialdesk.trial.tables import METADATA

config = context.config
engine = config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through 'trialdesk db upgrade', not the alembic command")

with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration recreates a table (SQLite cannot ALTER a constraint); with
        # foreign keys enforced, dropping the old copy of a referenced table fails. The
        # pragma is a no-op inside a transaction, so it is set before ours begins, and the
        # keys are checked after (Alembic docs, "Running batch migrations for SQLite").
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
    # One transaction for the whole upgrade, begun before Alembic is configured (so it runs
    # every migration inside it, never committing on its own): on SQLite it is BEGIN
    # IMMEDIATE (db.py), so of several processes starting together one migrates and the
    # others wait, then find the schema current; on PostgreSQL the advisory lock does it.
    with connection.begin():
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(74720001)")
        context.configure(
            connection=connection,
            target_metadata=METADATA,
            render_as_batch=sqlite,  # SQLite cannot ALTER much
            compare_type=True,
        )
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"a migration left foreign keys broken: {broken[:5]}")
    if sqlite:
        connection.invalidate()  # its foreign keys are off: the pool must not hand it out
