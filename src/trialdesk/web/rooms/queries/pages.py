"""Queries as pages: the study's queries (filtered by state, participant, target kind and
age, with the site's counts), a participant's queries with each thread and the forms to
raise, reply, close, cancel and reopen, and what other pages include: the form page's
badge at an item and the participants' dashboard counts. A refused change shows the page
again with every message at its field; nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.models import LOG
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.conduct.views import FormView
from trialdesk.trial.review import queries, query_views
from trialdesk.trial.review.query_views import QueryFilter
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.query_records import DataQuery, QueryState, TargetKind
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.locale import locale_of, translated
from trialdesk.web.pages import render, templates
from trialdesk.web.rooms.conduct.changes import (
    apply_change,
    conduct_studies,
    site_date,
    study_of_participant,
)
from trialdesk.web.rooms.queries.api import chosen_study, study_of_query
from trialdesk.web.schemas import RowId

__all__ = ["dashboard_queries", "form_queries", "router"]

router = APIRouter(include_in_schema=False)

LIST = "/staff/queries"
PARTICIPANT = "/staff/participants/{enrolment_id}/queries"
QUERY = "/staff/queries/{query_id}"
TARGET_FIELDS = ("kind", "visit", "form", "row", "item", "adverse_event", "fact")
STATES = ("open", "answered", "closed", "cancelled")
KINDS = ("item", "visit", "adverse_event", "fact")


def state_word(state: str) -> str:
    """A query's state as the page names it (the stored codes stay English)."""
    return {
        "open": _("open"),
        "answered": _("answered"),
        "closed": _("closed"),
        "cancelled": _("cancelled"),
    }[state]


def kind_word(kind: str) -> str:
    """What a query is on, as the page names it."""
    return {
        "item": _("item"),
        "visit": _("visit"),
        "adverse_event": _("adverse event"),
        "fact": _("screening fact"),
    }[kind]


def message_word(kind: str) -> str:
    """What a message of a query's thread did."""
    return {
        "raise": _("asked"),
        "answer": _("answered"),
        "correction": _("corrected the datum"),
        "close": _("closed"),
        "cancel": _("cancelled"),
        "reopen": _("asked again"),
    }[kind]


def target_field_label(name: str) -> str:
    """The label of a field of the raise form that names the query's target."""
    return {
        "visit": _("Visit (e.g. W4)"),
        "form": _("Form"),
        "row": _("Log row"),
        "item": _("Item"),
        "adverse_event": _("Adverse event (id)"),
        "fact": _("Screening fact (id)"),
    }[name]


def target_of(study: Study, q: DataQuery, locale: str) -> tuple[str, str | None]:
    """What a query is about in words, and the page where it is (None: no page)."""
    pid = q.enrolment_id
    if q.target_kind == TargetKind.ITEM and q.form_id is not None:
        form = study.forms.get(q.form_id)
        title = translated(form.title, locale) if form is not None else q.form_id
        labels = {i.id: translated(i.label, locale) for i in form.items} if form else {}
        label = labels.get(q.item or "", q.item or "")
        others = query_views.other_items(q)
        if others:  # an edit check on several items: its query is on the first
            named = ", ".join(labels.get(o, o) for o in others)
            label = _("%(label)s (with %(others)s)", label=label, others=named)
        if q.visit_key == LOG:
            where = _("%(form)s · row %(row)s", form=title, row=q.row)
            return f"{where} · {label}", f"/staff/participants/{pid}/logs/{q.form_id}/{q.row}"
        href = f"/staff/participants/{pid}/visits/{q.visit_key}/forms/{q.form_id}#i-{q.item}"
        return f"{q.visit_key} · {title} · {label}", href
    if q.target_kind == TargetKind.VISIT:
        return _(
            "Visit %(visit)s", visit=q.visit_key
        ), f"/staff/participants/{pid}/visits/{q.visit_key}"
    if q.target_kind == TargetKind.ADVERSE_EVENT:
        return _("Adverse event %(id)s", id=q.adverse_event_id), (
            f"/staff/participants/{pid}/adverse-events/{q.adverse_event_id}"
        )
    return _("Screening fact %(id)s", id=q.entered_fact_id), None


