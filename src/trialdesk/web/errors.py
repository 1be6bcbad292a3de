"""One error shape for the whole application, and one status for each meaning.

Every error the API returns has the body ``{"error": {"status", "code", "message",
"field"}}``; every error a browser meets is an HTML page saying the same. Domain errors
(:class:`~trialdesk.errors.TrialdeskError`) arrive through one handler and keep the field
they name, so a form can point at the wrong answer; what they mean to a client decides
the status (:data:`STATUS`). Pages that re-render a form with the message use
:func:`status_of` for the same answer.
"""

from __future__ import annotations

import logging
import traceback
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trialdesk.errors import FieldErrors, Meaning, TrialdeskError
from trialdesk.web.error_texts import ERROR_TEXTS, TITLES
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render, templates
from trialdesk.web.problems import CODES, TOO_LARGE, Problem, body
from trialdesk.web.schemas import ErrorBody
from trialdesk.web.validation_problems import refusal_of

__all__ = [
    "ERROR_RESPONSES",
    "STATUS",
    "UnexpectedErrors",
    "field_messages",
    "install_handlers",
    "respond",
    "status_of",
]

log = logging.getLogger("trialdesk.web")

# error.html's texts, there whoever renders it (a page test renders it bare)
templates.env.globals["error_titles"] = TITLES
templates.env.globals["error_texts"] = ERROR_TEXTS

# What a domain error means to a client, as the one status the app answers with.
STATUS: dict[Meaning, int] = {
    Meaning.NOT_FOUND: 404,
    Meaning.CONFLICT: 409,  # reload and decide again: a stale edit, a full study
    Meaning.INVALID: 422,
    Meaning.FORBIDDEN: 403,
    Meaning.STORE_FAULT: 500,
}

# Documented on every API route: any of them can answer these (access, CSRF, validation,
# a record gone or changed meanwhile, a fault of the store).
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": CODES[status].replace("_", " ")}
    for status in (400, 401, 403, 404, 409, 415, 422, 500)
}


def status_of(error: TrialdeskError) -> int:
    """The status a page answers a refused form with, showing the message at its field.
    A fault of the store is no refusal: it is raised on, to the one handler, which keeps
    its cause (a URL, a driver message) out of the page."""
    if error.meaning is Meaning.STORE_FAULT:
        raise error
    return STATUS[error.meaning]


def field_messages(error: TrialdeskError) -> list[dict[str, str | None]] | None:
    """Each wrong field of a form refused as a whole (FieldErrors), for the error body."""
    if not isinstance(error, FieldErrors):
        return None
    return [{"field": e.field, "message": e.message} for e in error.errors]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def respond(
    request: Request,
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    errors: list[dict[str, str | None]] | None = None,
) -> Response:
    if _wants_json(request):
        return JSONResponse(body(status, code, message, field, errors), status_code=status)
    if status == 401:  # a browser is sent to the login page and comes back afterwards
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?{urlencode({'next': target})}", status_code=303)
    return render(
        request,
        "error.html",
        {
            "status": status,
            "code": code,  # kept in the markup for support, not shown (walkthrough D20)
            "message": message,
            "field": field,
            "errors": errors or [],
            "locale": locale_of(request),
        },
        status_code=status,
    )


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        if exc.redirect is not None and not _wants_json(request):
            return RedirectResponse(exc.redirect, status_code=303)
        message = exc.message_in(locale_of(request))
        return respond(request, exc.status, exc.code, message, exc.field)

    @app.exception_handler(TrialdeskError)
    async def _domain(request: Request, exc: TrialdeskError) -> Response:
        status = STATUS[exc.meaning]
        if exc.meaning is Meaning.STORE_FAULT:
            # the detail (a URL, a driver message) goes to the log, not to the client
            log.error("store fault on %s %s: %s", request.method, request.url.path, exc)
            return respond(request, status, CODES[status], "the trial store is not available")
        code = exc.code or exc.meaning.value
        return respond(request, status, code, exc.message, exc.field, field_messages(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        refused = refusal_of(exc.errors(), exc.body)
        return respond(
            request, 422, "invalid_input", refused.message, refused.field, refused.errors or None
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = CODES.get(exc.status_code, "error")
        # A body over the limit (one sent in chunks is stopped here), in the same words as
        # one whose declared length was over it (too_large.py).
        detail = TOO_LARGE if exc.status_code == 413 else str(exc.detail)
        return respond(request, exc.status_code, code, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Reached only from a middleware outside UnexpectedErrors (which answers the rest).
        return _answer_unexpected(request, exc)


def _answer_unexpected(request: Request, exc: Exception) -> Response:
    if _refused_by_a_constraint(exc):
        # Two requests made the same thing at once (two consent-form versions alike, a
        # double-click): the database's constraint refused the second. Not a fault.
        log.info("constraint refused a write on %s %s", request.method, request.url.path)
        return respond(request, 409, "conflict", CONFLICT_MESSAGE)
    # The traceback goes to the log with the path only: never a body, never a query, never
    # an exception's message (which may quote either: "invalid literal for int(): '²'").
    log.error("unhandled error on %s %s\n%s", request.method, request.url.path, stack_only(exc))
    return respond(request, 500, "internal_error", "something went wrong on our side")


CONFLICT_MESSAGE = (
    "someone else made the same change at the same moment: reload the page and check "
    "before trying again"
)


def _refused_by_a_constraint(exc: BaseException) -> bool:
    """A write refused by a unique constraint of the database. PEP 249
    names the error every driver raises then ``IntegrityError`` (sqlite3 and psycopg alike);
    SQLAlchemy wraps it as ``orig``, under a class of the same name (the web app does not
    import SQLAlchemy: pyproject's import contracts)."""
    return any(
        _unique_violation(getattr(error, "orig", None))
        and any(c.__name__ == "IntegrityError" for c in type(error).__mro__)
        for error in (exc, exc.__cause__, exc.__context__)
    )


def _unique_violation(orig: object) -> bool:
    """Only a unique constraint means "the same thing twice": a foreign key or NOT NULL
    refused is a bug, answered 500 with its traceback logged. PostgreSQL's SQLSTATE 23505
    (psycopg ``sqlstate``, psycopg2 ``pgcode``); SQLite's message."""
    if orig is None:
        return False
    if "23505" in (getattr(orig, "sqlstate", None), getattr(orig, "pgcode", None)):
        return True
    return str(orig).startswith("UNIQUE constraint failed")


def stack_only(exc: BaseException) -> str:
    """The traceback of ``exc`` and the exceptions it came from: files, lines, functions,
    source lines and exception types, without any exception's message or any value."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    lines: list[str] = []
    for error in reversed(chain):
        if lines:
            lines.append("which led to:")
        lines.append("Traceback (most recent call last):")
        for frame in traceback.extract_tb(error.__traceback__):
            lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
            if frame.line:
                lines.append(f"    {frame.line}")
        kind = type(error)
        lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld)")
    return "\n".join(lines)


class UnexpectedErrors:
    """The innermost middleware: an error no handler answered is answered here (500, or
    409 for a constraint's refusal) and logged once, as :func:`stack_only`. Starlette's
    own last handler would answer too, then raise the error on to the server, which logs
    it whole, message and all (security probe F6)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:  # noqa: BLE001 - the last resort: answered and logged
            response = _answer_unexpected(Request(scope), exc)
            if not started:
                await response(scope, receive, send)
