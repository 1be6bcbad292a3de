"""The studies served, as JSON: anyone may read them."""

from __future__ import annotations

from fastapi import APIRouter, Request

from trialdesk.study.loader import Study
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.deps import all_studies, page_of, study_or_404
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.public.schemas import StudyDetail, StudySummary, TakingPart

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["studies"])


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
async def get_study(request: Request, nct_id: str) -> StudyDetail:
    study = study_or_404(request, nct_id)
    taking = page_of(request, study).taking_part
    return StudyDetail(
        **_summary(request, study).model_dump(),
        taking_part=TakingPart.of(taking) if taking is not None else None,
    )
