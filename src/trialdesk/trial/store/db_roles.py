"""Two PostgreSQL roles, so the application cannot disable its own safeguards.

The audit log's triggers (migration 0001) refuse UPDATE, DELETE and TRUNCATE, but the
owner of a table may disable or drop its triggers. So the tables belong to an *owner* role
that runs the migrations (``trialdesk db upgrade``), and the application (``trialdesk
serve``) connects as an *app* role that owns nothing and may only:

- read, insert and update the data tables (the services write every change through the
  audit trail and never delete; ``login_failure`` alone is purged, of names with no account);
- read and insert into ``audit_log`` (no UPDATE, DELETE or TRUNCATE);
- read and update the one ``audit_head`` row;
- read ``alembic_version`` (``serve`` checks the schema is current);
- use the tables' id sequences.

No DDL (no CREATE on the schema), no TRUNCATE, no trigger changes (only the owner may). The
same grants are made the default for tables a later migration creates.

``script`` gives the SQL to read or run by hand; ``apply`` runs it on a database as its
owner or a superuser. docs/database-roles.md walks through a deployment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, exc

from trialdesk.errors import InputError, StoreError
from trialdesk.trial.store.db import create_store_engine, redact

__all__ = [
    "APP_TABLES",
    "PURGED_TABLES",
    "Roles",
    "apply",
    "granted",
    "script",
]

# Tables whose privileges differ from the data tables' SELECT, INSERT, UPDATE.
APP_TABLES = {
    "audit_log": "SELECT, INSERT",  # append-only
    "audit_head": "SELECT, UPDATE",  # the one row, moved by every write
    "alembic_version": "SELECT",  # the schema is the owner's
}
# Tables the application deletes from (accounts/login.py forgets failures of unknown names).
PURGED_TABLES = ("login_failure",)

_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _identifier(value: str, what: str) -> str:
    if not _NAME.fullmatch(value):
        raise InputError(
            f"{value!r}: a {what} is lower-case letters, digits and _ (at most 63, not "
            "starting with a digit)",
            field=f"--{what}",
        )
    return value


@dataclass(frozen=True)
class Roles:
    owner: str = "trialdesk_owner"
    app: str = "trialdesk_app"
    schema: str = "public"

    def __post_init__(self) -> None:
        _identifier(self.owner, "owner")
        _identifier(self.app, "app")
        _identifier(self.schema, "schema")
        if self.owner == self.app:
            raise InputError("the owner and the app must be two roles", field="--app")


def _create_roles(r: Roles) -> list[str]:
    return [
        f"""DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r.owner}') THEN
        CREATE ROLE "{r.owner}" LOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{r.app}') THEN
        CREATE ROLE "{r.app}" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
END
$$""",
    ]


def _own_schema(r: Roles) -> list[str]:
    """The schema's tables and the trigger function to the owner (a store whose tables the
    app role created, as before these roles, is handed over), and no one else creates."""
    return [
        f'REVOKE CREATE ON SCHEMA "{r.schema}" FROM PUBLIC',
        f'REVOKE ALL ON SCHEMA "{r.schema}" FROM "{r.app}"',
        f'GRANT USAGE, CREATE ON SCHEMA "{r.schema}" TO "{r.owner}"',
        f'GRANT USAGE ON SCHEMA "{r.schema}" TO "{r.app}"',
        f"""DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{r.schema}' AND c.relkind IN ('r', 'p', 'v')
          AND pg_get_userbyid(c.relowner) <> '{r.owner}'
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO %I', item.name, '{r.owner}');
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = '{r.schema}' AND p.proname = 'trialdesk_refuse_audit_change'
          AND pg_get_userbyid(p.proowner) <> '{r.owner}'
    LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO %I', item.name, '{r.owner}');
    END LOOP;
