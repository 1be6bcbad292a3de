"""One visit of one participant: its window and status, its date (or why it did not take
place), the forms due at it, and the investigator's signature on its data."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import TrialdeskError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct import visits
from trialdesk.trial.conduct.models import VisitRecord
from trialdesk.trial.conduct.views import visit_of_key, visit_view
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import (
    Refused,
    apply_change,
    errors_of,
    posted_values,
    site_date,
    site_dates,
    study_of_participant,
)
from trialdesk.web.rooms.conduct.visit_signing import sign_visit
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)

VISIT = "/staff/participants/{enrolment_id}/visits/{visit_key}"


def _visit_page(
    request: Request,
    session: Session,
    enrolment_id: int,
    visit_key: str,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    token: str | None = None,
) -> Response:
    study = study_of_participant(request, session, enrolment_id)
    today = site_date(study)
    context = {
        "study": study,
        "view": visit_view(session, study, enrolment_id, visit_key, today),
        "today": today,
        "errors": errors or {},
        "values": values or {},
        "locale": locale_of(request),
        "saved": request.query_params.get("saved") == "1",
    }
    if token is not None:
        context["csrf_token"] = token
    return remember_locale(request, render(request, "visit.html", context, status_code=code))


@router.get(VISIT, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def visit_page(request: Request, enrolment_id: RowId, visit_key: str) -> Response:
    """Kept rendered until the next audited write (or the site's next day)."""
    visit_key = visit_key[:48]

    def build(session: Session, token: str | None) -> Response:
        return _visit_page(request, session, enrolment_id, visit_key, token=token)

    saved = request.query_params.get("saved") == "1"
    key = ("visit", enrolment_id, visit_key, saved, site_dates(request), locale_of(request))
    return remember_locale(request, kept_page(request, key, build))


def _refused(request: Request, enrolment_id: int, visit_key: str, form_name: str) -> Refused:
    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _visit_page(
                request, session, enrolment_id, visit_key, errors,
                {**values, "form": form_name}, code,
            )  # fmt: skip

    return refused


@router.post(VISIT + "/date", dependencies=[allow(Permission.EDIT_VISITS)])
async def record_visit_date(request: Request, enrolment_id: RowId, visit_key: str) -> Response:
    """The date the visit took place (a new unscheduled visit: the key of its kind)."""
    visit_key = visit_key[:48]
    visit_id, occurrence = visit_of_key(visit_key)

    def change(session: Session, form: FormData) -> VisitRecord:
        study = study_of_participant(request, session, enrolment_id)
        new = forms.text(form, "new", 5) == "1"
        return visits.record_visit(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            visit_id=visit_id, occurrence=None if new else occurrence,
            on=forms.day(form, "visit_date"), today=site_date(study), now=now(),
            expected_version=forms.number(form, "version"),
            reason=forms.text(form, "reason") or None,
        )  # fmt: skip

    def done(record: VisitRecord) -> str:
        return VISIT.format(enrolment_id=enrolment_id, visit_key=record.key)

    refused = _refused(request, enrolment_id, visit_key, "date")
    return await apply_change(request, change, done, refused)


@router.post(VISIT + "/missed", dependencies=[allow(Permission.EDIT_VISITS)])
async def mark_visit_missed(request: Request, enrolment_id: RowId, visit_key: str) -> Response:
    visit_key = visit_key[:48]
    visit_id, _ = visit_of_key(visit_key)

    def change(session: Session, form: FormData) -> object:
        return visits.mark_missed(
            session, actor=user_of(request).username,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, visit_id=visit_id,
            reason=forms.text(form, "missed_reason"), now=now(),
            expected_version=forms.number(form, "version"),
        )  # fmt: skip

    done = VISIT.format(enrolment_id=enrolment_id, visit_key=visit_key)
    return await apply_change(
        request, change, done, _refused(request, enrolment_id, visit_key, "missed")
    )


@router.post(VISIT + "/signature", dependencies=[allow(Permission.SIGN_VISITS)])
async def sign_visit_data(request: Request, enrolment_id: RowId, visit_key: str) -> Response:
    visit_key = visit_key[:48]
    form = await request.form()
    try:
        await sign_visit(
            request, enrolment_id, visit_key, forms.text(form, "password", 1024),
            reviewed=forms.text(form, "reviewed", 64),
        )  # fmt: skip
    except TrialdeskError as error:
        refused = _refused(request, enrolment_id, visit_key, "signature")
        response: Response = refused(errors_of(error), posted_values(form), status_of(error))
        return response
    done = VISIT.format(enrolment_id=enrolment_id, visit_key=visit_key)
    return RedirectResponse(done + "#signature", status_code=303)
