"""The audit page signs an anchor of the head only for a chain that verified (review
finding 5): an anchor vouches for the log, so a broken chain gets none, and the page says
why, in English and Chinese. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Connection

from trialdesk.trial.store import audit_key
from trialdesk.trial.store.db import Store
from trialdesk.web import create_app
from webclient import add_staff, client_as

SECRET = "cd" * 32


def _edit_outside_the_application(conn: Connection, entry_id: int) -> None:
    """A DBA's edit: the append-only triggers out, one entry's reason changed, back in."""
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
    else:
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
    conn.exec_driver_sql(f"UPDATE audit_log SET reason = 'edited later' WHERE id = {entry_id}")
    if not sqlite:
        conn.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")


def test_a_broken_chain_gets_no_anchor_and_the_page_says_why(
    db_store: Store, studies: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(audit_key.KEY_ENV, SECRET)
    add_staff(db_store)
    app = create_app(db_store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]
    admin = client_as(app, "admin")
    intact = admin.get("/staff/audit").text
    assert re.search(r'id="audit-anchor">[^<]+<', intact)  # signed while the chain verifies
    with db_store.engine.begin() as conn:
        first = conn.exec_driver_sql("SELECT min(id) FROM audit_log").scalar_one()
        _edit_outside_the_application(conn, first)
    page = admin.get("/staff/audit")
    assert page.status_code == 200 and "The audit chain is broken" in page.text
    assert 'id="audit-anchor"' not in page.text
    assert 'id="audit-no-anchor"' in page.text and "the chain did not verify" in page.text
    zh = admin.get("/staff/audit?lang=zh-CN")
    assert 'id="audit-anchor"' not in zh.text and "审计链未通过校验" in zh.text
