"""Alembic, driven from code: the migrations ship inside the package, no alembic.ini.

Developers run ``trialdesk db upgrade`` / ``db current`` / ``db revision -m "..."
--autogenerate`` (cli/trial.py) instead of the ``alembic`` command.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine

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


# The audit log's append-only triggers as migration 0001 creates them (its SQLITE_TRIGGERS
# and POSTGRESQL_TRIGGERS; tests/trial/test_db_roles.py holds the two equal). The store
# refuses to open for work without them (``check_audit_triggers``): the application does
# not run with its own safeguards off.
SQLITE_AUDIT_TRIGGERS = {
    "audit_log_no_update": (
        "audit_log",
        """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END""",
    ),
    "audit_log_no_delete": (
        "audit_log",
        """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END""",
    ),
    "audit_head_no_delete": (
        "audit_head",
        """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END""",
    ),
}
POSTGRESQL_AUDIT_FUNCTION = "trialdesk_refuse_audit_change"
POSTGRESQL_AUDIT_FUNCTION_BODY = """
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    """
# trigger -> (table, its definition as pg_get_triggerdef gives it, names unqualified)
POSTGRESQL_AUDIT_TRIGGERS = {
    "audit_log_append_only": (
        "audit_log",
        "CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION trialdesk_refuse_audit_change()",
    ),
    "audit_log_no_truncate": (
        "audit_log",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION trialdesk_refuse_audit_change()",
    ),
    "audit_head_no_delete": (
        "audit_head",
        "CREATE TRIGGER audit_head_no_delete BEFORE DELETE OR TRUNCATE ON audit_head "
        "FOR EACH STATEMENT EXECUTE FUNCTION trialdesk_refuse_audit_change()",
    ),
}
# pg_trigger.tgenabled: O fires (origin and local sessions), A always; D is disabled and R
# fires only under session_replication_role = replica, so neither guards the application
_FIRING = ("O", "A")


def _words(sql: str) -> str:
    return " ".join(sql.split())


def _sqlite_trigger_problems(conn: Connection) -> list[str]:
    found = {
        name: (table, sql)
        for name, table, sql in conn.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
        )
    }
    problems = []
    for name, (table, sql) in SQLITE_AUDIT_TRIGGERS.items():
        if name not in found:
            problems.append(f"trigger {name} on {table} is missing")
        elif found[name][0] != table or _words(found[name][1] or "") != _words(sql):
            problems.append(f"trigger {name} on {table} is not the one trialdesk created")
    return problems


_PG_TRIGGERS = """
SELECT t.tgname, c.relname, t.tgenabled, pg_get_triggerdef(t.oid), p.proname, p.prosrc
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal
  AND t.tgrelid IN (to_regclass('audit_log'), to_regclass('audit_head'))
"""


def _unqualified(definition: str) -> str:
    """A trigger's definition without the schema pg_get_triggerdef names its table (and
    function) in."""
    return re.sub(
        r'(?:"[^"]+"|[\w$]+)\.(?=audit_log|audit_head|trialdesk_)', "", _words(definition)
    )


def _postgresql_trigger_problems(conn: Connection) -> list[str]:
    found = {row[0]: row[1:] for row in conn.exec_driver_sql(_PG_TRIGGERS)}
    problems = []
    for name, (table, definition) in POSTGRESQL_AUDIT_TRIGGERS.items():
        if name not in found:
            problems.append(f"trigger {name} on {table} is missing")
            continue
        on, enabled, actual, function, source = found[name]
        if (
            on != table
            or _unqualified(actual) != definition
            or function != POSTGRESQL_AUDIT_FUNCTION
            or _words(source) != _words(POSTGRESQL_AUDIT_FUNCTION_BODY)
        ):
            problems.append(f"trigger {name} on {table} is not the one trialdesk created")
        elif enabled not in _FIRING:
            problems.append(f"trigger {name} on {table} is disabled")
    return problems


def audit_trigger_problems(engine: Engine) -> list[str]:
    """What is wrong with the audit log's append-only triggers: missing, disabled, or
    replaced by others of the same name; empty when all are in place and firing."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return _sqlite_trigger_problems(conn)
        if conn.dialect.name == "postgresql":
            return _postgresql_trigger_problems(conn)
    return [f"no audit triggers are known for {engine.dialect.name}"]


def check_audit_triggers(engine: Engine) -> None:
    """Refuse to run on a store whose audit log can be changed: its triggers missing or
    disabled (21 CFR 11.10(e): audit trails that cannot be altered without detection)."""
    problems = audit_trigger_problems(engine)
    if problems:
        raise StoreError(
            "the audit log's safeguards are off: "
            + "; ".join(problems)
            + ". trialdesk will not run without them: restore them as the database owner "
            "(docs/database-roles.md, 'Restoring the triggers'), then run "
            "'trialdesk audit verify --data' to see what was changed meanwhile"
        )
