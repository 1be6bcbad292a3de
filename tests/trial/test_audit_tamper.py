"""The security probe's tamper matrix (reviews/security-probe.md, T1-T28) as tests: each
edit of the audit log, on SQLite and on PostgreSQL, is detected, and the test names the
check that detects it (the problem kinds ``audit.verify`` reports, and at which rows).

One keyed chain per database (4 entries made before the key, 20 after it), built once;
each case tampers inside a transaction that is rolled back, so the cases stay fast and
independent. A case that needs the triggers out of the way drops them (SQLite) or
disables them (PostgreSQL) inside that transaction, as a DBA or the tables' owner could;
the forged appends (T12-T14) need no bypass at all: the triggers allow INSERT and the
head's UPDATE. "With the anchor" is the same check given the head as anchored before the
tampering (``audit verify --expect-head``). The data-table edits D1-D4 are checked by
``audit verify --data``, not here.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.orm import Session

from trialdesk.trial.store.anchors import Anchor
from trialdesk.trial.store.audit import (
    Action,
    AuditReport,
    ProblemKind,
    append,
    entry_hash,
    head,
    verify,
)
from trialdesk.trial.store.audit_key import DIR_ENV, FILE_ENV, KEY_ENV, AuditKey, create_key
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.models import GENESIS_HASH, AuditHead, AuditRecord

LOG = AuditRecord.__table__
HEAD = AuditHead.__table__
N = 24  # entries in the chain
BEFORE_KEY = 4  # entries made before the store had its key: keyed from row 5
M = 10  # the row most cases tamper with (keyed, reason NULL)
K = ProblemKind


@dataclass
class Chain:
    store: Store
    key: AuditKey
    anchor: Anchor  # the head as it was before any tampering


def _entry(session: Session, i: int) -> None:
    append(
        session,
        actor="coordinator",
        action=Action.UPDATE,
        entity="candidate",
        entity_id=str(i),
        changes={
            "n": (i, i + 1),
            "flag": (False, True),
            "note": (None, unicodedata.normalize("NFC", f"café {i}")),
        },
        reason=None if i % 2 == 0 else f"entry {i}",
    )


def _pg(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def chain(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Chain]:
    where = tmp_path_factory.mktemp("tamper")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{where / 'trial.db'}"
    else:
        server: str = request.getfixturevalue("pg_server")
        schema = f"td_tamper_{os.getpid()}_{os.urandom(4).hex()}"
        _pg(server, f'CREATE SCHEMA "{schema}"')
        url = f"{server}?options=-csearch_path%3D{schema}"
    with pytest.MonkeyPatch.context() as env:
        # the default places: beside the SQLite file; for PostgreSQL, under the key folder
        env.delenv(KEY_ENV, raising=False)
        env.delenv(FILE_ENV, raising=False)
        env.setenv(DIR_ENV, str(where))
        store = open_store(url)
        try:
            with store.transaction() as session:
                for i in range(1, BEFORE_KEY + 1):
                    _entry(session, i)
            key = create_key(store.engine, store.url)
            assert key.keyed_from == BEFORE_KEY + 1
            for first in range(BEFORE_KEY + 1, N + 1, 5):
                with store.transaction() as session:
                    for i in range(first, min(first + 5, N + 1)):
                        _entry(session, i)
            with store.read() as session:
                row_id, row_hash = head(session)
            assert row_id == N
            yield Chain(store, key, Anchor.signed(key, row_id, row_hash))
        finally:
            store.close()
            if schema is not None:
                _pg(server, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def bypass(conn: Connection) -> None:
    """What the tables' owner or a DBA can do first: the append-only triggers out."""
    if conn.dialect.name == "sqlite":
        for trigger in ("audit_log_no_update", "audit_log_no_delete", "audit_head_no_delete"):
            conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
    else:
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        conn.exec_driver_sql("ALTER TABLE audit_head DISABLE TRIGGER USER")


def row(conn: Connection, row_id: int) -> dict[str, Any]:
    return dict(conn.execute(select(LOG).where(LOG.c.id == row_id)).mappings().one())


def edit(conn: Connection, row_id: int, **values: Any) -> None:
    conn.execute(update(LOG).where(LOG.c.id == row_id).values(**values))


def set_head(conn: Connection, last_id: int, last_hash: str) -> None:
    conn.execute(update(HEAD).where(HEAD.c.id == 1).values(last_id=last_id, last_hash=last_hash))


