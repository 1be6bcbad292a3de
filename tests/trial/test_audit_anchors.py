"""Anchors of the audit head: ``audit head`` prints one, ``audit verify --expect-head`` /
``--anchor-file`` check the log against them, and ``serve --anchor-file`` writes them."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from trialdesk.cli.trial import audit_app
from trialdesk.errors import InputError
from trialdesk.trial.store.anchors import Anchor, AnchorWriter, read_anchor_file
from trialdesk.trial.store.audit import head
from trialdesk.trial.store.audit_key import DIR_ENV, FILE_ENV, KEY_ENV, AuditKey, create_key
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import GENESIS_HASH, AuditHead, AuditRecord

from .helpers import add_entries, disable_audit_triggers

runner = CliRunner()
LOG, HEAD = AuditRecord.__table__, AuditHead.__table__


@pytest.fixture
def keyed(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A store keyed from its first entry (the key in tmp), with three entries."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "keys"))
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "audit.key"))
    create_key(store.engine, store.url)
    with store.transaction() as session:
        add_entries(session, 3)
    return store


def _cut_newest(store: Store) -> None:
    """T9: the newest row deleted and the head rewound: a whole chain again."""
    disable_audit_triggers(store.engine)
    with store.engine.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.id == 3))
        two = conn.execute(LOG.select().where(LOG.c.id == 2)).mappings().one()
        conn.execute(update(HEAD).values(last_id=2, last_hash=two["hash"]))


def test_head_prints_a_signed_anchor_that_verify_holds_the_log_to(
    keyed: Store, db_url: str
) -> None:
    printed = runner.invoke(audit_app, ["head", "--database-url", db_url])
    assert printed.exit_code == 0, printed.output
    token = printed.stdout.strip()
    assert re.fullmatch(r"tda1_3_[0-9a-f]{64}_[0-9a-f]{32}", token), printed.stdout
    assert "the anchor of row 3" in printed.stderr
    with keyed.read() as session:
        assert Anchor.parse(token) == Anchor(3, head(session)[1], Anchor.parse(token).tag)

    def verify_(*anchor: str) -> Any:
        args = [a for t in anchor for a in ("--expect-head", t)]
        return runner.invoke(audit_app, ["verify", *args, "--database-url", db_url])

    held = verify_(token)
    assert held.exit_code == 0 and "1 anchor(s) held" in held.output, held.output
    _cut_newest(keyed)
    assert verify_().exit_code == 0  # without the anchor the cut chain is whole
    cut = verify_(token)
    assert cut.exit_code == 1, cut.output
    assert "cut" in cut.output and "ends at row 2" in cut.output.replace("\n", " ")
    plain = verify_(f"3:{Anchor.parse(token).hash}")  # an unsigned ID:HASH does as well
    assert plain.exit_code == 1 and "cut" in plain.output


def test_anchors_that_are_not_anchors_are_refused(keyed: Store, db_url: str) -> None:
    other = AuditKey(b"\x01" * 32)
    foreign = Anchor.signed(other, 3, "0" * 64).token
    for given, words in (
        ("3:abc", "an anchor is a token"),
        (foreign, "not signed with this store's audit key"),
        (foreign.replace("tda1_3_", "tda1_2_"), "not signed with this store's audit key"),
    ):
        result = runner.invoke(
            audit_app, ["verify", "--expect-head", given, "--database-url", db_url]
        )
        assert result.exit_code == 2, (given, result.output)
        assert words in result.stderr and "Traceback" not in result.output


def test_head_needs_a_key(
    store: Store, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(FILE_ENV, raising=False)
    monkeypatch.setenv(DIR_ENV, str(tmp_path / "keys"))
    result = runner.invoke(audit_app, ["head", "--database-url", db_url])
    assert result.exit_code == 2 and "audit key init" in result.stderr
    assert result.stdout == ""


def test_the_anchor_writer_appends_the_head_when_it_moved(
    keyed: Store, tmp_path: Path, db_url: str
) -> None:
    path = tmp_path / "anchors" / "trail.anchors"
    writer = AnchorWriter(keyed, path, every=3600)
    writer.start()
    try:
        assert writer.write_once() is None  # the head has not moved
        with keyed.transaction() as session:
            add_entries(session, 2)
        written = writer.write_once()
        assert written is not None and written.id == 5
    finally:
        writer.stop()
    lines = path.read_text().splitlines()
    assert len(lines) == 2  # at start, after the move; the stop found nothing new
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 tda1_3_\w+", lines[0])
    assert [a.id for a in read_anchor_file(path)] == [3, 5]
    again = AnchorWriter(keyed, path, every=3600)  # a restart does not repeat the last one
    assert again.write_once() is None
    ok = runner.invoke(audit_app, ["verify", "--anchor-file", str(path), "--database-url", db_url])
    assert ok.exit_code == 0 and "2 anchor(s) held" in ok.output
    disable_audit_triggers(keyed.engine)  # T18: the log emptied, the head reset
    with keyed.engine.begin() as conn:
        conn.execute(delete(LOG))
        conn.execute(update(HEAD).values(last_id=0, last_hash=GENESIS_HASH))
    bad = runner.invoke(audit_app, ["verify", "--anchor-file", str(path), "--database-url", db_url])
    assert bad.exit_code == 1 and "emptied" in bad.output


def test_an_anchor_file_that_cannot_be_written_or_read_is_named(
    keyed: Store, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot write the anchor file"):
        AnchorWriter(keyed, blocker / "trail.anchors", every=60).start()
    garbled = tmp_path / "garbled.anchors"
    garbled.write_text("# anchors\n2026-12-07T10:00:00+00:00 tda1_1_zz\n")
    with pytest.raises(InputError) as refused:
        read_anchor_file(garbled)
    assert f"{garbled}:2" in str(refused.value)


def test_serve_makes_the_key_and_writes_anchors(tmp_path: Path) -> None:
    """The first start makes the key beside the SQLite file, says where, and anchors."""
    db, anchors = tmp_path / "trialdesk.db", tmp_path / "trail.anchors"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRIALDESK_AUDIT_KEY")}
    log = tmp_path / "serve.log"
    exe = Path(sys.executable).with_name("trialdesk")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--database-url", f"sqlite:///{db}",
         "--anchor-file", str(anchors), "--anchor-every", "0.1"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"serve did not start: {log.read_text()}")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    output = " ".join(log.read_text().split())
    key = tmp_path / "trialdesk.db.audit-key"
    assert f"audit key created: {key}" in output and "Keep it secret" in output, output
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert f"audit anchors: appended to {anchors}" in output
    written = read_anchor_file(anchors)  # the setup link's entry, keyed and anchored
    assert written[-1].id >= 1
    result = runner.invoke(
        audit_app,
        ["verify", "--anchor-file", str(anchors), "--database-url", f"sqlite:///{db}"],
        env={FILE_ENV: str(key)},
    )
    assert result.exit_code == 0 and "keyed:" in result.output, result.output
