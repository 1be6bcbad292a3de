"""The audit chain's key: a secret held outside the database.

Plain SHA-256 lets anyone who can write to the database append a correctly chained entry
and advance the head (security probe F2, T13). From the entry ``keyed_from`` on, each
entry's hash is therefore an HMAC-SHA256 (RFC 2104) under this key: still 64 hex digits,
the same column, no migration. Whoever lacks the key cannot make an entry that verifies.
21 CFR 11.10(e) asks for audit trails whose alteration is detectable; a secret the
database does not hold is what makes that true against the database's own users.

Where the key is, first match wins:

1. ``$TRIALDESK_AUDIT_KEY``: the secret itself, ``KEYED_FROM:HEX`` (or just ``HEX``: the
   whole chain is keyed), for deployments that pass secrets in the environment;
2. ``$TRIALDESK_AUDIT_KEY_FILE``: a key file (it must exist once named);
3. next to a SQLite store, ``<file>.audit-key``; for any other store, a file named after
   the store under ``$TRIALDESK_AUDIT_KEY_DIR`` (default ``~/.config/trialdesk/audit-keys``).
   A store with no key there is unkeyed (as stores were before): ``trialdesk serve``
   creates the key on its first start, ``trialdesk audit key init`` at any time.

The key file (JSON, mode 0600) holds the secret and ``keyed_from``, the first entry keyed
with it: the database cannot say where keying starts, or an attacker would move it. An
entry from there on with a plain SHA-256 hash is reported as appended without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from trialdesk.errors import StoreError
from trialdesk.trial.store.models import AuditHead
from trialdesk.trial.store.values import utc_now

if TYPE_CHECKING:
    from hashlib import _Hash

__all__ = [
    "DIR_ENV",
    "FILE_ENV",
    "KEEP_IT",
    "KEY_ENV",
    "AuditKey",
    "KeyPlace",
    "create_key",
    "ensure_key",
    "key_for",
    "key_of_engine",
    "key_place",
]

KEY_ENV = "TRIALDESK_AUDIT_KEY"
FILE_ENV = "TRIALDESK_AUDIT_KEY_FILE"
DIR_ENV = "TRIALDESK_AUDIT_KEY_DIR"
FORMAT = "trialdesk-audit-key/1"
# what a person is told when a key is made (serve, audit key init)
KEEP_IT = (
    "Keep it secret and away from the database and its backups, and keep a copy safe: "
    "without it 'trialdesk audit verify' cannot vouch for the keyed entries. Every process "
    "that writes to this store must find it: there, or named by TRIALDESK_AUDIT_KEY_FILE "
    "(docs/audit.md)."
)
_HEX_KEY = re.compile(r"[0-9a-f]{64}")

# One secret, a sub-key per use (NIST SP 800-108 style derivation with HMAC as the PRF):
# an anchor's signature can never be replayed as an entry's hash, nor the other way round.
_CHAIN = b"trialdesk audit chain v1"
_ANCHOR = b"trialdesk audit anchor v1"
_FINGERPRINT = b"trialdesk audit key fingerprint v1"


@dataclass(frozen=True, slots=True)
class AuditKey:
    """The secret, the first entry keyed with it, and where it was read."""

    secret: bytes = b""
    keyed_from: int = 1
    source: str = ""  # "file /path" or "$TRIALDESK_AUDIT_KEY", for messages
    path: Path | None = None
    mode: int | None = None  # the file's permission bits, when read from a file

    def __post_init__(self) -> None:
        if len(self.secret) != 32:
            raise ValueError("an audit key is 32 bytes")

    def entry_hash(self, text: bytes) -> str:
        """HMAC-SHA256 hex of an entry's canonical JSON (UTF-8), under the chain sub-key."""
        inner, outer = _chain_pads(self.secret)
        digest = inner.copy()
        digest.update(text)
        result = outer.copy()
        result.update(digest.digest())
        return result.hexdigest()

    def sign(self, message: str) -> str:
        """A 128-bit HMAC-SHA256 tag (hex) of an anchor's text."""
        return hmac.digest(_anchor_key(self.secret), message.encode(), "sha256").hex()[:32]

    @property
    def fingerprint(self) -> str:
        """Names the key without revealing it (16 hex digits)."""
        return hashlib.sha256(_FINGERPRINT + self.secret).hexdigest()[:16]

    @property
    def readable_by_others(self) -> bool:
        return self.mode is not None and bool(self.mode & 0o077)

    def describe(self) -> str:
        return f"{self.source}, fingerprint {self.fingerprint}, keying entries from row " \
            f"{self.keyed_from}"  # fmt: skip