def set_changes_text(conn: Connection, row_id: int, raw: str) -> None:
    """Store exactly this JSON text (PostgreSQL's json type keeps it as written)."""
    value = ":raw" if conn.dialect.name == "sqlite" else "CAST(:raw AS json)"
    conn.execute(text(f"UPDATE audit_log SET changes = {value} WHERE id = :id"),
                 {"raw": raw, "id": row_id})  # fmt: skip


def forged(
    conn: Connection, after: int, key: AuditKey | None = None, **values: Any
) -> dict[str, Any]:
    """A new entry chained to row ``after``, hashed as someone without the key can
    (plain SHA-256), or with ``key``."""
    fields = row(conn, after) | {"id": after + 1, "prev_hash": row(conn, after)["hash"]}
    fields |= {"actor": "inv", "action": "sign", "reason": "forged"} | values
    fields["hash"] = entry_hash(fields, key)
    return fields


def rewrite_from(conn: Connection, first: int, key: AuditKey | None) -> None:
    """Rewrite every row from ``first`` (the actor changed), rechaining and rehashing
    each, and the head: without the key (plain SHA-256) or with it."""
    prev = row(conn, first - 1)["hash"]
    for i in range(first, N + 1):
        fields = row(conn, i) | {"actor": "someone-else", "prev_hash": prev}
        prev = entry_hash(fields, key)
        edit(conn, i, actor="someone-else", prev_hash=fields["prev_hash"], hash=prev)
    set_head(conn, N, prev)


def _t7(conn: Connection) -> None:
    conn.execute(delete(LOG).where(LOG.c.id == M))
    for i in range(M + 1, N + 1):
        edit(conn, i, id=i - 1)
    set_head(conn, N - 1, row(conn, N - 1)["hash"])


def _t11(conn: Connection) -> None:
    names = [c.name for c in LOG.columns if c.name != "id"]
    a, b = row(conn, M), row(conn, M + 1)
    edit(conn, M, **{n: b[n] for n in names})
    edit(conn, M + 1, **{n: a[n] for n in names})


def _cut(conn: Connection, rows: int) -> None:
    conn.execute(delete(LOG).where(LOG.c.id > N - rows))
    set_head(conn, N - rows, row(conn, N - rows)["hash"])


def _append(conn: Connection, gap: int, advance: bool) -> None:
    fields = forged(conn, N, id=N + 1 + gap)
    conn.execute(insert(LOG).values(**fields))
    if advance:
        set_head(conn, fields["id"], fields["hash"])


def _changes(conn: Connection, change: Callable[[dict[str, Any]], None]) -> None:
    changes = row(conn, M)["changes"]
    change(changes)
    edit(conn, M, changes=changes)


def _t28(changes: dict[str, Any]) -> None:
    changes["note"][1] = unicodedata.normalize("NFD", changes["note"][1])


@dataclass(frozen=True)
class Case:
    tamper: Callable[[Connection, AuditKey], None]
    found: set[tuple[int, ProblemKind]]  # without an anchor: the key, chain and head
    anchored: set[tuple[int, ProblemKind]] = field(default_factory=set)  # with the anchor, too
    needs_bypass: bool = True
    sqlite_only: str | None = None  # why the case cannot be made on PostgreSQL


