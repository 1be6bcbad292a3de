"""Staff browser sessions: a random cookie token; only its SHA-256 is stored.

Timeouts follow the OWASP Session Management Cheat Sheet ("Session Expiration"): an idle
timeout of 30 minutes and an absolute timeout of 12 hours (a working day) for an
application handling sensitive data.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.models import LoginSession, User
from trialdesk.trial.store import audit
from trialdesk.trial.store.values import as_utc

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=12)
# last_seen_at is written at most this often, so most requests only read.
TOUCH_INTERVAL = timedelta(minutes=1)
_MAX_TOKEN_LENGTH = 256  # token_urlsafe(32) is 43 characters; anything huge is junk


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start(session: Session, user: User, now: datetime) -> str:
    """Open a session for ``user`` and return the raw token (for the cookie, never stored).

    Not audited on its own: the ``login`` entry written by ``authenticate`` records it.
    """
    now = as_utc(now)
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + ABSOLUTE_TIMEOUT,
        )
    )
    session.flush()
    return token


def _live(session: Session, token: str, now: datetime) -> LoginSession | None:
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    row = session.scalars(
        select(LoginSession).where(LoginSession.token_hash == token_hash(token))
    ).one_or_none()
    if row is None or row.ended_at is not None:
        return None
    if now >= row.expires_at or now >= row.last_seen_at + IDLE_TIMEOUT:
        return None
    return row


# Built once: constructing a statement costs more than running it on SQLite.
_PEEK = (
    select(
        User.id,
        User.username,
        User.role,
        User.must_change_password,
        LoginSession.last_seen_at,
        LoginSession.expires_at,
    )
    .join(User, User.id == LoginSession.user_id)
    .where(
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.ended_at.is_(None),
        User.active.is_(True),
    )
)


@dataclass(frozen=True)
class SignedIn:
    """Who a live session belongs to, and whether its last-seen time is due to be written."""

    user_id: int
    username: str
    role: str
    touch_due: bool
    must_change_password: bool = False  # an administrator reset it: change it first


def peek(session: Session, token: str, now: datetime) -> SignedIn | None:
    """The signed-in user for ``token`` (as :func:`resolve` would find them) and whether
    the last-seen time is due (then call :func:`resolve` in a transaction). Changes
    nothing, so the request path stays a read; one plain row, as it runs on every
    signed-in request."""
    now = as_utc(now)
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    row = session.execute(_PEEK, {"token_hash": token_hash(token)}).one_or_none()
    if row is None:
        return None
    user_id, username, role, must_change, last_seen, expires = row
    if now >= expires or now >= last_seen + IDLE_TIMEOUT:
        return None
    return SignedIn(user_id, username, role, now - last_seen >= TOUCH_INTERVAL, must_change)


def resolve(session: Session, token: str, now: datetime) -> User | None:
    """The signed-in user for ``token``, or None when unknown, ended, expired or disabled."""
    now = as_utc(now)
    row = _live(session, token, now)
    if row is None or not row.user.active:
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        row.last_seen_at = now
        session.flush()
    return row.user


def end(session: Session, token: str, now: datetime) -> None:
    """Sign out: end the session for ``token`` (nothing happens if it is not live)."""
    now = as_utc(now)
    row = _live(session, token, now)
    if row is None:
        return
    row.ended_at = now
    audit.event(
        session,
        row,
        audit.Action.LOGOUT,
        actor=row.user.username,
        changes={"ended_at": (None, now)},
        at=now,
    )


def end_all(session: Session, user_id: int, now: datetime) -> int:
    """Mark every session of a user not yet ended as ended (account disabled, or password
    reset); returns how many."""
    rows = session.scalars(
        select(LoginSession).where(
            LoginSession.user_id == user_id,
            LoginSession.ended_at.is_(None),
        )
    ).all()
    for row in rows:
        row.ended_at = as_utc(now)
    session.flush()
    return len(rows)
