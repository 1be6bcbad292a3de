"""The second step of signing in: the code from the authenticator app, or a recovery code.

The challenge the password step left (challenges.py) names the user; the code is checked
against their second factor (accepted once, within a step either side: totp.py). A wrong
code counts towards the account's lockout exactly as a wrong password does (five in a
row lock it for fifteen minutes: login.py), so a code cannot be guessed faster than a
password; the web app also counts each attempt against the client's sign-in throttle.
Commit the transaction even when this raises: failures are counted and audited.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from trialdesk.trial.accounts import challenges, second_factor
from trialdesk.trial.accounts.errors import (
    AccountLocked,
    LoginFailed,
    SignInExpired,
    WrongSignInCode,
)
from trialdesk.trial.accounts.login import count_failure, finish_login, refuse
from trialdesk.trial.accounts.models import User
from trialdesk.trial.store.values import as_utc

__all__ = ["complete_with_code", "waiting_user"]


def waiting_user(session: Session, token: str, now: datetime) -> str | None:
    """The username a live challenge waits for (to show on the code page), or None."""
    row = challenges.live(session, token, as_utc(now))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user.username if user is not None else None


def complete_with_code(session: Session, *, token: str, code: str, now: datetime) -> User:
    """The user, signed in (audited with how), or why not: :class:`SignInExpired` (start
    again), :class:`WrongSignInCode`, :class:`AccountLocked` or a disabled account's
    :class:`LoginFailed`. The caller opens the session."""
    now = as_utc(now)
    challenge = challenges.live(session, token, now, for_update=True)
    if challenge is None:
        raise SignInExpired()
    user = session.get(User, challenge.user_id, with_for_update=True, populate_existing=True)
    if user is None:
        raise SignInExpired()
    if user.locked_until is not None and now < user.locked_until:
        challenges.end(challenge, now)
        refuse(session, user, now, "account locked")
        raise AccountLocked(user.locked_until)
    if not user.active:
        challenges.end(challenge, now)
        refuse(session, user, now, "account disabled")
        raise LoginFailed("this account is disabled; ask an administrator")
    factor = second_factor.active_of(session, user.id, for_update=True)
    if factor is None:  # reset by an administrator meanwhile: the password step decides
        challenges.end(challenge, now)
        raise SignInExpired()
    used = second_factor.check_code(session, factor, code, now)
    if used is None:
        count_failure(session, user, now, reason="wrong second-factor code")
        if user.locked_until is not None:  # that was the last attempt before the lock
            challenges.end(challenge, now)
            raise AccountLocked(user.locked_until)
        raise WrongSignInCode()
    challenges.end(challenge, now)
    how = f"password and {used.value}"
    if used is second_factor.Used.RECOVERY:
        how += f" ({second_factor.recovery_codes_left(factor)} left)"
    finish_login(session, user, now, reason=how)
    return user
