"""The staff home: each study with the work that waits for the signed-in user's role
(queues.py), its staff view and, named as such, its public page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.roles import Permission
from trialdesk.web.access import allow
from trialdesk.web.deps import StaffUser, all_studies, now, store_of, user_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.dashboard.queues import QUEUE_TEXTS, queues_of

router = APIRouter(include_in_schema=False)

# Where "open the study's work" goes, by what the role may see: the first it may.
_STAFF_VIEWS = (
    (Permission.VIEW_PARTICIPANTS, "/staff/participants"),
    (Permission.VIEW_CANDIDATES, "/staff/candidates"),
    (Permission.VIEW_LEADS, "/staff/leads"),
)


def staff_view(user: StaffUser, study: Study) -> str | None:
    for permission, path in _STAFF_VIEWS:
        if user.can(permission) and (path != "/staff/participants" or study.schedule):
            return f"{path}?study={study.id}"
    return None


@router.get("/staff", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_STAFF)])
def dashboard(request: Request) -> HTMLResponse:
    # sync, so on the thread pool: the queues and the signature count read the store
    user = user_of(request)
    studies = all_studies(request)
    with store_of(request).read() as session:
        queues = {s.id: queues_of(session, user, s, site_today(s.schedule, now())) for s in studies}
    return render(
        request,
        "staff.html",
        {
            "studies": studies,
            "queues": queues,
            "views": {s.id: staff_view(user, s) for s in studies},
            "qt": QUEUE_TEXTS,
            "locale": locale_of(request),
        },
    )
