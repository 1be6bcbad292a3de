"""The screening log (filters, CSV, CONSORT diagram) and the consent form versions."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.reports.consort import consort_svg
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import consent, enrolment
from trialdesk.trial.screening.models import CandidateStatus
from trialdesk.trial.screening.screening_log import (
    LogFilter,
    consort_counts,
    log_csv,
    screening_log,
)
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.identity import StaffUser, now
from trialdesk.web.pages import render
from trialdesk.web.routes.staff import store_of
from trialdesk.web.studies import all_studies, study_or_404

router = APIRouter(include_in_schema=False)


def _study(request: Request, study: str | None) -> Study:
    return study_or_404(request, study) if study else all_studies(request)[0]


def filter_values(
    status: str = "", added_from: str = "", added_to: str = "", criterion: str = ""
) -> dict[str, str]:
    """The log's filters as typed in the query string (the page shows them back)."""
    return {
        "status": status,
        "added_from": added_from,
        "added_to": added_to,
        "criterion": criterion,
    }


Filters = Annotated[dict[str, str], Depends(filter_values)]


def log_filter(values: dict[str, str]) -> LogFilter:
    status = values.get("status") or ""
    if status and status not in {s.value for s in CandidateStatus}:
        raise InputError("not an outcome", field="status")
    return LogFilter(
        status=CandidateStatus(status) if status else None,
        added_from=forms.optional_day(values, "added_from"),
        added_to=forms.optional_day(values, "added_to"),
        criterion=forms.text(values, "criterion", 32) or None,
    )


@router.get(
    "/staff/screening-log",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def log_page(request: Request, values: Filters, study: str = "") -> HTMLResponse:
    chosen = _study(request, study)
    errors: dict[str, str] = {}
    try:
        wanted = log_filter(values)
    except TrialdeskError as error:
        errors[error.field or "form"] = error.message
        wanted = LogFilter()
    with store_of(request).read() as session:
        rows = screening_log(session, chosen.id, wanted)
        counts = consort_counts(session, chosen)
        taken, target = enrolment.places(session, chosen)
    query = urlencode({"study": chosen.id, **{k: v for k, v in values.items() if v}})
    return render(
        request,
        "screening_log.html",
        {
            "study": chosen,
            "studies": all_studies(request),
            "rows": rows,
            "counts": counts,
            "values": values,
            "errors": errors,
            "statuses": [s.value for s in CandidateStatus],
            "csv_query": query,
            "places": {"taken": taken, "target": target},
        },
        status_code=422 if errors else 200,
    )


@router.get("/staff/screening-log.csv", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def log_export(request: Request, values: Filters, study: str = "") -> Response:
    chosen = _study(request, study)
    wanted = log_filter(values)
    with store_of(request).read() as session:
        body = log_csv(screening_log(session, chosen.id, wanted))
    name = f"screening-log-{chosen.id}-{date.today().isoformat()}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/staff/screening-log/consort.svg", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def consort_diagram(request: Request, study: str = "") -> Response:
    chosen = _study(request, study)
    with store_of(request).read() as session:
        svg = consort_svg(consort_counts(session, chosen))
    return Response(svg, media_type="image/svg+xml")


# ------------------------------------------------------------------ consent forms


@router.get(
    "/staff/consent-forms",
    response_class=HTMLResponse,
    dependencies=[allow(Permission.VIEW_CANDIDATES)],
)
async def consent_forms(request: Request, study: str = "") -> HTMLResponse:
    return _forms_page(request, _study(request, study))


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
    user: StaffUser = request.state.user
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
        return _forms_page(request, study, {error.field or "form": error.message}, values, 422)
    return RedirectResponse(f"/staff/consent-forms?study={study.id}", status_code=303)
