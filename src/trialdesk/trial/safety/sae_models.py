"""The serious adverse event report's table: the initial report (number 0) and the
numbered follow-up reports of one serious event, each drafted, then submitted with the
investigator's signature, after which it never changes (a correction is a follow-up)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.store.models import Base

__all__ = ["SaeReport"]


class SaeReport(Base):
    """One report of a serious adverse event, in the CIOMS I form's terms: the narrative
    (box 13: describe reaction, including relevant tests/lab data), the hospitalisation's
    dates, the outcome (CDISC OUT, from the event when written), relevant tests and
    concomitant medication as the reporter wrote them, and the reporter's printed name."""

    __tablename__ = "sae_report"
    __table_args__ = (UniqueConstraint("adverse_event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adverse_event_id: Mapped[int] = mapped_column(ForeignKey("adverse_event.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 0: the initial report; 1, 2, ...: follow-ups
    narrative: Mapped[str | None] = mapped_column(Text)
    admitted_on: Mapped[date | None] = mapped_column(Date)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(40))  # CDISC OUT, the event's when written
    tests: Mapped[str | None] = mapped_column(Text)  # relevant tests and laboratory data
    concomitant: Mapped[str | None] = mapped_column(Text)  # concomitant drugs and history
    reporter: Mapped[str | None] = mapped_column(String(200))  # printed name
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime | None]
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id"), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    signature: Mapped[Signature | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def initial(self) -> bool:
        return self.number == 0

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None

    @property
    def label(self) -> str:
        return "initial report" if self.initial else f"follow-up report {self.number}"
