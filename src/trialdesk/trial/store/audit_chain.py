"""What an audit entry's hash is taken over, and the check of the whole chain.

An entry's hash covers the canonical JSON (values.py) of its fields, the previous entry's
hash included. Before the store had a key it is SHA-256; from the key's ``keyed_from`` on
it is HMAC-SHA256 under the key (audit_key.py). :func:`verify` recomputes every entry,
compares the head, and, given anchors (anchors.py), checks the log still holds what they
saw. It reads each row as the database holds it, so a row it cannot read (a malformed
time, text that is not UTF-8, JSON that does not parse) is reported by id rather than
ending the check (security probe F6e), and JSON with a key written twice is reported
where a parser would silently keep the last value (F14).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import LargeBinary, Text, cast, select
from sqlalchemy.orm import Session

from trialdesk.trial.store.anchors import Anchor
from trialdesk.trial.store.audit_key import AuditKey, key_for
from trialdesk.trial.store.models import GENESIS_HASH, AuditHead, AuditRecord
from trialdesk.trial.store.values import canonical_json, canonical_json_of

__all__ = [
    "HASHED_FIELDS",
    "AuditProblem",
    "AuditReport",
    "ProblemKind",
    "entry_hash",
    "entry_text",
    "verify",
]

HASHED_FIELDS = (
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "changes",
    "reason",
    "prev_hash",
)


def entry_text(fields: Mapping[Any, Any]) -> bytes:
    """The canonical JSON (UTF-8) of an entry's hashed fields: what its hash is over."""
    return canonical_json({name: fields[name] for name in HASHED_FIELDS}).encode("utf-8")


def entry_hash(fields: Mapping[Any, Any], key: AuditKey | None = None) -> str:
    """The hash an entry must carry: HMAC-SHA256 under ``key`` from its ``keyed_from``
    on, SHA-256 before it or without a key."""
    return hash_of(entry_text(fields), fields["id"], key)


def hash_of(text: bytes, row_id: int, key: AuditKey | None) -> str:
    if key is not None and row_id >= key.keyed_from:
        return key.entry_hash(text)
    return hashlib.sha256(text).hexdigest()


class ProblemKind(StrEnum):
    EDITED = "edited"  # the row's contents do not match its own hash
    MISSING = "missing"  # a gap in ids: rows deleted
    CHAIN = "chain"  # prev_hash is not the previous row's hash: removed or reordered
    HEAD = "head"  # the head disagrees with the newest row: the tail was removed
    UNKEYED = "unkeyed"  # a plain SHA-256 where the chain is keyed: made without the key
    DUPLICATE_KEY = "duplicate_key"  # JSON naming a field twice: readers disagree (F14)
    UNREADABLE = "unreadable"  # a value that cannot be read as its column's type (F6e)
    CUT = "cut"  # the log ends before a row it is known to have had (anchor, key)
    ANCHOR = "anchor"  # the anchored row is not as anchored: rewritten behind the anchor


@dataclass(frozen=True)
class AuditProblem:
    row_id: int
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return f"row {self.row_id}: {self.message}"


@dataclass(frozen=True)
class AuditReport:
    rows: int
    problems: list[AuditProblem] = field(default_factory=list)
    head_id: int = 0
    head_hash: str = GENESIS_HASH
    keyed_from: int | None = None  # None: checked without a key
    key: str | None = None  # where the key came from, and its fingerprint
    anchors: int = 0  # anchors checked

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def unreadable(self) -> bool:
        """A row could not be read: the check is incomplete (the CLI's exit 2)."""
        return any(p.kind is ProblemKind.UNREADABLE for p in self.problems)


class _Auto(Enum):
    FROM_STORE = 0


FROM_STORE = _Auto.FROM_STORE


class _Unreadable(Exception):
    """A value of a row that cannot be read; the message says which, never the value."""


_TEXT_FIELDS = ("actor", "action", "entity", "entity_id", "reason", "prev_hash", "hash")


def _columns(sqlite: bool) -> list[Any]:
    """The log's columns as stored: on SQLite every one but the id as bytes (a value of
    any type, or text that is not UTF-8, reads without failing); on PostgreSQL the types
    hold, and the JSON is read as its text, duplicate keys and all."""
    table = AuditRecord.__table__
    names = ("at", *_TEXT_FIELDS, "changes")
    if sqlite:
        return [table.c.id, *(cast(table.c[n], LargeBinary).label(n) for n in names)]
    return [
        *(table.c[n] for n in ("id", "at", *_TEXT_FIELDS)),
        cast(table.c.changes, Text).label("changes"),
    ]


