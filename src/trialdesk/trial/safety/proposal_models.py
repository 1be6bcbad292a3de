"""The investigator's decisions on the adverse events lab grades propose.

Only decisions are stored: the proposals themselves are computed from the stored form
values every time they are read (trial/safety/proposals.py), so a proposal is never
stale. A decision names its proposal by its key (participant, visit, form, item, CTCAE
term and grade) and keeps what the investigator was shown (the value and its grade's
rule), so a value corrected since is visible as such beside the decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trialdesk.trial.store.models import Base

__all__ = ["AeProposalDecision"]


class AeProposalDecision(Base):
    """Confirm (with the adverse event it recorded) or dismiss (with the reason) one
    proposal; one decision per proposal."""

    __tablename__ = "ae_proposal_decision"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "visit_key", "form_id", "item_id", "term", "grade"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    visit_key: Mapped[str] = mapped_column(String(48))
    form_id: Mapped[str] = mapped_column(String(64))
    item_id: Mapped[str] = mapped_column(String(64))
    term: Mapped[str] = mapped_column(String(120))  # CTCAE v5.0 term
    grade: Mapped[int] = mapped_column(Integer)
    baseline_grade: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[str] = mapped_column(String(40))  # as shown: decimal text, item's unit
    rule: Mapped[str] = mapped_column(Text)  # the grade's rule as shown
    decision: Mapped[str] = mapped_column(String(10))  # confirm | dismiss
    reason: Mapped[str | None] = mapped_column(Text)  # required for dismiss
    adverse_event_id: Mapped[int | None] = mapped_column(ForeignKey("adverse_event.id"))
    decided_at: Mapped[datetime]
    decided_by: Mapped[str] = mapped_column(String(64))
