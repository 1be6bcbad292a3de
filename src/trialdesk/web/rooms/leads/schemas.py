"""The leads' JSON shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trialdesk.web.schemas import Strict

__all__ = ["LeadErasure", "LeadErased", "LeadOut", "LeadStatusChange", "LeadStatusName"]

LeadStatusName = Literal["new", "contacted", "not_suitable", "referred", "erased"]


class LeadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reference: str
    study_id: str
    created_at: datetime
    name: str
    email: str | None
    phone: str | None
    preferred_contact: str | None
    answers: dict[str, Any]
    outcome: dict[str, Any]
    status: str
    status_note: str | None
    version: int = Field(description="send it back with a change: one made meanwhile is 409")
    possible_duplicates: list[str] = Field(
        default_factory=list,
        description="references of other leads of the study that may be the same person "
        "(same e-mail, phone number, or name and answers); flagged, never merged",
    )


class LeadStatusChange(Strict):
    status: Literal["new", "contacted", "not_suitable", "referred"]
    note: str | None = Field(None, max_length=2000)
    reason: str | None = Field(None, max_length=2000)
    version: int | None = Field(
        None,
        ge=1,
        description="the lead's version as read: a change someone made since is refused "
        "(409, field version), not overwritten",
    )


class LeadErasure(Strict):
    reason: str | None = Field(
        None, max_length=2000, description="how the person asked (audit trail, no content)"
    )
    version: int | None = Field(
        None, ge=1, description="the lead's version as read: a change made since is 409"
    )


class LeadErased(BaseModel):
    lead: LeadOut = Field(description="the tombstone: status erased, no personal data")
    audit_entry: int = Field(description="the audit entry recording that the erasure happened")
    copies_in_trail: bool = Field(
        description="true for a lead stored before revision 0015: earlier audit entries hold "
        "its details and cannot change; tell the person"
    )
