"""Signing in: password check, lockout after repeated failures, all audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.trial.accounts.errors import AccountLocked, LoginFailed
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from trialdesk.trial.accounts.users import ENTITY, REDACTED, normalise_username
from trialdesk.trial.store import audit
from trialdesk.trial.store.values import as_utc

# OWASP Authentication Cheat Sheet, "Account Lockout": lock after a small number of
# consecutive failures for a limited time, so guessing is slowed but a lockout is not a
# lasting denial of service.
MAX_FAILED_LOGINS = 5
LOCKOUT_DURATION = timedelta(minutes=15)


def _refuse(session: Session, user: User | None, now: datetime, why: str) -> None:
    audit.append(
        session,
        actor=user.username if user else "public",
        action=audit.Action.LOGIN_FAILED,
        entity=ENTITY,
        entity_id=str(user.id) if user else "",
        reason=why,
        at=now,
    )


@dataclass(frozen=True)
class PasswordCheck:
    """A password checked against the hash stored for a username (None: no such user)."""

    username: str
    checked_hash: str | None
    matches: bool


def check_password(session: Session, *, username: str, password: str) -> PasswordCheck:
    """The slow half of signing in (argon2 costs a fifth of a second by design), done in a
    read, before the write transaction: holding the write lock through it would queue every
    other write behind each sign-in (SQLite has one writer)."""
    name = normalise_username(username)
    stored = session.scalar(select(User.password_hash).where(User.username == name))
    if stored is None:
        dummy_verify(password)  # same cost as a real check: no username enumeration
        return PasswordCheck(name, None, False)
    return PasswordCheck(name, stored, verify_password(stored, password))


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> User:
    """The user whose credentials these are, or ``LoginFailed`` / ``AccountLocked``.

    ``checked``: the result of :func:`check_password` made just before, outside this
    transaction; it counts only if the stored hash is still the one it was checked against.
    Commit the transaction even when this raises: failures are counted and audited.
    """
    now = as_utc(now)
    name = normalise_username(username)
    user = session.scalars(
        select(User).where(User.username == name).with_for_update()
    ).one_or_none()
    if user is None:
        if checked is None or checked.username != name:
            dummy_verify(password)  # same cost as a real check: no username enumeration
        _refuse(session, None, now, "unknown username")
        raise LoginFailed()
    if user.locked_until is not None and now < user.locked_until:
        _refuse(session, user, now, "account locked")
        raise AccountLocked(user.locked_until)
    if (
        checked is not None
        and checked.username == name
        and checked.checked_hash == user.password_hash
    ):
        matches = checked.matches
    else:
        matches = verify_password(user.password_hash, password)
    if not matches:
        _count_failure(session, user, now)
        raise LoginFailed()
    if not user.active:
        _refuse(session, user, now, "account disabled")
        raise LoginFailed("this account is disabled; ask an administrator")
    changes: dict[str, tuple[object, object]] = {"last_login_at": (user.last_login_at, now)}
    if user.failed_logins:
        changes["failed_logins"] = (user.failed_logins, 0)
    if user.locked_until is not None:
        changes["locked_until"] = (user.locked_until, None)
    if needs_rehash(user.password_hash):  # stronger parameters since it was hashed
        user.password_hash = hash_password(password)
        changes["password_hash"] = (REDACTED, REDACTED)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    audit.event(session, user, audit.Action.LOGIN, actor=user.username, changes=changes, at=now)
    return user


def count_failure(
    session: Session, user: User, now: datetime, reason: str = "wrong password"
) -> None:
    """A wrong password counts towards the lockout, wherever it was typed (signing in, or
    signing an eligibility decision), and is audited."""
    _count_failure(session, user, now, reason)


def _count_failure(
    session: Session, user: User, now: datetime, reason: str = "wrong password"
) -> None:
    # A lock that has run out starts a fresh count.
    before = 0 if user.locked_until is not None else user.failed_logins
    changes: dict[str, tuple[object, object]] = {"failed_logins": (user.failed_logins, before + 1)}
    user.failed_logins = before + 1
    action = audit.Action.LOGIN_FAILED
    if user.failed_logins >= MAX_FAILED_LOGINS:
        action = audit.Action.LOCKOUT
        changes["locked_until"] = (user.locked_until, now + LOCKOUT_DURATION)
        user.locked_until = now + LOCKOUT_DURATION
    elif user.locked_until is not None:
        changes["locked_until"] = (user.locked_until, None)
        user.locked_until = None
    audit.event(session, user, action, actor=user.username, changes=changes, reason=reason, at=now)
