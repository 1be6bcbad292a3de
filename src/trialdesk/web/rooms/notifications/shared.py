"""What the page and the API both read: the studies asked about, the SMTP settings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from fastapi import Request

from trialdesk.errors import TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.notify.smtp import smtp_settings
from trialdesk.web.deps import study_or_404

__all__ = ["SmtpState", "smtp_state", "studies_asked"]


@dataclass(frozen=True)
class SmtpState:
    server: str | None  # None: not configured
    problem: str | None = None


def smtp_state() -> SmtpState:
    """The server alerts go through (this process's environment, as the worker's)."""
    try:
        settings = smtp_settings(os.environ)
    except TrialdeskError as wrong:
        return SmtpState(None, wrong.message)
    if settings is None:
        return SmtpState(None)
    server = f"{settings.host}:{settings.port} ({settings.tls.value}), from {settings.sender}"
    return SmtpState(server)


def studies_asked(request: Request, study: str | None) -> list[Study]:
    """The study asked for (404 when not served), else every study served."""
    if study:
        return [study_or_404(request, study)]
    served: dict[str, Study] = request.app.state.studies
    return list(served.values())
