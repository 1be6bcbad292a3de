"""The conduct wing's tables: visits, the forms entered at them, visit signatures and the
end of participation. A participant is an enrolment (trial/screening/models.py)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.store.models import Base, enum_column

__all__ = [
    "DataFreeze",
    "Disposition",
    "FormRecord",
    "FormStatus",
    "LOG",
    "VisitRecord",
    "VisitSignature",
    "WHOLE",
]

LOG = ""  # the visit key of a log form's rows (concomitant medications): no visit


class VisitRecord(Base):
    """A visit of one participant: it took place on ``visit_date``, or it was recorded as
    not done (``missed_reason``). Unscheduled visits are numbered by ``occurrence``."""

    __tablename__ = "visit_record"
    __table_args__ = (UniqueConstraint("enrolment_id", "visit_id", "occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    visit_id: Mapped[str] = mapped_column(String(32))
    occurrence: Mapped[int] = mapped_column(Integer, default=1)
    visit_date: Mapped[date | None] = mapped_column(Date)
    missed_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def key(self) -> str:
        """The visit as forms name it: ``W4``, or ``UNS#2`` for a repeated visit."""
        return self.visit_id if self.occurrence == 1 else f"{self.visit_id}#{self.occurrence}"


class FormStatus(StrEnum):
    INCOMPLETE = "incomplete"  # saved, more to enter
    COMPLETE = "complete"  # marked complete: every required item given


class FormRecord(Base):
    """One form of one participant at one visit (or a row of a log form): the values in
    the item's unit, what was typed, the derived values with their inputs and calculator
    version, and the soft-range flags the values raised."""

    __tablename__ = "form_record"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "visit_key", "form_id", "row"),
        Index("ix_form_record_enrolment_id_form_id", "enrolment_id", "form_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    visit_record_id: Mapped[int | None] = mapped_column(ForeignKey("visit_record.id"))
    visit_key: Mapped[str] = mapped_column(String(48))  # VisitRecord.key, or LOG
    form_id: Mapped[str] = mapped_column(String(64))
    row: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[FormStatus] = mapped_column(enum_column(FormStatus, "status"))
    # {item: value} in the item's own unit: numbers as decimal text, so nothing is rounded
    # by a float on the way through JSON
    values: Mapped[dict[str, Any]]
    entered: Mapped[dict[str, Any]]  # {item: {"value": as typed, "unit": as typed}}
    derived: Mapped[dict[str, Any]]  # {item: {"value", "calculator", "version", "inputs"}}
    flags: Mapped[dict[str, Any]]  # {item: message}: outside the expected range, kept
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class VisitSignature(Base):
    """The investigator's signature on a visit's data; it lapses when they change."""

    __tablename__ = "visit_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_record_id: Mapped[int] = mapped_column(ForeignKey("visit_record.id"), index=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)

    signature: Mapped[Signature] = relationship(lazy="joined")


class Disposition(Base):
    """How a participant's participation ended (SDTM DS, NCOMPLT code list): completed, or
    discontinued with the reason; an early termination names its visit."""

    __tablename__ = "disposition"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), unique=True)
    term: Mapped[str] = mapped_column(String(40))  # CDISC NCOMPLT submission value
    ended_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    visit_record_id: Mapped[int | None] = mapped_column(ForeignKey("visit_record.id"))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))


WHOLE = ""  # the target of a freeze of a participant's whole casebook
_THAWED = text("thawed_at IS NULL")


class DataFreeze(Base):
    """A freeze of a participant's casebook (``WHOLE``) or of one form (conduct/freeze.py)."""

    __tablename__ = "data_freeze"
    __table_args__ = (
        Index(
            "uq_data_freeze_active",
            "enrolment_id",
            "target",
            unique=True,
            sqlite_where=_THAWED,
            postgresql_where=_THAWED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    target: Mapped[str] = mapped_column(String(120))  # WHOLE, or form_target(...)
    frozen_at: Mapped[datetime]
    frozen_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    thawed_at: Mapped[datetime | None]
    thawed_by: Mapped[str | None] = mapped_column(String(64))
    thaw_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def whole(self) -> bool:
        return self.target == WHOLE
