"""What the notifications page and its API read: each message with the state staff see.

The stored state is the worker's (models.State); what is shown adds why a pending
message is still pending: never tried yet, or failed and waiting for its next attempt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from trialdesk.trial.notify.models import OutboxMessage, State
from trialdesk.trial.store.db import Session

__all__ = ["MessageView", "Shown", "messages"]


class Shown(StrEnum):
    PENDING = "pending"  # written, not tried yet
    SENDING = "sending"  # a worker holds it now
    SENT = "sent"
    RETRYING = "retrying"  # failed: next_attempt_at and last_error say when and why
    UNDELIVERED = "undelivered"  # no SMTP server configured


@dataclass(frozen=True)
class MessageView:
    id: int
    study_id: str
    enrolment_id: int
    subject_number: str
    adverse_event_id: int
    event_sequence: int
    reason: str
    recipient_role: str
    recipient: str
    subject: str
    message_id: str
    created_at: datetime
    shown: Shown
    attempts: int
    next_attempt_at: datetime | None  # when it waits for a retry or its first attempt
    last_error: str | None
    sent_at: datetime | None


def _shown(message: OutboxMessage) -> Shown:
    if message.state == State.PENDING.value and message.last_error:
        return Shown.RETRYING
    return Shown(message.state)


def messages(session: Session, study_ids: list[str]) -> list[MessageView]:
    """The messages of these studies, newest first (SAEs are few: no paging)."""
    rows = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.study_id.in_(study_ids))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )
    out = []
    for m in rows:
        shown = _shown(m)
        waiting = shown in (Shown.PENDING, Shown.RETRYING)
        out.append(
            MessageView(
                id=m.id,
                study_id=m.study_id,
                enrolment_id=m.enrolment_id,
                subject_number=m.subject_number,
                adverse_event_id=m.adverse_event_id,
                event_sequence=m.event_sequence,
                reason=m.reason,
                recipient_role=m.recipient_role,
                recipient=m.recipient,
                subject=m.subject,
                message_id=m.message_id,
                created_at=m.created_at,
                shown=shown,
                attempts=m.attempts,
                next_attempt_at=m.next_attempt_at if waiting else None,
                last_error=m.last_error,
                sent_at=m.sent_at,
            )
        )
    return out