def _text(value: object, name: str) -> str | None:
    if type(value) is bytes:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise _Unreadable(f"its {name} is not UTF-8 text") from None
    if value is None or isinstance(value, str):
        return value
    raise _Unreadable(f"its {name} is not text")


def _at(value: object) -> str | None:
    """The time's JSON form: as UTCDateTime reads it (values.py; SQLite's text through
    ``fromisoformat``), then ISO 8601 in UTC as ``to_json_value`` writes it."""
    if value is None or isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(_text(value, "time (at)") or "")
        except ValueError:
            raise _Unreadable("its time (at) is not a valid timestamp") from None
    if moment is None:
        return None
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.isoformat()


class _Reader:
    """Reads rows into the text their hash is over, noting keys written twice in the
    JSON of the changes (one decoder for every row: building one costs more than using
    it)."""

    def __init__(self) -> None:
        self.repeated: list[str] = []
        self._decoder = json.JSONDecoder(object_pairs_hook=self._pairs)

    def _pairs(self, items: list[tuple[str, Any]]) -> dict[str, Any]:
        """The last of repeated keys wins, as SQLAlchemy's reading (json.loads) has it."""
        out: dict[str, Any] = {}
        for name, item in items:
            if name in out:
                self.repeated.append(name)
            out[name] = item
        return out

    def _changes(self, value: object) -> Any:
        text = _text(value, "changes")
        if text is None:
            return None
        try:
            return self._decoder.decode(text)
        except json.JSONDecodeError as error:
            raise _Unreadable(
                f"its changes are not valid JSON ({error.msg}, at {error.pos})"
            ) from None
        except RecursionError:
            raise _Unreadable("its changes are nested too deeply to read") from None

    def text(self, row: Any) -> bytes:
        """``entry_text`` of the row as read: its values are plain JSON already (the
        changes as parsed, the time as its ISO text), so they are written as they are;
        a value canonical JSON refuses (NaN) makes the row unreadable."""
        self.repeated.clear()
        fields: dict[str, Any] = {name: _text(row[name], name) for name in _TEXT_FIELDS}
        fields["id"] = row["id"]
        fields["at"] = _at(row["at"])
        fields["changes"] = self._changes(row["changes"])
        try:
            payload = canonical_json_of({name: fields[name] for name in HASHED_FIELDS})
        except ValueError:
            raise _Unreadable("its changes hold a number with no JSON form (NaN)") from None
        return payload.encode("utf-8")


def _stored(value: object) -> str:
    """A hash column's text; anything unreadable is no hash at all."""
    try:
        return _text(value, "hash") or ""
    except _Unreadable:
        return ""


def verify(
    session: Session,
    *,
    batch: int = 1000,
    anchors: Sequence[Anchor] = (),
    key: AuditKey | None | _Auto = FROM_STORE,
) -> AuditReport:
    """Recompute the whole chain, compare it with the head and with ``anchors`` (their
    signatures are not checked here: anchors.check_signatures); list every problem.

    ``key`` is the store's own (audit_key.key_for) unless given. Run it in
    ``Store.read()``: on PostgreSQL that is one REPEATABLE READ snapshot, so entries
    appended meanwhile cannot look like a head mismatch.
    """
    if key is FROM_STORE:
        key = key_for(session)
    assert not isinstance(key, _Auto)
    sqlite = session.get_bind().dialect.name == "sqlite"
    problems: list[AuditProblem] = []
    add = problems.append
    head = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
    ).first()
    wanted: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        wanted.setdefault(anchor.id, []).append(anchor)
    seen: set[int] = set()
    rows = 0
    expected_id, prev_hash = 1, GENESIS_HASH
    last_id, last_hash = 0, GENESIS_HASH
    table = AuditRecord.__table__
    reader = _Reader()
    result = session.execute(
        select(*_columns(sqlite)).order_by(table.c.id), execution_options={"yield_per": batch}
    )
    for row in result.mappings():
        rows += 1
        rid, stored = row["id"], _stored(row["hash"])
        if type(rid) is not int:
            add(
                AuditProblem(
                    last_id,
                    ProblemKind.UNREADABLE,
                    f"the row after row {last_id} has an id that is not a whole number",
                )
            )
            prev_hash = stored
            continue
        if rid != expected_id:
            span = f"{expected_id}" if rid == expected_id + 1 else f"{expected_id}-{rid - 1}"
            add(AuditProblem(rid, ProblemKind.MISSING, f"row(s) {span} before it are missing"))
        _check_contents(row, rid, stored, key, reader, add)
        if _stored(row["prev_hash"]) != prev_hash:
            what = f"row {last_id}" if last_id else "the start of the chain"
            add(
                AuditProblem(
                    rid,
                    ProblemKind.CHAIN,
                    f"prev_hash does not match {what} (rows removed or reordered)",
                )
            )
        for anchor in wanted.get(rid, ()):
            seen.add(rid)
            if anchor.hash != stored:
                add(
                    AuditProblem(
                        rid,
                        ProblemKind.ANCHOR,
                        "its hash is not the one anchored: the log was rewritten at or "
                        "before this row",
                    )
                )
        expected_id, prev_hash = rid + 1, stored
        last_id, last_hash = rid, stored
    problems += _head_problems(head, last_id, last_hash)
    problems += _cut_problems(wanted, seen, last_id, key)
    return AuditReport(
        rows=rows,
        problems=problems,
        head_id=head.last_id if head else 0,
        head_hash=head.last_hash if head else GENESIS_HASH,
        keyed_from=key.keyed_from if key else None,
        key=key.describe() if key else None,
        anchors=len(anchors),
    )


