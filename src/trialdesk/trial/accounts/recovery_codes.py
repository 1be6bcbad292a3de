"""Recovery codes: one-time codes that stand in for the authenticator app when it is lost.

Ten codes, shown once when the second factor is confirmed (or renewed), kept only as their
SHA-256. Each carries 80 random bits (16 base32 characters), so a plain hash is enough: no
stored hash can be turned back into a code by guessing (NIST SP 800-63B §5.1.2, look-up
secrets: at least 64 bits of entropy from an approved random generator; §5.1.2.2: kept
hashed, each used once).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

__all__ = ["COUNT", "hashed", "left", "new_codes", "normalise", "use"]

COUNT = 10
_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # RFC 4648 base32, lower case
_GROUPS, _GROUP = 4, 4  # xxxx-xxxx-xxxx-xxxx: 16 characters, 80 bits


def new_codes() -> list[str]:
    return [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP)) for _ in range(_GROUPS))
        for _ in range(COUNT)
    ]


def normalise(typed: str) -> str:
    """Lower case, without spaces or dashes: a code typed as it was printed or not."""
    return "".join(typed.split()).replace("-", "").lower()


def _digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("utf-8")).hexdigest()


def hashed(codes: Sequence[str]) -> list[dict[str, Any]]:
    """The codes as they are stored: their SHA-256, none used yet."""
    return [{"hash": _digest(code), "used_at": None} for code in codes]


def left(stored: Sequence[dict[str, Any]]) -> int:
    return sum(1 for entry in stored if entry.get("used_at") is None)


def use(stored: Sequence[dict[str, Any]], typed: str, now: datetime) -> list[dict[str, Any]] | None:
    """The stored codes with the one typed marked used, or None when it is not one of the
    unused codes. Every stored hash is compared, in constant time each."""
    if len(normalise(typed)) != _GROUPS * _GROUP:
        return None
    digest = _digest(typed)
    found = None
    for index, entry in enumerate(stored):
        if hmac.compare_digest(str(entry.get("hash", "")), digest) and entry.get("used_at") is None:
            found = index
    if found is None:
        return None
    return [
        {**entry, "used_at": now.isoformat()} if index == found else dict(entry)
        for index, entry in enumerate(stored)
    ]
