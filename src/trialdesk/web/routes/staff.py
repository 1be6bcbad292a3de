"""The staff room: the dashboard, pre-screening leads and the audit trail."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import TrialdeskError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import leads
from trialdesk.trial.screening.models import Lead
from trialdesk.trial.store import audit
from trialdesk.trial.store.audit_search import AuditFilter, search
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.identity import StaffUser
from trialdesk.web.pages import render
from trialdesk.web.problems import NotFound
from trialdesk.web.schemas import RowId
from trialdesk.web.studies import all_studies, study_or_404

router = APIRouter(include_in_schema=False)

LEAD_STATUSES = ("new", "contacted", "not_suitable", "referred")
AUDIT_PAGE = 200


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


@router.get("/staff", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_STAFF)])
async def dashboard(request: Request) -> HTMLResponse:
    user: StaffUser = request.state.user
    counts: dict[str, Counter[str]] = {}
    if user.can(Permission.VIEW_LEADS):
        with store_of(request).read() as session:
            for lead in leads.list_leads(session):
                counts.setdefault(lead.study_id, Counter())[lead.status] += 1
    return render(
        request,
        "staff.html",
        {"studies": all_studies(request), "counts": counts, "statuses": LEAD_STATUSES},
    )


@router.get(
    "/staff/leads", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_LEADS)]
)
async def lead_list(request: Request, study: str | None = None) -> HTMLResponse:
    if study:
        study = study_or_404(request, study).id  # never an arbitrary string to the database
    with store_of(request).read() as session:
        rows = leads.list_leads(session, study)
        return render(request, "leads.html", {"leads": rows, "study": study})


def lead_or_404(session: Session, lead_id: int) -> Lead:
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(f"no lead {lead_id}")
    return lead


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
        lead = lead_or_404(session, lead_id)
        trail = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.entity == Lead.__tablename__, AuditRecord.entity_id == str(lead_id))
            .order_by(AuditRecord.id)
        ).all()
        context = {"lead": lead, "trail": trail, "statuses": LEAD_STATUSES, "error": error}
        return render(request, "lead.html", context, status_code=status)


@router.post("/staff/leads/{lead_id}/status", dependencies=[allow(Permission.EDIT_LEADS)])
async def lead_status(
    request: Request,
    lead_id: RowId,
    status: str = Form(max_length=40),
    note: str = Form("", max_length=2000),
    reason: str = Form("", max_length=2000),
) -> Response:
    user: StaffUser = request.state.user
    try:
        with store_of(request).transaction() as session:
            leads.set_lead_status(
                session,
                actor=user.username,
                lead_id=lead_id,
                status=status,
                note=note or None,
                reason=reason or None,
            )
    except TrialdeskError as error:
        return _lead_page(request, lead_id, error.message, 422)
    return RedirectResponse(f"/staff/leads/{lead_id}", status_code=303)


@router.get(
    "/staff/audit", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_AUDIT)]
)
async def audit_trail(
    request: Request,
    candidate: str = "",
    actor: str = "",
    since: str = "",
    until: str = "",
) -> HTMLResponse:
    """The audit log, newest first, filtered by person (candidate), user and dates."""
    values = {"candidate": candidate, "actor": actor, "since": since, "until": until}
    errors: dict[str, str] = {}
    try:
        wanted = AuditFilter(
            candidate_id=forms.number(values, "candidate"),
            actor=forms.text(values, "actor", 64) or None,
            since=forms.optional_day(values, "since"),
            until=forms.optional_day(values, "until"),
        )
    except TrialdeskError as error:
        errors[error.field or "form"] = error.message
        wanted = AuditFilter()
    with store_of(request).read() as session:
        report = audit.verify(session)
        rows = search(session, wanted, AUDIT_PAGE)
        context = {"rows": rows, "report": report, "values": values, "errors": errors}
        return render(request, "audit.html", context, status_code=422 if errors else 200)
