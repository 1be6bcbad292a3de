"""Accounts: an admin adds staff, sets their role and disables them. Nothing is deleted."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts.roles import Permission, Role
from trialdesk.trial.store.db import Session
from trialdesk.web.access import allow
from trialdesk.web.deps import store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.pages import render
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)
MANAGE = [allow(Permission.MANAGE_USERS)]


def _page(request: Request, error: str | None = None, status: int = 200) -> HTMLResponse:
    store = store_of(request)
    with store.read() as session:
        users = accounts.list_users(session)
        return render(
            request,
            "users.html",
            {"users": users, "roles": [r.value for r in Role], "error": error},
            status_code=status,
        )


@router.get("/admin/users", response_class=HTMLResponse, dependencies=MANAGE)
async def users(request: Request) -> HTMLResponse:
    return _page(request)


def _apply(request: Request, change: Callable[[Session, str], object]) -> Response:
    """Run ``change(session, actor)`` in one audited transaction, then back to the list;
    a refused change re-renders the list with the reason."""
    user = user_of(request)
    store = store_of(request)
    try:
        with store.transaction() as session:
            change(session, user.username)
    except TrialdeskError as error:
        return _page(request, error.message, status_of(error))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users", dependencies=MANAGE)
def add_user(  # a plain function: hashing the password runs in the thread pool
    request: Request,
    username: str = Form(max_length=150),
    role: str = Form(max_length=40),
    password: str = Form(max_length=1024),
    full_name: str = Form("", max_length=200),
    reason: str = Form("", max_length=2000),
) -> Response:
    return _apply(
        request,
        lambda session, actor: accounts.create_user(
            session,
            actor=actor,
            username=username,
            password=password,
            role=_role(role),
            reason=reason or None,
            full_name=full_name or None,
        ),
    )


@router.post("/admin/users/{user_id}", dependencies=MANAGE)
async def change_user(
    request: Request,
    user_id: RowId,
    role: str = Form(max_length=40),
    active: str = Form("", max_length=10),
    full_name: str = Form("", max_length=200),
    reason: str = Form("", max_length=2000),
) -> Response:
    def change(session: Session, actor: str) -> None:
        accounts.set_full_name(
            session, actor=actor, user_id=user_id, full_name=full_name, reason=reason or None
        )
        accounts.set_role(
            session, actor=actor, user_id=user_id, role=_role(role), reason=reason or None
        )
        accounts.set_active(
            session, actor=actor, user_id=user_id, active=active == "yes", reason=reason or None
        )

    return _apply(request, change)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InputError(f"no role {value!r}; roles: {', '.join(Role)}", field="role") from None
