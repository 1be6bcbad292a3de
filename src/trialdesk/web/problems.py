"""One error shape for the whole application.

Every error the API returns has the body ``{"error": {"status", "code", "message",
"field"}}``; every error a browser meets is an HTML page saying the same. Domain errors
(:class:`~trialdesk.errors.TrialdeskError`) arrive here through one handler and keep the
field they name, so a form can point at the wrong answer.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from trialdesk.errors import NotFoundError, TrialdeskError

__all__ = [
    "Problem",
    "NotSignedIn",
    "Forbidden",
    "NotFound",
    "CsrfFailed",
    "install_handlers",
    "respond",
]

log = logging.getLogger("trialdesk.web")


class Problem(Exception):
    """An error with an HTTP status, a stable code and a message fit to show."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotSignedIn(Problem):
    status = 401
    code = "not_signed_in"

    def __init__(self, message: str = "sign in to see this page") -> None:
        super().__init__(message)


class Forbidden(Problem):
    status = 403
    code = "forbidden"


class NotFound(Problem):
    status = 404
    code = "not_found"


class CsrfFailed(Problem):
    status = 403
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("the form expired or came from another site; reload the page and retry")


TOO_LARGE = "the request is larger than this form or endpoint accepts"

_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}


def body(status: int, code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"status": status, "code": code, "message": message, "field": field}}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def respond(
    request: Request, status: int, code: str, message: str, field: str | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse(body(status, code, message, field), status_code=status)
    if status == 401:  # a browser is sent to the login page and comes back afterwards
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    from trialdesk.web.pages import render  # late: pages imports the app's templates

    return render(
        request,
        "error.html",
        {"status": status, "code": code, "message": message, "field": field},
        status_code=status,
    )


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return respond(request, exc.status, exc.code, exc.message, exc.field)

    @app.exception_handler(NotFoundError)
    async def _missing(request: Request, exc: NotFoundError) -> Response:
        return respond(request, 404, "not_found", exc.message, exc.field)

    @app.exception_handler(TrialdeskError)
    async def _domain(request: Request, exc: TrialdeskError) -> Response:
        return respond(request, 422, "invalid_input", exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        message = str(first.get("msg", "invalid input"))
        return respond(request, 422, "invalid_input", message, ".".join(where) or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _CODES.get(exc.status_code, "error")
        # A body over the limit (one sent in chunks is stopped here), in the same words as
        # one whose declared length was over it (too_large.py).
        detail = TOO_LARGE if exc.status_code == 413 else str(exc.detail)
        return respond(request, exc.status_code, code, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The traceback goes to the log with the path only: never a body, never a query.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, 500, "internal_error", "something went wrong on our side")
