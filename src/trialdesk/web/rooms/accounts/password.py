"""A signed-in user changes their own password (walkthrough D23): the current password
re-entered, the change audited, this browser's session renewed and every other one ended
(trial/accounts/own_password.py). After an administrator's reset it is the only staff page
open (web/access.py) until the temporary password is replaced. A locked account is refused
before any hashing, and the hashing runs within the sign-in's concurrency bound
(web/throttle.py HashSlots)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.trial.accounts.login import check_password
from trialdesk.trial.accounts.own_password import (
    WrongCurrentPassword,
    change_own_password,
    count_wrong_current_password,
    refuse_if_locked,
)
from trialdesk.trial.accounts.roles import Permission
from trialdesk.web.access import allow
from trialdesk.web.csrf import SESSION_COOKIE, set_cookie
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.accounts.texts import TEXTS
from trialdesk.web.throttle import BUSY, Busy, HashSlots

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = "/staff/password"


def _page(
    request: Request, errors: dict[str, str] | None = None, done: bool = False, code: int = 200
) -> Response:
    context: dict[str, Any] = {
        "t": TEXTS, "locale": locale_of(request), "errors": errors or {}, "done": done,
        "must_change": user_of(request).must_change_password,
    }  # fmt: skip
    return remember_locale(request, render(request, "password.html", context, status_code=code))


# the one page a user whose password an administrator reset may open (web/access.py); it
# changes only their own account, so it stays open while a study's database is locked
OWN = [allow(Permission.VIEW_STAFF, own_account=True, before_password_change=True)]


@router.get(PAGE, response_class=HTMLResponse, dependencies=OWN)
async def password_page(request: Request, changed: str = "") -> Response:
    return _page(request, done=changed == "1")


@router.post(PAGE, dependencies=OWN)
async def change_password(
    request: Request,
    current_password: str = Form("", max_length=1024),
    new_password: str = Form("", max_length=1024),
    new_password_again: str = Form("", max_length=1024),
) -> Response:
    """Change the signed-in user's password. Argon2 (the current password's check, the
    new one's hash) runs in the thread pool within the server's hashing slots, as a
    sign-in's does (web/throttle.py): a flood of changes cannot take more memory than
    sign-ins may. A full line is refused at once (503, Retry-After)."""
    user = user_of(request)
    slots: HashSlots = request.app.state.hash_slots
    typed = (current_password, new_password, new_password_again)
    try:
        async with slots.slot():
            outcome = await run_in_threadpool(_change, request, user.id, user.username, *typed)
    except Busy as busy:
        response = _page(request, {"form": BUSY.get(locale_of(request))}, code=503)
        response.headers["retry-after"] = str(busy.retry_after)
        return response
    if isinstance(outcome, _Refused):
        return _page(request, outcome.errors, code=outcome.status)
    # to a page of the new session (its CSRF token is the new session's)
    response = RedirectResponse(PAGE + "?changed=1", status_code=303)
    set_cookie(request, response, SESSION_COOKIE, outcome)
    return response


@dataclass(frozen=True)
class _Refused:
    errors: dict[str, str]  # by field
    status: int


def _change(
    request: Request,
    user_id: int,
    username: str,
    current_password: str,
    new_password: str,
    new_password_again: str,
) -> str | _Refused:
    """The new session's token, or why nothing changed (in a worker thread)."""
    store = store_of(request)
    try:
        with store.read() as session:  # argon2 outside the write lock; a lock first
            refuse_if_locked(session, user_id=user_id, now=now())
            checked = check_password(session, username=username, password=current_password)
        with store.transaction() as session:
            return change_own_password(
                session, user_id=user_id, current_password=current_password,
                new_password=new_password, new_password_again=new_password_again,
                now=now(), checked=checked,
            )  # fmt: skip
    except WrongCurrentPassword as wrong:
        with store.transaction() as session:  # counted, though nothing changed
            count_wrong_current_password(session, user_id=user_id, now=now())
        return _Refused({"current_password": wrong.message}, status_of(wrong))
    except TrialdeskError as error:
        errors = (
            {e.field or "form": e.message for e in error.errors}
            if isinstance(error, FieldErrors)
            else {error.field or "form": error.message}
        )
        return _Refused(errors, status_of(error))