END
$$""",
    ]


def _grants(r: Roles) -> list[str]:
    s, app = f'"{r.schema}"', f'"{r.app}"'
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {app}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {app}",
        f"GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA {s} TO {app}",
    ]
    for table, privileges in APP_TABLES.items():
        statements.append(f"REVOKE ALL ON {s}.{table} FROM {app}")
        statements.append(f"GRANT {privileges} ON {s}.{table} TO {app}")
    for table in PURGED_TABLES:
        statements.append(
            f"DO $$ BEGIN IF to_regclass('{r.schema}.{table}') IS NOT NULL THEN "
            f"GRANT DELETE ON {s}.{table} TO {app}; END IF; END $$"
        )
    statements += [
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {app}",
        # tables and sequences a later migration (run as the owner) creates
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{r.owner}" IN SCHEMA {s} '
        f"GRANT SELECT, INSERT, UPDATE ON TABLES TO {app}",
        f'ALTER DEFAULT PRIVILEGES FOR ROLE "{r.owner}" IN SCHEMA {s} '
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]
    return statements


def script(roles: Roles) -> str:
    """The SQL, in three parts, each saying who runs it and when."""
    parts = [
        (
            "1. The two roles (as a superuser, or a role with CREATEROLE; existing roles "
            "are kept). Give each a password with \\password, or use peer/cert "
            "authentication.",
            _create_roles(roles),
        ),
        (
            "2. Then, in the trial store's database, as a superuser (or the schema's "
            "owner): the owner owns every table and the trigger function, no one else "
            f"creates in schema {roles.schema}. Run 'trialdesk db upgrade' as "
            f"{roles.owner} after this and before part 3.",
            _own_schema(roles),
        ),
        (
            f"3. As {roles.owner}, after every 'trialdesk db upgrade': what {roles.app} may do.",
            _grants(roles),
        ),
    ]
    lines = [
        f"-- trialdesk: the owner role {roles.owner} runs migrations; the app role "
        f"{roles.app} runs 'trialdesk serve'.",
        "-- docs/database-roles.md explains each step.",
    ]
    for title, statements in parts:
        lines += ["", f"-- {title}", *(statement + ";" for statement in statements)]
    return "\n".join(lines) + "\n"


def _run(engine: Engine, statements: list[str], step: str) -> None:
    try:
        with engine.begin() as conn:
            for statement in statements:
                # the driver reads % as a placeholder (format() in the DO blocks)
                conn.exec_driver_sql(statement.replace("%", "%%"))
    except exc.DBAPIError as error:
        reason = " ".join(str(error.orig).split()) or type(error.orig).__name__
        raise StoreError(f"{step}: {reason}") from None


def granted(engine: Engine, role: str, schema: str = "public") -> dict[str, set[str]]:
    """What ``role`` may do to each table of ``schema``: {table: {SELECT, INSERT, ...}}."""
    query = """
        SELECT c.relname, p.privilege
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        CROSS JOIN unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE',
                                'REFERENCES', 'TRIGGER']) AS p(privilege)
        WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p')
          AND has_table_privilege(%(role)s, c.oid, p.privilege)
    """
    out: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for table, privilege in conn.exec_driver_sql(query, {"schema": schema, "role": role}):
            out.setdefault(table, set()).add(privilege)
    return out


def _refuse_unsafe_app(engine: Engine, r: Roles) -> None:
    """The app role must not be a superuser, nor able to act as the owner."""
    query = """
        SELECT rolsuper, rolbypassrls, pg_has_role(%(app)s, %(owner)s, 'MEMBER')
        FROM pg_roles WHERE rolname = %(app)s
    """
    with engine.connect() as conn:
        row = conn.exec_driver_sql(query, {"app": r.app, "owner": r.owner}).first()
    if row is None:
        raise StoreError(f"role {r.app} does not exist")
    superuser, bypass, member = row
    if superuser or bypass or member:
        why = "a superuser" if superuser else "BYPASSRLS" if bypass else f"a member of {r.owner}"
        raise StoreError(
            f"role {r.app} is {why}: it could disable the audit triggers; use a plain role"
        )


def apply(url: str, roles: Roles) -> None:
    """Run the script on the database at ``url`` (a superuser, or the owner once the roles
    exist and own the schema). The schema must be migrated: part 3 grants on its tables."""
    from trialdesk.trial.store.migrate import current_revision, head_revision

    engine = create_store_engine(url)
    shown = redact(engine.url.render_as_string(hide_password=False))
    try:
        if engine.dialect.name != "postgresql":
            raise InputError(
                f"{shown}: database roles are for PostgreSQL (a SQLite file has no roles: "
                "protect it with file permissions)",
                field="--database-url",
            )
        _run(engine, _create_roles(roles), f"cannot create the roles as {engine.url.username}")
        _run(engine, _own_schema(roles), f"cannot give schema {roles.schema} to {roles.owner}")
        try:
            current = current_revision(engine)
        except exc.DBAPIError as error:
            raise StoreError(f"cannot read the schema revision: {error.orig}") from None
        if current != head_revision():
            raise StoreError(
                f"the schema is at revision {current or 'none'}, not {head_revision()}: run "
                f"'trialdesk db upgrade' as {roles.owner}, then 'trialdesk db roles --apply' "
                "again to grant the app role its privileges on the tables"
            )
        _run(engine, _grants(roles), f"cannot grant {roles.app} its privileges")
        _refuse_unsafe_app(engine, roles)
    finally:
        engine.dispose()
