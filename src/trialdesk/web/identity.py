"""Who is asking: the signed-in staff member behind the session cookie, if any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import Request

from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.roles import Permission, Role, has_permission
from trialdesk.trial.store.db import Store
from trialdesk.web.csrf import SESSION_COOKIE

__all__ = ["StaffUser", "load_user", "now"]


@dataclass(frozen=True)
class StaffUser:
    """A snapshot of the signed-in user for one request (never an ORM object)."""

    id: int
    username: str
    role: Role

    def can(self, permission: Permission | str) -> bool:
        return has_permission(self.role, Permission(permission))


def now() -> datetime:
    return datetime.now(UTC)


async def load_user(request: Request) -> None:
    """Resolve the session cookie; runs before every route's own access check."""
    request.state.user = None
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return
    store: Store = request.app.state.store
    moment = now()
    with store.read() as session:  # most requests only read; SQLite readers do not queue
        found = sessions.peek(session, token, moment)
        if found is None:
            return
        request.state.user = StaffUser(found.user_id, found.username, Role(found.role))
    if found.touch_due:  # the idle timeout counts from here; written at most once a minute
        with store.transaction() as session:
            sessions.resolve(session, token, moment)
