"""The one-time link that lets the first administrator create their own account.

Only the SHA-256 of the link's token is stored; the raw token is shown once. The link
works once, for 24 hours, and only while no active admin exists.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.errors import SetupError
from trialdesk.trial.accounts.models import SetupToken, User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.accounts.sessions import token_hash
from trialdesk.trial.accounts.users import create_user
from trialdesk.trial.store import audit
from trialdesk.trial.store.values import as_utc

SETUP_TOKEN_LIFETIME = timedelta(hours=24)
ENTITY = SetupToken.__tablename__


def needs_setup(session: Session) -> bool:
    """True while no active admin exists: the app should offer the setup link."""
    admin = exists().where(User.role == Role.ADMIN, User.active.is_(True))
    return not session.scalar(select(admin))


def create_setup_token(session: Session, now: datetime) -> str:
    """A new setup token (returned once; only its hash is kept), valid for 24 hours."""
    now = as_utc(now)
    if not needs_setup(session):
        raise SetupError("an active admin exists: no setup link is needed")
    token = secrets.token_urlsafe(32)
    row = SetupToken(
        token_hash=token_hash(token), created_at=now, expires_at=now + SETUP_TOKEN_LIFETIME
    )
    session.add(row)
    session.flush()
    audit.created(
        session,
        row,
        actor="system",
        fields={"expires_at": row.expires_at},
        reason="no active admin: first-admin setup link issued",
        at=now,
    )
    return token


INVALID = "this setup link is not valid"


def _problem(session: Session, row: SetupToken | None, now: datetime) -> SetupError | None:
    if row is None:
        return SetupError(INVALID)
    if row.used_at is not None:
        return SetupError("this setup link has already been used: sign in instead")
    if now >= row.expires_at:
        return SetupError("this setup link has expired: restart trialdesk serve for a new one")
    if not needs_setup(session):
        return SetupError("an active admin already exists: sign in instead")
    return None


def setup_link_problem(session: Session, token: str, now: datetime) -> SetupError | None:
    """Why this setup link cannot be used now (None: it can), so the page says so when it
    is opened rather than after the form is filled in (walkthrough D17). Read only."""
    row = session.scalars(
        select(SetupToken).where(SetupToken.token_hash == token_hash(token))
    ).one_or_none()
    return _problem(session, row, as_utc(now))


def complete_setup(
    session: Session,
    *,
    token: str,
    username: str,
    password: str,
    now: datetime,
    full_name: str | None = None,
) -> User:
    """Create the first admin from a valid setup token and use the token up.

    Audited as two entries: the new user (actor: the new admin) and the used token.
    """
    now = as_utc(now)
    row = session.scalars(
        select(SetupToken).where(SetupToken.token_hash == token_hash(token)).with_for_update()
    ).one_or_none()
    problem = _problem(session, row, now)
    if problem is not None or row is None:
        raise problem or SetupError(INVALID)
    user = create_user(
        session,
        actor=username.strip().lower(),
        username=username,
        password=password,
        role=Role.ADMIN,
        reason="first admin, through the one-time setup link",
        full_name=full_name,
    )
    row.used_at = now
    audit.event(
        session,
        row,
        audit.Action.UPDATE,
        actor=user.username,
        changes={"used_at": (None, now)},
        at=now,
    )
    return user
