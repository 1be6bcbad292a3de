"""A candidate's screening page: the checklist, entered facts, signatures, consent, the
outcome and the candidate's own audit trail. Kept rendered until the next audited write.

Every change is one transaction through the trial services (which audit it); a refused
change re-renders the page with the message at its field and stores nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import NotFoundError, TrialdeskError
from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.entry_concepts import entry_concepts
from trialdesk.trial.screening.models import Candidate
from trialdesk.trial.screening.trail import candidate_trail
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404
from trialdesk.web.errors import status_of
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render
from trialdesk.web.rooms.screening.site_clock import site_clock
from trialdesk.web.rooms.screening.words import (
    candidate_status_words,
    criterion_kind_words,
    entry_kind_words,
    source_words,
)

router = APIRouter(include_in_schema=False)


@router.get(
    "/staff/candidates/{candidate_id}",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def candidate_page(
    request: Request, candidate_id: Annotated[str, Path(max_length=32)], concept: str = ""
) -> Response:
    """The screening page; ``concept`` opens the fact form for that value set (a two-step
    form: only the fields that concept takes, and only its own codes). A path that is not
    a candidate's number names no candidate: 404, as for one that does not exist (D29).

    Kept rendered until the next audited write (``page_cache``), for each user and
    language, with the browser's own CSRF token put in as it is served. A browser without
    its CSRF cookie yet gets a page built for it, which mints one."""
    number = row_id_or_404(candidate_id, "candidate")
    chosen = concept[:64]

    def key(session: Session) -> tuple[object, ...]:
        nonlocal chosen
        study = study_or_404(request, cands.candidate_or_404(session, number).study_id)
        if chosen:  # not one of the study's: the page shows no form, as for none
            chosen = chosen if any(c.name == chosen for c in entry_concepts(study)) else ""
        return ("candidate", number, chosen, site_today(study.schedule, now()))

    def build(session: Session, token: str | None) -> HTMLResponse:
        return _candidate_page(
            request, number, values={"concept": chosen}, session=session, token=token
        )

    return kept_page(request, key, build)


def row_id_or_404(text: str, what: str) -> int:
    """A row number from a path; anything else names nothing here: not found."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ROW_ID:
        raise NotFoundError(f"no {what} {text!r}")
    return int(text)


def _candidate_page(
    request: Request,
    candidate_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    session: Session | None = None,
    token: str | None = None,
) -> HTMLResponse:
    """The page as built now; ``token`` stands in for the CSRF token in every form."""
    if session is None:
        with store_of(request).read() as session:
            return _candidate_page(request, candidate_id, errors, values, code, session, token)
    candidate = cands.candidate_or_404(session, candidate_id)
    study = study_or_404(request, candidate.study_id)
    context = _screening_context(session, study, candidate)
    chosen = (values or {}).get("concept", "")
    context.update(
        errors=errors or {},
        values=values or {},
        entry=next((c for c in context["concepts"] if c.name == chosen), None),
    )
    if token is not None:
        context["csrf_token"] = token
    return render(request, "candidate.html", context, status_code=code)


def _screening_context(session: Session, study: Study, candidate: Candidate) -> dict[str, Any]:
    clock = site_clock(study)
    checklist = build_checklist(session, study, candidate, clock.today)
    duplicates = cands.duplicates_of(
        session,
        candidate.study_id,
        record_number=candidate.record_number,
        key=candidate.name_key,
        birth_date=candidate.birth_date,
        source_ref=candidate.source_ref,
        exclude=candidate.id,
    )
    enrolled = enrolment.enrolment_of(session, candidate.id)
    taken, target = enrolment.places(session, study)
    return {
        "candidate": candidate,
        "study": study,
        "participant": study.participant,
        "parameter_options": {
            name: [("", _("not chosen")), *((c, c) for c in p.choices)]
            for name, p in study.participant.parameters.items()
        },
        "checklist": checklist,
        "result": checklist.result,
        "duplicates": duplicates,
        "enrolment": enrolled,
        "places": {"taken": taken, "target": target},
        "concepts": entry_concepts(study),
        "forms": consent.form_versions(session, study.id),
        "trail": candidate_trail(session, candidate.id),
        "today": clock.today.isoformat(),
        "clock": clock,
        "status_words": candidate_status_words(),
        "source_words": source_words(),
        "kind_words": criterion_kind_words(),
        "entry_kinds": entry_kind_words(),
    }


def refused_on_page(
    request: Request, candidate_id: int, error: TrialdeskError, form: FormData
) -> HTMLResponse:
    values = {
        k: v for k, v in form.items() if isinstance(v, str) and k not in ("csrf_token", "password")
    }
    return _candidate_page(
        request, candidate_id, {error.field or "form": error.message}, values, status_of(error)
    )


async def apply_change(
    request: Request, candidate_id: int, change: Callable[[Session, FormData], object], anchor: str
) -> Response:
    """Run one change in one transaction; back to the page (at ``anchor``) or the refusal."""
    form = await request.form()
    try:
        with store_of(request).transaction() as session:
            change(session, form)
    except TrialdeskError as error:
        return refused_on_page(request, candidate_id, error, form)
    return RedirectResponse(f"/staff/candidates/{candidate_id}#{anchor}", status_code=303)
