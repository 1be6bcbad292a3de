"""The audit chain: appends verify; every kind of tampering is found and named."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.store import audit
from trialdesk.trial.store.audit import Action, ProblemKind, append, changes_between, verify
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AppendOnlyError, AuditHead, AuditRecord
from trialdesk.trial.store.values import canonical_json

from .helpers import add_entries, disable_audit_triggers

LOG = AuditRecord.__table__


def report(store: Store) -> audit.AuditReport:
    with store.read() as session:
        return verify(session)


def kinds(r: audit.AuditReport) -> set[tuple[int, ProblemKind]]:
    return {(p.row_id, p.kind) for p in r.problems}


@pytest.fixture
def chain(store: Store) -> Store:
    """A store with five audit entries, triggers dropped as a DBA could."""
    with store.transaction() as session:
        add_entries(session, 5)
    disable_audit_triggers(store.engine)
    return store


def test_empty_and_intact_chains_verify(store: Store) -> None:
    assert report(store).ok and report(store).rows == 0
    with store.transaction() as session:
        add_entries(session, 3)
    with store.transaction() as session:
        add_entries(session, 2)
    r = report(store)
    assert r.ok and r.rows == 5 and r.problems == []
    assert r.head_id == 5


def test_append_links_each_entry_to_the_previous(store: Store) -> None:
    with store.transaction() as session:
        first = append(session, actor="a", action=Action.CREATE, entity="lead", entity_id="1")
        second = append(
            session,
            actor="a",
            action=Action.UPDATE,
            entity="lead",
            entity_id="1",
            changes={"status": ("new", "contacted"), "when": (None, date(2026, 3, 2))},
            reason="phoned",
        )
    assert (first.id, second.id) == (1, 2)
    assert first.prev_hash == "0" * 64 and second.prev_hash == first.hash
    with store.read() as session:
        rows = list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))
    assert rows[1].changes == {"status": ["new", "contacted"], "when": [None, "2026-03-02"]}
    assert rows[1].reason == "phoned"


def test_an_action_outside_the_closed_set_is_refused_and_nothing_is_written(
    store: Store,
) -> None:
    refused = pytest.raises(ValueError, match="'delete' is not a valid Action")
    with refused, store.transaction() as session:
        append(session, actor="a", action="delete", entity="lead", entity_id="1")  # type: ignore[arg-type]
    assert report(store).rows == 0


def test_edited_changes_are_detected_naming_the_row(chain: Store) -> None:
    with chain.engine.begin() as conn:
        conn.execute(update(LOG).where(LOG.c.id == 3).values(changes={"status": ["x", "y"]}))
    r = report(chain)
    assert not r.ok
    assert kinds(r) == {(3, ProblemKind.EDITED)}
    assert "row 3" in str(r.problems[0])


def test_edit_with_recomputed_hash_breaks_the_next_link(chain: Store) -> None:
    with chain.engine.begin() as conn:
        row = dict(conn.execute(select(LOG).where(LOG.c.id == 3)).mappings().one())
        row["actor"] = "someone-else"
        conn.execute(
            update(LOG)
            .where(LOG.c.id == 3)
            .values(actor="someone-else", hash=audit.entry_hash(row))
        )
    assert kinds(report(chain)) == {(4, ProblemKind.CHAIN)}


def test_deleted_middle_row_is_detected(chain: Store) -> None:
    with chain.engine.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.id == 3))
    r = report(chain)
    assert (4, ProblemKind.MISSING) in kinds(r) and (4, ProblemKind.CHAIN) in kinds(r)
    assert r.rows == 4


def test_deleted_newest_row_is_detected_by_the_head(chain: Store) -> None:
    with chain.engine.begin() as conn:
        conn.execute(delete(LOG).where(LOG.c.id == 5))
    r = report(chain)
    assert kinds(r) == {(5, ProblemKind.HEAD)}
    assert "newest" in r.problems[0].message


def test_swapped_rows_are_detected(chain: Store) -> None:
    fields = [c.name for c in LOG.columns if c.name != "id"]
    with chain.engine.begin() as conn:
        two = conn.execute(select(LOG).where(LOG.c.id == 2)).mappings().one()
        three = conn.execute(select(LOG).where(LOG.c.id == 3)).mappings().one()
        conn.execute(update(LOG).where(LOG.c.id == 2).values({f: three[f] for f in fields}))
        conn.execute(update(LOG).where(LOG.c.id == 3).values({f: two[f] for f in fields}))
    found = kinds(report(chain))
    assert {(2, ProblemKind.EDITED), (3, ProblemKind.EDITED)} <= found


def test_missing_head_row_is_detected(chain: Store) -> None:
    with chain.engine.begin() as conn:
        if chain.engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_head_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_head DISABLE TRIGGER USER")
        conn.execute(delete(AuditHead.__table__))
    assert [p.kind for p in report(chain).problems] == [ProblemKind.HEAD]


def test_orm_guard_refuses_update_and_delete(store: Store) -> None:
    with store.transaction() as session:
        add_entries(session, 1)
    with pytest.raises(AppendOnlyError), store.transaction() as session:
        row = session.get(AuditRecord, 1)
        assert row is not None
        row.reason = "rewritten"
        session.flush()
    with pytest.raises(AppendOnlyError), store.transaction() as session:
        session.delete(session.get(AuditRecord, 1))
        session.flush()
    with pytest.raises(AppendOnlyError), store.transaction() as session:
        session.execute(update(AuditRecord).values(reason="x"))
    with pytest.raises(AppendOnlyError), store.transaction() as session:
        session.execute(delete(AuditRecord))
    assert report(store).ok and report(store).rows == 1


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log", "DELETE FROM audit_head"]
)
def test_database_trigger_refuses_raw_changes(store: Store, sql: str) -> None:
    with store.transaction() as session:
        add_entries(session, 2)
    with (
        pytest.raises(DatabaseError, match="append-only|cannot be deleted"),
        store.engine.begin() as conn,
    ):
        conn.execute(text(sql))
    assert report(store).ok and report(store).rows == 2


def test_postgresql_trigger_refuses_truncate(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL only")
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))


def test_failed_transaction_leaves_no_entry_and_no_gap(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        add_entries(session, 2)
        raise RuntimeError("boom")
    with store.transaction() as session:
        add_entries(session, 1)
    r = report(store)
    assert r.ok and r.rows == 1 and r.head_id == 1


def test_concurrent_writers_keep_one_chain(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def work(n: int) -> None:
        for _ in range(5):
            with store.transaction() as session:
                add_entries(session, 1, actor=f"w{n}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    r = report(store)
    assert r.ok and r.rows == 20


def test_changes_between() -> None:
    before = {"role": Role.COORDINATOR, "active": True, "note": None}
    after = {"role": "coordinator", "active": False, "extra": 1}
    assert changes_between(before, after) == {"active": (True, False), "extra": (None, 1)}


def test_canonical_json_is_deterministic() -> None:
    when = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    a = canonical_json({"b": [when, Decimal("1.5")], "a": {"z": 1, "y": Role.ADMIN}})
    assert a == '{"a":{"y":"admin","z":1},"b":["2026-03-02T10:00:00+00:00","1.5"]}'
    with pytest.raises(ValueError):
        canonical_json(float("nan"))
    with pytest.raises(TypeError):
        canonical_json(object())
    with pytest.raises(ValueError):
        canonical_json(datetime(2026, 3, 2))  # naive: its zone would be a guess
