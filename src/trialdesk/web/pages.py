"""Server-rendered pages: the Jinja2 environment and the one way to render a template.

Templates are autoescaped. Every page gets the signed-in user (or None), the CSRF token
for its forms and the list of bundled studies for the navigation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from trialdesk.clinical.unit_display import unit_shown
from trialdesk.web import csrf
from trialdesk.web.footer_texts import FOOTER, STAFF_PATHS

__all__ = ["templates", "render"]

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
# The templates ship inside the package and do not change while the app runs: no mtime
# check on every render.
templates.env.auto_reload = False


def brief(value: Any, limit: int = 80) -> str:
    """A value from the audit trail, short enough for a table cell."""
    if value is None:
        return "∅"
    if isinstance(value, dict):
        return f"{len(value)} fields" if value else "{}"
    if isinstance(value, list):
        return f"{len(value)} items" if value else "[]"
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


templates.env.filters["brief"] = brief
templates.env.filters["unit"] = unit_shown  # a UCUM code as people read it: ×10³/µL
templates.env.globals["footer_texts"] = FOOTER
templates.env.globals["staff_paths"] = STAFF_PATHS


class _LazyToken:
    """The CSRF token, computed (and the cookie minted) only if the page has a form."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf.token_for(self.request)

    __html__ = __str__  # markupsafe: a hex digest needs no escaping


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    values = {
        "user": getattr(request.state, "user", None),
        "csrf_token": _LazyToken(request),
        "csrf_field": csrf.FIELD,
        **(context or {}),
    }
    response = templates.TemplateResponse(request, name, values, status_code=status_code)
    csrf.ensure_cookie(request, response)
    return response
