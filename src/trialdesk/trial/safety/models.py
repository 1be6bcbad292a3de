"""The safety wing's tables: adverse events, the investigator's signed causality
assessments of them, and the signed safety-review decisions that resume a paused study
(the hold itself is the store's ``study_hold``, trial/store/holds.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.store.holds import StudyHold
from trialdesk.trial.store.models import Base

__all__ = [
    "SERIOUSNESS_COLUMNS",
    "AdverseEvent",
    "CausalityAssessment",
    "SafetyReview",
    "StudyHold",
]

# The six ICH E2A criteria, one column each (terms.Seriousness names them).
SERIOUSNESS_COLUMNS = (
    "death",
    "life_threatening",
    "hospitalisation",
    "disability",
    "congenital_anomaly",
    "medically_important",
)


class AdverseEvent(Base):
    """One adverse event of one participant, numbered within the participant (SDTM
    AESPID): the verbatim term, its CTCAE v5.0 term and SOC, onset and end as ISO 8601
    partial dates, the grade, the six ICH E2A seriousness criteria, action taken and
    outcome in CDISC terms, the study's AESIs it is one of, and for a condition present
    before day 1 that worsened, its grade before and when it worsened."""

    __tablename__ = "adverse_event"
    __table_args__ = (UniqueConstraint("enrolment_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"))
    sequence: Mapped[int] = mapped_column(Integer)
    verbatim: Mapped[str] = mapped_column(String(200))
    term: Mapped[str] = mapped_column(String(120))  # CTCAE v5.0 term (a MedDRA LLT)
    meddra_code: Mapped[str] = mapped_column(String(8))
    soc: Mapped[str] = mapped_column(String(120))
    onset_date: Mapped[str] = mapped_column(String(10))  # YYYY[-MM[-DD]]
    end_date: Mapped[str | None] = mapped_column(String(10))
    grade: Mapped[int] = mapped_column(Integer)
    death: Mapped[bool] = mapped_column(Boolean)
    life_threatening: Mapped[bool] = mapped_column(Boolean)
    hospitalisation: Mapped[bool] = mapped_column(Boolean)
    disability: Mapped[bool] = mapped_column(Boolean)
    congenital_anomaly: Mapped[bool] = mapped_column(Boolean)
    medically_important: Mapped[bool] = mapped_column(Boolean)
    action_taken: Mapped[str] = mapped_column(String(20))  # CDISC ACN
    outcome: Mapped[str] = mapped_column(String(40))  # CDISC OUT
    special_interest: Mapped[list[str]] = mapped_column(JSON)
    baseline_grade: Mapped[int | None] = mapped_column(Integer)
    worsened_on: Mapped[str | None] = mapped_column(String(10))
    # When a write first made it serious: the 24-hour clock of the initial report starts
    # here. Set once (events.py), kept if the criteria are later unticked; the clock reads
    # it only while the event is serious. None for an event never serious.
    serious_since: Mapped[datetime | None]
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def seriousness(self) -> list[str]:
        """The ICH E2A criteria ticked (terms.Seriousness values), in their order."""
        return [name for name in SERIOUSNESS_COLUMNS if getattr(self, name)]

    @property
    def serious(self) -> bool:
        """Derived from the criteria, never typed: serious without one cannot exist."""
        return bool(self.seriousness)


class CausalityAssessment(Base):
    """The investigator's signed relationship of an event to the study product and to
    the injection procedure, and its expectedness. The newest one counts; what it relied
    on is in its signature's content, so a later change to the event lapses it."""

    __tablename__ = "causality_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    adverse_event_id: Mapped[int] = mapped_column(ForeignKey("adverse_event.id"), index=True)
    product: Mapped[str] = mapped_column(String(20))  # Relationship
    procedure: Mapped[str] = mapped_column(String(20))  # Relationship
    expected: Mapped[bool] = mapped_column(Boolean)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)

    signature: Mapped[Signature] = relationship(lazy="joined")


class SafetyReview(Base):
    """The signed decision that resumed a paused study: its text, and the events each
    stopping rule counted when it was taken (they need no second review)."""

    __tablename__ = "safety_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    hold_id: Mapped[int] = mapped_column(ForeignKey("study_hold.id"), unique=True)
    decision: Mapped[str] = mapped_column(Text)
    reviewed: Mapped[dict[str, Any]]  # {rule id: [adverse event ids]}
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)

    signature: Mapped[Signature] = relationship(lazy="joined")
    hold: Mapped[StudyHold] = relationship(lazy="joined")
