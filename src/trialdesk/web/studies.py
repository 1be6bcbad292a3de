"""Looking up the studies the application serves, and their public pages (built once)."""

from __future__ import annotations

from fastapi import Request

from trialdesk.study.loader import Study
from trialdesk.study.page import TrialPage, trial_page
from trialdesk.web.problems import NotFound

__all__ = ["all_studies", "study_or_404", "page_of"]


def all_studies(request: Request) -> list[Study]:
    studies: dict[str, Study] = request.app.state.studies
    return [studies[k] for k in sorted(studies)]


def study_or_404(request: Request, nct_id: str) -> Study:
    studies: dict[str, Study] = request.app.state.studies
    study = studies.get(nct_id)
    if study is None:
        raise NotFound(f"no study {nct_id!r} here")
    return study


def page_of(request: Request, study: Study) -> TrialPage:
    """The study's page model: immutable, so built once per app and study."""
    pages: dict[str, TrialPage] = request.app.state.pages
    page = pages.get(study.id)
    if page is None:
        page = pages[study.id] = trial_page(study)
    return page
