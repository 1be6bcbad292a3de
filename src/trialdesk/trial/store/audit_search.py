"""Finding audit entries: one record's trail, or the log filtered for a monitor.

The entries are read as the database holds them, not through the ORM's typed columns: a
row altered outside the application (a malformed time, text that is not UTF-8, changes
that are not ``{field: [old, new]}``: security probe F6e, T19) is shown as unreadable,
named by its id, instead of failing the page that lists it. ``audit verify`` reports it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import ColumnElement, LargeBinary, Select, Text, and_, cast, select
from sqlalchemy.orm import Session

from trialdesk.trial.store.models import AuditRecord

__all__ = ["AuditFilter", "TrailEntry", "about", "entities", "search", "trail"]

_TEXT = ("actor", "action", "entity", "entity_id", "reason")


@dataclass(frozen=True)
class TrailEntry:
    """An audit entry as shown: its fields, or, where one cannot be read, None and
    ``unreadable`` saying which (never the value)."""

    id: int
    at: datetime | None
    actor: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, list[Any]]
    reason: str | None
    unreadable: str | None = None


def about(entity: str, ids: list[str]) -> ColumnElement[bool]:
    """The entries about the rows ``ids`` of table ``entity``."""
    return and_(AuditRecord.entity == entity, AuditRecord.entity_id.in_(ids))


def _columns(sqlite: bool) -> list[Any]:
    """SQLite: every value but the id as bytes (any type, any encoding reads); PostgreSQL
    holds its types, so only the JSON is read as its text."""
    t = AuditRecord.__table__
    if sqlite:
        names = ("at", *_TEXT, "changes")
        return [t.c.id, *(cast(t.c[n], LargeBinary).label(n) for n in names)]
    return [t.c.id, t.c.at, *(t.c[n] for n in _TEXT), cast(t.c.changes, Text).label("changes")]


class _Bad(Exception):
    pass


def _text(value: object, name: str) -> str | None:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _Bad(f"its {name} is not UTF-8 text") from None
    if value is None or isinstance(value, str):
        return value
    raise _Bad(f"its {name} is not text")


def _at(value: object) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value, "time") or "")
        except ValueError:
            raise _Bad("its time is not a valid timestamp") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _changes(value: object) -> dict[str, list[Any]]:
    text = _text(value, "changes")
    try:
        changes = json.loads(text) if text is not None else {}
    except (ValueError, RecursionError):
        raise _Bad("its changes are not valid JSON") from None
    if not isinstance(changes, dict) or not all(
        isinstance(pair, list) and len(pair) == 2 for pair in changes.values()
    ):
        raise _Bad("its changes are not {field: [old, new]}")
    return changes


def _entry(row: Any) -> TrailEntry:
    problems: list[str] = []

    def read(reader: Any, value: object, *args: str) -> Any:
        try:
            return reader(value, *args)
        except _Bad as bad:
            problems.append(str(bad))
            return None

    texts = {n: read(_text, row[n], n) for n in _TEXT}
    return TrailEntry(
        id=row["id"],
        at=read(_at, row["at"]),
        actor=texts["actor"] or "",
        action=texts["action"] or "",
        entity=texts["entity"] or "",
        entity_id=texts["entity_id"] or "",
        changes=read(_changes, row["changes"]) or {},
        reason=texts["reason"],
        unreadable="; ".join(problems) or None,
    )


def _read(session: Session, query: Select[Any]) -> list[TrailEntry]:
    return [_entry(row) for row in session.execute(query).mappings()]


def _select(session: Session) -> Select[Any]:
    return select(*_columns(session.get_bind().dialect.name == "sqlite"))


def trail(session: Session, scope: ColumnElement[bool]) -> list[TrailEntry]:
    """Every entry in ``scope`` (see :func:`about`), oldest first."""
    return _read(session, _select(session).where(scope).order_by(AuditRecord.id))


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    since: date | None = None
    until: date | None = None  # inclusive
    entity: str | None = None  # one kind of record (its table: candidate, entered_fact, …)
    zone: tzinfo = UTC  # the days above are the site's days, in its time zone


def search(
    session: Session,
    f: AuditFilter,
    limit: int = 200,
    scope: ColumnElement[bool] | None = None,
    before: int | None = None,
) -> list[TrailEntry]:
    """The newest ``limit`` entries matching every filter given, within ``scope``; with
    ``before``, the newest of those older than entry ``before`` (the next page: ids only
    grow, so a page stays the same while new entries are written)."""
    query = _select(session)
    if scope is not None:
        query = query.where(scope)
    if f.actor:
        query = query.where(AuditRecord.actor == f.actor.strip().lower())
    if f.entity:
        query = query.where(AuditRecord.entity == f.entity)
    if f.since:
        start = datetime.combine(f.since, time.min, tzinfo=f.zone).astimezone(UTC)
        query = query.where(AuditRecord.at >= start)
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time.min, tzinfo=f.zone)
        query = query.where(AuditRecord.at < end.astimezone(UTC))
    if before is not None:
        query = query.where(AuditRecord.id < before)
    return _read(session, query.order_by(AuditRecord.id.desc()).limit(limit))


def entities(session: Session) -> list[str]:
    """The kinds of record the log has entries about, for a filter's choices."""
    return list(session.scalars(select(AuditRecord.entity).distinct().order_by(AuditRecord.entity)))
