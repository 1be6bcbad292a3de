"""The JSON shapes of the API, as pydantic models so the OpenAPI schema documents them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from trialdesk.trial.store.models import MAX_ROW_ID

__all__ = [
    "ErrorBody",
    "StudySummary",
    "Question",
    "SelfCheckRequest",
    "SelfCheckResult",
    "LeadRequest",
    "LeadCreated",
    "LeadOut",
    "LeadStatusChange",
    "Me",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None


class ErrorBody(BaseModel):
    """The one error shape of every endpoint."""

    error: ErrorDetail


class StudySummary(BaseModel):
    nct_id: str
    title: str
    status: str | None
    conditions: list[str]
    enrollment: str | None
    url: str


class Question(BaseModel):
    id: str
    ask: str
    help: str | None
    answer_type: str
    unit: str | None
    minimum: float | None
    maximum: float | None
    options: list[tuple[str, str]]
    criteria: list[str]
    show_when: list[tuple[str, str]] = Field(
        description="show the question only when every (question id, answer) pair holds"
    )


Answers = dict[str, str]


class SelfCheckRequest(_Strict):
    answers: Answers = Field(
        default_factory=dict,
        max_length=100,
        description="question id → answer, as the form would send it",
    )


class CriterionFinding(BaseModel):
    id: str
    kind: Literal["inclusion", "exclusion"]
    finding: str = Field(description="what the answers say about this criterion")
    why: str
    text: str = Field(description="the criterion in plain language")


class SelfCheckResult(BaseModel):
    study: str
    date: str = Field(description="the day the answers were evaluated for")
    verdict: Literal["may_be_eligible", "probably_not_eligible"]
    reasons: list[str] = Field(description="why probably not eligible, in plain language")
    site_will_check: list[str] = Field(description="what only the study team can check")
    criteria: list[CriterionFinding]
    note: str


class LeadRequest(_Strict):
    answers: Answers = Field(default_factory=dict, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    preferred_contact: str | None = Field(None, max_length=500)
    consent: bool = Field(description="must be true: nothing is stored without consent")


class LeadCreated(BaseModel):
    reference: str


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


class LeadStatusChange(_Strict):
    status: Literal["new", "contacted", "not_suitable", "referred"]
    note: str | None = Field(None, max_length=2000)
    reason: str | None = Field(None, max_length=2000)


class Me(BaseModel):
    username: str
    role: str
    csrf_token: str = Field(description="send as X-CSRF-Token on unsafe requests")


# Row ids in paths: positive and within a signed 64-bit integer, which every store holds
# (a larger number would overflow SQLite's INTEGER before it could be "not found").
RowId = Annotated[int, PathParam(ge=1, le=MAX_ROW_ID)]
