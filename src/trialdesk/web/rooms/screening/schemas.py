"""The screening room's JSON shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from trialdesk.study.loader import Study
from trialdesk.trial.screening import enrolment
from trialdesk.trial.screening.models import Candidate
from trialdesk.trial.store.db import Session
from trialdesk.web.schemas import Strict

Text = Annotated[str, Field(max_length=2000)]


Short = Annotated[str, Field(max_length=64)]


class CandidateIn(Strict):
    study: Short
    name: Annotated[str, Field(max_length=200)]
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    record_number: Short | None = None


# What each study declares particular to a participant travels flat beside the fixed
# fields, named as on the page: ``<anchor>_date`` for each date the site sets, and each
# parameter by its name (for NCT06947746: screening_date, baseline_date, target_knee).
DECLARED = (
    "plus, as the study declares them (participant.yaml), a `<anchor>_date` for each date "
    "the site sets and each per-participant parameter by its name (NCT06947746: "
    "`screening_date`, `baseline_date`, `target_knee`)"
)


class CandidateOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, extra="allow", json_schema_extra={"description": DECLARED}
    )

    id: int
    study_id: str
    name: str
    birth_date: date | None
    sex: str | None
    record_number: str | None
    source: str
    source_ref: str | None
    possible_duplicates: list[int]
    status: str
    outcome_reason: str | None
    failed_criteria: list[str]
    version: int
    subject_number: str | None = None


class CriterionOut(BaseModel):
    id: str
    kind: str
    status: str
    text: str
    evidence: list[dict[str, Any]]
    missing: list[str]
    signable: bool
    basis: str | None
    judgments: list[dict[str, Any]]


class ChecklistOut(BaseModel):
    """The checklist, with the dates it was read on (a date not set yet: the one used,
    and ``defaulted`` says so) as ``<anchor>_date`` fields."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"description": DECLARED})

    candidate: CandidateOut
    verdict: str
    defaulted: list[str]
    pre_consent: list[str]
    criteria: list[CriterionOut]


class DetailsIn(BaseModel):
    """The study's dates and parameters, all sent: one not sent is not set."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"description": DECLARED})

    version: int
    reason: Text | None = None


class IdentityIn(Strict):
    version: int
    name: Annotated[str, Field(max_length=200)]
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    record_number: Short | None = None
    reason: Text


class FactIn(Strict):
    concept: Short
    on: date
    value: Short | None = None
    unit: Annotated[str, Field(max_length=32)] | None = None
    end: date | None = None
    dose: Annotated[str, Field(max_length=32)] | None = None
    dose_unit: Annotated[str, Field(max_length=16)] | None = None
    per_day: Annotated[str, Field(max_length=16)] | None = None
    route: Annotated[str, Field(max_length=32)] | None = None
    laterality: Literal["left", "right", "bilateral"] | None = None
    source_document: Annotated[str, Field(max_length=200)]
    code: Annotated[str, Field(max_length=100)] | None = None
    upper_limit: Annotated[str, Field(max_length=40)] | None = None


class FactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    candidate_id: int
    concept: str
    on: date
    value: str | None
    unit: str | None
    upper_limit: str | None
    source_document: str
    entered_by: str
    entered_at: datetime
    retracted_at: datetime | None


class ReasonIn(Strict):
    reason: Text


class JudgmentIn(Strict):
    criterion: Short
    decision: Literal["met", "not_met"]
    reason: Text
    basis: Annotated[str, Field(min_length=64, max_length=64)]
    password: Annotated[str, Field(max_length=1024)]


class ConsentIn(Strict):
    form_version: Annotated[str, Field(max_length=32)]
    consented_at: datetime
    obtained_by: Annotated[str, Field(max_length=200)]
    participant_signed_on: date


class OutcomeIn(Strict):
    outcome: Literal["enrol", "screen_fail", "decline"]
    version: int
    reason: Text | None = None
    on: date | None = None  # the site date it took effect; default today at the site


class WithdrawIn(Strict):
    version: int
    withdrawn_on: date
    reason: Text


class ConsentFormIn(Strict):
    study: Short
    version: Annotated[str, Field(max_length=32)]
    effective_on: date


class ConsentFormOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    study_id: str
    version: str
    effective_on: date


def candidate_out(session: Session, study: Study | None, c: Candidate) -> CandidateOut:
    """The candidate with what their study declares, each date and parameter present (null
    when not set); for a study this app does not serve, what was stored."""
    enrolled = enrolment.enrolment_of(session, c.id)
    if study is not None:
        anchors, parameters = (
            [a.name for a in study.participant.staff],
            list(study.participant.parameters),
        )
    else:
        anchors, parameters = list(c.anchor_dates), list(c.parameters)
    declared = {
        **{f"{a}_date": c.date_of(a) for a in anchors},
        **{name: c.parameters.get(name) for name in parameters},
    }
    shown: dict[str, Any] = CandidateOut.model_validate(c).model_dump()
    shown["subject_number"] = enrolled.subject_number if enrolled is not None else None
    return CandidateOut.model_validate({**shown, **declared})
