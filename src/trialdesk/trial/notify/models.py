"""The outbox's one table: a message to one recipient, written with the change it tells
of and delivered later by the worker (worker.py), its delivery state kept on the row."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from trialdesk.trial.store.models import Base

__all__ = ["OutboxMessage", "State"]


class State(StrEnum):
    """Where a message is. A failed attempt puts it back to PENDING with its error and
    the time of the next attempt; nothing ever removes a message."""

    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a worker (claimed_by, claimed_at): its lease runs
    SENT = "sent"  # the SMTP server accepted it (sent_at)
    UNDELIVERED = "undelivered"  # no SMTP server configured: waits, shown, for one


_STATES = ", ".join(f"'{s.value}'" for s in State)


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="state"),
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(32))
    # the adverse event it tells of (by table name: the outbox imports no safety model)
    adverse_event_id: Mapped[int] = mapped_column(ForeignKey("adverse_event.id"), index=True)
    # which participant and event, as staff name them (the outbox reads no other wing's
    # tables: the page links to the event with these)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    subject_number: Mapped[str] = mapped_column(String(16))
    event_sequence: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))  # alerts.Reason
    recipient_role: Mapped[str] = mapped_column(String(32))  # alerts.RecipientRole
    recipient: Mapped[str] = mapped_column(String(254))  # an e-mail address (RFC 5321)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    # Fixed when written: every attempt sends the same Message-ID (RFC 5322 3.6.4), so a
    # receiver can drop a copy sent again after a crash (worker.py).
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20), default=State.PENDING.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