@lru_cache(maxsize=64)
def _chain_pads(secret: bytes) -> tuple[_Hash, _Hash]:
    """HMAC-SHA256 (RFC 2104) under the chain sub-key, its two padded key blocks hashed
    once: each entry then costs two copies and updates, a quarter of ``hmac.digest``'s
    time (which sets the key up anew on every call)."""
    key = hmac.digest(secret, _CHAIN, "sha256").ljust(64, b"\0")  # SHA-256's block: 64
    return (
        hashlib.sha256(bytes(b ^ 0x36 for b in key)),
        hashlib.sha256(bytes(b ^ 0x5C for b in key)),
    )


@lru_cache(maxsize=64)
def _anchor_key(secret: bytes) -> bytes:
    return hmac.digest(secret, _ANCHOR, "sha256")


@dataclass(frozen=True, slots=True)
class KeyPlace:
    """Where a store's key is looked for: the environment's secret, or a file."""

    path: Path | None  # None: the secret is in $TRIALDESK_AUDIT_KEY
    named: bool  # the file was named by $TRIALDESK_AUDIT_KEY_FILE: it must exist

    def __str__(self) -> str:
        return f"${KEY_ENV}" if self.path is None else str(self.path)


def _key_dir() -> Path:
    if given := os.environ.get(DIR_ENV):
        return Path(given).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "trialdesk" / "audit-keys"


@lru_cache(maxsize=256)
def _default_name(shown: str, backend: str, host: str, database: str) -> tuple[bool, str]:
    """(next to the database file?, the file name or path) for one store URL."""
    if backend == "sqlite" and database and database != ":memory:" and "mode=memory" not in shown:
        return True, f"{database}.audit-key"
    digest = hashlib.sha256(shown.encode()).hexdigest()[:12]
    words = [backend, host or "local", Path(database).name if database else "memory", digest]
    return False, re.sub(r"[^A-Za-z0-9._-]+", "_", "-".join(words)) + ".audit-key"


def key_place(url: URL) -> KeyPlace:
    """Where the key of the store at ``url`` is, or would be created."""
    if os.environ.get(KEY_ENV):
        return KeyPlace(None, named=False)
    if given := os.environ.get(FILE_ENV):
        return KeyPlace(Path(given).expanduser(), named=True)
    # named after the database only (host, port and name): the owner's migrations and the
    # application's role, or another spelling of the same URL, find the same key
    shown = (
        url.render_as_string(hide_password=True)
        if url.get_backend_name() == "sqlite"
        else f"{url.get_backend_name()}://{(url.host or '').lower()}:{url.port}/{url.database}"
    )
    beside, name = _default_name(shown, url.get_backend_name(), url.host or "", url.database or "")
    return KeyPlace(Path(name) if beside else _key_dir() / name, named=False)


def _parse_inline(value: str) -> AuditKey:
    keyed_from, _, hexkey = value.strip().rpartition(":")
    if not _HEX_KEY.fullmatch(hexkey.lower()) or (keyed_from and not keyed_from.isdecimal()):
        raise StoreError(
            f"${KEY_ENV} must be KEYED_FROM:KEY or KEY, KEY 64 hex digits (the 'key' and "
            "'keyed_from' of a key file)"
        )
    return AuditKey(bytes.fromhex(hexkey), int(keyed_from or 1), f"${KEY_ENV}")


_FILES: dict[Path, tuple[tuple[int, int, int], AuditKey]] = {}


