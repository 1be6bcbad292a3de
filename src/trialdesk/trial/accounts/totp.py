"""Time-based one-time passwords (TOTP, RFC 6238) for the optional second factor.

RFC 6238 §4 with its defaults, which every authenticator app reads from the QR code
(Google Authenticator's Key URI Format): HMAC-SHA1, 30-second steps counted from the
Unix epoch, 6 digits (RFC 4226 §5.3's dynamic truncation, done by pyotp). A code is
accepted within one step either side of the server's (RFC 6238 §5.2 recommends at most
one step of network and clock delay), and only for a step later than the last one
accepted, so a code seen over a shoulder or replayed from a log is refused (§5.2: "the
verifier MUST NOT accept the second attempt of the same OTP").
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import pyotp
from pyotp.utils import strings_equal

from trialdesk.trial.store.values import as_utc

__all__ = [
    "DIGITS",
    "STEP_SECONDS",
    "WINDOW",
    "code_at",
    "matching_step",
    "new_secret",
    "normalise_code",
    "provisioning_uri",
    "step_of",
]

STEP_SECONDS = 30  # RFC 6238 §5.2: "We RECOMMEND a default time-step size of 30 seconds"
DIGITS = 6
WINDOW = 1  # steps accepted either side of the server's (RFC 6238 §5.2)
# 160 bits: RFC 4226 §4 requires at least 128 and recommends 160 (HMAC-SHA1's output).
SECRET_LENGTH = 32  # base32 characters, 5 bits each


def new_secret() -> str:
    """A random shared secret in base32, as authenticator apps take it."""
    return pyotp.random_base32(SECRET_LENGTH)


def _otp(secret: str, digits: int, digest: Any) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=digits, digest=digest, interval=STEP_SECONDS)


def step_of(moment: datetime) -> int:
    """RFC 6238 §4.2's T: whole steps since the Unix epoch."""
    return int(as_utc(moment).timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int, *, digits: int = DIGITS, digest: Any = hashlib.sha1) -> str:
    """The code of ``step`` (RFC 6238's TOTP = HOTP(K, T))."""
    return _otp(secret, digits, digest).generate_otp(step)


def normalise_code(typed: str) -> str:
    """What was typed, without the spaces and dashes people copy along with it."""
    return "".join(typed.split()).replace("-", "")


def matching_step(
    secret: str, typed: str, now: datetime, *, after: int | None = None
) -> int | None:
    """The step whose code was typed, within :data:`WINDOW` of ``now`` and later than
    ``after`` (the last step accepted); None when it matches none of them. Each step is
    compared in constant time."""
    code = normalise_code(typed)
    if len(code) != DIGITS or not code.isdecimal():
        return None
    otp = _otp(secret, DIGITS, hashlib.sha1)  # the secret decoded once for every step
    current = step_of(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if strings_equal(code, otp.generate_otp(step)):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads from the QR code."""
    return _otp(secret, DIGITS, hashlib.sha1).provisioning_uri(name=account, issuer_name=issuer)
