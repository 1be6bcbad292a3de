"""A request FastAPI refused before any route ran (its body, query or path), said as the
one error shape: every wrong field at once, each by its name.

A body that is not JSON at all used to answer ``"JSON decode error"`` at field ``"1"`` (the
character offset, walkthrough D20): it now says where, by line and column, at field
``body``, without quoting the body (it may hold personal data).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Refusal", "refusal_of"]

_WHERE = ("body", "query", "path", "header", "cookie")


@dataclass(frozen=True)
class Refusal:
    message: str
    field: str | None
    errors: list[dict[str, str | None]]


def _position(doc: object, offset: int) -> tuple[int, int]:
    """Line and column (from 1) of a character offset into the body as received."""
    text = doc.decode("utf-8", "replace") if isinstance(doc, bytes | bytearray) else str(doc)
    before = text[:offset]
    line = before.count("\n") + 1
    return line, offset - (before.rfind("\n") + 1) + 1


def _not_json(error: dict[str, Any], body: object) -> Refusal:
    loc = error.get("loc", ())
    offset = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    reason = str((error.get("ctx") or {}).get("error", "")).strip()
    line, column = _position(body, offset)
    message = (
        f"the request body is not valid JSON: {reason[:1].lower() + reason[1:] or 'unreadable'} "
        f"at line {line}, column {column} (character {offset + 1})"
    )
    return Refusal(message, "body", [])  # one problem: no list (problems.body)


def _field(loc: Sequence[object]) -> str | None:
    # the body as a whole (a list where an object is wanted) is no field: None, as before
    parts = [str(p) for p in loc if p not in _WHERE]
    return ".".join(parts) or None


def refusal_of(errors: Sequence[dict[str, Any]], body: object) -> Refusal:
    """The message and field to answer with, and every field's own message."""
    for error in errors:
        if error.get("type") == "json_invalid":
            return _not_json(error, body)
    each: list[dict[str, str | None]] = []
    for error in errors:
        msg = str(error.get("msg", "invalid input"))
        each.append({"field": _field(error.get("loc", ())), "message": msg[:1].lower() + msg[1:]})
    if not each:
        return Refusal("invalid input", None, [])
    first = each[0]
    return Refusal(str(first["message"]), first["field"], each if len(each) > 1 else [])
