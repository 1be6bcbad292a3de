"""Portable column types and the deterministic JSON form that audit hashes are taken over."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused (its zone would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()}: pass a timezone-aware datetime")
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no zone, so the UTC wall time is stored
    and UTC attached again on the way out. Either way the value read back equals, to the
    microsecond, the one written, which the audit hash relies on.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_json_value(value: Any) -> JsonValue:
    """``value`` as plain JSON data, deterministically (datetimes ISO 8601 in UTC).

    Anything without one obvious JSON form is refused rather than stringified, so a
    value reads back exactly as it was hashed.
    """
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, Enum):
        return to_json_value(value.value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no JSON form")
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        out: dict[str, JsonValue] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"JSON object keys must be strings, not {k!r}")
            out[str(k)] = to_json_value(v)
        return out
    if isinstance(value, list | tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((to_json_value(v) for v in value), key=canonical_json)
    raise TypeError(f"{type(value).__name__} value {value!r} has no JSON form")


# json.dumps with these options builds an encoder per call; one serves every call (it
# keeps no state between calls).
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_json(value: Any) -> str:
    """One text for one value: sorted keys, no spaces, UTF-8 kept, NaN refused."""
    if value is None or type(value) in (str, int, bool):  # their own JSON form already
        return _CANONICAL.encode(value)
    return _CANONICAL.encode(to_json_value(value))


def canonical_json_of(value: JsonValue) -> str:
    """``canonical_json`` of data that are plain JSON already (what ``to_json_value``
    gives back unchanged: str keys, finite floats), written without walking them first."""
    return _CANONICAL.encode(value)
