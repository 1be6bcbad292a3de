"""The public face: the list of studies and each study's trial page. No sign-in.

These pages are the same for every anonymous visitor (no form, no personal data), so
each is rendered once and served from memory; a signed-in visitor's copy carries their
name in the header and is rendered afresh.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.i18n import current_locale
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.deps import all_studies, page_of, study_or_404, today
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.public.notices import has_published_contact, stale_status
from trialdesk.web.rooms.public.texts import TEXTS

router = APIRouter(include_in_schema=False)


def anonymous_cached(request: Request, key: str, build: Callable[[], HTMLResponse]) -> HTMLResponse:
    if request.state.user is not None:
        return build()
    cache: dict[str, bytes] = request.app.state.page_cache
    key = f"{key}|{current_locale()}"  # one page per language
    body = cache.get(key)
    if body is not None:
        return HTMLResponse(body)
    response = build()
    if response.status_code == 200 and "set-cookie" not in response.headers:
        cache[key] = bytes(response.body)
    return response


@router.get("/", response_class=HTMLResponse, dependencies=[allow(PUBLIC)])
async def home(request: Request) -> HTMLResponse:
    def build() -> HTMLResponse:
        pages = [page_of(request, s) for s in all_studies(request)]
        return render(request, "home.html", {"pages": pages})

    return anonymous_cached(request, "home", build)


@router.get("/studies/{nct_id}", response_class=HTMLResponse, dependencies=[allow(PUBLIC)])
async def study_page(request: Request, nct_id: str) -> Response:
    studies: dict[str, object] = request.app.state.studies
    if nct_id not in studies and nct_id.upper() in studies:
        # NCT ids are written in capitals (ClinicalTrials.gov); "nct06947746" means the same
        # study: one address for it, so the cached page and links agree (D29)
        return RedirectResponse(f"/studies/{nct_id.upper()}", status_code=308)
    study = study_or_404(request, nct_id)
    page = page_of(request, study)
    # the page changes on the day its status becomes stale: kept once per state (D26)
    stale = stale_status(page, today())

    def build() -> HTMLResponse:
        context = {
            "page": page,
            "study": study,
            "stale": stale,
            "has_contact": has_published_contact(page),
            "t": TEXTS,
            "locale": locale_of(request),
        }
        return render(request, "study.html", context)

    return anonymous_cached(request, f"study:{study.id}:{'stale' if stale else 'fresh'}", build)


@router.get("/healthz", dependencies=[allow(PUBLIC)])
async def health() -> dict[str, str]:
    return {"status": "ok"}
