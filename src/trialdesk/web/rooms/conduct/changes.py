"""What the conduct room's pages share: the participant's study, the site's date, and the
one way a posted change runs (one transaction through the services, then back to the
page, or the page again with every message at its field and nothing stored)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import FieldErrors, NotFoundError, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.store.db import Session
from trialdesk.web.deps import all_studies, now, store_of, study_or_404
from trialdesk.web.errors import status_of

__all__ = [
    "Refused",
    "apply_change",
    "conduct_studies",
    "errors_of",
    "posted_values",
    "site_date",
    "site_dates",
    "study_of_participant",
]

T = TypeVar("T")
# Re-renders the page a change came from: (errors by field, the values posted, status).
Refused = Callable[[dict[str, str], dict[str, str], int], Response]


def site_date(study: Study) -> date:
    """Today at the site: every date rule of the conduct half is judged on it."""
    return site_today(study.schedule, now())


def site_dates(request: Request) -> tuple[date, ...]:
    """Each served study's date at its site: a kept page is kept for one site day."""
    return tuple(site_date(s) for s in conduct_studies(request))


StudyId = Annotated[
    str | None,
    Query(max_length=32, description="NCT id (default: the first study served with a schedule)"),
]


def conduct_study(request: Request, asked: str | None) -> Study:
    """The study a conduct route asks for (``?study=``), or the first served that follows
    participants."""
    if asked is not None:
        study = study_or_404(request, asked)
        if study.schedule is None:
            raise NotFoundError(f"{study.id} has no visit schedule: it follows no participants")
        return study
    served = conduct_studies(request)
    if not served:
        raise NotFoundError("no study served here has a visit schedule")
    return served[0]


def conduct_studies(request: Request) -> list[Study]:
    """The studies served that follow participants (those with a schedule)."""
    return [s for s in all_studies(request) if s.schedule is not None]


def study_of_participant(request: Request, session: Session, enrolment_id: int) -> Study:
    return study_or_404(request, participant_or_404(session, enrolment_id).enrolment.study_id)


def errors_of(error: TrialdeskError) -> dict[str, str]:
    """Each message at its field (``form`` for one about the whole change)."""
    if isinstance(error, FieldErrors):
        return {field or "form": "; ".join(m) for field, m in error.by_field.items()}
    return {error.field or "form": error.message}


def posted_values(form: FormData) -> dict[str, str]:
    return {
        k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "password")
    }


async def apply_change(
    request: Request,
    change: Callable[[Session, FormData], T],
    done: str | Callable[[T], str],
    refused: Refused,
) -> Response:
    """Run one change in one transaction; on to ``done`` (or where the stored row says),
    or the refusal."""
    form = await request.form()
    try:
        with store_of(request).transaction() as session:
            made = change(session, form)
            where = done if isinstance(done, str) else done(made)
    except TrialdeskError as error:
        return refused(errors_of(error), posted_values(form), status_of(error))
    return RedirectResponse(where, status_code=303)
