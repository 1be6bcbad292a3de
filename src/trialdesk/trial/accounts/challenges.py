"""A sign-in between its two steps: the password was right, the second factor's code is
asked next. The browser holds a random token in a cookie of its own; only its SHA-256 is
stored. It lasts five minutes (RFC 6238 codes change every 30 seconds: long enough to
find the phone, short enough that a half-finished sign-in on a shared computer does not
linger) and is used once. It opens nothing by itself: no staff page accepts it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.models import SignInChallenge, User
from trialdesk.trial.accounts.sessions import token_hash
from trialdesk.trial.store.values import as_utc

__all__ = ["CHALLENGE_LIFETIME", "end", "live", "start"]

CHALLENGE_LIFETIME = timedelta(minutes=5)
_MAX_TOKEN_LENGTH = 256


def start(session: Session, user: User, now: datetime) -> str:
    """A new challenge for ``user``; the raw token (for the cookie, never stored)."""
    now = as_utc(now)
    token = secrets.token_urlsafe(32)
    session.add(
        SignInChallenge(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            expires_at=now + CHALLENGE_LIFETIME,
        )
    )
    session.flush()
    return token


def live(
    session: Session, token: str, now: datetime, *, for_update: bool = False
) -> SignInChallenge | None:
    """The challenge for ``token`` while it can still be answered, else None."""
    if not token or len(token) > _MAX_TOKEN_LENGTH:
        return None
    query = select(SignInChallenge).where(SignInChallenge.token_hash == token_hash(token))
    if for_update:  # answered once, even by two requests at the same moment
        query = query.with_for_update()
    row = session.scalars(query).one_or_none()
    if row is None or row.ended_at is not None or as_utc(now) >= row.expires_at:
        return None
    return row


def end(row: SignInChallenge, now: datetime) -> None:
    row.ended_at = as_utc(now)
