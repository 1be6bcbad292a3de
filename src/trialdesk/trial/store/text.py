"""Free text typed by people, checked the same way before any service stores it."""

from __future__ import annotations

import unicodedata

from trialdesk.errors import InputError

__all__ = ["REASON_MAX", "plain_text", "reason_text"]

REASON_MAX = 2000


def plain_text(value: str | None, field: str, limit: int, *, one_line: bool = False) -> str | None:
    """``value`` stripped (with ``one_line``, every run of whitespace made one space);
    None when blank. Refused at ``field`` when longer than ``limit`` or holding control
    characters (NUL among them, which PostgreSQL cannot store)."""
    text = " ".join((value or "").split()) if one_line else (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise InputError(f"must be at most {limit} characters", field=field)
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise InputError("must not contain control characters", field=field)
    return text


def reason_text(value: str | None, field: str = "reason") -> str:
    """A reason for the audit trail: required, one line."""
    text = plain_text(value, field, REASON_MAX, one_line=True)
    if text is None:
        raise InputError("give a reason", field=field)
    return text
