"""The notifications page: each safety alert, its recipient and its delivery state."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.notify.views import messages
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.notifications.shared import smtp_state, studies_asked
from trialdesk.web.rooms.notifications.words import sayer

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get(
    "/staff/notifications",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_SAFETY)],
)
async def notifications_page(request: Request, study: str = "") -> Response:
    """Not kept rendered (page_cache): the worker changes a message's state from another
    thread or process at any time, and the page is read rarely."""
    chosen = studies_asked(request, study[:32] or None)
    locale = locale_of(request)
    with store_of(request).read() as session:
        listed = messages(session, [s.id for s in chosen])
    context = {
        "messages": listed,
        "studies": {s.id: s for s in chosen},
        "smtp": smtp_state(),
        "locale": locale,
        "say": sayer(locale),
    }
    return remember_locale(request, render(request, "notifications.html", context))
