"""Accounts: an admin adds staff, sets their role and disables them, resets a password to
a temporary one (changed at the next sign-in) and resets a lost second factor. Nothing
is deleted; every change is audited, no password ever."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts import second_factor
from trialdesk.trial.accounts.passwords import temporary_password
from trialdesk.trial.accounts.roles import Permission, Role
from trialdesk.trial.accounts.users import user_or_404
from trialdesk.trial.store.db import Session
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.accounts.texts import ROLES, TEXTS
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)
MANAGE = [allow(Permission.MANAGE_USERS)]


def _page(
    request: Request,
    error: str | None = None,
    status: int = 200,
    added: dict[str, str] | None = None,
    done: dict[str, str] | None = None,
) -> HTMLResponse:
    """The list of users and the forms; ``done``: what was just done, to say so (a
    generated temporary password is shown here, once)."""
    store = store_of(request)
    with store.read() as session:
        users = accounts.list_users(session)
        context = {
            "users": users, "roles": [r.value for r in Role], "error": error,
            "role_labels": ROLES, "t": TEXTS, "locale": locale_of(request),
            "added": added or {},  # the refused new user's fields, to fill the form again
            "two_step": second_factor.states(session), "done": done or {},
            "me": user_of(request).id,
        }  # fmt: skip
        return render(request, "users.html", context, status_code=status)


@router.get("/admin/users", response_class=HTMLResponse, dependencies=MANAGE)
async def users(request: Request) -> HTMLResponse:
    return _page(request)


def _apply(
    request: Request,
    change: Callable[[Session, str], object],
    added: dict[str, str] | None = None,
) -> Response:
    """Run ``change(session, actor)`` in one audited transaction, then back to the list;
    a refused change re-renders the list with the reason."""
    user = user_of(request)
    store = store_of(request)
    try:
        with store.transaction() as session:
            change(session, user.username)
    except TrialdeskError as error:
        return _page(request, error.message, status_of(error), added)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users", dependencies=MANAGE)
def add_user(  # a plain function: hashing the password runs in the thread pool
    request: Request,
    username: str = Form(max_length=150),
    role: str = Form("", max_length=40),
    password: str = Form(max_length=1024),
    full_name: str = Form("", max_length=200),
    reason: str = Form("", max_length=2000),
    must_change: str = Form("", max_length=10),
) -> Response:
    added = {"username": username, "full_name": full_name, "role": role}
    locale = locale_of(request)
    # what the service leaves optional, the page requires: a role chosen (none is offered
    # by default, walkthrough D23) and the name printed on the user's signatures
    missing: list[TrialdeskError] = []
    if not full_name.strip():
        missing.append(InputError(TEXTS["full_name_needed"].get(locale), field="full_name"))
    if not role:
        missing.append(InputError(TEXTS["role_needed"].get(locale), field="role"))
    if missing:
        refused = FieldErrors(missing)
        return _page(request, refused.message, status_of(refused), added)
    return _apply(
        request,
        lambda session, actor: accounts.create_user(
            session,
            actor=actor,
            username=username,
            password=password,
            role=_role(role),
            reason=reason or None,
            full_name=full_name,
            must_change_password=must_change == "yes",
        ),
        added,
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


@router.post("/admin/users/{user_id}/password", dependencies=MANAGE)
def reset_password(  # a plain function: hashing the password runs in the thread pool
    request: Request,
    user_id: RowId,
    password: str = Form("", max_length=1024),
    reason: str = Form("", max_length=2000),
) -> Response:
    """A temporary password (the one typed, or one made here and shown once): the user
    must change it at their next sign-in, and every session of theirs ends now."""
    made = not password
    temporary = password or temporary_password()
    locale = locale_of(request)
    try:
        with store_of(request).transaction() as session:
            user = accounts.reset_password(
                session, actor=user_of(request).username, user_id=user_id,
                password=temporary, reason=reason or "password reset by an administrator",
            )  # fmt: skip
            name = user.username
    except TrialdeskError as error:
        return _page(request, error.message, status_of(error))
    key = "reset_done" if made else "reset_done_typed"
    done = {"message": TEXTS[key].get(locale).format(username=name)}
    if made:
        done["password"] = temporary
    return _page(request, done=done)


@router.post("/admin/users/{user_id}/second-factor/reset", dependencies=MANAGE)
async def reset_second_factor(
    request: Request, user_id: RowId, reason: str = Form("", max_length=2000)
) -> Response:
    try:
        with store_of(request).transaction() as session:
            name = user_or_404(session, user_id).username
            second_factor.reset_by_admin(
                session, actor=user_of(request).username, user_id=user_id,
                reason=reason or None, now=now(),
            )  # fmt: skip
    except TrialdeskError as error:
        return _page(request, error.message, status_of(error))
    message = TEXTS["second_factor_reset_done"].get(locale_of(request)).format(username=name)
    return _page(request, done={"message": message})


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InputError(f"no role {value!r}; roles: {', '.join(Role)}", field="role") from None
