"""Pre-screening leads for staff: the list (filtered by status), each lead with its
answers under their questions, its possible duplicates, its own audit trail, its status
(new, contacted, not suitable, referred), and its erasure on the person's request
(screening/lead_erasure.py)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import lead_duplicates, lead_erasure, leads
from trialdesk.trial.screening.trail import lead_trail
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.leads.shown import answer_rows
from trialdesk.web.rooms.leads.texts import TEXTS
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)

# the statuses a change may set: "erased" only an erasure sets
LEAD_STATUSES = tuple(s.value for s in leads.LeadStatus if s is not leads.LeadStatus.ERASED)


@router.get(
    "/staff/leads", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_LEADS)]
)
async def lead_list(
    request: Request, study: str | None = None, status: str | None = None
) -> HTMLResponse:
    if study:
        study = study_or_404(request, study).id  # never an arbitrary string to the database
    shown = status_filter(status)
    with store_of(request).read() as session:
        rows = leads.list_leads(session, study, shown)
        context = {
            "leads": rows,
            "study": study,
            "status": shown.value if shown else "",
            "statuses": tuple(s.value for s in leads.LeadStatus),
            "duplicates": lead_duplicates.possible_duplicates(session, study),
            "t": TEXTS,
            "locale": locale_of(request),
        }
        return render(request, "leads.html", context)


def status_filter(status: str | None) -> leads.LeadStatus | None:
    """The status the list is filtered by; blank for all, 422 for one that is none."""
    if not status:
        return None
    try:
        return leads.LeadStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in leads.LeadStatus)
        message = f"'{status[:40]}' is not a lead status: choose one of {allowed}"
        raise InputError(message, field="status") from None


@router.get(
    "/staff/leads/{lead_id}",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_LEADS)],
)
async def lead_detail(request: Request, lead_id: RowId, copies: str = "") -> HTMLResponse:
    return _lead_page(request, lead_id, copies_in_trail=copies == "1")


def _lead_page(
    request: Request,
    lead_id: int,
    error: str | None = None,
    status: int = 200,
    *,
    copies_in_trail: bool = False,
) -> HTMLResponse:
    """A lead with its own audit trail; ``error`` when a change was refused."""
    with store_of(request).read() as session:
        lead = leads.lead_or_404(session, lead_id)
        study = request.app.state.studies.get(lead.study_id)
        locale = locale_of(request)
        context = {
            "lead": lead,
            "answers": answer_rows(study, lead.answers, locale),
            "duplicates": lead_duplicates.possible_duplicates(session, lead.study_id).get(
                lead.id, []
            ),
            "trail": lead_trail(session, lead_id),
            "statuses": LEAD_STATUSES,
            "error": error,
            "t": TEXTS,
            "locale": locale,
            "is_candidate": lead_erasure.has_candidate(session, lead_id),
            "copies_in_trail": copies_in_trail,
        }
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


@router.post("/staff/leads/{lead_id}/erase", dependencies=[allow(Permission.EDIT_LEADS)])
async def lead_erase(
    request: Request,
    lead_id: RowId,
    reason: str = Form("", max_length=2000),
    version: str = Form("", max_length=20),
    confirm: str = Form("", max_length=10),
) -> Response:
    """Erase the lead's personal data on the person's request: irreversible, so the box
    confirming the request must be ticked."""
    if confirm != "yes":
        message = TEXTS["confirm_needed"].get(locale_of(request))
        return _lead_page(request, lead_id, message, 422)
    try:
        expected = forms.number({"version": version}, "version")
        with store_of(request).transaction() as session:
            erasure = lead_erasure.erase_lead(
                session,
                actor=user_of(request).username,
                lead_id=lead_id,
                reason=reason or None,
                now=now(),
                expected_version=expected,
            )
    except TrialdeskError as error:
        return _lead_page(request, lead_id, error.message, status_of(error))
    copies = "?copies=1" if erasure.copies_in_trail else ""
    return RedirectResponse(f"/staff/leads/{lead_id}{copies}", status_code=303)