EDITED_M = {(M, K.EDITED)}
CASES: dict[str, Case] = {
    "T1 actor edited": Case(lambda c, k: edit(c, M, actor="investigator"), EDITED_M),
    "T2 a value in changes edited": Case(
        lambda c, k: _changes(c, lambda ch: ch["n"].__setitem__(1, 99)), EDITED_M
    ),
    "T3 at moved by 1 us": Case(
        lambda c, k: edit(c, M, at=row(c, M)["at"] + timedelta(microseconds=1)), EDITED_M
    ),
    "T4 reason NULL to ''": Case(lambda c, k: edit(c, M, reason=""), EDITED_M),
    "T5 edited, its own hash recomputed (no key)": Case(
        lambda c, k: edit(c, M, actor="x", hash=entry_hash(row(c, M) | {"actor": "x"})),
        {(M, K.UNKEYED), (M + 1, K.CHAIN)},
    ),
    "T5k edited, its own hash recomputed with the key": Case(
        lambda c, k: edit(c, M, actor="x", hash=entry_hash(row(c, M) | {"actor": "x"}, k)),
        {(M + 1, K.CHAIN)},
    ),
    "T6 middle row deleted": Case(
        lambda c, k: c.execute(delete(LOG).where(LOG.c.id == M)),
        {(M + 1, K.MISSING), (M + 1, K.CHAIN)},
    ),
    "T7 middle row deleted, later ids renumbered, head id fixed": Case(
        lambda c, k: _t7(c),
        {(i, K.EDITED) for i in range(M, N)} | {(M, K.CHAIN)},
        {(N, K.CUT)},
    ),
    "T8 newest row deleted, head untouched": Case(
        lambda c, k: c.execute(delete(LOG).where(LOG.c.id == N)), {(N, K.HEAD)}, {(N, K.CUT)}
    ),
    "T9 newest row deleted, head rewound": Case(lambda c, k: _cut(c, 1), set(), {(N, K.CUT)}),
    "T10 newest 20 rows deleted, head rewound": Case(lambda c, k: _cut(c, 20), set(), {(N, K.CUT)}),
    "T11 two rows swapped": Case(
        lambda c, k: _t11(c),
        {(M, K.EDITED), (M + 1, K.EDITED), (M, K.CHAIN), (M + 1, K.CHAIN), (M + 2, K.CHAIN)},
    ),
    "T12 row appended after a gap, head untouched": Case(
        lambda c, k: _append(c, gap=1, advance=False),
        {(N + 2, K.MISSING), (N + 2, K.UNKEYED), (N, K.HEAD)},
        needs_bypass=False,
    ),
    "T13 forged chained row appended, head advanced": Case(
        lambda c, k: _append(c, gap=0, advance=True), {(N + 1, K.UNKEYED)}, needs_bypass=False
    ),
    "T14 chained row appended, head untouched": Case(
        lambda c, k: _append(c, gap=0, advance=False),
        {(N + 1, K.UNKEYED), (N, K.HEAD)},
        needs_bypass=False,
    ),
    "T15 suffix rewritten from a middle row, head included (no key)": Case(
        lambda c, k: rewrite_from(c, M, None),
        {(i, K.UNKEYED) for i in range(M, N + 1)},
        {(N, K.ANCHOR)},
    ),
    "T15k suffix rewritten with the key, head included": Case(
        lambda c, k: rewrite_from(c, M, k), set(), {(N, K.ANCHOR)}
    ),
    "T16 audit_head deleted": Case(lambda c, k: c.execute(delete(HEAD)), {(N, K.HEAD)}),
    "T17 head hash changed": Case(lambda c, k: set_head(c, N, "f" * 64), {(N, K.HEAD)}),
    "T18 log emptied, head reset to genesis": Case(
        lambda c, k: (c.execute(delete(LOG)), set_head(c, 0, GENESIS_HASH)),
        {(BEFORE_KEY, K.CUT)},  # the key was made when the log had reached row 4
        {(N, K.CUT)},
    ),
    "T19 malformed at text": Case(
        lambda c, k: c.exec_driver_sql(f"UPDATE audit_log SET at = at || ' X' WHERE id = {M}"),
        {(M, K.UNREADABLE)},
        sqlite_only="timestamptz refuses text that is not a time",
    ),
    "T19b actor not UTF-8": Case(
        lambda c, k: c.exec_driver_sql(
            f"UPDATE audit_log SET actor = CAST(X'C328' AS TEXT) WHERE id = {M}"
        ),
        {(M, K.UNREADABLE)},
        sqlite_only="PostgreSQL refuses text that is not valid in its encoding",
    ),
    "T19c NaN in changes": Case(
        lambda c, k: set_changes_text(c, M, '{"n": [NaN, 1]}'),
        {(M, K.UNREADABLE)},
        sqlite_only="PostgreSQL's json type refuses NaN",
    ),
    "T19d changes not JSON": Case(
        lambda c, k: set_changes_text(c, M, '{"n": [1, 2]'),
        {(M, K.UNREADABLE)},
        sqlite_only="PostgreSQL's json type refuses text that is not JSON",
    ),
    "T21 duplicate JSON key with forged values (F14)": Case(
        lambda c, k: set_changes_text(
            c, M, '{"n": ["FORGED-OLD", "FORGED-NEW"], ' + json.dumps(row(c, M)["changes"])[1:]
        ),
        {(M, K.DUPLICATE_KEY)},
    ),
    "T22 hash only": Case(
        lambda c, k: edit(c, M, hash="a" * 64), {(M, K.EDITED), (M + 1, K.CHAIN)}
    ),
    "T23 prev_hash only": Case(
        lambda c, k: edit(c, M, prev_hash="a" * 64), {(M, K.EDITED), (M, K.CHAIN)}
    ),
    "T24 actor case": Case(lambda c, k: edit(c, M, actor="Coordinator"), EDITED_M),
    "T25 entity_id trailing space": Case(lambda c, k: edit(c, M, entity_id=f"{M} "), EDITED_M),
    "T26 int to float in changes": Case(
        lambda c, k: _changes(c, lambda ch: ch["n"].__setitem__(0, float(M))), EDITED_M
    ),
    "T27 bool to int in changes": Case(
        lambda c, k: _changes(c, lambda ch: ch["flag"].__setitem__(1, 1)), EDITED_M
    ),
    "T28 Unicode combining accent": Case(lambda c, k: _changes(c, _t28), EDITED_M),
}


