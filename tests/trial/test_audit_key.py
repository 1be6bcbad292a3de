"""The audit key: where it is, how it is made, what it changes, and the CLI around it
(``audit key init``, ``audit verify``'s exit codes and messages)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from trialdesk.cli.trial import audit_app
from trialdesk.errors import StoreError
from trialdesk.trial.store import audit
from trialdesk.trial.store.audit import ProblemKind, entry_hash, verify
from trialdesk.trial.store.audit_key import DIR_ENV, FILE_ENV, KEY_ENV, create_key, key_of_engine
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.keyed_chain import KeyMissing
from trialdesk.trial.store.models import AuditRecord

from .helpers import add_entries, disable_audit_triggers

runner = CliRunner()
LOG = AuditRecord.__table__
SECRET = "ab" * 32


@pytest.fixture(autouse=True)
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No key from the environment; a PostgreSQL store's default key folder in tmp."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(FILE_ENV, raising=False)
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "keys"))
    return tmp_path / "keys"


def _plain(store: Store) -> list[bool]:
    """For each entry: is its hash plain SHA-256?"""
    with store.read() as session:
        rows = session.execute(select(LOG).order_by(LOG.c.id)).mappings().all()
    return [row["hash"] == entry_hash(row) for row in rows]


def test_key_init_keys_entries_from_the_next_one(db_url: str) -> None:
    url = db_url
    store = open_store(url)
    with store.transaction() as session:
        add_entries(session, 3)
    assert key_of_engine(store.engine) is None  # an unkeyed store, as before
    made = runner.invoke(audit_app, ["key", "init", "--database-url", url])
    assert made.exit_code == 0, made.output
    key = key_of_engine(store.engine)
    assert key is not None and key.keyed_from == 4 and key.path is not None
    assert str(key.path) in made.output.replace("\n", "") and "mode 0600" in made.output
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    if store.engine.dialect.name == "sqlite":
        assert key.path.name == "trial.db.audit-key"  # beside the database file
    else:
        assert key.path.parent.name == "keys"  # under $TRIALDESK_AUDIT_KEY_DIR
    data = json.loads(key.path.read_text())
    assert (data["keyed_from"], len(data["key"])) == (4, 64)
    again = runner.invoke(audit_app, ["key", "init", "--database-url", url])
    assert again.exit_code == 0 and "already has an audit key" in again.output
    assert json.loads(key.path.read_text()) == data  # never replaced
    with store.transaction() as session:
        add_entries(session, 2)
    assert _plain(store) == [True, True, True, False, False]
    with store.read() as session:
        assert verify(session).ok
    ok = runner.invoke(audit_app, ["verify", "--database-url", url])
    assert ok.exit_code == 0 and "keyed:" in ok.output and key.fingerprint in ok.output
    store.close()


def test_the_key_from_the_environment(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)  # no KEYED_FROM: the whole chain is keyed
    with store.transaction() as session:
        add_entries(session, 2)
    assert _plain(store) == [False, False]
    with store.read() as session:
        report = verify(session)
    assert report.ok and report.keyed_from == 1 and "$TRIALDESK_AUDIT_KEY" in (report.key or "")
    monkeypatch.setenv(KEY_ENV, f"2:{'cd' * 32}")  # another key, keying from row 2
    with store.read() as session:
        found = {(p.row_id, p.kind) for p in verify(session).problems}
    assert found == {(1, ProblemKind.EDITED), (2, ProblemKind.EDITED)}
    monkeypatch.setenv(KEY_ENV, "not-a-key")
    with pytest.raises(StoreError, match="64 hex digits"), store.read() as session:
        verify(session)


def test_a_key_file_named_but_missing_refuses_every_write(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "gone.key"))
    with pytest.raises(StoreError, match="gone.key"), store.transaction() as session:
        add_entries(session, 1)
    monkeypatch.delenv(FILE_ENV)
    with store.read() as session:
        assert verify(session).rows == 0  # nothing written, never a plain entry instead


def test_a_bad_key_file_is_an_error_naming_it(db_url: str, keys: Path) -> None:
    url = db_url
    store = open_store(url)
    bad = keys / "bad.key"
    bad.parent.mkdir()
    bad.write_text('{"format": "trialdesk-audit-key/1", "key": "xyz", "keyed_from": 1}')
    with pytest.MonkeyPatch.context() as env:
        env.setenv(FILE_ENV, str(bad))
        result = runner.invoke(audit_app, ["verify", "--database-url", url])
    assert result.exit_code == 2 and "bad.key" in result.stderr and "not valid" in result.stderr
    assert "Traceback" not in result.output
    store.close()


def test_an_entry_written_without_the_key_is_refused_or_named(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that does not find the key (run from elsewhere, the key file moved) is
    refused once the chain has a keyed entry (keyed_chain.py). Before the first keyed
    entry it cannot tell, and writes a plain entry: verify, with the key, names it."""
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "audit.key"))
    create_key(store.engine, store.url)
    monkeypatch.delenv(FILE_ENV)  # its default place is empty: no key found
    with store.transaction() as session:
        add_entries(session, 1)  # the gap: no keyed entry yet
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "audit.key"))
    with store.transaction() as session:
        add_entries(session, 1)
    with store.read() as session:
        report = verify(session)
    assert {(p.row_id, p.kind) for p in report.problems} == {(1, ProblemKind.UNKEYED)}
    assert "written without the audit key" in str(report.problems[0])
    monkeypatch.delenv(FILE_ENV)
    with pytest.raises(KeyMissing, match="keyed"), store.transaction() as session:
        add_entries(session, 1)


