"""The studies served, as JSON: anyone may read them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from trialdesk.study.loader import Study
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.deps import all_studies, page_of, study_or_404
from trialdesk.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["studies"])


class StudySummary(BaseModel):
    nct_id: str
    title: str
    status: str | None
    conditions: list[str]
    enrollment: str | None
    url: str


def _summary(request: Request, study: Study) -> StudySummary:
    page = page_of(request, study)
    return StudySummary(
        nct_id=study.id,
        title=page.title,
        status=page.status,
        conditions=list(page.conditions),
        enrollment=page.enrollment,
        url=f"/studies/{study.id}",
    )


@router.get("/studies", dependencies=[allow(PUBLIC)])
async def list_studies(request: Request) -> list[StudySummary]:
    return [_summary(request, s) for s in all_studies(request)]


@router.get("/studies/{nct_id}", dependencies=[allow(PUBLIC)])
async def get_study(request: Request, nct_id: str) -> StudySummary:
    return _summary(request, study_or_404(request, nct_id))