def check(chain: Chain, tamper: Callable[[Connection], object], bypassed: bool,
          anchors: list[Anchor]) -> AuditReport:  # fmt: skip
    """Tamper and verify in one transaction, rolled back."""
    with chain.store.engine.connect() as conn:
        outer = conn.begin()
        try:
            if bypassed:
                bypass(conn)
            tamper(conn)
            with Session(bind=conn) as session:
                return verify(session, anchors=anchors)
        finally:
            outer.rollback()


def found(report: AuditReport) -> set[tuple[int, ProblemKind]]:
    return {(p.row_id, p.kind) for p in report.problems}


def test_the_chain_verifies_keyed_and_anchored(chain: Chain) -> None:
    report = check(chain, lambda conn: None, False, [chain.anchor])
    assert report.ok, report.problems
    assert (report.rows, report.keyed_from, report.anchors) == (N, BEFORE_KEY + 1, 1)
    with chain.store.read() as session:
        hashes = session.execute(select(LOG.c.id, LOG.c.hash).order_by(LOG.c.id)).all()
        plain = [entry_hash(row) for row in session.execute(select(LOG)).mappings()]
    # the rows before the key are plain SHA-256, the rows from keyed_from on are not
    assert [h == p for (_, h), p in zip(hashes, plain, strict=True)] == [True] * 4 + [False] * 20


@pytest.mark.parametrize("name", list(CASES))
def test_tampering_is_detected_by_the_check_named(chain: Chain, name: str) -> None:
    case = CASES[name]
    if case.sqlite_only and chain.store.engine.dialect.name != "sqlite":
        pytest.skip(f"{name}: {case.sqlite_only}")

    def tamper(conn: Connection) -> None:
        case.tamper(conn, chain.key)

    without = check(chain, tamper, case.needs_bypass, [])
    assert found(without) == case.found, [str(p) for p in without.problems]
    anchored = check(chain, tamper, case.needs_bypass, [chain.anchor])
    assert found(anchored) == case.found | case.anchored, [str(p) for p in anchored.problems]
    assert not anchored.ok  # every case is caught, with the anchor at the latest


def test_a_re_serialised_json_is_not_flagged(chain: Chain) -> None:
    """T20b: the same JSON written another way (spaces, key order) is the same entry."""

    def tamper(conn: Connection) -> None:
        changes = row(conn, M)["changes"]
        set_changes_text(conn, M, json.dumps(dict(reversed(changes.items())), indent=3))

    assert check(chain, tamper, True, [chain.anchor]).ok


def test_an_unkeyed_check_misses_the_forged_append(chain: Chain) -> None:
    """Why the key: checked without it, as before, T13 passes (and every keyed row looks
    edited); with it, the forged row is named."""
    with chain.store.engine.connect() as conn:
        outer = conn.begin()
        _append(conn, gap=0, advance=True)
        with Session(bind=conn) as session:
            keyless = verify(session, key=None)
            keyed = verify(session)
        outer.rollback()
    assert found(keyless) == {(i, K.EDITED) for i in range(BEFORE_KEY + 1, N + 1)}
    assert found(keyed) == {(N + 1, K.UNKEYED)}
