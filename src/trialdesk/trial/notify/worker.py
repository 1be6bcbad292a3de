"""Deliver the outbox: claim a due message in one transaction, hand it to the SMTP server,
mark it sent in another; every state change audited.

Exactly once, and the one window where it is at least once. A message is claimed
(``sending``, with the worker's name and the time) and committed before the server is
contacted, so two workers never send it together: the claim is a row lock taken with
SKIP LOCKED on PostgreSQL, and SQLite's writers are serialised by BEGIN IMMEDIATE
(store/db.py). A worker that dies after the claim leaves the message ``sending``; once
its lease (:data:`CLAIM_LEASE`, far longer than the SMTP timeouts) has run out, the next
worker to run, after a restart or another process, claims it again and sends it. So an
alert written with its event is delivered even if the process stops at any point.

If the process dies after the server accepted the message and before the ``sent`` mark is
committed, the message is sent again once the lease runs out: the receiver gets it twice.
Both copies carry the same Message-ID (fixed when the message was written, alerts.py), so
a mail system or reader that drops duplicate Message-IDs shows it once. That window is
the time of one commit.

A failed attempt goes back to ``pending`` with its error and the time of the next
attempt, after an exponential back-off (:func:`backoff`); it is retried for as long as
it fails, and shown so. With no SMTP server configured, due messages are marked
``undelivered`` (shown, never dropped) and sent once one is.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from trialdesk.trial.notify.models import OutboxMessage, State
from trialdesk.trial.notify.smtp import SmtpSettings, build_message, deliver
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session, Store
from trialdesk.trial.store.values import as_utc, utc_now

__all__ = [
    "ACTOR",
    "CLAIM_LEASE",
    "NOT_CONFIGURED",
    "Delivered",
    "DeliveryThread",
    "Worker",
    "backoff",
]

log = logging.getLogger("trialdesk.notify")

ACTOR = "system:notify"  # who the audit trail names for the worker's changes
CLAIM_LEASE = timedelta(minutes=5)  # against smtp.SMTP_TIMEOUT of 30 s per operation
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
NOT_CONFIGURED = "SMTP not configured (TRIALDESK_SMTP_HOST is unset)"
_ERROR_LENGTH = 500


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1, 2, 4 ... minutes, at most an
    hour (a 24-hour clock is still met by hourly retries once the server is back)."""
    wait: timedelta = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(wait, LONGEST_RETRY)


@dataclass
class Delivered:
    """What one run did."""

    sent: int = 0
    failed: int = 0
    undelivered: int = 0


def _state_fields(message: OutboxMessage) -> dict[str, object]:
    names = ("state", "attempts", "next_attempt_at", "claimed_at", "claimed_by", "last_error")
    return {n: getattr(message, n) for n in (*names, "sent_at")}


def _audit(
    session: Session, message: OutboxMessage, before: dict[str, object], why: str, at: datetime
) -> None:
    audit.updated(
        session,
        message,
        actor=ACTOR,
        before=before,
        after=_state_fields(message),
        reason=why,
        at=at,
    )


