"""The application cannot disable its own safeguards (issue 18, point 3).

PostgreSQL (127.0.0.1:5432, throwaway roles and databases with unique names, dropped
afterwards): ``trialdesk db roles`` makes an owner role that migrates and an app role that
may only append to the audit log, owns nothing and so can neither change nor truncate the
log, nor disable or drop its triggers, while the application runs as it. On both backends:
a store whose audit triggers are missing, disabled or replaced is refused by ``serve``,
``db upgrade`` and every command that works on it, with a clear message; ``audit verify``
still examines it."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from typer.testing import CliRunner

from trialdesk.cli.trial import audit_app, db_app, user_app
from trialdesk.errors import InputError, StoreError
from trialdesk.trial.store import db_roles
from trialdesk.trial.store.db import open_store
from trialdesk.trial.store.migrate import (
    POSTGRESQL_AUDIT_FUNCTION_BODY,
    POSTGRESQL_AUDIT_TRIGGERS,
    SQLITE_AUDIT_TRIGGERS,
    audit_trigger_problems,
)

runner = CliRunner()
AT = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
MIGRATION_0001 = Path(db_roles.__file__).parent / "migrations" / "versions" / "0001_initial.py"


def _psql(server: str, sql: str, database: str = "test") -> None:
    import psycopg

    url = server.replace("+psycopg", "").rsplit("/", 1)[0] + f"/{database}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)


@dataclass(frozen=True)
class Cluster:
    server: str  # a superuser's URL, database test
    roles: db_roles.Roles
    database: str

    def url(self, role: str | None = None) -> str:
        url = make_url(self.server).set(database=self.database)
        if role is not None:
            url = url.set(username=role)
        return url.render_as_string(hide_password=False)


@pytest.fixture
def cluster(pg_server: str) -> Iterator[Cluster]:
    """Two roles and a database of their own, made and dropped by a superuser."""
    suffix = os.urandom(4).hex()
    roles = db_roles.Roles(owner=f"td_owner_{suffix}", app=f"td_app_{suffix}")
    found = Cluster(pg_server, roles, f"td_roles_{suffix}")
    _psql(pg_server, f'CREATE ROLE "{roles.owner}" LOGIN')
    _psql(pg_server, f'CREATE ROLE "{roles.app}" LOGIN')
    _psql(pg_server, f'CREATE DATABASE "{found.database}" OWNER "{roles.owner}"')
    try:
        yield found
    finally:
        _psql(pg_server, f'DROP DATABASE IF EXISTS "{found.database}" WITH (FORCE)')
        _psql(pg_server, f'DROP ROLE IF EXISTS "{roles.app}"')
        _psql(pg_server, f'DROP ROLE IF EXISTS "{roles.owner}"')


@pytest.fixture
def deployed(cluster: Cluster) -> Cluster:
    """Migrated as the owner, then the app role granted what it may do, as the owner."""
    open_store(cluster.url(cluster.roles.owner)).close()
    db_roles.apply(cluster.url(cluster.roles.owner), cluster.roles)
    return cluster


def _as(cluster: Cluster, role: str, sql: str) -> str | None:
    """The error PostgreSQL answers ``sql`` with, run as ``role`` (None: allowed)."""
    import psycopg

    url = cluster.url(role).replace("+psycopg", "")
    with psycopg.connect(url) as conn:
        try:
            conn.execute(sql)
        except psycopg.Error as error:
            return str(error).splitlines()[0]
        finally:
            conn.rollback()
    return None


def test_the_app_role_may_append_to_the_audit_log_and_nothing_more(deployed: Cluster) -> None:
    engine = create_engine(deployed.url())
    try:
        granted = db_roles.granted(engine, deployed.roles.app)
    finally:
        engine.dispose()
    assert granted["audit_log"] == {"SELECT", "INSERT"}
    assert granted["audit_head"] == {"SELECT", "UPDATE"}
    assert granted["alembic_version"] == {"SELECT"}
    data = {t: p for t, p in granted.items() if t not in db_roles.APP_TABLES}
    assert {"candidate", "entered_fact", "fhir_upload", "judgment", "signature"} <= set(data)
    purged = set(db_roles.PURGED_TABLES)
    assert all(p == {"SELECT", "INSERT", "UPDATE"} for t, p in data.items() if t not in purged)
    assert all(
        p == {"SELECT", "INSERT", "UPDATE", "DELETE"} for t, p in data.items() if t in purged
    )


REFUSED = {
    "ALTER TABLE audit_log DISABLE TRIGGER USER": "must be owner of table audit_log",
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only": "must be owner",
    "DROP TRIGGER audit_log_append_only ON audit_log": "must be owner",
    "DROP FUNCTION trialdesk_refuse_audit_change() CASCADE": "must be owner of function",
    "CREATE OR REPLACE FUNCTION trialdesk_refuse_audit_change() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$": "permission denied for schema public",
    "TRUNCATE audit_log": "permission denied for table audit_log",
    "UPDATE audit_log SET actor = 'x'": "permission denied for table audit_log",
    "DELETE FROM audit_log": "permission denied for table audit_log",
    "DELETE FROM audit_head": "permission denied for table audit_head",
    "DELETE FROM candidate": "permission denied for table candidate",
    "TRUNCATE candidate": "permission denied for table candidate",
    "UPDATE alembic_version SET version_num = '0001'": "permission denied",
    "CREATE TABLE forged (id int)": "permission denied for schema public",
    "ALTER TABLE candidate ADD COLUMN x int": "must be owner of table candidate",
    "DROP TABLE candidate": "must be owner of table candidate",
    "SET session_replication_role = replica": "permission denied",
}


def test_the_app_role_cannot_touch_the_safeguards(deployed: Cluster) -> None:
    refused = {sql: _as(deployed, deployed.roles.app, sql) for sql in REFUSED}
    assert {sql: (e is not None and REFUSED[sql] in e) for sql, e in refused.items()} == {
        sql: True for sql in REFUSED
    }, refused
    # and the owner, for contrast, could: the roles are what stops the app
    assert _as(deployed, deployed.roles.owner, "ALTER TABLE audit_log DISABLE TRIGGER USER") is None


def test_the_application_runs_as_the_app_role(deployed: Cluster) -> None:
    """A simulated trial (screening, consent, enrolment, injection, visits, forms,
    adverse events, signatures) and sign-ins under unknown names, all as the app role."""
    from trialdesk.study.loader import load_study
    from trialdesk.trial import accounts
    from trialdesk.trial.simulate.run import simulate

    store = open_store(deployed.url(deployed.roles.app))
    try:
        result = simulate(
            store, load_study("NCT06947746"), participants=1, seed=3, as_of=date(2026, 9, 1)
        )
        assert result.tally.enrolled == 1 and result.tally.forms > 0
        for _ in range(2):
            with store.transaction() as session, contextlib.suppress(accounts.LoginFailed):
                accounts.authenticate(session, username="nobody", password="x", now=AT)
    finally:
        store.close()


def test_a_later_migration_s_tables_get_the_same_grants(deployed: Cluster) -> None:
    owner = deployed.roles.owner
    assert _as(deployed, owner, "SELECT 1") is None
    import psycopg

    with psycopg.connect(deployed.url(owner).replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("CREATE TABLE later_table (id serial PRIMARY KEY, note text)")
    app = deployed.roles.app
    assert _as(deployed, app, "INSERT INTO later_table (note) VALUES ('a')") is None
    assert "permission denied" in (_as(deployed, app, "DELETE FROM later_table") or "")
    assert "permission denied" in (_as(deployed, app, "TRUNCATE later_table") or "")


def test_a_store_the_app_role_migrated_is_handed_to_the_owner(cluster: Cluster) -> None:
    """The probe's deployment (F2): the runtime role ran the migrations and owns every
    table. Applied as a superuser, the tables go to the owner and the app role loses the
    power to disable the triggers."""
    app = cluster.roles.app
    _psql(cluster.server, f'GRANT CREATE ON SCHEMA public TO "{app}"', cluster.database)
    open_store(cluster.url(app)).close()
    assert _as(cluster, app, "ALTER TABLE audit_log DISABLE TRIGGER USER") is None  # F2
    db_roles.apply(cluster.url(), cluster.roles)
    assert "must be owner" in (
        _as(cluster, app, "ALTER TABLE audit_log DISABLE TRIGGER USER") or ""
    )
    assert "permission denied" in (_as(cluster, app, "CREATE TABLE forged (id int)") or "")
    open_store(cluster.url(app)).close()  # and it still runs


def test_apply_before_the_migrations_says_what_to_run(cluster: Cluster) -> None:
    with pytest.raises(StoreError) as refused:
        db_roles.apply(cluster.url(), cluster.roles)
    message = str(refused.value)
    assert f"run 'trialdesk db upgrade' as {cluster.roles.owner}" in message
    assert "'trialdesk db roles --apply' again" in message


def test_an_app_role_that_can_act_as_the_owner_is_refused(cluster: Cluster) -> None:
    open_store(cluster.url(cluster.roles.owner)).close()
    _psql(cluster.server, f'GRANT "{cluster.roles.owner}" TO "{cluster.roles.app}"')
    with pytest.raises(StoreError, match=f"is a member of {cluster.roles.owner}"):
        db_roles.apply(cluster.url(), cluster.roles)


def test_db_roles_cli_prints_and_applies(cluster: Cluster) -> None:
    r = cluster.roles
    printed = runner.invoke(db_app, ["roles", "--owner", r.owner, "--app", r.app])
    assert printed.exit_code == 0, printed.output
    sql = printed.output
    assert f'CREATE ROLE "{r.app}" LOGIN NOSUPERUSER' in sql
    assert f'GRANT SELECT, INSERT ON "public".audit_log TO "{r.app}";' in sql
    assert f'GRANT SELECT, UPDATE ON "public".audit_head TO "{r.app}";' in sql
    assert "TRUNCATE" not in sql.replace("no TRUNCATE", "")
    owner_url = cluster.url(r.owner)
    up = runner.invoke(db_app, ["upgrade", "--database-url", owner_url])
    assert up.exit_code == 0, up.output
    applied = runner.invoke(
        db_app,
        ["roles", "--owner", r.owner, "--app", r.app, "--apply", "--database-url", owner_url],
    )
    assert applied.exit_code == 0, applied.output
    assert "SELECT, INSERT on audit_log" in applied.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--app", "App; DROP TABLE x"], "lower-case letters"),
        (["--owner", "same", "--app", "same"], "two roles"),
        (["--apply", "--database-url", "sqlite:///x.db"], "database roles are for PostgreSQL"),
    ],
)
def test_db_roles_refuses_bad_input(args: list[str], words: str, tmp_path: Path) -> None:
    result = runner.invoke(db_app, ["roles", *args])
    assert result.exit_code == 2
    assert words in result.stderr


def test_roles_refuse_names_that_are_not_plain_identifiers() -> None:
    with pytest.raises(InputError):
        db_roles.Roles(schema='public"; DROP SCHEMA public; --')


# --- the store refuses to run without its audit triggers (both backends) ---


def _load_0001() -> object:
    spec = importlib.util.spec_from_file_location("migration_0001", MIGRATION_0001)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_checked_triggers_are_the_ones_migration_0001_creates() -> None:
    m = _load_0001()
    assert [sql for _t, sql in SQLITE_AUDIT_TRIGGERS.values()] == m.SQLITE_TRIGGERS  # type: ignore[attr-defined]
    function, *triggers = m.POSTGRESQL_TRIGGERS  # type: ignore[attr-defined]
    assert POSTGRESQL_AUDIT_FUNCTION_BODY in function
    for (name, (table, _definition)), created in zip(
        POSTGRESQL_AUDIT_TRIGGERS.items(), triggers, strict=True
    ):
        assert f"CREATE TRIGGER {name} " in created and f" ON {table}\n" in created


def _sabotage(engine_url: str, sqlite: list[str], postgresql: list[str]) -> None:
    store = open_store(engine_url)
    with store.engine.begin() as conn:
        for statement in sqlite if store.engine.dialect.name == "sqlite" else postgresql:
            conn.exec_driver_sql(statement)
    store.close()


# how: (SQLite statements, PostgreSQL statements, {backend: what the refusal says})
SABOTAGE = {
    "dropped": (
        ["DROP TRIGGER audit_log_no_update"],
        ["DROP TRIGGER audit_log_append_only ON audit_log"],
        {
            "sqlite": "trigger audit_log_no_update on audit_log is missing",
            "postgresql": "trigger audit_log_append_only on audit_log is missing",
        },
    ),
    "disabled or replaced": (
        [
            "DROP TRIGGER audit_log_no_delete",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT 1; END",
        ],
        ["ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"],
        {
            "sqlite": "trigger audit_log_no_delete on audit_log is not the one trialdesk created",
            "postgresql": "trigger audit_log_append_only on audit_log is disabled",
        },
    ),
    "firing only for replicas": (
        ["DROP TRIGGER audit_head_no_delete"],
        ["ALTER TABLE audit_head ENABLE REPLICA TRIGGER audit_head_no_delete"],
        {
            "sqlite": "trigger audit_head_no_delete on audit_head is missing",
            "postgresql": "trigger audit_head_no_delete on audit_head is disabled",
        },
    ),
    "function neutered": (
        [],
        [
            "CREATE OR REPLACE FUNCTION trialdesk_refuse_audit_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
        ],
        {"postgresql": "trigger audit_log_no_truncate on audit_log is not the one trialdesk"},
    ),
}


@pytest.mark.parametrize("how", SABOTAGE)
def test_a_store_without_its_audit_triggers_is_refused(db_url: str, how: str) -> None:
    sqlite, postgresql, says = SABOTAGE[how]
    backend = db_url.split(":", 1)[0].split("+", 1)[0]
    if backend not in says:
        pytest.skip(f"{how}: a PostgreSQL case")
    open_store(db_url).close()
    _sabotage(db_url, sqlite, postgresql)
    with pytest.raises(StoreError) as refused:
        open_store(db_url)
    message = str(refused.value)
    assert "the audit log's safeguards are off" in message
    assert says[backend] in message, message
    assert "restore them as the database owner" in message
    # examined all the same
    open_store(db_url, guarded=False).close()


def test_an_intact_store_has_no_trigger_problems(db_url: str) -> None:
    store = open_store(db_url)
    try:
        assert audit_trigger_problems(store.engine) == []
    finally:
        store.close()


def test_db_upgrade_and_user_commands_refuse_audit_verify_examines(db_url: str) -> None:
    open_store(db_url).close()
    _sabotage(
        db_url,
        ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"],
        ["ALTER TABLE audit_log DISABLE TRIGGER USER"],
    )
    up = runner.invoke(db_app, ["upgrade", "--database-url", db_url])
    assert up.exit_code == 2 and "the audit log's safeguards are off" in up.stderr
    users = runner.invoke(user_app, ["list", "--database-url", db_url])
    assert users.exit_code == 2 and "safeguards are off" in users.stderr
    verify = runner.invoke(audit_app, ["verify", "--data", "--database-url", db_url])
    assert verify.exit_code == 0, verify.output


def test_serve_refuses_to_start_without_the_audit_triggers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    open_store(url).close()
    _sabotage(url, ["DROP TRIGGER audit_log_no_delete"], [])
    exe = Path(sys.executable).with_name("trialdesk")
    try:
        done = subprocess.run(
            [str(exe), "serve", "--port", "1", "--database-url", url],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("serve started on a store without its audit triggers")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "audit_log_no_delete on audit_log is missing" in done.stderr
    assert "trialdesk will not run without them" in done.stderr
