"""The investigator's sign-off of a participant's casebook (review/casebook.py): a link
from the participant to the signature; whether it still holds is derived on every read."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from trialdesk.trial.store.models import Base

__all__ = ["CasebookSignature"]


class CasebookSignature(Base):
    __tablename__ = "casebook_signature"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolment.id"), index=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signature.id"), unique=True)
