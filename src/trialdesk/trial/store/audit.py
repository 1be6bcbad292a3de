"""The audit trail: an append-only, hash-chained log of every change to trial data.

Each entry's ``hash`` is taken over a canonical JSON of all its fields, including the
previous entry's hash, so editing, removing or reordering entries breaks the chain: an
HMAC-SHA256 under a key kept outside the database (audit_key.py) once the store has one,
so that nobody without the key can append an entry that verifies; SHA-256 before.
``audit_head`` records the newest entry in the same transaction, so removing entries
from the end shows as well. Defences in depth: an ORM guard (models.py) and database
triggers (migration 0001) refuse UPDATE and DELETE; ``verify`` (audit_chain.py) catches
what a DBA with the triggers dropped could still do. Cutting the tail and rewinding the
head leaves a whole chain: signed anchors of the head kept elsewhere show it
(anchors.py, ``trialdesk audit head``, ``audit verify --expect-head``). docs/audit.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.event import listens_for
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.attributes import set_committed_value

from trialdesk.errors import StoreError
from trialdesk.trial.store.audit_chain import (
    HASHED_FIELDS,
    AuditProblem,
    AuditReport,
    ProblemKind,
    entry_hash,
    entry_text,
    verify,
)
from trialdesk.trial.store.audit_key import AuditKey, key_for
from trialdesk.trial.store.keyed_chain import note_plain, refuse_if_keyed
from trialdesk.trial.store.locks import StudyLocked, declared_studies, not_study_data
from trialdesk.trial.store.models import AuditHead, AuditRecord
from trialdesk.trial.store.values import (
    JsonValue,
    as_utc,
    canonical_json,
    canonical_json_of,
    to_json_value,
    utc_now,
)

__all__ = [
    "HASHED_FIELDS",
    "Action",
    "AuditProblem",
    "AuditReport",
    "Entry",
    "ProblemKind",
    "append",
    "changes_between",
    "created",
    "entry_hash",
    "entry_text",
    "event",
    "head",
    "hold_head",
    "locked_studies",
    "retracted",
    "set_study_locked",
    "updated",
    "verify",
]


def _appended_hash(fields: Mapping[str, Any], key: AuditKey | None) -> str:
    """``entry_hash`` of an entry being appended, whose fields are plain JSON already but
    for ``at`` (a UTC datetime): the same text, hashed without walking the changes again."""
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["at"] = fields["at"].isoformat()
    text = canonical_json_of(payload).encode("utf-8")
    if key is not None and fields["id"] >= key.keyed_from:
        return key.entry_hash(text)
    return hashlib.sha256(text).hexdigest()


_KEY = "trialdesk.audit.key"  # session.info: (the transaction, the store's key)


def _chain_key(session: Session, last_id: int, last_hash: str) -> AuditKey | None:
    """The store's key, read once per transaction, after the head is locked: a key made
    meanwhile (audit_key.create_key, under the same lock) is seen by the next entry.
    Without one, a chain another process keyed is not extended (keyed_chain.py)."""
    transaction = session.get_transaction()
    cached = session.info.get(_KEY)
    if cached is not None and cached[0] is transaction:
        key: AuditKey | None = cached[1]
        return key
    key = key_for(session)
    if key is None:
        refuse_if_keyed(session, last_id, last_hash, "to write to it")
    session.info[_KEY] = (transaction, key)
    return key


def _changes(changes: Mapping[str, tuple[Any, Any]] | None) -> dict[str, JsonValue]:
    out: dict[str, JsonValue] = {}
    for name, pair in (changes or {}).items():
        old, new = pair
        out[str(name)] = [to_json_value(old), to_json_value(new)]
    return out


@dataclass
class _Held:
    """The head as this transaction locked it, the newest entry appended since (kept
    here, not read back from the row, whatever the session does), and the entries not
    written yet."""

    scope: tuple[object, object]  # (the root transaction, the savepoint) that locked it
    row: AuditHead
    last_id: int
    last_hash: str
    locked: frozenset[str]  # the studies locked, as the head says (store/locks.py)
    pending: list[dict[str, Any]] = field(default_factory=list)


_HELD = "trialdesk.audit.head"  # the key of a session's _Held in ``session.info``


@dataclass(frozen=True, slots=True)
class Entry:
    """An entry as appended (written before the session's next statement, flush or
    commit): the fields of its ``audit_log`` row."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, JsonValue]
    reason: str | None
    prev_hash: str
    hash: str


