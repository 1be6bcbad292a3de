"""The web layer's own errors (sign-in needed, forbidden, not found, CSRF) and the one
error body every response shares: ``{"error": {"status", "code", "message", "field"}}``.
They are answered by ``errors.py``, which also answers the domain's errors."""

from __future__ import annotations

from typing import Any

from trialdesk.study.texts import Text
from trialdesk.trial.accounts.roles import Permission
from trialdesk.web.role_words import refusal

__all__ = [
    "CODES",
    "TOO_LARGE",
    "CsrfFailed",
    "Forbidden",
    "NotFound",
    "NotSignedIn",
    "PasswordChangeDue",
    "Problem",
    "UnsupportedMedia",
    "body",
]


class Problem(Exception):
    """An error with an HTTP status, a stable code and a message fit to show."""

    status = 400
    code = "bad_request"
    # where a browser is sent instead of an error page (an API client gets the error)
    redirect: str | None = None

    def __init__(self, message: str, *, field: str | None = None, text: Text | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.text = text  # the message in both languages: answered in the reader's

    def message_in(self, locale: str) -> str:
        return self.text.get(locale) if self.text is not None else self.message


class NotSignedIn(Problem):
    status = 401
    code = "not_signed_in"

    def __init__(self, message: str = "sign in to see this page") -> None:
        super().__init__(message)


class Forbidden(Problem):
    status = 403
    code = "forbidden"

    @classmethod
    def lacking(cls, role: str, permission: Permission) -> Forbidden:
        """A role without the permission a route requires, said in words (role_words)."""
        sentence = refusal(role, permission)
        return cls(sentence.en, text=sentence)


class PasswordChangeDue(Problem):
    """An administrator reset this user's password: nothing but changing it is allowed
    until it is changed (issue 17 item 8)."""

    status = 403
    code = "password_change_required"
    redirect = "/staff/password"

    def __init__(self) -> None:
        super().__init__(
            "an administrator reset your password: change it at /staff/password before "
            "anything else"
        )


class NotFound(Problem):
    status = 404
    code = "not_found"


class CsrfFailed(Problem):
    status = 403
    code = "csrf_failed"

    def __init__(self) -> None:
        super().__init__("the form expired or came from another site; reload the page and retry")


class UnsupportedMedia(Problem):
    status = 415
    code = "unsupported_media_type"

    def __init__(self) -> None:
        super().__init__("send the request body as application/json")


TOO_LARGE = "the request is larger than this form or endpoint accepts"

CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    409: "conflict",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
}


def body(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    errors: list[dict[str, str | None]] | None = None,
) -> dict[str, Any]:
    detail: dict[str, Any] = {"status": status, "code": code, "message": message, "field": field}
    if errors:  # a form with several wrong fields: each one, at its field
        detail["errors"] = errors
    return {"error": detail}
