"""Security headers on every response (OWASP Secure Headers Project recommendations).

A pure ASGI middleware: it only adds headers, so it costs next to nothing per request.
Scripts and styles come from ``/static`` only (no inline script), and no page may be
framed.

``Cache-Control: no-store`` on every response but the public pages that are the same for
everyone (the study list and trial pages, their JSON, static files): staff pages and staff
API answers carry personal data, and the self-check's result carries the person's answers
as hidden fields (security probe F16), signed in or not.

A redirect never names a host: an absolute ``Location`` (Starlette's trailing-slash
redirect builds one from the request's ``Host`` header) is cut to its path, so a forged
``Host`` is not reflected (security probe F12). Every redirect of the app is to itself.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trialdesk.web.csrf import SESSION_COOKIE

__all__ = ["SecurityHeaders"]

_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


_SESSION = SESSION_COOKIE.encode() + b"="
# What may be kept by a browser or a proxy: the same for every visitor, no personal data.
_CACHEABLE = re.compile(r"/(?:static/.*|studies/[^/]+|api/studies(?:/[^/]+)?)?")
_NO_STORE = (b"cache-control", b"no-store")


def _relative(location: bytes) -> bytes:
    """An absolute URL cut to its path, query and fragment: never another host."""
    parts = urlsplit(location.decode("latin-1"))
    if not (parts.scheme or parts.netloc):
        return location
    path = "/" + parts.path.lstrip("/\\")  # never "//host" nor "/\\host": another host
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return (path + query + fragment).encode("latin-1")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        signed_in = any(
            name == b"cookie" and _SESSION in value for name, value in scope.get("headers", ())
        )
        cacheable = (
            not signed_in
            and scope.get("method") in ("GET", "HEAD")
            and _CACHEABLE.fullmatch(scope.get("path", "")) is not None
        )

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    lower = name.lower()
                    if lower == b"cache-control" and not cacheable:
                        continue
                    if lower == b"location":
                        value = _relative(value)
                    headers.append((name, value))
                if not cacheable:  # may carry personal data: never kept
                    headers.append(_NO_STORE)
                message["headers"] = headers + _HEADERS
            await send(message)

        await self.app(scope, receive, add_headers)