def _check_contents(
    row: Any, rid: int, stored: str, key: AuditKey | None, reader: _Reader, add: Any
) -> None:
    """The row's contents against its own hash: edited, made without the key, a JSON key
    written twice, or unreadable."""
    try:
        text = reader.text(row)
    except _Unreadable as error:
        add(AuditProblem(rid, ProblemKind.UNREADABLE, f"cannot be read: {error}"))
        return
    if reader.repeated:
        names = ", ".join(sorted({repr(n)[:40] for n in reader.repeated}))
        add(
            AuditProblem(
                rid,
                ProblemKind.DUPLICATE_KEY,
                f"its changes name {names} twice: a reader sees one value, the hash covers another",
            )
        )
    if stored == hash_of(text, rid, key):
        return
    if key is not None and rid >= key.keyed_from and stored == hash_of(text, rid, None):
        add(
            AuditProblem(
                rid,
                ProblemKind.UNKEYED,
                f"its hash is plain SHA-256 but entries from row {key.keyed_from} on "
                "are keyed: written without the audit key (forged)",
            )
        )
        return
    add(AuditProblem(rid, ProblemKind.EDITED, "contents do not match its hash (edited)"))


def _head_problems(head: Any, last_id: int, last_hash: str) -> list[AuditProblem]:
    if head is None:
        return [AuditProblem(last_id, ProblemKind.HEAD, "the audit head row is missing")]
    if (head.last_id, head.last_hash) == (last_id, last_hash):
        return []
    return [
        AuditProblem(
            head.last_id,
            ProblemKind.HEAD,
            f"the head names row {head.last_id} as the newest but the log ends at "
            f"row {last_id} with a different hash (newest rows removed or altered)"
            if head.last_id != last_id
            else "the head's hash differs from the newest row's (newest row altered)",
        )
    ]


def _cut_problems(
    wanted: Mapping[int, Iterable[Anchor]], seen: set[int], last_id: int, key: AuditKey | None
) -> list[AuditProblem]:
    """Rows known to have existed, by an anchor or by the key (made when the log had
    reached ``keyed_from - 1``), that the log no longer reaches or holds."""
    out = []
    for row_id, group in sorted(wanted.items()):
        if row_id in seen:
            continue
        if row_id == 0:  # the anchor of an empty log: nothing to hold
            if any(a.hash != GENESIS_HASH for a in group):
                out.append(
                    AuditProblem(
                        0, ProblemKind.ANCHOR, "the anchor of row 0 is not the empty log's"
                    )
                )
        elif row_id > last_id:
            out.append(
                AuditProblem(
                    row_id,
                    ProblemKind.CUT,
                    f"an anchor names row {row_id} but the log ends at row "
                    f"{last_id}: newest rows removed, or the log emptied",
                )
            )
        else:
            out.append(
                AuditProblem(
                    row_id,
                    ProblemKind.ANCHOR,
                    "an anchor names this row but the log does not hold it",
                )
            )
    if key is not None and last_id < key.keyed_from - 1:
        out.append(
            AuditProblem(
                key.keyed_from - 1,
                ProblemKind.CUT,
                f"the audit key was made when the log had reached row "
                f"{key.keyed_from - 1} but it ends at row {last_id}: newest "
                "rows removed, or the log emptied",
            )
        )
    return out