# Built once: building a statement costs more than running it (SQLAlchemy works out its
# cache key anew for every one built).
_APPEND = insert(AuditRecord)
# The head moved with the entries written: a statement of its own, not the ORM's flush of
# the head row (several times the cost, for every flush after an entry).
_HEAD_MOVED = (
    update(AuditHead)
    .where(AuditHead.id == 1)
    .values(last_id=bindparam("last_id"), last_hash=bindparam("last_hash"))
)
# FOR UPDATE serialises appenders on PostgreSQL; SQLite writers already hold the write
# lock from BEGIN IMMEDIATE (db.py), and ignores the clause.
_LOCK_HEAD = (
    select(AuditHead)
    .where(AuditHead.id == 1)
    .with_for_update()
    .execution_options(populate_existing=True)
)


_LOCKED_STUDIES = select(AuditHead.locked_studies).where(AuditHead.id == 1)


def _held(session: Session) -> _Held | None:
    """What this transaction (this savepoint) locked. Anything held for one that has
    ended is dropped: its entries were written before it ended, or rolled back with it
    (then the head row is expired, and read again with the lock)."""
    held: _Held | None = session.info.get(_HELD)
    if held is None:
        return None
    root, nested = held.scope
    if root is session.get_transaction() and nested is session.get_nested_transaction():
        return held
    del session.info[_HELD]
    if held.pending and root is session.get_transaction() and _active(nested):
        # a savepoint begun without them written first (_before_savepoint): never lost
        raise StoreError("audit entries were left unwritten ahead of a savepoint")
    return None


def _active(nested: object) -> bool:
    return nested is None or (isinstance(nested, SessionTransaction) and nested.is_active)


def _write_pending(session: Session) -> None:
    """The entries appended since they were last written, in one statement, and the head
    moved to the newest."""
    held = _held(session)
    if held is not None and held.pending:
        rows, held.pending = held.pending, []
        connection = session.connection()
        connection.execute(_APPEND, rows)
        connection.execute(_HEAD_MOVED, {"last_id": held.last_id, "last_hash": held.last_hash})


@listens_for(Session, "do_orm_execute")
def _before_execute(state: ORMExecuteState) -> None:
    """Before any statement of the session: a query in the transaction sees the entries
    appended (as it would rows its autoflush writes)."""
    _write_pending(state.session)


@listens_for(Session, "before_flush")
def _before_flush(session: Session, _ctx: object, _instances: object) -> None:
    """With any flush of the session's rows (an explicit one, a savepoint's, a commit's)."""
    _write_pending(session)


@listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    """And at the commit itself (of the transaction or a savepoint), whatever the flush
    did: a session with nothing else to flush skips it."""
    _write_pending(session)


@listens_for(Session, "after_transaction_create")
def _before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    """A savepoint begins (it has not reached the database yet): the entries appended
    before it are written first, outside it, so that rolling it back keeps them."""
    held: _Held | None = session.info.get(_HELD)
    if not transaction.nested or held is None or not held.pending:
        return
    outer = transaction.parent
    while outer is not None and not outer.nested:
        outer = outer.parent
    root, nested = held.scope
    if root is not session.get_transaction() or nested is not outer or outer is transaction:
        return  # not appended in the scope this savepoint is begun in
    rows, held.pending = held.pending, []
    assert transaction.parent is not None  # a savepoint is begun inside a transaction
    connection = transaction.parent.connection(None)
    connection.execute(_APPEND, rows)
    connection.execute(_HEAD_MOVED, {"last_id": held.last_id, "last_hash": held.last_hash})


