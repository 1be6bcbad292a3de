"""The self-check's JSON shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, StrictBool

from trialdesk.web.schemas import ErrorBody, Strict

__all__ = [
    "THROTTLED",
    "CriterionFinding",
    "LeadCreated",
    "LeadRequest",
    "Question",
    "SelfCheckRequest",
    "SelfCheckResult",
]


# The anonymous endpoints' answer to a client that sent too many (web/throttle.py).
THROTTLED: dict[int | str, dict[str, object]] = {
    429: {
        "model": ErrorBody,
        "description": "too many requests from this client lately: wait the seconds the "
        "Retry-After header says, then try again",
    }
}


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


class SelfCheckRequest(Strict):
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
    verdict: Literal["may_be_eligible", "probably_not_eligible", "cannot_tell"] = Field(
        description="cannot_tell: no answer decided any criterion (none given, or only "
        '"I don\'t know")'
    )
    reasons: list[str] = Field(description="why probably not eligible, in plain language")
    site_will_check: list[str] = Field(description="what only the study team can check")
    criteria: list[CriterionFinding]
    note: str


class LeadRequest(Strict):
    answers: Answers = Field(default_factory=dict, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=320)
    phone: str | None = Field(None, max_length=50)
    preferred_contact: str | None = Field(None, max_length=500)
    # StrictBool: JSON true only, never "yes", "on", 1 or "true" coerced (security probe
    # F11): consent must be explicit
    consent: StrictBool = Field(description="must be JSON true: nothing is stored without consent")


class LeadCreated(BaseModel):
    reference: str