class Worker:
    """One deliverer. Any number may run on one store (in one process or several): the
    claim keeps them from sending a message twice."""

    def __init__(
        self, store: Store, settings: SmtpSettings | None, name: str | None = None
    ) -> None:
        self.store = store
        self.settings = settings
        self.name = name or f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"

    def run_once(self, now: datetime | None = None) -> Delivered:
        """Deliver every message due at ``now`` (default: the clock) and return the counts."""
        done = Delivered()
        if self.settings is None:
            done.undelivered = self._hold_undelivered(as_utc(now or utc_now()))
            return done
        seen: set[int] = set()
        while (claimed := self._claim(as_utc(now or utc_now()), seen)) is not None:
            seen.add(claimed.id)  # once per run: a failure waits for its back-off
            at = as_utc(now or utc_now())
            try:
                deliver(
                    self.settings,
                    build_message(
                        self.settings,
                        recipient=claimed.recipient,
                        subject=claimed.subject,
                        body=claimed.body,
                        message_id=claimed.message_id,
                    ),
                )
            except Exception as error:  # noqa: BLE001 - any failure is stored and retried
                reason = " ".join(f"{type(error).__name__}: {error}".split())[:_ERROR_LENGTH]
                self._failed(claimed.id, reason, as_utc(now or utc_now()))
                log.warning("outbox message %s not delivered: %s", claimed.id, reason)
                done.failed += 1
            else:
                self._sent(claimed.id, at)
                done.sent += 1
        return done

    def _claim(self, now: datetime, seen: set[int]) -> OutboxMessage | None:
        waiting = and_(
            OutboxMessage.state.in_((State.PENDING.value, State.UNDELIVERED.value)),
            OutboxMessage.next_attempt_at <= now,
        )
        abandoned = and_(  # its worker died, or lost the store, after claiming it
            OutboxMessage.state == State.SENDING.value,
            OutboxMessage.claimed_at <= now - CLAIM_LEASE,
        )
        conditions = [or_(waiting, abandoned)]
        if seen:
            conditions.append(OutboxMessage.id.not_in(seen))
        with self.store.transaction() as session:
            query = (
                select(OutboxMessage)
                .where(*conditions)
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            message = session.scalars(query).first()
            if message is None:
                return None
            before = _state_fields(message)
            again = message.state == State.SENDING.value
            message.state = State.SENDING.value
            message.attempts += 1
            message.claimed_at, message.claimed_by = now, self.name
            why = (
                f"claimed again: the claim of {before['claimed_by']} ran out"
                if again
                else f"claimed for attempt {message.attempts}"
            )
            _audit(session, message, before, why, now)
            session.flush()
            session.expunge(message)
            return message

    def _sent(self, message_id: int, now: datetime) -> None:
        with self.store.transaction() as session:
            message = session.get(OutboxMessage, message_id, with_for_update=True)
            if not self._still_ours(message):
                return
            assert message is not None
            before = _state_fields(message)
            message.state = State.SENT.value
            message.sent_at = now
            message.last_error = None
            message.claimed_at = message.claimed_by = None
            _audit(session, message, before, "accepted by the SMTP server", now)

    def _failed(self, message_id: int, error: str, now: datetime) -> None:
        with self.store.transaction() as session:
            message = session.get(OutboxMessage, message_id, with_for_update=True)
            if not self._still_ours(message):
                return
            assert message is not None
            before = _state_fields(message)
            message.state = State.PENDING.value
            message.last_error = error
            message.next_attempt_at = now + backoff(message.attempts)
            message.claimed_at = message.claimed_by = None
            _audit(session, message, before, f"attempt {message.attempts} failed", now)

    def _still_ours(self, message: OutboxMessage | None) -> bool:
        """Whether this worker's claim still stands: one that outlived its lease may have
        been taken over by another worker, whose state this one must not overwrite (it
        would send the message again, or mark sent what the other is still sending)."""
        if message is None or message.state != State.SENDING.value:
            return False
        if message.claimed_by != self.name:
            log.warning("outbox message %s: claim lost to %s", message.id, message.claimed_by)
            return False
        return True

    def _hold_undelivered(self, now: datetime) -> int:
        """Mark due pending messages undelivered: no server to send them to."""
        with self.store.transaction() as session:
            waiting = session.scalars(
                select(OutboxMessage)
                .where(
                    or_(
                        and_(
                            OutboxMessage.state == State.PENDING.value,
                            OutboxMessage.next_attempt_at <= now,
                        ),
                        and_(  # claimed before the server was unset, by a worker since gone
                            OutboxMessage.state == State.SENDING.value,
                            OutboxMessage.claimed_at <= now - CLAIM_LEASE,
                        ),
                    )
                )
                .order_by(OutboxMessage.id)
                .with_for_update(skip_locked=True)
            ).all()
            for message in waiting:
                before = _state_fields(message)
                message.state = State.UNDELIVERED.value
                message.last_error = NOT_CONFIGURED
                message.claimed_at = message.claimed_by = None
                _audit(session, message, before, NOT_CONFIGURED, now)
            return len(waiting)


class DeliveryThread:
    """The worker ``trialdesk serve`` runs beside the web app: a run every ``interval``
    seconds until stopped. A run that fails (the store busy or unreachable) is logged and
    the next one tries again."""

    def __init__(self, worker: Worker, interval: float = 10.0) -> None:
        self.worker = worker
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="trialdesk-notify", daemon=True)

    def start(self) -> DeliveryThread:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.worker.run_once()
            except Exception:  # noqa: BLE001 - keep delivering; the error is logged
                log.exception("outbox delivery run failed")
            self._stop.wait(self.interval)

    def stop(self, timeout: float = 60.0) -> None:
        """Stop after the message being sent, if any (its claim is committed either way)."""
        self._stop.set()
        self._thread.join(timeout)
