"""The data against their history: replay the audit trail and compare the store with it.

The hash chain (audit.py) shows an edit of the trail itself; it says nothing of an edit of
the data the trail describes. Replaying every entry's ``changes`` ({field: [old, new]}) in
order gives, for each row the trail names (the entity is its table, the entity id its
``id``), the value every recorded field was last given by the application. A row that
holds another value was written outside the application: a candidate's status, an
entered value or a signature changed in the database shows here, named by table, row and
field. Only what the trail records is compared (a field that is not a column, such as a
form's items kept in one JSON column, is left out; a value the trail does not hold, a
password hash, too), in the JSON form the trail keeps (``values.to_json_value``).

Content too large or too free to be recorded in the trail is recorded by its SHA-256:
an upload's file, what a signature vouches for. Each is recomputed and compared with the
checksum the trail holds (``CHECKSUMS``).

Generic over tables: a new audited table is checked without a line here. Run it in
``Store.read()`` (one snapshot on PostgreSQL, so a write committed meanwhile cannot look
like an edit).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, MetaData, Table, Text, cast, select
from sqlalchemy.orm import Session

from trialdesk.trial.store.models import AuditRecord, Base
from trialdesk.trial.store.values import JsonValue, canonical_json, to_json_value

__all__ = [
    "CHECKSUMS",
    "NOT_RECORDED",
    "DataProblem",
    "DataProblemKind",
    "DataReport",
    "recorded_fields",
    "upload_checksum",
    "verify_data",
]

# The value the trail writes for a field it deliberately does not hold (accounts/users.py
# REDACTED: a password hash); the row cannot be compared with it.
NOT_RECORDED = "[redacted]"


def upload_checksum(content: str) -> str:
    """The SHA-256 of an upload as it arrived: its bytes, kept as their UTF-8 text
    (screening/imports.py refuses any other encoding, so the text gives the bytes back)."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _json_digest(content: Any) -> str:
    # as accounts/signatures.digest_of: the SHA-256 of the canonical JSON
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Checksum:
    """A table's ``column`` whose SHA-256 (by ``digest``) the trail records as
    ``recorded`` (a field of the table's entries, and a column of the table)."""

    column: str
    recorded: str
    digest: Callable[[Any], str]


CHECKSUMS: Mapping[str, Checksum] = {
    "fhir_upload": Checksum("content", "sha256", upload_checksum),
    "signature": Checksum("content", "digest", _json_digest),
}


class DataProblemKind(StrEnum):
    DIFFERS = "differs"  # a field holds another value than the trail last gave it
    CHECKSUM = "checksum"  # content no longer matches the checksum the trail holds
    MISSING = "missing"  # the trail names a row the table no longer has (deleted)
    UNAUDITED = "unaudited"  # a row of an audited table the trail never recorded
    NO_TABLE = "no_table"  # the trail names a table the store does not have
    UNREADABLE = "unreadable"  # an audit entry whose changes cannot be replayed


@dataclass(frozen=True)
class DataProblem:
    table: str
    row_id: str
    field: str | None
    kind: DataProblemKind
    message: str

    def __str__(self) -> str:
        where = f"{self.table} row {self.row_id}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class DataReport:
    entries: int  # audit entries replayed
    tables: tuple[str, ...]  # the audited tables checked
    rows: int  # their rows compared
    fields: int  # recorded fields compared
    checksums: int  # contents recomputed (uploads, signatures)
    problems: list[DataProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# a field as the trail left it: (its value, the entry that gave it)
_State = dict[str, dict[str, dict[str, tuple[JsonValue, int]]]]  # table -> row id -> field
_PLAIN = (str, int, bool, type(None))


def _same(current: JsonValue, recorded: JsonValue) -> bool:
    """Whether two JSON values have one JSON form (1 and 1.0 and True differ)."""
    if type(current) is type(recorded) and type(current) in _PLAIN:
        return current == recorded
    return canonical_json(current) == canonical_json(recorded)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} has no JSON form")


def _stored(value: Any) -> JsonValue:
    """A stored value in the trail's JSON form; one that has none (a NaN in a float
    column) as a text saying so, which no recorded value equals."""
    try:
        return to_json_value(value)
    except (TypeError, ValueError) as error:
        return f"<{error}>"


