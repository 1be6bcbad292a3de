"""A study on hold: enrolment and the study treatment paused until a decision resumes it.

The safety wing places a hold when a stopping rule is met (trial/safety/stopping.py) and
releases it with a signed safety-review decision; the wings below it (screening's
enrolment, conduct's day 1) only ask :func:`is_paused`, so they need not import safety.
A hold is never deleted: released, it stays on record with who released it and why. At
most one hold per study is active at a time (a partial unique index stands behind it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from trialdesk.errors import ConflictError
from trialdesk.trial.store import audit, locks
from trialdesk.trial.store.models import Base
from trialdesk.trial.store.values import as_utc

__all__ = [
    "StudyHold",
    "StudyPaused",
    "hold_fields",
    "is_paused",
    "place_hold",
    "refuse_if_paused",
    "release_hold",
]

_ACTIVE = text("released_at IS NULL")


class StudyHold(Base):
    """A pause of one study: the rule that placed it (its id and its words, as the refusal
    names it), what the placing wing keeps about why (``details``), and its release."""

    __tablename__ = "study_hold"
    __table_args__ = (
        Index("ix_study_hold_study_id", "study_id"),
        Index(
            "uq_study_hold_active",
            "study_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]]
    held_at: Mapped[datetime]
    held_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[datetime | None]
    released_by: Mapped[str | None] = mapped_column(String(64))
    release_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def active(self) -> bool:
        return self.released_at is None


class StudyPaused(ConflictError):
    """What the study is paused by, named, and what lifts it."""

    def __init__(self, hold: StudyHold, what: str, *, field: str) -> None:
        super().__init__(
            f"{what} is paused: {hold.reason} (since {hold.held_at:%Y-%m-%d %H:%M} UTC); a "
            "signed safety-review decision resumes the study",
            field=field,
        )
        self.hold = hold


def hold_fields(hold: StudyHold) -> dict[str, Any]:
    names = (
        "study_id",
        "rule",
        "reason",
        "details",
        "released_at",
        "released_by",
        "release_reason",
    )
    return {n: getattr(hold, n) for n in names}


def is_paused(session: Session, study_id: str) -> StudyHold | None:
    """The study's active hold, if it is paused (read afresh: on PostgreSQL a hold
    committed by a write this one waited for is seen)."""
    return session.scalars(
        select(StudyHold)
        .where(StudyHold.study_id == study_id, StudyHold.released_at.is_(None))
        .execution_options(populate_existing=True)
    ).first()


def refuse_if_paused(session: Session, study_id: str, what: str, *, field: str) -> None:
    """Refuse ``what`` (e.g. "enrolment") while the study is paused, naming the rule."""
    hold = is_paused(session, study_id)
    if hold is not None:
        raise StudyPaused(hold, what, field=field)


def place_hold(
    session: Session,
    *,
    study_id: str,
    rule: str,
    reason: str,
    details: dict[str, Any],
    actor: str,
    now: datetime,
) -> StudyHold:
    """Pause the study (audited); the caller has checked it is not paused already."""
    now = as_utc(now)
    locks.writing(session, study_id)
    hold = StudyHold(
        study_id=study_id, rule=rule, reason=reason, details=details, held_at=now, held_by=actor
    )
    session.add(hold)
    session.flush()
    audit.created(
        session,
        hold,
        actor=actor,
        fields=hold_fields(hold),
        reason=reason,
        at=now,
        action=audit.Action.PAUSE,
    )
    return hold


def release_hold(
    session: Session, hold: StudyHold, *, actor: str, reason: str, now: datetime
) -> StudyHold:
    """Resume the study (audited); the hold stays on record, released."""
    if not hold.active:
        raise ConflictError("the study was resumed already", field="hold")
    now = as_utc(now)
    locks.writing(session, hold.study_id)
    before = hold_fields(hold)
    hold.released_at, hold.released_by, hold.release_reason = now, actor, reason
    audit.updated(
        session,
        hold,
        actor=actor,
        before=before,
        after=hold_fields(hold),
        reason=reason,
        at=now,
        action=audit.Action.RESUME,
    )
    return hold
