"""Pre-screening leads as JSON, for signed-in staff: read, change the status, erase on the
person's request (409 for a lead that became a candidate: study data)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import lead_duplicates, lead_erasure, leads
from trialdesk.trial.screening.models import Lead
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.leads.schemas import (
    LeadErased,
    LeadErasure,
    LeadOut,
    LeadStatusChange,
    LeadStatusName,
)
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["leads"])


@router.get("/leads", dependencies=[allow(Permission.VIEW_LEADS)])
async def list_leads(
    request: Request, study: str | None = None, status: LeadStatusName | None = None
) -> list[LeadOut]:
    """Leads, newest first; one study's, or those in one status, when asked."""
    if study is not None:
        study = study_or_404(request, study).id  # never an arbitrary string to the database
    shown = leads.LeadStatus(status) if status else None
    with store_of(request).read() as session:
        twins = lead_duplicates.possible_duplicates(session, study)
        return [_out(lead, twins) for lead in leads.list_leads(session, study, shown)]


def _out(lead: Lead, twins: dict[int, list[lead_duplicates.LeadMatch]]) -> LeadOut:
    out = LeadOut.model_validate(lead)
    out.possible_duplicates = [m.reference for m in twins.get(lead.id, [])]
    return out


@router.get("/leads/{lead_id}", dependencies=[allow(Permission.VIEW_LEADS)])
async def get_lead(request: Request, lead_id: RowId) -> LeadOut:
    with store_of(request).read() as session:
        lead = leads.lead_or_404(session, lead_id)
        return _out(lead, lead_duplicates.possible_duplicates(session, lead.study_id))


@router.patch("/leads/{lead_id}", dependencies=[allow(Permission.EDIT_LEADS)])
async def change_lead(request: Request, lead_id: RowId, body: LeadStatusChange) -> LeadOut:
    with store_of(request).transaction() as session:
        lead = leads.set_lead_status(
            session,
            actor=user_of(request).username,
            lead_id=lead_id,
            status=body.status,
            note=body.note,
            reason=body.reason,
            expected_version=body.version,
        )
        return LeadOut.model_validate(lead)


@router.post("/leads/{lead_id}/erase", dependencies=[allow(Permission.EDIT_LEADS)])
async def erase_lead(request: Request, lead_id: RowId, body: LeadErasure) -> LeadErased:
    """Erase the lead's personal data on the person's request; the lead stays as a
    tombstone (status erased) and the audit trail records that it happened."""
    with store_of(request).transaction() as session:
        erasure = lead_erasure.erase_lead(
            session,
            actor=user_of(request).username,
            lead_id=lead_id,
            reason=body.reason,
            now=now(),
            expected_version=body.version,
        )
    # after the commit: the tombstone as stored, its new version included
    return LeadErased(
        lead=LeadOut.model_validate(erasure.lead),
        audit_entry=erasure.entry_id,
        copies_in_trail=erasure.copies_in_trail,
    )