def test_verify_without_a_key_warns(store: Store, db_url: str) -> None:
    with store.transaction() as session:
        add_entries(session, 1)
    result = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert result.exit_code == 0 and "intact: 1 row(s)" in result.output
    assert "no audit key" in result.stderr and "audit key init" in result.stderr


def test_a_keyed_store_checked_without_its_key_says_so(
    store: Store, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "audit.key"))
    create_key(store.engine, store.url)
    with store.transaction() as session:
        add_entries(session, 1)
    monkeypatch.delenv(FILE_ENV)
    result = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert result.exit_code == 1 and "edited" in result.output
    assert "checked without a key" in result.stderr


def test_an_unreadable_row_is_named_and_exits_2(store: Store, db_url: str) -> None:
    """F6e: a malformed time (or any value that cannot be read) names its row, exit 2,
    no traceback; the rows after it are still checked."""
    if store.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's timestamptz cannot hold a malformed time")
    with store.transaction() as session:
        add_entries(session, 3)
    disable_audit_triggers(store.engine)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET at = at || ' X' WHERE id = 2")
        conn.execute(update(LOG).where(LOG.c.id == 3).values(actor="mallory"))
    result = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert result.exit_code == 2, result.output
    assert "row(s) 2 cannot be read" in result.stderr and "Traceback" not in result.output
    assert "unreadable" in result.output and "not a valid timestamp" in result.output
    assert "edited" in result.output  # row 3, checked all the same
    with store.read() as session:
        assert audit.verify(session).unreadable


def test_a_duplicate_json_key_is_named(store: Store, db_url: str) -> None:
    """F14 through the CLI: exit 1, the row and the key named."""
    with store.transaction() as session:
        add_entries(session, 2)
    disable_audit_triggers(store.engine)
    value = "CAST(:raw AS json)" if store.engine.dialect.name != "sqlite" else ":raw"
    from sqlalchemy import text

    with store.engine.begin() as conn:
        changes = conn.execute(select(LOG.c.changes).where(LOG.c.id == 1)).scalar_one()
        raw = '{"status": ["FORGED", "FORGED"], ' + json.dumps(changes)[1:]
        conn.execute(text(f"UPDATE audit_log SET changes = {value} WHERE id = 1"), {"raw": raw})
    result = runner.invoke(audit_app, ["verify", "--database-url", db_url])
    assert result.exit_code == 1
    assert "duplicate_key" in result.output and "'status' twice" in result.output


def test_the_keyed_hash_is_hmac_sha256_under_the_chain_sub_key() -> None:
    """entry_hash's precomputed pads give what the standard library's HMAC (RFC 2104)
    gives; the chain and anchor sub-keys differ, and so do keys."""
    import hmac

    from trialdesk.trial.store.audit_key import _ANCHOR, _CHAIN, AuditKey

    key = AuditKey(bytes(range(32)))
    for text in (b"", b'{"id":1}', "café".encode() * 100):
        sub = hmac.digest(key.secret, _CHAIN, "sha256")
        assert key.entry_hash(text) == hmac.new(sub, text, "sha256").hexdigest()
    anchor_sub = hmac.digest(key.secret, _ANCHOR, "sha256")
    assert key.sign("3:ab") == hmac.new(anchor_sub, b"3:ab", "sha256").hexdigest()[:32]
    assert key.entry_hash(b"x") != AuditKey(bytes(32)).entry_hash(b"x")
    with pytest.raises(ValueError):
        AuditKey(b"short")
