"""The notifications room through the JSON API: what the page shows, with the same
permission (whoever may read safety data)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.notify.views import messages
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.notifications.schemas import NotificationsOut, SmtpOut, message_out
from trialdesk.web.rooms.notifications.shared import smtp_state, studies_asked

__all__ = ["router"]

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["notifications"])


@router.get("/notifications", dependencies=[allow(Permission.VIEW_SAFETY)])
async def list_notifications(
    request: Request,
    study: Annotated[
        str | None, Query(max_length=32, description="NCT id (default: every study served)")
    ] = None,
) -> NotificationsOut:
    """Every safety alert, newest first: its event, recipient, delivery state (pending,
    sending, sent, retrying with the next attempt and the last error, or undelivered
    with no SMTP server configured) and attempts; and the SMTP server in use."""
    chosen = studies_asked(request, study)
    with store_of(request).read() as session:
        listed = messages(session, [s.id for s in chosen])
    smtp = smtp_state()
    return NotificationsOut(
        smtp=SmtpOut(configured=smtp.server is not None, server=smtp.server, problem=smtp.problem),
        messages=[message_out(m) for m in listed],
    )
