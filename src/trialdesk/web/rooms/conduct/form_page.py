"""A case report form at a visit, or a row of a log form: enter the values (in the item's
unit or another that converts), save a draft or mark it complete; derived scores are
shown as the server computed them, never typed. A refused save shows every message at
its item and stores nothing; a form changed since it was opened asks for a reload."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from trialdesk.study.forms import Form
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.entry import FormEntry, save_form
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.views import FormView, form_view, log_view, visit_of_key
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import (
    apply_change,
    site_date,
    site_dates,
    study_of_participant,
)
from trialdesk.web.rooms.queries.pages import form_queries
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)

FORM = "/staff/participants/{enrolment_id}/visits/{visit_key}/forms/{form_id}"
LOG = "/staff/participants/{enrolment_id}/logs/{form_id}"
ITEM, UNIT = "item.", "unit."
VALUE_MAX = 2000  # longer than any item takes: the service says what each allows


def entry_of(form: Form, posted: FormData) -> FormEntry:
    """The values as typed (``item.<id>``), the units they were typed in (``unit.<id>``),
    and whether the form is marked complete (the button pressed)."""
    values: dict[str, object] = {}
    units: dict[str, str] = {}
    for item in form.items:
        if item.derived is not None:
            continue
        raw = forms.text(posted, ITEM + item.id, VALUE_MAX)
        if raw:
            values[item.id] = raw
        unit = forms.text(posted, UNIT + item.id, 64)
        if unit and unit != item.unit:
            units[item.id] = unit
    return FormEntry(values, units, complete=forms.text(posted, "complete", 5) == "1")


def _page(
    request: Request,
    view: Callable[[Session, Study], FormView],
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    session: Session | None = None,
    token: str | None = None,
) -> Response:
    if session is None:
        with store_of(request).read() as session:
            return _page(request, view, enrolment_id, errors, values, code, session, token)
    study = study_of_participant(request, session, enrolment_id)
    shown = view(session, study)
    context = {
        "study": study,
        "view": shown,
        "item_queries": form_queries(session, shown),  # each item's query badge
        "errors": errors or {},
        "values": values,  # None: the form as stored
        "locale": locale_of(request),
        "item_prefix": ITEM,
        "unit_prefix": UNIT,
        "saved": request.query_params.get("saved") == "1",
    }
    if token is not None:
        context["csrf_token"] = token
    return remember_locale(request, render(request, "crf.html", context, status_code=code))


def _kept(
    request: Request, view: Callable[[Session, Study], FormView], enrolment_id: int
) -> Response:
    """The form as stored, kept rendered until the next audited write."""

    def build(session: Session, token: str | None) -> Response:
        return _page(request, view, enrolment_id, session=session, token=token)

    saved = request.query_params.get("saved") == "1"
    key = ("crf", request.url.path, saved, site_dates(request), locale_of(request))
    return remember_locale(request, kept_page(request, key, build))


def _visit_form(enrolment_id: int, visit_key: str, form_id: str) -> Callable[..., FormView]:
    def view(session: Session, study: Study) -> FormView:
        today = site_date(study)
        return form_view(session, study, enrolment_id, visit_key, form_id, today)

    return view


@router.get(FORM, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def visit_form_page(
    request: Request, enrolment_id: RowId, visit_key: str, form_id: str
) -> Response:
    visit_key, form_id = visit_key[:48], form_id[:64]
    return _kept(request, _visit_form(enrolment_id, visit_key, form_id), enrolment_id)


@router.post(FORM, dependencies=[allow(Permission.EDIT_VISITS)])
async def save_visit_form(
    request: Request, enrolment_id: RowId, visit_key: str, form_id: str
) -> Response:
    visit_key, form_id = visit_key[:48], form_id[:64]
    visit_id, occurrence = visit_of_key(visit_key)

    def change(session: Session, posted: FormData) -> FormRecord:
        study = study_of_participant(request, session, enrolment_id)
        shown = form_view(session, study, enrolment_id, visit_key, form_id, site_date(study))
        return save_form(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            form_id=form_id, entry=entry_of(shown.form, posted), now=now(), visit_id=visit_id,
            occurrence=occurrence, expected_version=forms.number(posted, "version"),
            reason=forms.text(posted, "reason") or None,
        )  # fmt: skip

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        view = _visit_form(enrolment_id, visit_key, form_id)
        return _page(request, view, enrolment_id, errors, values, code)

    done = FORM.format(enrolment_id=enrolment_id, visit_key=visit_key, form_id=form_id)
    return await apply_change(request, change, done + "?saved=1", refused)


def _log_row(enrolment_id: int, form_id: str, row: int | None) -> Callable[..., FormView]:
    def view(session: Session, study: Study) -> FormView:
        return log_view(session, study, enrolment_id, form_id, row)

    return view


@router.get(LOG, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def log_page(request: Request, enrolment_id: RowId, form_id: str) -> Response:
    """A log form's rows, and a new row to add."""
    return _kept(request, _log_row(enrolment_id, form_id[:64], None), enrolment_id)


@router.get(
    LOG + "/{row}", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)]
)
async def log_row_page(request: Request, enrolment_id: RowId, form_id: str, row: RowId) -> Response:
    return _kept(request, _log_row(enrolment_id, form_id[:64], row), enrolment_id)


async def _save_log_row(
    request: Request, enrolment_id: int, form_id: str, row: int | None
) -> Response:
    def change(session: Session, posted: FormData) -> FormRecord:
        study = study_of_participant(request, session, enrolment_id)
        shown = log_view(session, study, enrolment_id, form_id, row)  # 404s
        return save_form(
            session, actor=user_of(request).username, study=study, enrolment_id=enrolment_id,
            form_id=form_id, entry=entry_of(shown.form, posted), now=now(), row=row,
            expected_version=forms.number(posted, "version"),
            reason=forms.text(posted, "reason") or None,
        )  # fmt: skip

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        return _page(
            request, _log_row(enrolment_id, form_id, row), enrolment_id, errors, values, code
        )

    def done(record: FormRecord) -> str:
        return LOG.format(enrolment_id=enrolment_id, form_id=form_id) + f"/{record.row}?saved=1"

    return await apply_change(request, change, done, refused)


@router.post(LOG, dependencies=[allow(Permission.EDIT_VISITS)])
async def add_log_row(request: Request, enrolment_id: RowId, form_id: str) -> Response:
    return await _save_log_row(request, enrolment_id, form_id[:64], None)


@router.post(LOG + "/{row}", dependencies=[allow(Permission.EDIT_VISITS)])
async def change_log_row(
    request: Request, enrolment_id: RowId, form_id: str, row: RowId
) -> Response:
    return await _save_log_row(request, enrolment_id, form_id[:64], row)
