"""The public studies' JSON shapes: what anyone may read of a study."""

from __future__ import annotations

from pydantic import BaseModel, Field

from trialdesk.study.page_model import TakingPart as TakingPartModel

__all__ = ["StudyDetail", "StudySummary", "TakingPart", "VisitPlan"]


class StudySummary(BaseModel):
    nct_id: str
    title: str
    status: str | None
    conditions: list[str]
    enrollment: str | None
    url: str


class VisitPlan(BaseModel):
    name: str = Field(description="the visit's name: Week 12")
    when: str = Field(description="when it is, in plain words: Day 85, give or take 7 days")
    activities: list[str] = Field(description="what is done at it, in plain words, each once")


class TakingPart(BaseModel):
    """What taking part involves, computed from the study's schedule (English texts)."""

    visits_after_day1: int = Field(description="scheduled visits after study day 1")
    days: int = Field(description="days from day 1 to the last scheduled visit's target day")
    weeks: float = Field(description="the same in weeks")
    screening_days: int | None = Field(
        description="screening starts up to this many days before day 1"
    )
    summary: list[str] = Field(description="the visits and how long, in two sentences")
    visits: list[VisitPlan] = Field(description="each scheduled visit in order")
    protocol_assumption: bool = Field(
        description="the schedule is a protocol assumption pending the site's confirmation"
    )
    source: str | None = Field(description="what the schedule rests on")

    @classmethod
    def of(cls, taking: TakingPartModel) -> TakingPart:
        return cls(
            visits_after_day1=taking.visits_after_day1,
            days=taking.days,
            weeks=round(taking.weeks, 1),
            screening_days=taking.screening_days,
            summary=[taking.visits_text, taking.duration_text],
            visits=[
                VisitPlan(name=v.name, when=v.when, activities=list(v.activities))
                for v in taking.visits
            ],
            protocol_assumption=taking.assumption,
            source=taking.source,
        )


class StudyDetail(StudySummary):
    taking_part: TakingPart | None = Field(
        description="what taking part involves; none for a study without a schedule"
    )
