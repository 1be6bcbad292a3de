"""CSRF protection: a signed double-submit token bound to the browser and its session.

Every browser gets a random ``td_csrf`` cookie (HttpOnly, SameSite=Lax). A form carries
``csrf_token`` = HMAC(secret, cookie value | session cookie), so a token lifted from one
browser or one sign-in is useless in another, and a planted cookie cannot be paired with a
valid token without the secret (OWASP CSRF Prevention Cheat Sheet, "Signed Double-Submit
Cookie"). Unsafe API requests from a signed-in browser send the token as ``X-CSRF-Token``;
anonymous API requests must be ``application/json``, which a cross-site HTML form cannot
send without a CORS preflight this app never grants.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from trialdesk.web.problems import CsrfFailed, UnsupportedMedia

__all__ = ["COOKIE", "FIELD", "HEADER", "token_for", "ensure_cookie", "set_cookie", "check"]

COOKIE = "td_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SESSION_COOKIE = "td_session"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def _browser_id(request: Request) -> str:
    """The browser's CSRF cookie, minted for this request when it has none yet."""
    existing = request.cookies.get(COOKIE)
    if existing:
        return existing
    minted: str | None = getattr(request.state, "csrf_minted", None)
    if minted is None:
        minted = secrets.token_urlsafe(32)
        request.state.csrf_minted = minted
    return minted


def token_for(request: Request) -> str:
    secret: bytes = request.app.state.secret_key
    message = f"{_browser_id(request)}|{request.cookies.get(SESSION_COOKIE, '')}"
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def ensure_cookie(request: Request, response: Response) -> None:
    """Set the cookie minted while rendering (if any) on the response."""
    minted = getattr(request.state, "csrf_minted", None)
    if minted:
        set_cookie(request, response, COOKIE, minted)


def set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    """Every cookie of the app: HttpOnly, SameSite=Lax, Secure when served over HTTPS:
    always with ``secure_cookies``, else when this request came over HTTPS, directly or
    through a proxy the server trusts (serve.py: ``X-Forwarded-Proto`` is believed from
    those only; security probe F9)."""
    response.set_cookie(
        name,
        value,
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies or request.url.scheme == "https",
        path="/",
    )


async def check(request: Request) -> None:
    if request.method in _SAFE:
        return
    if request.url.path.startswith("/api/"):
        await _check_api(request)
        return
    form = await request.form()
    sent = form.get(FIELD)
    if not isinstance(sent, str) or not _valid(request, sent):
        raise CsrfFailed()


async def _check_api(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.cookies.get(SESSION_COOKIE):
        sent = request.headers.get(HEADER, "")
        if not _valid(request, sent):
            raise CsrfFailed()
    elif media != "application/json":
        raise UnsupportedMedia()


def _valid(request: Request, sent: str) -> bool:
    if not request.cookies.get(COOKIE):
        return False
    return hmac.compare_digest(sent, token_for(request))
