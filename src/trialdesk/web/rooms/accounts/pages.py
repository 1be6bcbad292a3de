"""Signing in and out, and the one-time setup link that creates the first admin.

An account with a second factor is not signed in by its password: the password step
leaves a challenge (its token in the ``td_sign_in`` cookie) and sends the browser to the
code page (code_page.py), which finishes the sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.trial import accounts
from trialdesk.trial.accounts import sessions
from trialdesk.trial.accounts.login import check_password
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.csrf import SESSION_COOKIE, set_cookie
from trialdesk.web.deps import now, store_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.accounts.texts import TEXTS
from trialdesk.web.throttle import BUSY, Busy, ClientThrottle, HashSlots, Throttled, too_many

router = APIRouter(include_in_schema=False)
CHALLENGE_COOKIE = "td_sign_in"  # a sign-in waiting for its second factor (challenges.py)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if (
        target
        and target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and target.isprintable()  # no control characters smuggled into the Location header
    ):
        return target
    return "/staff"


def refusal_text(error: accounts.LoginFailed, locale: str) -> str:
    """Why a sign-in was refused, in the reader's language."""
    if isinstance(error, accounts.AccountLocked):
        return TEXTS["locked"].get(locale).format(until=f"{error.until:%Y-%m-%d %H:%M}")
    if isinstance(error, accounts.WrongSignInCode):
        return TEXTS["wrong_code"].get(locale)
    if isinstance(error, accounts.SignInExpired):
        return TEXTS["sign_in_expired"].get(locale)
    if error.message == accounts.LoginFailed.GENERIC:
        return TEXTS["wrong_login"].get(locale)
    if "disabled" in error.message:
        return TEXTS["disabled"].get(locale)
    return error.message


def _login_page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    context = {"t": TEXTS, "locale": locale_of(request), "error": None, **context}
    response = render(request, "login.html", context, status_code=status_code)
    remember_locale(request, response)
    return response


@router.get("/login", response_class=HTMLResponse, dependencies=[allow(PUBLIC)])
async def login_form(request: Request, next: str = "/staff") -> HTMLResponse:
    return _login_page(request, {"next": safe_next(next)})


@router.post("/login", dependencies=[allow(PUBLIC)])
async def login(
    request: Request,
    username: str = Form(max_length=150),
    password: str = Form(max_length=1024),
    next: str = Form("/staff", max_length=2000),
) -> Response:
    """Sign in. The password check (Argon2id, 64 MiB) runs in the thread pool, within the
    per-client and per-server bounds of throttle.py; a refused flood costs no hashing."""
    throttle: ClientThrottle = request.app.state.sign_in_throttle
    slots: HashSlots = request.app.state.hash_slots
    client = request.client.host if request.client else "unknown"
    try:
        throttle.admit(client)
        async with slots.slot():
            outcome = await run_in_threadpool(_sign_in, request, username, password)
    except Throttled as refused:
        await request.app.state.tarpit.hold()
        return too_many(request, refused.retry_after)
    except Busy as busy:  # answered at once: the next in line may be a real user
        message = BUSY.get(locale_of(request))
        return _login_refused(request, next, username, message, 503, busy.retry_after)
    if isinstance(outcome, accounts.SecondFactorNeeded):  # the password was right
        throttle.give_back(client)
        target = "/login/code?" + urlencode({"next": safe_next(next)})
        response = RedirectResponse(target, status_code=303)
        set_cookie(request, response, CHALLENGE_COOKIE, outcome.token)
        return response
    if isinstance(outcome, accounts.LoginFailed):
        status = 423 if isinstance(outcome, accounts.AccountLocked) else 401
        message = refusal_text(outcome, locale_of(request))
        return _login_refused(request, next, username, message, status)
    throttle.give_back(client)
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(request, response, SESSION_COOKIE, outcome)
    return response


def _sign_in(request: Request, username: str, password: str) -> str | accounts.LoginFailed:
    """The new session's token, or why sign-in was refused (in a worker thread)."""
    store = store_of(request)
    with store.read() as session:  # argon2 outside the write lock
        checked = check_password(session, username=username, password=password)
    with store.transaction() as session:  # a failure is counted and audited, so commit it
        try:
            user = accounts.authenticate(
                session, username=username, password=password, now=now(), checked=checked
            )
            return sessions.start(session, user, now())
        except accounts.LoginFailed as error:  # AccountLocked among them
            failure = error
    return failure


def _login_refused(
    request: Request,
    next: str,
    username: str,
    message: str,
    status: int,
    retry_after: int | None = None,
) -> Response:
    response = _login_page(
        request,
        {"next": safe_next(next), "error": message, "username": username},
        status_code=status,
    )
    if retry_after is not None:
        response.headers["retry-after"] = str(retry_after)
    return response


@router.post("/logout", dependencies=[allow(PUBLIC)])
async def logout(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        store = store_of(request)
        with store.transaction() as session:
            sessions.end(session, token, now())
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _setup_page(request: Request, context: dict[str, Any], code: int = 200) -> Response:
    context = {"t": TEXTS, "locale": locale_of(request), "error": None, **context}
    return remember_locale(request, render(request, "setup.html", context, status_code=code))


@router.get("/setup/{token}", response_class=HTMLResponse, dependencies=[allow(PUBLIC)])
async def setup_form(request: Request, token: str) -> Response:
    """The form, or at once why the link cannot be used (walkthrough D17)."""
    with store_of(request).read() as session:
        problem = accounts.setup_link_problem(session, token, now())
    if problem is not None:
        return _setup_page(request, {"unusable": problem.message}, 410)
    return _setup_page(request, {"token": token})


@router.post("/setup/{token}", dependencies=[allow(PUBLIC)])
def setup(
    request: Request,
    token: str,
    username: str = Form(max_length=150),
    password: str = Form(max_length=1024),
    password_again: str = Form(max_length=1024),
    full_name: str = Form("", max_length=200),
) -> Response:
    store = store_of(request)
    try:
        if password != password_again:
            raise accounts.PasswordPolicyError("the two passwords differ")
        if not full_name.strip():  # the name printed on every signature (21 CFR 11.50)
            raise InputError(TEXTS["full_name_needed"].get(locale_of(request)), field="full_name")
        with store.transaction() as session:
            accounts.complete_setup(
                session, token=token, username=username, password=password, now=now(),
                full_name=full_name or None,
            )  # fmt: skip
    except accounts.SetupError as error:  # used, expired or bogus: no form to fill again
        return _setup_page(request, {"unusable": error.message}, 410)
    except TrialdeskError as error:
        context = {"token": token, "error": error.message, "username": username,
                   "full_name": full_name}  # fmt: skip
        return _setup_page(request, context, status_of(error))
    return _setup_page(request, {"done": True, "username": username.strip().lower()})
