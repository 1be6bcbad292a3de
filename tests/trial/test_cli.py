"""The user / audit / db sub-apps, through Typer's test runner."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from trialdesk.cli.trial import audit_app, db_app, user_app
from trialdesk.trial.store.db import open_store
from trialdesk.trial.store.migrate import head_revision
from trialdesk.trial.store.models import AuditRecord

from .helpers import PASSWORD, audit_rows, disable_audit_triggers

runner = CliRunner()


def add_admin(db_url: str, name: str = "ann") -> None:
    result = runner.invoke(
        user_app,
        ["add", name, "--role", "admin", "--password-stdin", "--database-url", db_url],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert f"added {name} (admin)" in result.output


def test_user_add_list_disable(db_url: str) -> None:
    add_admin(db_url)
    add_admin(db_url, "bea")
    listed = runner.invoke(user_app, ["list", "--database-url", db_url])
    assert listed.exit_code == 0 and "ann" in listed.output and "bea" in listed.output
    disabled = runner.invoke(
        user_app, ["disable", "BEA", "--reason", "left", "--database-url", db_url]
    )
    assert disabled.exit_code == 0, disabled.output
    store = open_store(db_url)
    entries = audit_rows(store)
    store.close()
    assert [(e.actor, e.action) for e in entries] == [("system", "create")] * 2 + [
        ("system", "update")
    ]
    assert entries[-1].reason is not None and entries[-1].reason.startswith("left (OS user ")
    assert PASSWORD not in " ".join(str(e.changes) for e in entries)


def test_user_add_prompts_twice_hidden(db_url: str) -> None:
    result = runner.invoke(
        user_app,
        ["add", "ann", "--role", "monitor", "--database-url", db_url],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["add", "ann", "--role", "admin", "--password-stdin"], "short\n", "at least 12"),
        (["add", "ann", "--role", "admin", "--password-stdin"], "", "no password"),
        (["disable", "nobody"], "", "no user named 'nobody'"),
        (["disable", "ann"], "", "last active admin"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    db_url: str, args: list[str], stdin: str, words: str
) -> None:
    add_admin(db_url)
    result = runner.invoke(user_app, [*args, "--database-url", db_url], input=stdin)
    assert result.exit_code == 2
    assert words in result.stderr and "Traceback" not in result.output


def test_audit_verify_exit_codes(db_url: str) -> None:
    add_admin(db_url)
    add_admin(db_url, "bea")
    ok = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert ok.exit_code == 0, ok.output
    assert "intact: 2 row(s) checked" in ok.output
    store = open_store(db_url)
    disable_audit_triggers(store.engine)
    with store.engine.begin() as conn:
        conn.execute(update(AuditRecord.__table__).where(AuditRecord.id == 1).values(reason="x"))
    store.close()
    bad = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert bad.exit_code == 1
    assert "edited" in bad.output and "tampered" in bad.output


def test_audit_verify_bad_url_exits_2() -> None:
    result = runner.invoke(
        audit_app, ["verify", "--database-url", "postgresql://u:s3cret@127.0.0.1:1/x"]
    )
    assert result.exit_code == 2
    assert "cannot open the trial store" in result.stderr and "s3cret" not in result.stderr


def test_db_upgrade_and_current(db_url: str) -> None:
    before = runner.invoke(db_app, ["current", "--database-url", db_url])
    assert before.exit_code == 0 and "no revision" in before.output
    up = runner.invoke(db_app, ["upgrade", "--database-url", db_url])
    assert up.exit_code == 0 and f"schema at revision {head_revision()}" in up.output
    after = runner.invoke(db_app, ["current", "--database-url", db_url])
    assert f"at {head_revision()}, newest is {head_revision()}" in after.output
