"""The second factor's shared secret, sealed so that a copy of the database alone is useless.

A TOTP secret must be readable by the server (it computes the codes), so it cannot be
hashed like a password. It is sealed with AES-256-GCM (NIST SP 800-38D) under a key
derived from the store's audit key (store/audit_key.py), a secret the database does not
hold: a stolen database or backup gives no one the codes. The derivation uses HMAC-SHA256
with a label of its own (NIST SP 800-108 style, as the audit key's other sub-keys), and the
user's id is bound in as associated data, so a sealed secret copied to another user's row
does not open.

A store without an audit key cannot seal: enrolment says so and names the command that
makes the key (``trialdesk serve`` makes one on its first start).
"""

from __future__ import annotations

import base64
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError
from trialdesk.trial.store.audit_key import AuditKey, key_for

__all__ = ["NoStoreKey", "SecretUnreadable", "can_seal", "open_secret", "seal_secret"]

_LABEL = b"trialdesk second factor secret v1"
_FORMAT = "v1"
_NONCE = 12  # bytes: NIST SP 800-38D §8.2, a 96-bit random nonce per message


class NoStoreKey(ConflictError):
    """The store has no audit key, so a second factor's secret cannot be sealed."""

    code = "no_store_key"

    def __init__(self) -> None:
        super().__init__(
            "this trial store has no audit key, which a second factor's secret is sealed "
            "with: an administrator runs 'trialdesk audit key init' (or starts 'trialdesk "
            "serve', which makes it), then try again"
        )


class SecretUnreadable(ConflictError):
    """A sealed secret does not open with the store's key (another key, or altered)."""

    code = "second_factor_unreadable"

    def __init__(self) -> None:
        super().__init__(
            "this second factor cannot be read with the store's key (the key changed or "
            "the row was altered): ask an administrator to reset your second factor",
            field="code",
        )


def _key(session: Session) -> AuditKey:
    key = key_for(session)
    if key is None:
        raise NoStoreKey()
    return key


def can_seal(session: Session) -> bool:
    """Whether the store has the key a secret is sealed with (say so before enrolment)."""
    return key_for(session) is not None


def _cipher(key: AuditKey) -> AESGCM:
    return AESGCM(hmac.digest(key.secret, _LABEL, "sha256"))


def _bound_to(user_id: int) -> bytes:
    return f"second_factor user {user_id}".encode()


def seal_secret(session: Session, user_id: int, secret: str) -> str:
    """``secret`` sealed for ``user_id``: "v1:<key fingerprint>:<nonce and ciphertext>"."""
    key = _key(session)
    nonce = os.urandom(_NONCE)
    sealed = _cipher(key).encrypt(nonce, secret.encode("ascii"), _bound_to(user_id))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{_FORMAT}:{key.fingerprint}:{body}"


def open_secret(session: Session, user_id: int, sealed: str) -> str:
    """The secret sealed by :func:`seal_secret`, or :class:`SecretUnreadable`."""
    key = _key(session)
    version, fingerprint, body = (sealed.split(":", 2) + ["", ""])[:3]
    if version != _FORMAT or fingerprint != key.fingerprint:
        raise SecretUnreadable()
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        opened = _cipher(key).decrypt(raw[:_NONCE], raw[_NONCE:], _bound_to(user_id))
    except (InvalidTag, ValueError):
        raise SecretUnreadable() from None
    return opened.decode("ascii")
