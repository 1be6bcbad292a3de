"""Pre-screening leads for staff: the list, each lead with its own audit trail, and its
status (new, contacted, not suitable, referred)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import TrialdeskError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import leads
from trialdesk.trial.screening.trail import lead_trail
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of, study_or_404, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.pages import render
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)

LEAD_STATUSES = tuple(s.value for s in leads.LeadStatus)


@router.get(
    "/staff/leads", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_LEADS)]
)
async def lead_list(request: Request, study: str | None = None) -> HTMLResponse:
    if study:
        study = study_or_404(request, study).id  # never an arbitrary string to the database
    with store_of(request).read() as session:
        rows = leads.list_leads(session, study)
        return render(request, "leads.html", {"leads": rows, "study": study})


@router.get(
    "/staff/leads/{lead_id}",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_LEADS)],
)
async def lead_detail(request: Request, lead_id: RowId) -> HTMLResponse:
    return _lead_page(request, lead_id)


def _lead_page(
    request: Request, lead_id: int, error: str | None = None, status: int = 200
) -> HTMLResponse:
    """A lead with its own audit trail; ``error`` when a status change was refused."""
    with store_of(request).read() as session:
        lead = leads.lead_or_404(session, lead_id)
        trail = lead_trail(session, lead_id)
        context = {"lead": lead, "trail": trail, "statuses": LEAD_STATUSES, "error": error}
        return render(request, "lead.html", context, status_code=status)


@router.post("/staff/leads/{lead_id}/status", dependencies=[allow(Permission.EDIT_LEADS)])
async def lead_status(
    request: Request,
    lead_id: RowId,
    status: str = Form(max_length=40),
    note: str = Form("", max_length=2000),
    reason: str = Form("", max_length=2000),
    version: str = Form("", max_length=20),
) -> Response:
    user = user_of(request)
    try:
        # the version the page showed: a change made meanwhile is refused (409), and the
        # page shown again as it is now
        expected = forms.number({"version": version}, "version")
        with store_of(request).transaction() as session:
            leads.set_lead_status(
                session,
                actor=user.username,
                lead_id=lead_id,
                status=status,
                note=note or None,
                reason=reason or None,
                expected_version=expected,
            )
    except TrialdeskError as error:
        return _lead_page(request, lead_id, error.message, status_of(error))
    return RedirectResponse(f"/staff/leads/{lead_id}", status_code=303)
