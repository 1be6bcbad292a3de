"""The second step of signing in: the code from the authenticator app (or a recovery code)
for the sign-in whose password was right (its challenge in the ``td_sign_in`` cookie).

Each attempt counts against the client's sign-in throttle (web/throttle.py) as a password
does, and a wrong code counts towards the account's lockout (code_sign_in.py). Checking a
code is an HMAC and an AES-GCM opening, microseconds: no hashing slot is taken.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.trial import accounts
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.code_sign_in import complete_with_code, waiting_user
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.csrf import SESSION_COOKIE, set_cookie
from trialdesk.web.deps import now, store_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.accounts.pages import CHALLENGE_COOKIE, refusal_text, safe_next
from trialdesk.web.rooms.accounts.texts import TEXTS
from trialdesk.web.throttle import ClientThrottle, Throttled, too_many

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = "/login/code"


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    context = {"t": TEXTS, "locale": locale_of(request), "error": None, **context}
    response = render(request, "login_code.html", context, status_code=status_code)
    return remember_locale(request, response)


def _start_again(next: str) -> Response:
    return RedirectResponse("/login?" + urlencode({"next": safe_next(next)}), status_code=303)


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(PUBLIC)])
async def code_form(request: Request, next: str = "/staff") -> Response:
    token = request.cookies.get(CHALLENGE_COOKIE, "")
    with store_of(request).read() as session:
        username = waiting_user(session, token, now())
    if username is None:  # no sign-in waits for a code here: the password first
        return _start_again(next)
    return _page(request, {"next": safe_next(next), "username": username})


@router.post(PAGE, dependencies=[allow(PUBLIC)])
async def code(
    request: Request,
    code: str = Form("", max_length=40),
    next: str = Form("/staff", max_length=2000),
) -> Response:
    token = request.cookies.get(CHALLENGE_COOKIE, "")
    if not token:  # no sign-in waits for a code in this browser: the password first
        return _start_again(next)
    throttle: ClientThrottle = request.app.state.sign_in_throttle
    client = request.client.host if request.client else "unknown"
    try:
        throttle.admit(client)
    except Throttled as refused:
        await request.app.state.tarpit.hold()
        return too_many(request, refused.retry_after)
    store = store_of(request)
    with store.transaction() as session:  # a wrong code is counted and audited: commit it
        try:
            user = complete_with_code(session, token=token, code=code, now=now())
            outcome: str | accounts.LoginFailed = sessions.start(session, user, now())
        except accounts.LoginFailed as error:
            outcome = error
    if isinstance(outcome, str):
        throttle.give_back(client)
        response = RedirectResponse(safe_next(next), status_code=303)
        set_cookie(request, response, SESSION_COOKIE, outcome)
        response.delete_cookie(CHALLENGE_COOKIE, path="/")
        return response
    message = refusal_text(outcome, locale_of(request))
    if not isinstance(outcome, accounts.WrongSignInCode):  # expired, locked, disabled
        page = _login_again(request, next, message, outcome)
        page.delete_cookie(CHALLENGE_COOKIE, path="/")
        return page
    with store.read() as session:
        username = waiting_user(session, token, now()) or ""
    context = {"next": safe_next(next), "username": username, "error": message}
    return _page(request, context, status_code=401)


def _login_again(
    request: Request, next: str, message: str, error: accounts.LoginFailed
) -> Response:
    """The sign-in page with why the code step ended: start again from the password."""
    status = 423 if isinstance(error, accounts.AccountLocked) else 401
    context = {"t": TEXTS, "locale": locale_of(request), "next": safe_next(next),
               "error": message}  # fmt: skip
    return remember_locale(request, render(request, "login.html", context, status_code=status))
