"""What the public trial page adds to the registry's record so that a patient is not misled
(walkthrough D26): that a "Not yet recruiting" status may be out of date once the
estimated start has passed, and whether the team published any way to reach them."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from trialdesk.study.page_model import KeyDate, TrialPage

__all__ = ["Staleness", "has_published_contact", "stale_status"]

NOT_YET_RECRUITING = "NOT_YET_RECRUITING"


@dataclass(frozen=True)
class Staleness:
    """The record still says "not yet recruiting" after its start date: when the start
    was, and when the record was last updated (None when the registry does not say)."""

    start: str
    last_updated: str | None


def _last_day(key: KeyDate) -> date | None:
    """The last day a registry date (yyyy, yyyy-MM or yyyy-MM-dd) can mean."""
    parts = key.date.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 12
        day = int(parts[2]) if len(parts) > 2 else calendar.monthrange(year, month)[1]
        return date(year, month, day)
    except (ValueError, IndexError, calendar.IllegalMonthError):
        return None


def stale_status(page: TrialPage, today: date) -> Staleness | None:
    """A hint when the record says "Not yet recruiting" but its start date has passed: the
    registry's status lags (sponsors update it when they get round to it)."""
    if page.status_code != NOT_YET_RECRUITING:
        return None
    start = next((d for d in page.dates if d.name == "Start"), None)
    last = _last_day(start) if start is not None else None
    if start is None or last is None or last >= today:
        return None
    return Staleness(start.date, page.source.last_updated)


def has_published_contact(page: TrialPage) -> bool:
    """Whether the record gives any phone number or e-mail address to reach the team."""
    contacts = (*page.central_contacts, *(c for s in page.sites for c in s.contacts))
    return any(c.phone or c.email for c in contacts)
