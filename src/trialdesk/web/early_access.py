"""An anonymous request to a route that needs a signed-in user is answered before its
body is read (security probe F16): the route's own access check (access.allow) runs
after FastAPI has read and parsed the body, so a malformed body got 422 before 401, and
parsing it cost the server work for nobody.

Only a request without a session cookie is answered here; one with a cookie (valid or
not) goes on to the route's access check, which also checks the session. The answer is
the one that check gives: 401 in the API's error shape, or to the sign-in page.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from trialdesk.web.access import access_of, api_routes
from trialdesk.web.csrf import SESSION_COOKIE
from trialdesk.web.errors import respond
from trialdesk.web.problems import NotSignedIn

__all__ = ["SignInFirst"]

_SESSION = SESSION_COOKIE.encode() + b"="


def _needs_sign_in(route: APIRoute) -> bool:
    access = access_of(route)
    return access is not None and not access.public


class SignInFirst:
    """Pure ASGI middleware: 401 for an anonymous request to a staff route, bodiless."""

    def __init__(self, app: ASGIApp, routers: Iterable[APIRouter]) -> None:
        self.app = app
        self.routes = [r for r in api_routes(routers) if _needs_sign_in(r)]
        # the first path segments of those routes ("staff", "admin", "api"): any other
        # path (the trial pages, static files) is passed on without matching
        self.prefixes = tuple({"/" + r.path.split("/")[1] for r in self.routes})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self._anonymous_to_staff_route(scope):
            problem = NotSignedIn()
            response = respond(Request(scope), problem.status, problem.code, problem.message)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _anonymous_to_staff_route(self, scope: Scope) -> bool:
        path: str = scope.get("path", "")
        if not path.startswith(self.prefixes):
            return False
        if any(name == b"cookie" and _SESSION in value for name, value in scope["headers"]):
            return False
        return any(route.matches(scope)[0] is Match.FULL for route in self.routes)
