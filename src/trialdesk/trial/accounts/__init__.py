"""Staff accounts, sign-in and the first-admin setup link: the public interface.

The work is done in ``users`` (account management), ``login`` (authentication and
lockout), ``code_sign_in`` (the second step, for an account with a second factor),
``second_factor`` (the optional authenticator app, with ``totp``, ``recovery_codes`` and
``secret_box``), ``setup`` (one-time setup link) and ``passwords`` (hashing and policy).
"""

from __future__ import annotations

from trialdesk.errors import NotFoundError
from trialdesk.trial.accounts.errors import (
    AccountError,
    AccountLocked,
    LoginFailed,
    PasswordPolicyError,
    SecondFactorNeeded,
    SetupError,
    SignInExpired,
    WrongSignInCode,
)
from trialdesk.trial.accounts.login import LOCKOUT_DURATION, MAX_FAILED_LOGINS, authenticate
from trialdesk.trial.accounts.passwords import check_password_policy, hash_password, verify_password
from trialdesk.trial.accounts.setup import (
    SETUP_TOKEN_LIFETIME,
    complete_setup,
    create_setup_token,
    needs_setup,
    setup_link_problem,
)
from trialdesk.trial.accounts.users import (
    create_user,
    find_user,
    list_users,
    reset_password,
    set_active,
    set_full_name,
    set_role,
)

__all__ = [
    "LOCKOUT_DURATION",
    "MAX_FAILED_LOGINS",
    "SETUP_TOKEN_LIFETIME",
    "AccountError",
    "AccountLocked",
    "LoginFailed",
    "NotFoundError",
    "PasswordPolicyError",
    "SecondFactorNeeded",
    "SetupError",
    "SignInExpired",
    "WrongSignInCode",
    "authenticate",
    "check_password_policy",
    "complete_setup",
    "create_setup_token",
    "create_user",
    "find_user",
    "hash_password",
    "list_users",
    "needs_setup",
    "reset_password",
    "set_active",
    "set_full_name",
    "set_role",
    "setup_link_problem",
    "verify_password",
]