def _locked_head(session: Session) -> _Held:
    """The head, locked by the first entry of a transaction and kept for the next ones:
    the lock is held to the commit anyway, so only the first entry selects it. A
    savepoint begun or ended since makes the next entry select it again (one rolled back
    may have released the lock, and its entries are gone)."""
    held = _held(session)
    if held is not None:
        return held
    head = session.execute(_LOCK_HEAD).scalar_one_or_none()
    if head is None:
        raise StoreError("the audit head row is missing: run 'trialdesk audit verify'")
    scope = (session.get_transaction(), session.get_nested_transaction())
    locked = _locked_of(head)
    held = session.info[_HELD] = _Held(scope, head, head.last_id, head.last_hash, locked)
    return held


def _locked_of(head: AuditHead) -> frozenset[str]:
    return frozenset(head.locked_studies or ())


def hold_head(session: Session) -> frozenset[str]:
    """Lock the head now (before the first entry), and say which studies are locked: a
    check made after this cannot be overtaken by another write's commit."""
    return _locked_head(session).locked


def set_study_locked(session: Session, study_id: str, locked: bool) -> None:
    """Lock or unlock a study's database on the head this transaction holds; entries
    appended afterwards in this transaction are judged against the new state."""
    held = _locked_head(session)
    studies = set(held.locked)
    (studies.add if locked else studies.discard)(study_id)
    held.locked = frozenset(studies)
    held.row.locked_studies = sorted(studies)


def _refuse_if_locked(held: _Held, session: Session, entity: str) -> None:
    """While a study is locked, an entry on its data is refused: the transaction said it
    writes a locked study, or said nothing (a path that forgot fails closed)."""
    if not held.locked or entity in not_study_data(session):
        return
    declared = declared_studies(session)
    hit = (declared & held.locked) if declared else held.locked
    if hit:
        raise StudyLocked(hit)


def head(session: Session) -> tuple[int, str]:
    """The id and hash of the newest entry: they move with every committed write, so they
    mark a state of the whole store (the hash too: a restored database reuses ids)."""
    row = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
    ).one_or_none()
    return (row.last_id, row.last_hash) if row is not None else (0, "")


def locked_studies(session: Session) -> frozenset[str]:
    """The studies locked now: as this transaction holds the head, or as last committed
    (a read: the head is not locked)."""
    held = _held(session)
    if held is not None:
        return held.locked
    # one column of the committed row: nothing the session holds bears on it (not held,
    # so not changed here), so a statement of the connection's, not the ORM's
    return frozenset(session.connection().execute(_LOCKED_STUDIES).scalar() or ())


class Action(StrEnum):
    """What an audit entry records: a closed set, so the trail can be read by action."""

    CREATE = "create"
    UPDATE = "update"
    RETRACT = "retract"  # an entry stops counting; the row and its history stay
    SIGN = "sign"  # an electronic signature (signatures.py)
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOCKOUT = "lockout"
    LOGOUT = "logout"
    # a candidate's screening closes (the candidate's status, as the screening log names it)
    SCREEN_FAILED = "screen_failed"
    DECLINED = "declined"
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"
    WITHDRAW = "withdraw"  # the enrolment row of a participant who withdrew
    # a study's enrolment and treatment paused by a stopping rule, and resumed by a signed
    # safety-review decision (store/holds.py)
    PAUSE = "pause"
    RESUME = "resume"
    # a study's database locked with the hash of its data, and unlocked with a reason
    # (store/locks.py, review/database_lock.py)
    LOCK = "lock"
    UNLOCK = "unlock"
    # a lead's personal data erased on request; the entry holds no content
    # (screening/lead_erasure.py)
    ERASE = "erase"


class Audited(Protocol):
    """A stored row: its table is the entry's entity, its id the entity id."""

    __tablename__: str
    id: Any


