"""Security headers on every response (OWASP Secure Headers Project recommendations).

A pure ASGI middleware: it only adds headers, so it costs next to nothing per request.
Scripts and styles come from ``/static`` only (no inline script), and no page may be
framed. Any response to a signed-in browser is ``no-store``: staff pages and staff API
answers carry personal data.
"""

from __future__ import annotations

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

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if signed_in:  # a signed-in response may carry personal data: never cache it
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + _HEADERS
            await send(message)

        await self.app(scope, receive, add_headers)