def _common(request: Request, study: Study) -> dict[str, Any]:
    locale = locale_of(request)
    return {
        "study": study,
        "states": STATES,
        "kinds": KINDS,
        "target": lambda q: target_of(study, q, locale),
        "question": lambda q: query_views.check_message(study, q, locale),
    }


@router.get(LIST, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def queries_page(
    request: Request,
    study: str = "",
    state: str = "",
    participant: str = "",
    kind: str = "",
    min_age: str = "",
) -> Response:
    """The study's queries, oldest first, filtered; the site's counts above them. A
    filter that is not one of the choices is ignored (the page shows what it applied)."""
    chosen = chosen_study(request, study[:32] or None)
    where = QueryFilter(
        state=QueryState(state) if state in STATES else None,
        enrolment_id=int(participant) if participant.isdigit() and len(participant) < 10 else None,
        kind=TargetKind(kind) if kind in KINDS else None,
        min_age_days=int(min_age) if min_age.isdigit() and len(min_age) < 6 else None,
    )
    today = site_date(chosen)
    with store_of(request).read() as session:
        context = {
            **_common(request, chosen),
            "studies": conduct_studies(request),
            "rows": query_views.list_queries(session, chosen, today, where),
            "counts": query_views.counts(session, chosen, today),
            "subjects": query_views.subject_numbers(session, chosen),
            "where": where,
            "today": today,
        }
        return render(request, "queries.html", context)


def _participant_page(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
    error_at: str | None = None,
) -> Response:
    study = study_of_participant(request, session, enrolment_id)
    participant = participant_or_404(session, enrolment_id, study=study)
    today = site_date(study)
    found = query_views.list_queries(session, study, today, QueryFilter(enrolment_id=enrolment_id))
    asked = {k: request.query_params.get(k, "")[:64] for k in TARGET_FIELDS}
    context = {
        **_common(request, study),
        "participant": participant,
        "rows": found,
        "counts": query_views.counts(session, study, today).by_participant.get(enrolment_id),
        "errors": errors or {},
        "values": values if values is not None else asked,
        "error_at": error_at,  # "<query id>:<action>": the card form a refusal came from
        "today": today,
    }
    page = render(request, "queries_participant.html", context, status_code=code)
    return page


@router.get(
    PARTICIPANT, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)]
)
async def participant_queries_page(request: Request, enrolment_id: RowId) -> Response:
    """The participant's queries with their threads; the raise form for a monitor, filled
    from the link that led here (``?kind=item&visit=W4&form=...&item=...``)."""
    with store_of(request).read() as session:
        return _participant_page(request, session, enrolment_id)