def _read_file(path: Path) -> AuditKey:
    """The key in ``path``, read again only when the file changed."""
    try:
        st = path.stat()
    except OSError as error:
        raise StoreError(f"cannot read the audit key file {path}: {error.strerror}") from None
    seen = (st.st_ino, st.st_mtime_ns, st.st_size)
    cached = _FILES.get(path)
    if cached is not None and cached[0] == seen:
        return cached[1]
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        hexkey, keyed_from = data["key"], data["keyed_from"]
        if data.get("format") != FORMAT or not _HEX_KEY.fullmatch(hexkey):
            raise ValueError("not a trialdesk audit key")
        if type(keyed_from) is not int or keyed_from < 1:
            raise ValueError("keyed_from must be a whole number from 1")
    except OSError as error:
        raise StoreError(f"cannot read the audit key file {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise StoreError(f"the audit key file {path} is not valid: {error}") from None
    key = AuditKey(
        bytes.fromhex(hexkey), keyed_from, f"file {path}", path, stat.S_IMODE(st.st_mode)
    )
    _FILES[path] = (seen, key)
    return key


def _load(place: KeyPlace) -> AuditKey | None:
    if place.path is None:
        return _parse_inline(os.environ[KEY_ENV])
    if place.named or place.path.exists():
        return _read_file(place.path)
    return None  # an unkeyed store


def key_of_engine(engine: Engine) -> AuditKey | None:
    """The key of the store behind ``engine``; None when it has none (unkeyed). A key
    named but missing or unreadable is an error, never a silent fall back to no key."""
    return _load(key_place(engine.url))


def key_for(session: Session) -> AuditKey | None:
    """The key of the store ``session`` works on (see :func:`key_of_engine`)."""
    return key_of_engine(session.get_bind().engine)


def _write_new(path: Path, content: str) -> None:
    """Write ``content`` to a new file at ``path``, mode 0600, all or nothing; an existing
    file is never replaced (a second key would orphan every entry made with the first)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.link(temporary, path)  # fails if the file exists: no clobbering
    finally:
        temporary.unlink(missing_ok=True)


def create_key(engine: Engine, store_shown: str) -> AuditKey:
    """Make the store's key where :func:`key_place` says, keying entries from the next one.

    The head is locked meanwhile (BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL), so
    no entry can be appended between reading it and the file existing: every later
    transaction reads the key after it has locked the head (audit.append).
    """
    place = key_place(engine.url)
    if place.path is None:
        raise StoreError(f"the audit key is given in ${KEY_ENV}: there is no file to create")
    path = place.path.resolve()
    with Session(engine) as session, session.begin():
        last_id = session.execute(
            select(AuditHead.last_id).where(AuditHead.id == 1).with_for_update()
        ).scalar_one_or_none()
        if last_id is None:
            raise StoreError("the audit head row is missing: run 'trialdesk audit verify'")
        if path.exists():
            raise StoreError(f"an audit key already exists at {path}", file=str(path))
        # a chain keyed already has its key elsewhere: a second would orphan its entries
        # (imported here: keyed_chain reads entries through audit_chain, which imports this)
        from trialdesk.trial.store.keyed_chain import refuse_if_keyed

        last_hash = session.scalar(select(AuditHead.last_hash).where(AuditHead.id == 1))
        refuse_if_keyed(session, last_id, last_hash or "", f"to make a new key at {path}")
        content = {
            "format": FORMAT,
            "about": "The HMAC key of a trialdesk audit trail. Keep it secret and away from "
            "the database and its backups; keep a copy safe: without it 'trialdesk audit "
            "verify' cannot vouch for the entries from keyed_from on.",
            "store": store_shown,
            "created_at": utc_now().isoformat(),
            "keyed_from": last_id + 1,
            "key": secrets.token_bytes(32).hex(),
        }
        try:
            _write_new(path, json.dumps(content, indent=2) + "\n")
        except FileExistsError:
            raise StoreError(f"an audit key already exists at {path}", file=str(path)) from None
        except OSError as error:
            raise StoreError(f"cannot create the audit key file {path}: {error.strerror}") from None
    return _read_file(path)


def ensure_key(engine: Engine, store_shown: str) -> tuple[AuditKey, bool]:
    """The store's key, made first when it has none: (the key, whether it was made)."""
    key = key_of_engine(engine)
    if key is not None:
        return key, False
    return create_key(engine, store_shown), True
