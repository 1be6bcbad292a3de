"""The safety listing: every adverse event of the study, filtered (term or SOC, grade at
least, serious, treatment-emergent, AESI, related, participant), and its CSV. A monitor
reads it all; nothing here writes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from trialdesk.errors import TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.store.db import Session
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import remember_locale
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import errors_of, site_date
from trialdesk.web.rooms.safety.listing import (
    Listing,
    hold_view,
    listing_csv,
    read_listing,
    study_rows,
)
from trialdesk.web.rooms.safety.shared import safety_study, words

__all__ = ["FILTERS", "csv_response", "router"]

router = APIRouter(include_in_schema=False)

FILTERS = ("term", "grade_at_least", "serious", "teae", "aesi", "related", "participant")


def _given(request: Request) -> dict[str, str]:
    return {name: request.query_params.get(name, "")[:120] for name in FILTERS}


@router.get(
    "/staff/safety", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)]
)
async def listing_page(request: Request, study: str = "") -> Response:
    """Every adverse event of the study, filtered; kept rendered until the next write."""
    chosen = safety_study(request, study[:32] or None)
    given = _given(request)
    errors: dict[str, str] = {}
    try:
        wanted = read_listing(given, chosen)
    except TrialdeskError as refused:
        errors, wanted = errors_of(refused), Listing()

    def build(session: Session, token: str | None) -> Response:
        rows = [r for r in study_rows(session, chosen) if wanted.keeps(r)]
        query = urlencode({"study": chosen.id, **wanted.query()})
        context: dict[str, Any] = {
            **words(request),
            "study": chosen,
            "rows": rows,
            "with_subject": True,
            "given": given,
            "errors": errors,
            "csv_query": query,
            "aesis": safety_of(chosen).special_interest,
            "aesi_names": {a.id: a.name for a in safety_of(chosen).special_interest},
            "hold": hold_view(session, chosen).hold,
        }
        if token is not None:
            context["csrf_token"] = token
        return render(request, "safety_listing.html", context, status_code=422 if errors else 200)

    if errors:
        with store_of(request).read() as session:
            return remember_locale(request, build(session, None))
    key = ("safety-listing", chosen.id, tuple(given.items()), words(request)["locale"])
    return remember_locale(request, kept_page(request, key, build))


def csv_response(body: bytes, study: Study) -> Response:
    name = f"adverse-events-{study.id}-{site_date(study).isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/staff/safety/adverse-events.csv", dependencies=[allow(Permission.VIEW_SAFETY)])
async def listing_export(request: Request, study: str = "") -> Response:
    """The listing as filtered, as CSV: UTF-8 with a BOM, headers in the reader's language."""
    chosen = safety_study(request, study[:32] or None)
    try:
        wanted = read_listing(_given(request), chosen)
    except TrialdeskError as refused:
        message = "; ".join(f"{k}: {v}" for k, v in errors_of(refused).items())
        return Response(message, status_code=status_of(refused), media_type="text/plain")
    said = words(request)
    with store_of(request).read() as session:
        rows = [r for r in study_rows(session, chosen) if wanted.keeps(r)]
        body = listing_csv(rows, chosen, said["say"], said["locale"])
    return csv_response(body, chosen)
