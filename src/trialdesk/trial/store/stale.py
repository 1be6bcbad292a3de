"""Optimistic locking, one way for every record: a form carries the version of the row it
was rendered from, and a change made meanwhile by someone else is refused (409), never
overwritten. The rows' ``version`` columns are SQLAlchemy version counters."""

from __future__ import annotations

from typing import Protocol

from trialdesk.errors import ConflictError

__all__ = ["StaleError", "Versioned", "check_version"]


class StaleError(ConflictError):
    """The record changed since the form was opened: reload, then redo the change."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} was changed by someone else since you opened it: reload the page and "
            "make your change again",
            field="version",
        )


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


def check_version(row: Versioned, expected: int | None, what: str) -> None:
    """Refuse a change made from a form rendered before someone else's change (no
    ``expected``: the caller did not read the row first, as the CLI and the simulator)."""
    if expected is not None and row.version != expected:
        raise StaleError(what)
