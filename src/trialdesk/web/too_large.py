"""Bodies over the size limit answered in the application's own error shape.

FastAPI's ``max_body_size`` (Starlette's body-limit middleware) answers a request whose
declared Content-Length is over the limit with a plain-text "Content Too Large", and
replaces whatever response the application gives it. The limit itself is right; only its
answer is not what every other error looks like (errors.py). This wrapper sits outside
the whole middleware stack and swaps that one plain-text 413 for the error shape: JSON
for the API, the error page for a browser. Anything else passes untouched.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trialdesk.web.errors import respond
from trialdesk.web.headers import SecurityHeaders
from trialdesk.web.problems import TOO_LARGE

__all__ = ["ShapedTooLarge"]


class ShapedTooLarge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        swapped = False  # the plain-text 413 was seen: its body is dropped, ours sent

        async def send_shaped(message: Message) -> None:
            nonlocal swapped
            if message["type"] == "http.response.start" and _plain_413(message):
                swapped = True
                # outside the stack, so the security headers are added here
                response = respond(Request(scope), 413, "too_large", TOO_LARGE)
                await SecurityHeaders(response)(scope, receive, send)
                return
            if not swapped:
                await send(message)

        await self.app(scope, receive, send_shaped)


def _plain_413(message: Message) -> bool:
    if message["status"] != 413:
        return False
    content_type = dict(message.get("headers", ())).get(b"content-type", b"")
    return isinstance(content_type, bytes) and content_type.startswith(b"text/plain")
