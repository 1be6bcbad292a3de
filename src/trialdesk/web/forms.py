"""Reading HTML form fields into typed values, with errors that name the field.

Browsers send every field as text; a bad value is refused here with an
:class:`~trialdesk.errors.InputError` naming the field, so the page can show the message
next to it and nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

from starlette.datastructures import UploadFile

from trialdesk.errors import InputError
from trialdesk.trial.store.models import MAX_ROW_ID

__all__ = ["text", "day", "moment", "number", "optional_day"]


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def text(form: Mapping[str, object], name: str, limit: int = 2000) -> str:
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    value = str(value).strip()
    if len(value) > limit:
        raise InputError(f"must be at most {limit} characters", field=name)
    return value


def optional_day(form: Mapping[str, object], name: str) -> date | None:
    """A date written YYYY-MM-DD, as a date input sends it (not the other ISO 8601 forms
    ``date.fromisoformat`` also reads, such as 20260302 or 2026-W10-1)."""
    raw = text(form, name, 32)
    if not raw:
        return None
    try:
        if not _DAY.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"'{raw}' is not a date (YYYY-MM-DD)", field=name) from None


def day(form: Mapping[str, object], name: str) -> date:
    found = optional_day(form, name)
    if found is None:
        raise InputError("is required", field=name)
    return found


def moment(form: Mapping[str, object], name: str) -> datetime:
    """A date and time from ``<input type="datetime-local">``, taken as UTC."""
    raw = text(form, name, 32)
    if not raw:
        raise InputError("is required", field=name)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(f"'{raw}' is not a date and time", field=name) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


_NUMBER = re.compile(r"[0-9]{1,10}")


def number(form: Mapping[str, object], name: str) -> int | None:
    """A whole number, 0 to MAX_ROW_ID (every number a form sends here is a row id, a
    version or a grade), in ASCII digits: ``str.isdigit`` also passes "²" and other
    Unicode digits ``int`` refuses, and a larger number is refused by PostgreSQL's INTEGER
    with an error rather than finding nothing (security probe F6)."""
    raw = text(form, name, 20)
    if not raw:
        return None
    if not _NUMBER.fullmatch(raw) or int(raw) > MAX_ROW_ID:
        raise InputError(f"must be a whole number from 0 to {MAX_ROW_ID}", field=name)
    return int(raw)
