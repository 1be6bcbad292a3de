"""Helpers shared by the trial store tests."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord, Base

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


def audit_rows(store: Store) -> list[AuditRecord]:
    with store.read() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def count(store: Store, model: type[Base]) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def disable_audit_triggers(engine: Engine) -> None:
    """What a DBA could do before editing the log by hand."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")


def add_entries(session: Session, n: int, actor: str = "tester") -> None:
    from trialdesk.trial.store.audit import Action, append

    for i in range(n):
        append(
            session,
            actor=actor,
            action=Action.UPDATE,
            entity="lead",
            entity_id=str(i),
            changes={"status": ("new", "contacted"), "n": (i, i + 1)},
            reason=f"entry {i}",
        )
