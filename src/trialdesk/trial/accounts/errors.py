"""Errors of staff accounts and sign-in; all subclass the project root ``TrialdeskError``."""

from __future__ import annotations

from datetime import datetime

from trialdesk.errors import InputError, TrialdeskError

__all__ = ["AccountError", "AccountLocked", "LoginFailed", "PasswordPolicyError", "SetupError"]


class AccountError(InputError):
    """A user-management request cannot be done (a duplicate name, the last admin)."""


class PasswordPolicyError(AccountError):
    """A new password does not meet the password policy."""


class SetupError(TrialdeskError):
    """A first-admin setup link is unknown, expired or already used."""


class LoginFailed(TrialdeskError):
    """Sign-in refused. The message never says whether the username exists."""

    GENERIC = "wrong username or password"

    def __init__(self, message: str = GENERIC) -> None:
        super().__init__(message)


class AccountLocked(LoginFailed):
    """Sign-in refused because the account is locked after repeated failures."""

    def __init__(self, until: datetime) -> None:
        super().__init__(
            "this account is locked after repeated failed sign-ins; try again after "
            f"{until:%Y-%m-%d %H:%M} UTC or ask an administrator to reset the password"
        )
        self.until = until