def _shown(value: JsonValue, limit: int = 60) -> str:
    text = canonical_json(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _entries(session: Session, batch: int) -> Iterator[tuple[int, str, str, str | None]]:
    """(id, entity, entity id, changes as stored text), oldest first. The text is parsed
    here, so one unreadable entry is named instead of stopping the replay."""
    t = AuditRecord.__table__
    yield from session.execute(
        select(t.c.id, t.c.entity, t.c.entity_id, cast(t.c.changes, Text)).order_by(t.c.id),
        execution_options={"yield_per": batch},
    )


def _replay(
    session: Session, batch: int, *, entity: str | None = None, entity_id: str | None = None
) -> tuple[int, _State, list[DataProblem]]:
    state: _State = {}
    problems: list[DataProblem] = []
    count = 0
    if entity is None:
        entries = _entries(session, batch)
    else:
        t = AuditRecord.__table__
        entries = iter(
            session.execute(
                select(t.c.id, t.c.entity, t.c.entity_id, cast(t.c.changes, Text))
                .where(t.c.entity == entity, t.c.entity_id == entity_id)
                .order_by(t.c.id)
            )
        )
    for rid, table, row_id, text in entries:
        count += 1
        try:
            changes = json.loads(text, parse_constant=_no_constant) if text is not None else {}
            if not isinstance(changes, dict) or not all(
                isinstance(pair, list) and len(pair) == 2 for pair in changes.values()
            ):
                raise ValueError("not {field: [old, new]}")
        except ValueError as error:
            problems.append(
                DataProblem(
                    "audit_log",
                    str(rid),
                    "changes",
                    DataProblemKind.UNREADABLE,
                    f"cannot be replayed ({error}): the fields of {table} row {row_id} it "
                    "changed are compared with the entries before it",
                )
            )
            changes = {}  # the row is still one the trail records
        if not row_id:  # an event that names no row (a sign-in under an unknown name)
            continue
        fields = state.setdefault(table, {}).setdefault(row_id, {})
        for name, (_old, new) in changes.items():
            fields[name] = (new, rid)
    return count, state, problems


def recorded_fields(session: Session, entity: str, entity_id: str) -> dict[str, JsonValue]:
    """One row's fields as its audit entries left them (the newest value of each)."""
    _count, state, _problems = _replay(session, 0, entity=entity, entity_id=str(entity_id))
    return {name: value for name, (value, _rid) in state.get(entity, {}).get(entity_id, {}).items()}


def _differs(
    table: str, row_id: str, field: str, current: JsonValue, recorded: JsonValue, rid: int
) -> DataProblem:
    return DataProblem(
        table,
        row_id,
        field,
        DataProblemKind.DIFFERS,
        f"holds {_shown(current)}, the trail's last record (entry {rid}) is "
        f"{_shown(recorded)}: changed outside the application",
    )


def _compare_table(
    session: Session, table: Table, rows: dict[str, dict[str, tuple[JsonValue, int]]], batch: int
) -> tuple[int, int, int, list[DataProblem]]:
    """Every row of ``table`` against the trail's ``rows``: (rows, fields, checksums,
    problems).

    A recorded field that is a column is compared with it. One that is not may be an item
    of a JSON object column (a form's values, kept as ``{item: value}``, audited one field
    per item): it is compared with the item of the first such column that holds it, and a
    row whose column lacks an item the trail gives a value is reported too."""
    name = table.name
    problems: list[DataProblem] = []
    fields_of = {f for fields in rows.values() for f in fields}
    recorded = sorted(f for f in fields_of if f in table.c and f != "id")
    objects = [c.name for c in table.c if isinstance(c.type, JSON) and c.name not in recorded]
    items = fields_of - set(table.c.keys()) if objects else set()
    checksum = CHECKSUMS.get(name)
    columns = [table.c.id, *(table.c[f] for f in recorded), *(table.c[c] for c in objects)]
    n_rows = n_fields = n_sums = 0
    seen: set[str] = set()
    home: dict[str, str] = {}  # an item -> the JSON column it was found in
    absent: list[tuple[str, str, JsonValue, int]] = []  # items no column of a row holds
    result = session.execute(
        select(*columns).order_by(table.c.id), execution_options={"yield_per": batch}
    )
    for row in result.mappings():
        row_id = str(row["id"])
        seen.add(row_id)
        trail = rows.get(row_id)
        if trail is None:
            problems.append(
                DataProblem(
                    name,
                    row_id,
                    None,
                    DataProblemKind.UNAUDITED,
                    "no audit entry records this row: it was written outside the application",
                )
            )
            continue
        n_rows += 1
        for f, (value, rid) in trail.items():
            if value == NOT_RECORDED:
                continue
            if f in recorded:
                current = _stored(row[f])
            elif f in items:
                held = next((c for c in objects if isinstance(row[c], dict) and f in row[c]), None)
                if held is None:
                    if value is not None:
                        absent.append((row_id, f, value, rid))
                    continue
                home.setdefault(f, held)
                current = _stored(row[held][f])
            else:
                continue
            n_fields += 1
            if not _same(current, value):
                where = f if f in recorded else f"{home[f]}.{f}"
                problems.append(_differs(name, row_id, where, current, value, rid))
    for row_id, f, value, rid in absent:
        if f in home:  # an item of that column elsewhere: removed from this row
            n_fields += 1
            problems.append(_differs(name, row_id, f"{home[f]}.{f}", None, value, rid))
    for row_id in sorted(set(rows) - seen, key=_numeric):
        problems.append(
            DataProblem(
                name,
                row_id,
                None,
                DataProblemKind.MISSING,
                "the audit trail records this row, the table no longer has it: deleted",
            )
        )
    if checksum is not None:
        n_sums, found = _check_contents(session, table, checksum, rows)
        problems.extend(found)
    return n_rows, n_fields, n_sums, problems


def _numeric(row_id: str) -> tuple[int, str]:
    return (int(row_id), "") if row_id.isdecimal() else (0, row_id)


def _check_contents(
    session: Session,
    table: Table,
    checksum: Checksum,
    rows: dict[str, dict[str, tuple[JsonValue, int]]],
) -> tuple[int, list[DataProblem]]:
    """Each row's content against the checksum the trail holds, one row read at a time
    (an upload is up to 10 MB)."""
    problems: list[DataProblem] = []
    count = 0
    content = table.c[checksum.column]
    for row_id in sorted(rows, key=_numeric):
        if not row_id.isdecimal():
            continue
        value = session.execute(select(content).where(table.c.id == int(row_id))).first()
        if value is None:
            continue  # reported as missing
        recorded = rows[row_id].get(checksum.recorded)
        if recorded is None:
            problems.append(
                DataProblem(
                    table.name,
                    row_id,
                    checksum.column,
                    DataProblemKind.CHECKSUM,
                    f"the trail holds no {checksum.recorded} for this content",
                )
            )
            continue
        count += 1
        actual = checksum.digest(value[0] if value[0] is not None else "")
        expected, rid = recorded
        if actual != expected:
            problems.append(
                DataProblem(
                    table.name,
                    row_id,
                    checksum.column,
                    DataProblemKind.CHECKSUM,
                    f"its SHA-256 is {actual[:16]}..., the trail's (entry {rid}) is "
                    f"{str(expected)[:16]}...: the content was changed outside the application",
                )
            )
    return count, problems


def verify_data(
    session: Session, *, metadata: MetaData | None = None, batch: int = 2000
) -> DataReport:
    """Replay the whole trail and compare every audited table's rows, and every checksummed
    content, with the state it ends in; list every difference.

    ``metadata`` holds the store's tables (default: the one ``Base``, which has every wing's
    tables once ``trialdesk.trial.tables`` is imported; a table the trail names that it
    lacks is reported, never skipped)."""
    tables = (metadata or Base.metadata).tables
    entries, state, problems = _replay(session, batch)
    checked: list[str] = []
    n_rows = n_fields = n_sums = 0
    for name in sorted(state):
        table = tables.get(name)
        if table is None or "id" not in table.c:
            problems.append(
                DataProblem(
                    name,
                    "*",
                    None,
                    DataProblemKind.NO_TABLE,
                    f"the trail records {len(state[name])} row(s) of {name}, a table this "
                    "store does not have",
                )
            )
            continue
        checked.append(name)
        r, f, s, found = _compare_table(session, table, state[name], batch)
        n_rows, n_fields, n_sums = n_rows + r, n_fields + f, n_sums + s
        problems.extend(found)
    return DataReport(entries, tuple(checked), n_rows, n_fields, n_sums, problems)
