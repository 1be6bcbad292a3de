"""Source data verification's table: what a monitor verified of one item of one
participant, exactly as it stood (its content and that content's SHA-256). Whether the
item is still verified is never stored: it is derived on every read by comparing the
digest with the item as it stands now (review/sdv.py), so it cannot be stale."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trialdesk.trial.store.models import Base

__all__ = ["SdvVerification"]


class SdvVerification(Base):
    """The newest verification of one target (``item:W4/joint_counts#1/tjc28``,
    ``ae:12``, ``consent:3``, ``fact:40``, ``judgment:I4``); a re-verification updates it,
    the audit trail keeps each one."""

    __tablename__ = "sdv_verification"
    __table_args__ = (UniqueConstraint("enrolment_id", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    target: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # item, adverse_event, consent, fact, ...
    content: Mapped[dict[str, Any]]  # exactly what was verified: value, unit, as typed
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the canonical content
    verified_at: Mapped[datetime]
    verified_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