def append(
    session: Session,
    *,
    actor: str,
    action: Action,
    entity: str,
    entity_id: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> Entry:
    """Add one entry to the chain inside the caller's transaction and advance the head.
    The entry is written before the session's next statement, flush or commit (at the
    latest, the commit's) with the others appended since, in one statement: as a
    pending row of the session would be, so a query in the transaction sees it."""
    head = _locked_head(session)
    _refuse_if_locked(head, session, entity)
    fields: dict[str, Any] = {
        "id": head.last_id + 1,
        "at": as_utc(at) if at is not None else utc_now(),
        "actor": actor,
        "action": Action(action).value,  # refuses a string outside the set
        "entity": entity,
        "entity_id": str(entity_id),
        "changes": _changes(changes),
        "reason": reason,
        "prev_hash": head.last_hash,
    }
    key = _chain_key(session, head.last_id, head.last_hash)
    fields["hash"] = _appended_hash(fields, key)
    if key is None:
        note_plain(session, fields["id"], fields["hash"])
    head.pending.append(fields)
    head.last_id, head.last_hash = fields["id"], fields["hash"]
    # the row as read shows the new head, without being changed for the flush to write:
    # _write_pending moves it with the entries
    set_committed_value(head.row, "last_id", head.last_id)
    set_committed_value(head.row, "last_hash", head.last_hash)
    return Entry(**fields)


def event(
    session: Session,
    row: Audited,
    action: Action,
    *,
    actor: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> Entry:
    """Audit ``action`` on a stored row (flushed first when it has no id yet)."""
    if row.id is None:
        session.flush()
    return append(
        session,
        actor=actor,
        action=action,
        entity=row.__tablename__,
        entity_id=str(row.id),
        changes=changes,
        reason=reason,
        at=at,
    )


def created(
    session: Session,
    row: Audited,
    *,
    actor: str,
    fields: Mapping[str, Any],
    reason: str | None,
    at: datetime | None = None,
    action: Action = Action.CREATE,
) -> Entry:
    """Audit a new row: every field, as changed from nothing."""
    changes = _from_nothing(fields)
    return event(session, row, action, actor=actor, changes=changes, reason=reason, at=at)


def _from_nothing(fields: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """``changes_between({}, fields)``, without writing each value's JSON form to compare
    it with None's: only None has that form (or an enum whose value is None). A value
    with no JSON form is refused all the same, where the entry is made (append)."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in sorted(fields):
        new = fields[name]
        if new is not None and (not isinstance(new, Enum) or to_json_value(new) is not None):
            out[name] = (None, new)
    return out


def updated(
    session: Session,
    row: Audited,
    *,
    actor: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    reason: str | None,
    at: datetime | None = None,
    action: Action = Action.UPDATE,
) -> Entry | None:
    """Audit a change as ``{field: (old, new)}``; nothing when no field changed (a plain
    update), the entry all the same when ``action`` says more than that the fields moved."""
    changes = changes_between(before, after)
    if not changes and action is Action.UPDATE:
        return None
    return event(session, row, action, actor=actor, changes=changes, reason=reason, at=at)


def retracted(
    session: Session,
    row: Audited,
    *,
    actor: str,
    changes: Mapping[str, tuple[Any, Any]],
    reason: str,
    at: datetime | None = None,
) -> Entry:
    """Audit a retraction: the row stays, marked as no longer counting, with the reason."""
    return event(session, row, Action.RETRACT, actor=actor, changes=changes, reason=reason, at=at)


_PLAIN = (str, int, bool, type(None))  # values whose JSON forms differ when they do


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, tuple[Any, Any]]:
    """``{field: (old, new)}`` for every field whose JSON form differs (absent is None)."""
    out: dict[str, tuple[Any, Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if type(old) is type(new) and type(old) in _PLAIN:
            if old != new:  # as their JSON forms would differ
                out[name] = (old, new)
        elif canonical_json(old) != canonical_json(new):
            out[name] = (old, new)
    return out
