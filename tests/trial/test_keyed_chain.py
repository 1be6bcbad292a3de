"""A process without the audit key does not extend a chain another process keyed, nor
makes a second key for it (issue 18: no unkeyed entries once the chain is keyed). On
SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialdesk.trial.screening import leads
from trialdesk.trial.store import audit, audit_key
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.keyed_chain import KeyMissing

from .helpers import NOW, audit_rows

SECRET = "cd" * 32


def _write(store: Store) -> None:
    with store.transaction() as session:
        leads.store_lead(
            session, study_id="NCT06947746", contact=leads.LeadContact("K Lee", "k@example.org"),
            answers={}, outcome={}, consent_text="ok", consented=True, now=NOW,
        )  # fmt: skip


@pytest.fixture(autouse=True)
def key_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(audit_key.DIR_ENV, str(tmp_path / "keys"))  # PostgreSQL's default
    monkeypatch.delenv(audit_key.KEY_ENV, raising=False)
    monkeypatch.delenv(audit_key.FILE_ENV, raising=False)


def test_an_unkeyed_store_takes_writes_without_a_key(store: Store) -> None:
    _write(store)
    _write(store)
    with store.read() as session:
        assert audit.verify(session).ok


def test_without_the_key_a_keyed_chain_is_neither_extended_nor_given_a_new_key(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(audit_key.KEY_ENV, SECRET)  # the process that has the key
    _write(store)
    entries = len(audit_rows(store))
    monkeypatch.delenv(audit_key.KEY_ENV)  # another process, without it
    with pytest.raises(KeyMissing) as refused:
        _write(store)
    place = str(audit_key.key_place(store.engine.url))
    assert place in refused.value.message and "TRIALDESK_AUDIT_KEY_FILE" in refused.value.message
    assert len(audit_rows(store)) == entries  # nothing written
    with pytest.raises(KeyMissing, match="make a new key"):
        audit_key.create_key(store.engine, store.url)
    assert not Path(place).exists()
    monkeypatch.setenv(audit_key.KEY_ENV, SECRET)  # the key found again: writes go on
    _write(store)
    with store.read() as session:
        assert audit.verify(session).ok
