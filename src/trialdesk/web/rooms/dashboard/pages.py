"""The staff dashboard: each study and its pre-screening leads by status."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import leads
from trialdesk.web.access import allow
from trialdesk.web.deps import all_studies, store_of, user_of
from trialdesk.web.pages import render

router = APIRouter(include_in_schema=False)


@router.get("/staff", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_STAFF)])
def dashboard(request: Request) -> HTMLResponse:
    # sync, so on the thread pool: rendering reads the store (the signature queue's count)
    user = user_of(request)
    counts: dict[str, Counter[str]] = {}
    if user.can(Permission.VIEW_LEADS):
        with store_of(request).read() as session:
            for lead in leads.list_leads(session):
                counts.setdefault(lead.study_id, Counter())[lead.status] += 1
    return render(
        request,
        "staff.html",
        {
            "studies": all_studies(request),
            "counts": counts,
            "statuses": [s.value for s in leads.LeadStatus],
        },
    )
