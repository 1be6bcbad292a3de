"""A signed-in user changes their own password (walkthrough D23): the current password
re-entered, the change audited, this browser's session renewed and every other one ended
(trial/accounts/own_password.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.trial.accounts.login import check_password
from trialdesk.trial.accounts.own_password import (
    WrongCurrentPassword,
    change_own_password,
    count_wrong_current_password,
)
from trialdesk.trial.accounts.roles import Permission
from trialdesk.web.access import allow
from trialdesk.web.csrf import SESSION_COOKIE, set_cookie
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.accounts.texts import TEXTS

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = "/staff/password"


def _page(
    request: Request, errors: dict[str, str] | None = None, done: bool = False, code: int = 200
) -> Response:
    context: dict[str, Any] = {
        "t": TEXTS, "locale": locale_of(request), "errors": errors or {}, "done": done,
    }  # fmt: skip
    return remember_locale(request, render(request, "password.html", context, status_code=code))


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_STAFF)])
async def password_page(request: Request, changed: str = "") -> Response:
    return _page(request, done=changed == "1")


@router.post(PAGE, dependencies=[allow(Permission.VIEW_STAFF)])
def change_password(  # a plain function: argon2 runs in the thread pool
    request: Request,
    current_password: str = Form("", max_length=1024),
    new_password: str = Form("", max_length=1024),
    new_password_again: str = Form("", max_length=1024),
) -> Response:
    user, store = user_of(request), store_of(request)
    with store.read() as session:  # argon2 outside the write lock
        checked = check_password(session, username=user.username, password=current_password)
    try:
        with store.transaction() as session:
            token = change_own_password(
                session, user_id=user.id, current_password=current_password,
                new_password=new_password, new_password_again=new_password_again,
                now=now(), checked=checked,
            )  # fmt: skip
    except WrongCurrentPassword as wrong:
        with store.transaction() as session:  # counted, though nothing changed
            count_wrong_current_password(session, user_id=user.id, now=now())
        return _page(request, {"current_password": wrong.message}, code=status_of(wrong))
    except TrialdeskError as error:
        errors = (
            {e.field or "form": e.message for e in error.errors}
            if isinstance(error, FieldErrors)
            else {error.field or "form": error.message}
        )
        return _page(request, errors, code=status_of(error))
    # to a page of the new session (its CSRF token is the new session's)
    response = RedirectResponse(PAGE + "?changed=1", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    return response
