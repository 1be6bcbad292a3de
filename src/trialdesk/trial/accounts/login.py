"""Signing in: password check, lockout after repeated failures, all audited.

An account with a second factor (second_factor.py) is not signed in by its password
alone: :func:`authenticate` then raises :class:`SecondFactorNeeded` with a challenge's
token (challenges.py), and code_sign_in.py finishes the sign-in with the code. A right
password then resets nothing: the failure count runs on through the codes, so guessing
codes between right passwords still meets the lockout.

A name with no account is locked out exactly as an account is (five failures, fifteen
minutes), so the lockout does not tell whether an account exists (security probe F8):
its failures are counted in ``login_failure`` under a digest of the name, never the name,
and forgotten a day after the last one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from sqlalchemy import Index, Integer, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from trialdesk.trial.accounts import challenges
from trialdesk.trial.accounts.errors import AccountLocked, LoginFailed, SecondFactorNeeded
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.passwords import (
    dummy_verify,
    hash_password,
    needs_rehash,
    verify_password,
)
from trialdesk.trial.accounts.second_factor import active_of
from trialdesk.trial.accounts.users import ENTITY, REDACTED, USERNAME, normalise_username
from trialdesk.trial.store import audit
from trialdesk.trial.store.models import Base
from trialdesk.trial.store.values import as_utc

# OWASP Authentication Cheat Sheet, "Account Lockout": lock after a small number of
# consecutive failures for a limited time, so guessing is slowed but a lockout is not a
# lasting denial of service.
MAX_FAILED_LOGINS = 5
LOCKOUT_DURATION = timedelta(minutes=15)
# How long the failures of a name with no account are kept after the last one: the table
# stays small under a flood of made-up names (an account's count lasts until a success,
# which a made-up name never has).
UNKNOWN_NAME_MEMORY = timedelta(days=1)


class LoginFailure(Base):
    """Consecutive failed sign-ins under a name that has no account, by its SHA-256."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_last_failed_at", "last_failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_digest: Mapped[str] = mapped_column(String(64), unique=True)
    failed_logins: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[datetime | None]
    last_failed_at: Mapped[datetime]


def _name_digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def _could_exist(name: str) -> bool:
    """Whether an account could have this name (users.USERNAME): any other name, one
    with a NUL or other control character among them, is never sent to the database."""
    return USERNAME.fullmatch(name) is not None


def refuse(session: Session, user: User | None, now: datetime, why: str) -> None:
    """Audit a refused sign-in (no count: :func:`count_failure` counts)."""
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
    stored = (
        session.scalar(select(User.password_hash).where(User.username == name))
        if _could_exist(name)
        else None
    )
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
    """The user whose credentials these are, or ``LoginFailed`` / ``AccountLocked``; for
    an account with a second factor, :class:`SecondFactorNeeded` (its challenge stored:
    commit it) and no one is signed in yet.

    ``checked``: the result of :func:`check_password` made just before, outside this
    transaction; it counts only if the stored hash is still the one it was checked against.
    Commit the transaction even when this raises: failures are counted and audited.
    """
    now = as_utc(now)
    name = normalise_username(username)
    user = (
        session.scalars(select(User).where(User.username == name).with_for_update()).one_or_none()
        if _could_exist(name)
        else None
    )
    if user is None:
        if checked is None or checked.username != name:
            dummy_verify(password)  # same cost as a real check: no username enumeration
        _unknown_name_failure(session, name, now)
    if user.locked_until is not None and now < user.locked_until:
        refuse(session, user, now, "account locked")
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
        refuse(session, user, now, "account disabled")
        raise LoginFailed("this account is disabled; ask an administrator")
    rehashed = _rehash_if_due(user, password)
    if active_of(session, user.id) is not None:
        if rehashed:
            audit.event(session, user, audit.Action.UPDATE, actor=user.username,
                        changes=rehashed, reason="password rehashed with stronger parameters",
                        at=now)  # fmt: skip
        raise SecondFactorNeeded(challenges.start(session, user, now))
    finish_login(session, user, now, changes=rehashed)
    return user


def _rehash_if_due(user: User, password: str) -> dict[str, tuple[object, object]]:
    if not needs_rehash(user.password_hash):  # stronger parameters since it was hashed
        return {}
    user.password_hash = hash_password(password)
    return {"password_hash": (REDACTED, REDACTED)}


def finish_login(
    session: Session,
    user: User,
    now: datetime,
    *,
    changes: dict[str, tuple[object, object]] | None = None,
    reason: str | None = None,
) -> None:
    """The sign-in succeeded (every factor given): the failure count and lock go, the
    time is kept, and the trail says so (with ``reason``: how, when more than a password)."""
    changes = {**(changes or {}), "last_login_at": (user.last_login_at, now)}
    if user.failed_logins:
        changes["failed_logins"] = (user.failed_logins, 0)
    if user.locked_until is not None:
        changes["locked_until"] = (user.locked_until, None)
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    audit.event(
        session, user, audit.Action.LOGIN, actor=user.username, changes=changes, reason=reason,
        at=now,
    )  # fmt: skip


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


def _failures_of(session: Session, digest: str) -> LoginFailure | None:
    return session.scalars(
        select(LoginFailure).where(LoginFailure.name_digest == digest).with_for_update()
    ).one_or_none()


def _unknown_name_failure(session: Session, name: str, now: datetime) -> NoReturn:
    """Refuse a sign-in under a name with no account as an account's would be refused:
    the fifth consecutive failure locks the name for LOCKOUT_DURATION, and while locked it
    answers :class:`AccountLocked`. Always raises."""
    session.execute(
        delete(LoginFailure).where(LoginFailure.last_failed_at < now - UNKNOWN_NAME_MEMORY)
    )
    digest = _name_digest(name)
    row = _failures_of(session, digest)
    if row is None:
        try:
            with session.begin_nested():  # the same new name, failing at the same moment
                row = LoginFailure(
                    name_digest=digest, failed_logins=0, locked_until=None, last_failed_at=now
                )
                session.add(row)
        except IntegrityError:
            row = _failures_of(session, digest)
            assert row is not None
    refuse(session, None, now, "unknown username")
    if row.locked_until is not None and now < row.locked_until:
        raise AccountLocked(row.locked_until)
    before = 0 if row.locked_until is not None else row.failed_logins  # as _count_failure
    row.failed_logins, row.last_failed_at = before + 1, now
    row.locked_until = now + LOCKOUT_DURATION if row.failed_logins >= MAX_FAILED_LOGINS else None
    raise LoginFailed()
