"""The audit page and the pages that show a record's trail, on SQLite and PostgreSQL:

- an audit entry altered outside the application so that it cannot be read (security
  probe F6e, T19; the bad-input corpus's stored half) is listed as unreadable, by id, and
  the page still answers (it answered 500);
- the audit page says whether the chain is keyed, and shows a signed anchor of its head,
  in English and Chinese (issue 18).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Connection

from trialdesk.trial.screening.candidates import NewCandidate, add_candidate
from trialdesk.trial.store import audit_key
from trialdesk.trial.store.anchors import Anchor
from trialdesk.trial.store.db import Store
from trialdesk.web import create_app
from webclient import add_staff, client_as

NCT = "NCT06947746"
SECRET = "ab" * 32


def _bypass(conn: Connection) -> None:
    """What a DBA can do first: the append-only triggers out (see test_audit_tamper)."""
    if conn.dialect.name == "sqlite":
        for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_head_no_delete"):
            conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    else:
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")


def _restore(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")


Edit = Callable[[Connection, int], object]
CASES: dict[str, tuple[Edit, bool]] = {  # (the edit, SQLite only)
    "malformed time": (
        lambda c, i: c.exec_driver_sql(f"UPDATE audit_log SET at = at || ' X' WHERE id = {i}"),
        True,  # timestamptz refuses text that is not a time
    ),
    "actor not UTF-8": (
        lambda c, i: c.exec_driver_sql(
            f"UPDATE audit_log SET actor = CAST(X'C328' AS TEXT) WHERE id = {i}"
        ),
        True,  # PostgreSQL refuses text invalid in its encoding
    ),
    "changes not JSON": (
        lambda c, i: c.exec_driver_sql(
            f"UPDATE audit_log SET changes = '{{\"n\": [1, 2]' WHERE id = {i}"
        ),
        True,  # the json type refuses it
    ),
    "changes a list": (
        lambda c, i: c.exec_driver_sql(f"UPDATE audit_log SET changes = '[1, 2]' WHERE id = {i}"),
        False,
    ),
    "changes not pairs": (
        lambda c, i: c.exec_driver_sql(
            f"UPDATE audit_log SET changes = '{{\"name\": 5}}' WHERE id = {i}"
        ),
        False,
    ),
}


def _candidate(store: Store) -> int:
    with store.transaction() as session:
        made = add_candidate(
            session, actor="coordinator", study_id=NCT, person=NewCandidate(name="Ivo Tamm"),
            now=datetime.now(UTC), source="form",
        )  # fmt: skip
        return made.id


@pytest.mark.parametrize("case", list(CASES))
def test_an_unreadable_entry_is_listed_as_such_and_no_page_fails(
    db_store: Store, studies: dict[str, object], case: str
) -> None:
    edit, sqlite_only = CASES[case]
    if sqlite_only and db_store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's column types refuse this edit")
    add_staff(db_store)
    candidate = _candidate(db_store)
    with db_store.engine.begin() as conn:
        last = conn.exec_driver_sql("SELECT max(id) FROM audit_log").scalar_one()
    app = create_app(db_store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]
    # signed in first: a newest entry altered would stop the sign-in's own entry
    # (keyed_chain.py); here the altered one is older
    admin, coordinator = client_as(app, "admin"), client_as(app, "coordinator")
    with db_store.engine.begin() as conn:
        _bypass(conn)
        edit(conn, last)  # the candidate's own entry
        _restore(conn)
    for path in ("/staff/audit", f"/staff/audit?candidate={candidate}"):
        page = admin.get(path)
        assert page.status_code == 200, (path, page.text[:300])
        assert 'id="audit-unreadable"' in page.text
        assert re.search(rf"entry {last} unreadable", page.text), path
    screening = coordinator.get(f"/staff/candidates/{candidate}")
    assert screening.status_code == 200, screening.text[:300]
    assert f"entry {last} unreadable" in screening.text


def test_the_audit_page_says_the_chain_is_keyed_and_shows_a_signed_anchor(
    db_store: Store, studies: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(audit_key.KEY_ENV, SECRET)  # the whole chain keyed
    add_staff(db_store)
    app = create_app(db_store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]
    admin = client_as(app, "admin")
    page = admin.get("/staff/audit")
    assert page.status_code == 200 and 'id="audit-keyed"' in page.text
    key = audit_key.AuditKey(bytes.fromhex(SECRET), 1, "test")
    assert key.fingerprint in page.text
    token = re.search(r'id="audit-anchor">([^<]+)<', page.text)
    assert token, page.text
    anchor = Anchor.parse(token.group(1))
    assert anchor.signed_by(key) and anchor.id > 0
    zh = admin.get("/staff/audit?lang=zh-CN")
    assert "审计链已加密签名" in zh.text


def test_the_audit_page_warns_when_the_chain_is_not_keyed(
    db_store: Store, studies: dict[str, object]
) -> None:
    add_staff(db_store)
    app = create_app(db_store, studies=studies, secret_key=b"k" * 32)  # type: ignore[arg-type]
    page = client_as(app, "admin").get("/staff/audit")
    assert 'id="audit-unkeyed"' in page.text and 'id="audit-anchor"' not in page.text
