"""When a transaction's audit entries reach the database: before any statement of the
session reads (its own tables or the trail), at a flush, at a savepoint's start and at
the commit; the head moved with them by a statement of its own, never left for the ORM
to flush. And a created row's entry lists exactly the fields that are not empty."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from sqlalchemy import func, select, text

from trialdesk.trial.store.audit import Action, append, changes_between, created, head, verify
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditHead, AuditRecord
from trialdesk.trial.store.values import to_json_value


def _add(session: Any, name: str) -> None:
    append(session, actor="a", action=Action.CREATE, entity="lead", entity_id=name)


def _count(session: Any) -> int:
    return session.scalar(select(func.count()).select_from(AuditRecord)) or 0


def test_a_query_of_the_session_sees_the_entries_appended_before_it(store: Store) -> None:
    with store.transaction() as session:
        _add(session, "a")
        _add(session, "b")
        assert _count(session) == 2  # an ORM statement
        _add(session, "c")
        assert session.execute(text("SELECT count(*) FROM audit_log")).scalar() == 3
        row = session.execute(select(AuditHead.last_id).where(AuditHead.id == 1)).scalar()
        assert row == 3 == head(session)[0]
    with store.read() as session:
        assert verify(session).ok and verify(session).rows == 3


def test_an_append_leaves_the_head_row_clean_and_as_appended(store: Store) -> None:
    """The head row the transaction locked shows the newest entry, but is nothing for the
    ORM to flush: the entries' own statement moves it (once per write, not per flush)."""
    with store.transaction() as session:
        _add(session, "a")
        held = session.get(AuditHead, 1)
        assert held is not None
        assert held.last_id == 1 and held not in session.dirty
        _add(session, "b")
        assert held.last_id == 2 and not session.dirty
    with store.read() as session:
        assert head(session)[0] == 2 and verify(session).ok


def test_entries_appended_before_a_savepoint_survive_its_rollback(store: Store) -> None:
    with store.transaction() as session:
        _add(session, "kept")
        savepoint = session.begin_nested()
        _add(session, "undone")
        _ = _count(session)  # written inside the savepoint
        savepoint.rollback()
        _add(session, "after")
    with store.read() as session:
        rows = session.scalars(select(AuditRecord).order_by(AuditRecord.id)).all()
        assert [(r.id, r.entity_id) for r in rows] == [(1, "kept"), (2, "after")]
        assert verify(session).ok


class _Colour(Enum):
    RED = "red"
    NONE = None


@pytest.mark.parametrize(
    "fields",
    [
        {"a": None, "b": "", "c": 0, "d": False, "e": "x"},
        {"when": datetime(2026, 3, 1, 9, tzinfo=UTC), "on": date(2026, 3, 1), "n": Decimal("1.50")},
        {"values": {"x": "1"}, "empty": {}, "list": [], "items": [1, None]},
        {"colour": _Colour.RED, "none": _Colour.NONE, "z": 1.5},
    ],
)
def test_a_created_rows_entry_lists_its_fields_as_changes_between_does(
    store: Store, fields: dict[str, Any]
) -> None:
    class Row:
        __tablename__ = "lead"
        id = 7

    with store.transaction() as session:
        entry = created(session, Row(), actor="a", fields=fields, reason=None)
    expected = changes_between({}, fields)
    assert entry.changes == {
        k: [to_json_value(o), to_json_value(n)] for k, (o, n) in expected.items()
    }
    assert list(entry.changes) == sorted(entry.changes)
