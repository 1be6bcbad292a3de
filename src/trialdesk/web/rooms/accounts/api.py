"""Who am I, for scripts using a signed-in session: name, role and the CSRF token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from trialdesk.trial.accounts.roles import Permission
from trialdesk.web import csrf
from trialdesk.web.access import allow
from trialdesk.web.deps import user_of
from trialdesk.web.errors import ERROR_RESPONSES

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["staff"])


class Me(BaseModel):
    username: str
    role: str
    csrf_token: str = Field(description="send as X-CSRF-Token on unsafe requests")


@router.get("/me", dependencies=[allow(Permission.VIEW_STAFF)])
async def me(request: Request) -> Me:
    user = user_of(request)
    return Me(username=user.username, role=user.role.value, csrf_token=csrf.token_for(request))
