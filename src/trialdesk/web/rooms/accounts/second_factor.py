"""A signed-in user's own two-step sign-in (trial/accounts/second_factor.py): set up an
authenticator app from a QR code, confirm it with a first code, keep the recovery codes
shown once; make new recovery codes; turn it off with the password and a code.

These routes change only the user's own account, so they stay open while a study's
database is locked (web/access.py ``own_account``). A wrong code or password typed here
counts towards the account's lockout, as one typed to sign in does.
"""

from __future__ import annotations

from typing import Any

import segno
from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.study.texts import Text
from trialdesk.trial.accounts import second_factor as service
from trialdesk.trial.accounts.login import check_password, count_failure
from trialdesk.trial.accounts.own_password import refuse_if_locked
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.accounts.secret_box import NoStoreKey, can_seal
from trialdesk.trial.accounts.users import user_or_404
from trialdesk.trial.store.db import Session
from trialdesk.web.access import allow
from trialdesk.web.deps import StaffUser, now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.accounts.texts import TEXTS
from trialdesk.web.throttle import BUSY, Busy, HashSlots

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = "/staff/second-factor"
OWN = [allow(Permission.VIEW_STAFF, own_account=True)]


def _qr(uri: str) -> str:
    """The provisioning URI as a QR code, an SVG data: URI (the CSP allows data: images;
    error correction M, as authenticator apps' own examples use)."""
    return segno.make(uri, error="m").svg_data_uri(scale=1, border=4)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _state(session: Session, user: StaffUser) -> dict[str, Any]:
    active = service.active_of(session, user.id)
    if active is not None:
        since = active.confirmed_at
        return {
            "state": "on",
            "since": f"{since:%Y-%m-%d}" if since else "",
            "codes_left": service.recovery_codes_left(active),
        }
    try:
        pending = service.enrolment_in_progress(session, user_id=user.id)
    except NoStoreKey:
        return {"state": "no_key"}
    if pending is None:
        return {"state": "off" if can_seal(session) else "no_key"}
    return {"state": "pending", "secret": _grouped(pending.secret), "qr": _qr(pending.uri)}


def _page(
    request: Request,
    context: dict[str, Any] | None = None,
    *,
    errors: dict[str, str] | None = None,
    failed: str = "",
    code: int = 200,
    notice: str | None = None,
) -> Response:
    user = user_of(request)
    if context is None:
        with store_of(request).read() as session:
            context = _state(session, user)
    full = {
        "t": TEXTS, "locale": locale_of(request), "username": user.username,
        "errors": errors or {}, "failed": failed, "notice": notice, **context,
    }  # fmt: skip
    return remember_locale(request, render(request, "second_factor.html", full, status_code=code))


def _errors(error: TrialdeskError, locale: str) -> dict[str, str]:
    """Each field's message, in the reader's language where the room has it."""
    found = error.errors if isinstance(error, FieldErrors) else (error,)
    words: dict[type[TrialdeskError], Text] = {
        service.WrongCode: TEXTS["sf_wrong_code"],
        service.WrongPassword: TEXTS["sf_wrong_password"],
    }
    out: dict[str, str] = {}
    for e in found:
        text = words.get(type(e))
        out[e.field or "form"] = text.get(locale) if text is not None else e.message
    return out


def _count(request: Request, reason: str) -> None:
    """A wrong code or password typed here counts towards the lockout (its own
    transaction: the refused one was rolled back)."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        count_failure(session, user_or_404(session, user.id), now(), reason=reason)


@router.get(PAGE, response_class=HTMLResponse, dependencies=OWN)
async def second_factor_page(request: Request) -> Response:
    return _page(request)


@router.post(PAGE + "/start", dependencies=OWN)
async def start(request: Request) -> Response:
    user = user_of(request)
    try:
        with store_of(request).transaction() as session:
            service.begin_enrolment(session, user_id=user.id, now=now())
    except NoStoreKey as error:
        return _page(request, {"state": "no_key"}, code=status_of(error))
    except TrialdeskError as error:
        return _page(request, errors=_errors(error, locale_of(request)), code=status_of(error))
    return RedirectResponse(PAGE, status_code=303)  # the QR code, on a page that reloads


@router.post(PAGE + "/confirm", dependencies=OWN)
async def confirm(request: Request, code: str = Form("", max_length=40)) -> Response:
    user = user_of(request)
    try:
        with store_of(request).transaction() as session:
            codes = service.confirm_enrolment(session, user_id=user.id, code=code, now=now())
    except TrialdeskError as error:
        return _page(request, errors=_errors(error, locale_of(request)), code=status_of(error))
    return _page(request, {"state": "codes", "codes": codes})


@router.post(PAGE + "/recovery-codes", dependencies=OWN)
async def renew(request: Request, code: str = Form("", max_length=40)) -> Response:
    user = user_of(request)
    try:
        with store_of(request).transaction() as session:
            codes = service.renew_recovery_codes(session, user_id=user.id, code=code, now=now())
    except service.WrongCode as error:
        _count(request, "wrong code when renewing recovery codes")
        errors = _errors(error, locale_of(request))
        return _page(request, errors=errors, failed="renew", code=status_of(error))
    except TrialdeskError as error:
        errors = _errors(error, locale_of(request))
        return _page(request, errors=errors, failed="renew", code=status_of(error))
    return _page(request, {"state": "codes", "codes": codes})


@router.post(PAGE + "/off", dependencies=OWN)
async def turn_off(
    request: Request,
    password: str = Form("", max_length=1024),
    code: str = Form("", max_length=40),
) -> Response:
    """The password's check (argon2) runs in the thread pool within the server's hashing
    slots, as a sign-in's does (web/throttle.py)."""
    user = user_of(request)
    slots: HashSlots = request.app.state.hash_slots
    try:
        async with slots.slot():
            matches = await run_in_threadpool(_check, request, user, password)
    except Busy as busy:
        response = _page(request, errors={"form": BUSY.get(locale_of(request))}, code=503)
        response.headers["retry-after"] = str(busy.retry_after)
        return response
    except TrialdeskError as error:  # locked or disabled: refused before any hashing
        errors = _errors(error, locale_of(request))
        return _page(request, errors=errors, failed="off", code=status_of(error))
    try:
        with store_of(request).transaction() as session:
            service.turn_off(
                session, user_id=user.id, password_matches=matches, code=code, now=now()
            )
    except FieldErrors as error:
        _count(request, "wrong password or code when turning the second factor off")
        errors = _errors(error, locale_of(request))
        return _page(request, errors=errors, failed="off", code=status_of(error))
    except TrialdeskError as error:
        errors = _errors(error, locale_of(request))
        return _page(request, errors=errors, failed="off", code=status_of(error))
    return _page(request, notice=TEXTS["sf_turned_off"].get(locale_of(request)))


def _check(request: Request, user: StaffUser, password: str) -> bool:
    with store_of(request).read() as session:
        refuse_if_locked(session, user_id=user.id, now=now())
        return check_password(session, username=user.username, password=password).matches