@router.get(QUERY, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def query_page(request: Request, query_id: RowId) -> Response:
    """One query: shown in its participant's queries, at its place."""
    with store_of(request).read() as session:
        found = queries.query_or_404(session, query_id)
    where = PARTICIPANT.format(enrolment_id=found.enrolment_id)
    return RedirectResponse(f"{where}#q-{query_id}", status_code=303)


@router.post(PARTICIPANT, dependencies=[allow(Permission.RAISE_QUERIES)])
async def raise_on_page(request: Request, enrolment_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: FormData) -> DataQuery:
        return queries.raise_query(
            session, actor=user.username, role=user.role,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id,
            target={k: forms.text(form, k, 64) or None for k in TARGET_FIELDS},
            text=forms.text(form, "text", queries.MESSAGE_MAX), now=now(),
        )  # fmt: skip

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _participant_page(request, session, enrolment_id, errors, values, code)

    def done(made: DataQuery) -> str:
        return f"{PARTICIPANT.format(enrolment_id=enrolment_id)}?saved=1#q-{made.id}"

    return await apply_change(request, change, done, refused)


Act = Callable[[Session, FormData, Study, int | None], object]


async def _act(request: Request, query_id: int, action: str, act: Act) -> Response:
    """One change to a query from its card: back to the participant's queries, or that
    page again with the messages at the card's fields."""
    with store_of(request).read() as session:
        enrolment_id = queries.query_or_404(session, query_id).enrolment_id

    def change(session: Session, form: FormData) -> object:
        version = forms.number(form, "version")
        return act(session, form, study_of_query(request, session, query_id), version)

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _participant_page(
                request, session, enrolment_id, errors, values, code, f"{query_id}:{action}"
            )

    done = f"{PARTICIPANT.format(enrolment_id=enrolment_id)}?saved=1#q-{query_id}"
    return await apply_change(request, change, done, refused)


@router.post(QUERY + "/reply", dependencies=[allow(Permission.ANSWER_QUERIES)])
async def reply_on_page(request: Request, query_id: RowId) -> Response:
    user = user_of(request)

    def act(session: Session, form: FormData, study: Study, version: int | None) -> object:
        return queries.reply(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            text=forms.text(form, "text", queries.MESSAGE_MAX), expected_version=version,
            now=now(), correction=forms.text(form, "correction", 5) == "1",
        )  # fmt: skip

    return await _act(request, query_id, "reply", act)


@router.post(QUERY + "/close", dependencies=[allow(Permission.RAISE_QUERIES)])
async def close_on_page(request: Request, query_id: RowId) -> Response:
    user = user_of(request)

    def act(session: Session, form: FormData, study: Study, version: int | None) -> object:
        return queries.close_query(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            text=forms.text(form, "text", queries.MESSAGE_MAX) or None,
            expected_version=version, shown_datum=forms.text(form, "datum", 64), now=now(),
        )  # fmt: skip

    return await _act(request, query_id, "close", act)


@router.post(QUERY + "/cancel", dependencies=[allow(Permission.RAISE_QUERIES)])
async def cancel_on_page(request: Request, query_id: RowId) -> Response:
    user = user_of(request)

    def act(session: Session, form: FormData, study: Study, version: int | None) -> object:
        return queries.cancel_query(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            reason=forms.text(form, "reason", queries.MESSAGE_MAX), expected_version=version,
            now=now(),
        )  # fmt: skip

    return await _act(request, query_id, "cancel", act)


@router.post(QUERY + "/reopen", dependencies=[allow(Permission.RAISE_QUERIES)])
async def reopen_on_page(request: Request, query_id: RowId) -> Response:
    user = user_of(request)

    def act(session: Session, form: FormData, study: Study, version: int | None) -> object:
        return queries.reopen_query(
            session, actor=user.username, role=user.role, study=study, query_id=query_id,
            text=forms.text(form, "text", queries.MESSAGE_MAX), expected_version=version,
            now=now(),
        )  # fmt: skip

    return await _act(request, query_id, "reopen", act)


# -- what other pages include --------------------------------------------------------------


def form_queries(session: Session, view: FormView) -> dict[str, Any]:
    """The form page's badges: the live queries at each item of the stored form, and
    where to see them (the form page's context, for templates/queries_badge.html)."""
    record = view.record
    found = (
        query_views.form_badges(
            session, record.enrolment_id, record.visit_key, record.form_id, record.row
        )
        if record is not None
        else {}
    )
    pid = view.participant.id
    return {
        "by_item": found,
        "page": PARTICIPANT.format(enrolment_id=pid),
        "visit": record.visit_key if record is not None else "",
        "row": record.row if record is not None and record.visit_key == LOG else "",
    }


def dashboard_queries(session: Session, study: Study, today: date) -> dict[str, Any]:
    """The participants' dashboard's query counts (templates/queries_counts.html)."""
    return {"query_counts": query_views.counts(session, study, today)}


templates.env.globals.update(
    query_state_word=state_word,
    query_kind_word=kind_word,
    query_message_word=message_word,
    query_field_label=target_field_label,
)
