"""The JSON shapes of source data verification, made from the read model the pages use
(trial/review/sdv.py). Texts a person reads come in both languages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from trialdesk.study.loader import Study
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.review.sdv import MAX_AT_ONCE, Count, ItemState, Progress, Shown
from trialdesk.web.rooms.conduct.schemas import Texts, texts
from trialdesk.web.rooms.sdv.shown import label_of
from trialdesk.web.schemas import Strict

__all__ = [
    "ParticipantSdvOut",
    "StudySdvOut",
    "VerifyIn",
    "participant_sdv_out",
    "progress_out",
    "study_sdv_out",
]


class ShownIn(Strict):
    target: Annotated[str, Field(min_length=1, max_length=200)]
    digest: Annotated[str, Field(pattern="^[0-9a-f]{64}$")] = Field(
        description="the digest the item had when shown (required): refused (409) if it "
        "changed since, so a change made meanwhile is never verified unseen"
    )


class VerifyIn(Strict):
    """The items verified in one act, each as it was shown."""

    targets: list[ShownIn] = Field(min_length=1, max_length=MAX_AT_ONCE)

    def shown(self) -> list[Shown]:
        return [Shown(t.target, t.digest) for t in self.targets]


class CountOut(BaseModel):
    required: int
    verified: int
    changed: int = Field(description="verified once, changed since: to verify again")
    pending: int = Field(description="required, never verified")


class ProgressOut(BaseModel):
    critical: CountOut
    sampled: CountOut
    met: bool


class PlanOut(BaseModel):
    rate_percent: float
    endpoints: list[str]
    forms: list[str]
    assumption: bool
    source: str | None


class TargetOut(BaseModel):
    target: str
    kind: str
    need: str | None = Field(description="critical, sampled, or null: not required")
    label: Texts
    content: dict[str, Any] = Field(description="the item as it stands")
    digest: str
    state: str = Field(description="unverified, verified or changed (since verification)")
    verified_at: dt.datetime | None = None
    verified_by: str | None = None
    verified_content: dict[str, Any] | None = Field(None, description="what was verified")


class ParticipantProgressOut(BaseModel):
    enrolment_id: int
    subject_number: str
    progress: ProgressOut


class ParticipantSdvOut(ParticipantProgressOut):
    items: list[TargetOut]


class StudySdvOut(BaseModel):
    study: str
    plan: PlanOut | None
    overall: ProgressOut
    participants: list[ParticipantProgressOut]


def _count(c: Count) -> CountOut:
    return CountOut(required=c.required, verified=c.verified, changed=c.changed, pending=c.pending)


def progress_out(p: Progress) -> ProgressOut:
    return ProgressOut(critical=_count(p.critical), sampled=_count(p.sampled), met=p.met)


def plan_out(study: Study) -> PlanOut | None:
    plan = study.sdv
    if plan is None:
        return None
    return PlanOut(
        rate_percent=plan.rate_percent, endpoints=list(plan.endpoints), forms=sorted(plan.forms),
        assumption=plan.assumption, source=plan.source,
    )  # fmt: skip


def target_out(study: Study, s: ItemState) -> TargetOut:
    v = s.verification
    return TargetOut(
        target=s.target.key, kind=s.target.kind.value,
        need=s.target.need.value if s.target.need else None, label=texts(label_of(study, s)),
        content=s.target.content, digest=s.target.digest, state=s.state.value,
        verified_at=v.verified_at if v else None, verified_by=v.verified_by if v else None,
        verified_content=v.content if v else None,
    )  # fmt: skip


def participant_sdv_out(
    study: Study, participant: Participant, states: list[ItemState], progress: Progress
) -> ParticipantSdvOut:
    return ParticipantSdvOut(
        enrolment_id=participant.id, subject_number=participant.subject_number,
        progress=progress_out(progress),
        items=[target_out(study, s) for s in states if s.target.need is not None],
    )  # fmt: skip


def study_sdv_out(
    study: Study, overall: Progress, each: list[tuple[Participant, Progress]]
) -> StudySdvOut:
    return StudySdvOut(
        study=study.id, plan=plan_out(study), overall=progress_out(overall),
        participants=[
            ParticipantProgressOut(
                enrolment_id=p.id, subject_number=p.subject_number, progress=progress_out(g)
            )
            for p, g in each
        ],
    )  # fmt: skip
