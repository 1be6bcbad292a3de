"""A signed-in user changes their own password (walkthrough D23, issue 17 item 8).

Re-authentication first: the current password is typed again (OWASP Authentication Cheat
Sheet, "Change password feature": require the current password), and a wrong one counts
towards the lockout like any password typed (the caller counts it in a transaction of its
own, as signing does). The change is audited with the password hash redacted; every other
session of the user ends and this browser gets a new one (OWASP Session Management Cheat
Sheet: renew the session after a credential change).

Order, as signing in does it (login.py): the account's lock is checked first, before any
password is hashed (:func:`refuse_if_locked`, a read); the slow check of the current
password runs outside the write transaction (the web caller runs it within the server's
hashing slots, web/throttle.py); the write transaction then locks the user's row (SELECT
... FOR UPDATE) before it reads the lock or the count, so concurrent wrong attempts each
count (on PostgreSQL an unlocked read would let them overwrite one another's increment).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from trialdesk.errors import FieldErrors, InputError, NotFoundError, TrialdeskError
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.errors import AccountError, PasswordPolicyError
from trialdesk.trial.accounts.login import PasswordCheck, count_failure
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.passwords import (
    check_password_policy,
    hash_password,
    verify_password,
)
from trialdesk.trial.accounts.users import REDACTED, user_or_404
from trialdesk.trial.store import audit
from trialdesk.trial.store.values import as_utc

__all__ = [
    "WrongCurrentPassword",
    "change_own_password",
    "count_wrong_current_password",
    "refuse_if_locked",
]


class WrongCurrentPassword(InputError):
    """The current password typed to change it did not match: nothing changed."""

    def __init__(self) -> None:
        super().__init__(
            "your current password is not correct: the password was not changed",
            field="current_password",
        )


def _refuse_locked(user: User, now: datetime) -> None:
    if not user.active:
        raise AccountError("this account is disabled", field="user")
    if user.locked_until is not None and now < user.locked_until:
        raise InputError(
            "your account is locked after repeated wrong passwords; try again later",
            field="current_password",
        )


def _locked_row(session: Session, user_id: int) -> User:
    """The user, its row locked to the end of the transaction and read as locked."""
    user = session.get(User, user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise NotFoundError(f"no user with id {user_id}")
    return user


def refuse_if_locked(session: Session, *, user_id: int, now: datetime) -> None:
    """Refuse a disabled or locked account before any password is hashed (a read: the
    write transaction checks again on the locked row)."""
    _refuse_locked(user_or_404(session, user_id), as_utc(now))


def change_own_password(
    session: Session,
    *,
    user_id: int,
    current_password: str,
    new_password: str,
    new_password_again: str,
    now: datetime,
    checked: PasswordCheck | None = None,
) -> str:
    """Set a new password for the user who proves the current one; the new session's
    token for this browser. ``checked``: the current password checked (argon2) outside
    this transaction; it counts only against the hash it was checked with. Every problem
    with the new password is reported at once."""
    now = as_utc(now)
    user = _locked_row(session, user_id)
    _refuse_locked(user, now)
    if (
        checked is not None
        and checked.username == user.username
        and checked.checked_hash == user.password_hash
    ):
        matches = checked.matches
    else:
        matches = verify_password(user.password_hash, current_password)
    if not matches:
        raise WrongCurrentPassword()
    errors: list[TrialdeskError] = []
    if new_password != new_password_again:
        errors.append(PasswordPolicyError("the two new passwords differ", field="new_password"))
    elif new_password == current_password:
        errors.append(
            PasswordPolicyError(
                "choose a password other than the current one", field="new_password"
            )
        )
    else:
        try:
            check_password_policy(new_password, username=user.username)
        except PasswordPolicyError as error:
            errors.append(PasswordPolicyError(error.message, field="new_password"))
    if errors:
        raise FieldErrors(errors, resource=f"user/{user.id}")
    user.password_hash = hash_password(new_password)
    changes: dict[str, tuple[object, object]] = {"password_hash": (REDACTED, REDACTED)}
    if user.must_change_password:  # the temporary one an administrator set is replaced
        changes["must_change_password"] = (True, False)
        user.must_change_password = False
    ended = sessions.end_all(session, user.id, now)
    if ended:
        changes["open_sessions"] = (ended, 0)
    audit.event(
        session,
        user,
        audit.Action.UPDATE,
        actor=user.username,
        changes=changes,
        reason="own password changed (current password re-entered)",
        at=now,
    )
    return sessions.start(session, user, now)


def count_wrong_current_password(session: Session, *, user_id: int, now: datetime) -> None:
    """A wrong current password counts towards the lockout, and is audited; on the
    user's locked row, so concurrent wrong attempts each count. An account locked
    meanwhile (by a concurrent attempt) stays locked: counting again would start a fresh
    count and lift the lock (login.py starts afresh after a lock)."""
    now = as_utc(now)
    user = _locked_row(session, user_id)
    if user.locked_until is not None and now < user.locked_until:
        return
    count_failure(session, user, now, reason="wrong password when changing it")
