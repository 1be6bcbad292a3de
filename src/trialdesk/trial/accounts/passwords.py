"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import secrets
import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from trialdesk.trial.accounts.errors import PasswordPolicyError

# NIST SP 800-63B §5.1.1.2 asks for at least 8 characters and that at least 64 be
# allowed; we require 12 (OWASP Password Storage / Authentication Cheat Sheets advise
# longer passphrases for staff holding patient data) and cap input at 1024 so a huge
# body cannot make hashing a denial of service.
MIN_LENGTH = 12
MAX_LENGTH = 1024

# argon2-cffi's defaults are RFC 9106's second recommended profile (Argon2id, t=3,
# m=64 MiB, p=4), as the OWASP Password Storage Cheat Sheet recommends.
hasher = PasswordHasher()


def _normalise(password: str) -> str:
    # NIST SP 800-63B §5.1.1.2: apply Unicode normalisation (NFKC) before hashing, so
    # the same password typed on different keyboards verifies.
    return unicodedata.normalize("NFKC", password)


def hash_password(p: str) -> str:
    return hasher.hash(_normalise(p))


def verify_password(hash: str, p: str) -> bool:
    """True when ``p`` matches ``hash``; a malformed hash is a mismatch, not a crash."""
    try:
        return hasher.verify(hash, _normalise(p))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(hash: str) -> bool:
    return hasher.check_needs_rehash(hash)


@cache
def _dummy_hash() -> str:
    return hasher.hash("not a password: equalises timing for unknown usernames")


def dummy_verify(p: str) -> None:
    """Spend the time a real verify would, so unknown usernames are not revealed by it."""
    verify_password(_dummy_hash(), p)


def check_password_policy(password: str, *, username: str) -> None:
    """Raise ``PasswordPolicyError`` naming the first rule ``password`` breaks.

    NIST SP 800-63B §5.1.1.2: length is what matters; no composition rules, but refuse
    passwords that are trivially guessable in context (repetitive, the username).
    """
    p = _normalise(password)
    if len(p) < MIN_LENGTH:
        raise PasswordPolicyError(f"the password must have at least {MIN_LENGTH} characters")
    if len(p) > MAX_LENGTH:
        raise PasswordPolicyError(f"the password must have at most {MAX_LENGTH} characters")
    if len(set(p)) == 1:
        raise PasswordPolicyError("the password must not be one character repeated")
    if p.casefold() == username.strip().casefold():
        raise PasswordPolicyError("the password must not be the username")


# Letters and digits that cannot be mistaken for one another when read out or copied from
# a screen (no 0/o, 1/l/i): what an administrator hands a person in person.
_PLAIN = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A random password an administrator gives a user, who must change it at their next
    sign-in: four groups of four (about 79 bits), past the policy's minimum length."""
    return "-".join("".join(secrets.choice(_PLAIN) for _ in range(4)) for _ in range(4))
