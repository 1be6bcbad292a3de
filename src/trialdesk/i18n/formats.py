"""Dates and numbers written the way the reader's language writes them (Babel's CLDR data):
``2026年12月8日`` for a Chinese reader, ``8 Dec 2026`` for an English one."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from babel import dates, numbers

from trialdesk.i18n.catalogue import babel_locale, current_locale

__all__ = ["format_date", "format_datetime", "format_decimal", "format_percent"]


def _babel() -> str:
    # English as in the UK: the site writes British spelling and day-month-year dates
    locale = current_locale()
    return "en_GB" if locale == "en" else babel_locale(locale)


def format_date(value: date | None, format: str = "medium") -> str:
    return "" if value is None else dates.format_date(value, format=format, locale=_babel())


def format_datetime(
    value: datetime | None, format: str = "medium", tzinfo: tzinfo | None = None
) -> str:
    if value is None:
        return ""
    return dates.format_datetime(value, format=format, tzinfo=tzinfo, locale=_babel())


def format_decimal(value: float | int | None, format: str | None = None) -> str:
    return "" if value is None else numbers.format_decimal(value, format=format, locale=_babel())


def format_percent(value: float | None, format: str | None = None) -> str:
    return "" if value is None else numbers.format_percent(value, format=format, locale=_babel())
