"""The site's participants: the dashboard (due this week, overdue, missed, incomplete)
with its list, one participant's calendar, and the end of participation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct import disposition
from trialdesk.trial.conduct.dashboard import dashboard
from trialdesk.trial.conduct.views import participant_view
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render
from trialdesk.web.problems import NotFound
from trialdesk.web.rooms.conduct.changes import (
    apply_change,
    conduct_studies,
    site_date,
    site_dates,
    study_of_participant,
)
from trialdesk.web.rooms.queries.pages import dashboard_queries
from trialdesk.web.rooms.safety.sae_pages import clock_panel, with_clocks
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)

BADGES = ("due", "overdue", "missed", "incomplete")
BADGE_TITLES = {
    "due": "Due this week",
    "overdue": "Overdue",
    "missed": "Missed",
    "incomplete": "Forms to complete",
}


@router.get(
    "/staff/participants",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_PARTICIPANTS)],
)
async def participants_page(request: Request, study: str = "", badge: str = "") -> Response:
    """The site dashboard: its counts are the participants' own badges, summed. Kept
    rendered until the next audited write (or the site's next day)."""
    studies = conduct_studies(request)
    if not studies:
        raise NotFound("no study served here has a visit schedule")
    chosen = study_or_404(request, study) if study else studies[0]
    if chosen.schedule is None:
        raise NotFound(f"{chosen.id} has no visit schedule")
    badge = badge if badge in BADGES else ""
    today, locale = site_date(chosen), locale_of(request)

    def build(session: Session, token: str | None) -> Response:
        context: dict[str, Any] = {
            "studies": studies,
            "study": chosen,
            "board": dashboard(session, chosen, today),
            "badge": badge,
            "badges": BADGES,
            "badge_titles": BADGE_TITLES,
            "locale": locale,
            "sae_clocks": clock_panel(session, chosen, locale),
            **dashboard_queries(session, chosen, today),  # templates/queries_counts.html
        }
        if token is not None:
            context["csrf_token"] = token
        return render(request, "participants.html", context)

    key = ("participants", chosen.id, badge, today, locale)
    return remember_locale(request, kept_page(request, with_clocks(key), build))


def _participant_page(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    token: str | None = None,
) -> Response:
    study = study_of_participant(request, session, enrolment_id)
    today = site_date(study)
    context = {
        "study": study,
        "view": participant_view(session, study, enrolment_id, today),
        "today": today,
        "terms": [(t.value, t.label) for t in disposition.EndTerm],
        "errors": errors or {},
        "values": values or {},
        "locale": locale_of(request),
        "sae_clocks": clock_panel(session, study, locale_of(request), enrolment_id),
    }
    if token is not None:
        context["csrf_token"] = token
    return remember_locale(request, render(request, "participant.html", context, status_code=code))


@router.get(
    "/staff/participants/{enrolment_id}",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_PARTICIPANTS)],
)
async def participant_page(request: Request, enrolment_id: RowId) -> Response:
    """One participant's calendar: every visit's target, window and status."""

    def build(session: Session, token: str | None) -> Response:
        return _participant_page(request, session, enrolment_id, token=token)

    key = ("participant", enrolment_id, site_dates(request), locale_of(request))
    clocks = with_clocks(key)
    return remember_locale(request, kept_page(request, clocks, build))


@router.post("/staff/participants/{enrolment_id}/end", dependencies=[allow(Permission.EDIT_VISITS)])
async def end_participation(request: Request, enrolment_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return disposition.end_participation(
            session,
            actor=user_of(request).username,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id,
            term=forms.text(form, "term", 40),
            ended_on=forms.day(form, "ended_on"),
            reason=forms.text(form, "reason") or None,
            termination_visit_on=forms.optional_day(form, "termination_visit_on"),
            now=now(),
        )

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _participant_page(
                request, session, enrolment_id, errors, {**values, "form": "end"}, code
            )

    done = f"/staff/participants/{enrolment_id}#end"
    return await apply_change(request, change, done, refused)
