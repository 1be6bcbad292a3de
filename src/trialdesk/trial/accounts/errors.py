"""Errors of staff accounts and sign-in; all subclass the project root ``TrialdeskError``."""

from __future__ import annotations

from datetime import datetime

from trialdesk.errors import InputError, TrialdeskError

__all__ = [
    "AccountError",
    "AccountLocked",
    "LoginFailed",
    "PasswordPolicyError",
    "SecondFactorNeeded",
    "SetupError",
    "SignInExpired",
    "WrongSignInCode",
]


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


class SecondFactorNeeded(LoginFailed):
    """Not yet a sign-in: the password was right and the account has a second factor, so
    its code is asked next (``token``: the challenge's, for the browser's cookie). A
    :class:`LoginFailed`, so a caller that knows nothing of second factors signs no one in
    on the password alone."""

    def __init__(self, token: str) -> None:
        super().__init__("enter the code from your authenticator app")
        self.token = token


class SignInExpired(LoginFailed):
    """The sign-in waiting for a code is unknown, used, or too old: start again."""

    def __init__(self) -> None:
        super().__init__(
            "this sign-in has expired or was already used: enter your username and password again"
        )


class WrongSignInCode(LoginFailed):
    """The second factor's code (or recovery code) was not right; counted like a wrong
    password."""

    def __init__(self) -> None:
        super().__init__("the code is not correct (or was used already): try the current one")
