"""The study's consent form versions: the list, who is due to re-consent, and registering
a new version (pages and JSON API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import consent
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import all_studies, now, store_of, study_or_404, user_of
from trialdesk.web.errors import ERROR_RESPONSES, status_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.screening.log import chosen_study
from trialdesk.web.rooms.screening.schemas import ConsentFormIn, ConsentFormOut

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["screening"])


@router.get(
    "/staff/consent-forms",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def consent_forms(request: Request, study: str = "") -> HTMLResponse:
    return _forms_page(request, chosen_study(request, study))


def _forms_page(
    request: Request,
    study: Study,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> HTMLResponse:
    today = now().date()
    with store_of(request).read() as session:
        context = {
            "study": study,
            "studies": all_studies(request),
            "forms": consent.form_versions(session, study.id),
            "current": consent.current_form(session, study.id, today),
            "due": consent.due_for_reconsent(session, study.id, today),
            "errors": errors or {},
            "values": values or {},
            "today": today.isoformat(),
        }
        return render(request, "consent_forms.html", context, status_code=code)


@router.post("/staff/consent-forms", dependencies=[allow(Permission.MANAGE_CONSENT_FORMS)])
async def add_consent_form(request: Request) -> Response:
    form = await request.form()
    study = study_or_404(request, forms.text(form, "study", 32))
    user = user_of(request)
    try:
        with store_of(request).transaction() as session:
            consent.add_form_version(
                session,
                actor=user.username,
                study_id=study.id,
                version=forms.text(form, "version", 32),
                effective_on=forms.day(form, "effective_on"),
                now=now(),
            )
    except TrialdeskError as error:
        values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _forms_page(
            request, study, {error.field or "form": error.message}, values, status_of(error)
        )
    return RedirectResponse(f"/staff/consent-forms?study={study.id}", status_code=303)


@api.get("/consent-forms", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def list_consent_forms(
    request: Request, study: Annotated[str, Query(max_length=32)]
) -> list[ConsentFormOut]:
    chosen = study_or_404(request, study)
    with store_of(request).read() as session:
        return [ConsentFormOut.model_validate(f) for f in consent.form_versions(session, chosen.id)]


@api.post("/consent-forms", status_code=201, dependencies=[allow(Permission.MANAGE_CONSENT_FORMS)])
async def add_consent_form_api(request: Request, body: ConsentFormIn) -> ConsentFormOut:
    chosen = study_or_404(request, body.study)
    with store_of(request).transaction() as session:
        form = consent.add_form_version(
            session, actor=user_of(request).username, study_id=chosen.id,
            version=body.version, effective_on=body.effective_on, now=now(),
        )  # fmt: skip
        return ConsentFormOut.model_validate(form)
