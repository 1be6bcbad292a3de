"""Protocol deviations as stored: the decisions on proposed ones, and those entered by hand.

The deviations the data show are computed on every read (trial/review/deviations.py), so
a proposal is never stale; a row is stored only once a person acts: the investigator
confirms or dismisses a proposal (the row keeps what was shown), or staff enter one by
hand (proposed until the investigator decides it). A row names its deviation by a stable
key: the kind, the participant and what it is about (a visit key, an endpoint, a
criterion, ``M1`` for the first entered by hand). The DV columns follow the SDTM DV
domain (SDTMIG v3.2 section 6.2): DVTERM, DVDECOD, DVCAT, DVSTDTC, EPOCH and VISIT."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trialdesk.trial.store.models import Base

__all__ = ["ProtocolDeviation"]


class ProtocolDeviation(Base):
    __tablename__ = "protocol_deviation"
    __table_args__ = (UniqueConstraint("enrolment_id", "kind", "what"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # DeviationKind, or "manual"
    what: Mapped[str] = mapped_column(String(120))  # visit key, endpoint id, criterion id, M<n>
    origin: Mapped[str] = mapped_column(String(10))  # proposed (by the data) | manual
    state: Mapped[str] = mapped_column(String(10))  # proposed | confirmed | dismissed
    severity: Mapped[str] = mapped_column(String(5))  # major | minor
    dvterm: Mapped[str] = mapped_column(Text)  # as shown when decided or entered
    dvdecod: Mapped[str | None] = mapped_column(String(60))
    dvcat: Mapped[str] = mapped_column(String(60))
    dvstdtc: Mapped[str | None] = mapped_column(String(10))  # ISO 8601 date
    epoch: Mapped[str | None] = mapped_column(String(40))
    visit_key: Mapped[str | None] = mapped_column(String(48))
    reason: Mapped[str | None] = mapped_column(Text)  # the decision's; required to dismiss
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
