"""No unkeyed entry once the chain is keyed: a process without the audit key refuses to
write to a store whose trail another process keyed.

A process that finds no key where it looks (audit_key.key_place: a different user's
``~/.config``, a cron job without ``TRIALDESK_AUDIT_KEY_FILE``) would otherwise append
plain SHA-256 entries, which ``audit verify`` then reports as forged (``unkeyed``), and
``serve`` would make a second key, orphaning the first one's entries. The database cannot
say where keying starts (the key file does: an attacker could move a mark in the
database), but the newest entry shows whether it was keyed: a readable entry whose hash
is not the plain SHA-256 of its fields was made with a key (or altered; either way this
process must not extend the chain). Then writing, and making a new key, are refused with
a message naming where the key is expected.

Limit: between a key's creation and its first keyed entry the newest entry is plain, so
a process without the key cannot tell; ``serve`` writes entries as soon as it is used.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from trialdesk.errors import StoreError
from trialdesk.trial.store.audit_chain import entry_hash
from trialdesk.trial.store.audit_key import DIR_ENV, FILE_ENV, KEY_ENV, key_place
from trialdesk.trial.store.models import AuditRecord

__all__ = ["KeyMissing", "keyed_entry", "note_plain", "refuse_if_keyed"]

# per engine, the newest (id, hash) known to be plain: a process without the key checks
# the newest entry once, not at every write (its own entries are plain)
_PLAIN: weakref.WeakKeyDictionary[Engine, tuple[int, str]] = weakref.WeakKeyDictionary()


class KeyMissing(StoreError):
    """The store's trail is keyed and this process has not found the key."""

    code = "audit_key_missing"


def keyed_entry(session: Session, last_id: int, last_hash: str) -> bool:
    """Whether the newest entry (``last_id``, ``last_hash`` as the head says) was made
    with a key: readable, and its hash not the plain SHA-256 of its fields."""
    if last_id < 1:
        return False
    engine = session.get_bind().engine
    if _PLAIN.get(engine) == (last_id, last_hash):
        return False
    try:
        row = session.execute(
            select(AuditRecord).where(AuditRecord.id == last_id)
        ).scalar_one_or_none()
    except ValueError:  # altered so it cannot be read: audit verify names it
        return False
    if row is None:
        return False
    fields = {name: getattr(row, name) for name in ("id", "at", "actor", "action", "entity")}
    fields.update(
        entity_id=row.entity_id, changes=row.changes, reason=row.reason, prev_hash=row.prev_hash
    )
    if entry_hash(fields, None) != row.hash:
        return True
    _PLAIN[engine] = (last_id, last_hash)
    return False


def note_plain(session: Session, last_id: int, last_hash: str) -> None:
    """An entry this process appended without a key: the new head is plain."""
    _PLAIN[session.get_bind().engine] = (last_id, last_hash)


def _expected(session: Session) -> str:
    place = key_place(session.get_bind().engine.url)
    return (
        f"its key is expected at {place} (or named by ${FILE_ENV}, or given in ${KEY_ENV}; "
        f"for a store other than SQLite the default folder is ${DIR_ENV}): docs/audit.md"
    )


def refuse_if_keyed(session: Session, last_id: int, last_hash: str, doing: str) -> None:
    """Refuse ``doing`` (writing, making a key) without the key to a keyed chain."""
    if keyed_entry(session, last_id, last_hash):
        raise KeyMissing(
            f"the audit trail of this store is keyed (its newest entry, row {last_id}, is "
            f"not plain SHA-256), but this process has no audit key, so it refuses {doing}: "
            f"{_expected(session)}. (If no key was ever made, that entry was altered: run "
            "'trialdesk audit verify'.)"
        )
