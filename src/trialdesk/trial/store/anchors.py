"""Anchors: the audit head (id and hash) written down outside the store, signed.

The key (audit_key.py) stops anyone without it from adding entries that verify; it cannot
show that entries were taken away. Cutting the tail and rewinding the head (T9, T10),
rewriting a suffix with the key (T15) or emptying the log (T18) leave a chain that is
whole. An anchor kept elsewhere can: the log must still hold the anchored row with the
anchored hash (``trialdesk audit verify --expect-head``/``--anchor-file``).

A token is ``tda1_<id>_<hash>_<tag>``: one word to copy (underscores keep it whole under
a double click), the tag a 128-bit HMAC-SHA256 of ``<id>:<hash>`` under the key's anchor
sub-key, so an anchor file edited by someone without the key does not pass for one.
``<id>:<hash>`` (unsigned) is accepted as well, for a head noted down by other means.

``trialdesk serve --anchor-file PATH`` appends ``<UTC time> <token>`` lines to the file
whenever the head has moved, checked every ``--anchor-every`` minutes (:class:`AnchorWriter`),
at start and at stop.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from trialdesk.errors import InputError, StoreError
from trialdesk.trial.store.audit_key import AuditKey, key_of_engine
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditHead
from trialdesk.trial.store.values import utc_now

__all__ = ["Anchor", "AnchorWriter", "append_anchor", "read_anchor_file"]

log = logging.getLogger("trialdesk.audit")

_TOKEN = re.compile(r"tda1_(\d{1,10})_([0-9a-f]{64})_([0-9a-f]{32})")
_PLAIN = re.compile(r"(\d{1,10}):([0-9a-f]{64})")


@dataclass(frozen=True, slots=True)
class Anchor:
    """The head as it was: the newest entry's id and hash, and the key's tag (None for an
    unsigned ``id:hash``)."""

    id: int
    hash: str
    tag: str | None = None

    @staticmethod
    def signed(key: AuditKey, row_id: int, row_hash: str) -> Anchor:
        return Anchor(row_id, row_hash, key.sign(f"{row_id}:{row_hash}"))

    @property
    def token(self) -> str:
        if self.tag is None:
            return f"{self.id}:{self.hash}"
        return f"tda1_{self.id}_{self.hash}_{self.tag}"

    def signed_by(self, key: AuditKey) -> bool:
        return self.tag is not None and hmac.compare_digest(
            self.tag, key.sign(f"{self.id}:{self.hash}")
        )

    @staticmethod
    def parse(text: str, *, where: str = "--expect-head") -> Anchor:
        """A token or ``id:hash``; anything else is refused, naming ``where``."""
        value = text.strip().lower()
        if found := _TOKEN.fullmatch(value):
            return Anchor(int(found[1]), found[2], found[3])
        if found := _PLAIN.fullmatch(value):
            return Anchor(int(found[1]), found[2])
        raise InputError(
            "an anchor is a token from 'trialdesk audit head' (tda1_...) or ID:HASH (64 hex "
            "digits)",
            field=where,
        )


def check_signatures(anchors: list[Anchor], key: AuditKey | None) -> None:
    """Refuse a signed anchor the key did not sign (or that cannot be checked, no key)."""
    for anchor in anchors:
        if anchor.tag is None:
            continue
        if key is None:
            raise StoreError(
                f"the anchor of row {anchor.id} is signed but this store has no audit key to "
                "check it with (see docs/audit.md)"
            )
        if not anchor.signed_by(key):
            raise InputError(
                f"the anchor of row {anchor.id} was not signed with this store's audit key "
                f"({key.fingerprint}): altered, or another store's",
                field="anchor",
            )


def read_anchor_file(path: Path) -> list[Anchor]:
    """Every anchor in a file of ``<time> <token>`` lines (blank and ``#`` lines skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"cannot read the anchor file: {error.strerror}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("the anchor file is not UTF-8 text", file=str(path)) from None
    anchors = []
    for number, line in enumerate(lines, 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        try:
            anchors.append(Anchor.parse(words[-1], where="anchor"))
        except InputError as error:
            raise InputError(error.message, file=str(path), line=number) from None
    if not anchors:
        raise InputError("the anchor file holds no anchor", file=str(path))
    return anchors


def append_anchor(path: Path, anchor: Anchor, at: datetime) -> None:
    """Add ``<time> <token>`` to the file, on disk before this returns."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = f"{at.isoformat(timespec='seconds')} {anchor.token}\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def _last_anchor(path: Path) -> Anchor | None:
    """The file's newest anchor, read from its end (the file grows for years)."""
    try:
        with path.open("rb") as f:
            f.seek(max(f.seek(0, os.SEEK_END) - 4096, 0))
            tail = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(tail):
        words = line.split()
        if words and not words[0].startswith("#"):
            try:
                return Anchor.parse(words[-1], where="anchor")
            except InputError:
                return None
    return None


class AnchorWriter:
    """``trialdesk serve``'s anchoring thread: the head, signed, appended to ``path``
    whenever it has moved, looked at every ``every`` seconds, at start and at stop. A
    failed run (store busy, disk full) is logged and the next one tries again."""

    def __init__(self, store: Store, path: Path, every: float) -> None:
        self.store = store
        self.path = path
        self.every = every
        last = _last_anchor(path)
        self._last = (last.id, last.hash) if last is not None else None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="trialdesk-anchor", daemon=True)

    def write_once(self) -> Anchor | None:
        """Append the head if it moved since the last anchor; the anchor written, if any."""
        with self.store.read() as session:
            head = session.execute(
                select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
            ).one_or_none()
        if head is None:
            log.warning("audit anchor not written: the audit head row is missing")
            return None
        if (head.last_id, head.last_hash) == self._last:
            return None
        key = key_of_engine(self.store.engine)
        if key is None:
            log.warning("audit anchor not written: the store has no audit key")
            return None
        anchor = Anchor.signed(key, head.last_id, head.last_hash)
        append_anchor(self.path, anchor, utc_now())
        self._last = (anchor.id, anchor.hash)
        return anchor

    def _run(self) -> None:
        try:
            self.write_once()
        except Exception:  # noqa: BLE001 - keep anchoring; the error is logged
            log.exception("audit anchor run failed")

    def start(self) -> AnchorWriter:
        """Write the first anchor now (a file that cannot be written stops the start),
        then keep anchoring in a thread."""
        try:
            self.write_once()
        except OSError as error:
            raise InputError(
                f"cannot write the anchor file: {error.strerror}", file=str(self.path)
            ) from None
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._run()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._thread.join(timeout)
        self._run()  # the head as the server leaves it
