"""A participant's adverse events: the list with the record form, one event with its
correction form and the investigator's causality assessment.

Every write goes through the safety services (audited, checked whole: a refused form
comes back with every message at its field and nothing stored); the causality signature
goes through web/signing.py, the password checked outside the write transaction.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.clinical.ctcae_terms import ctcae_terms, term_named
from trialdesk.errors import TrialdeskError
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety import assessments, events
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.coding import grade_choices
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.events import EventWritten
from trialdesk.trial.safety.terms import ActionTaken, Outcome, Relationship, Seriousness
from trialdesk.trial.store.db import Session
from trialdesk.web import forms, signing
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import remember_locale
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import apply_change, errors_of, site_dates
from trialdesk.web.rooms.conduct.changes import study_of_participant as study_of
from trialdesk.web.rooms.safety import recording
from trialdesk.web.rooms.safety.listing import event_row, hold_view, participant_rows
from trialdesk.web.rooms.safety.shared import (
    causality_input,
    event_input,
    event_values,
    posted,
    words,
)
from trialdesk.web.schemas import RowId

__all__ = ["EVENT", "EVENTS", "router"]

router = APIRouter(include_in_schema=False)

EVENTS = "/staff/participants/{enrolment_id}/adverse-events"
EVENT = EVENTS + "/{event_id}"


def term_names() -> list[str]:
    """Every CTCAE v5.0 term, for the form's list to choose from."""
    return [t.term for t in ctcae_terms()]


def _form_context(request: Request, study: Any, shown: dict[str, Any]) -> dict[str, Any]:
    """What the event form needs: the vocabularies, the study's AESIs staff confirm, and
    the grades of the term shown (rendered here, so they show without JavaScript)."""
    term = term_named(str(shown.get("term", "")))
    return {
        "term_names": term_names(),
        "grades": grade_choices(term) if term is not None else [],
        "chosen_term": term,
        "seriousness": [s.value for s in Seriousness],
        "actions": [a.value for a in ActionTaken],
        "outcomes": [o.value for o in Outcome],
        "relationships": [r.value for r in Relationship],
        "confirmable": [a for a in safety_of(study).special_interest if a.confirm],
        "aesi_names": {a.id: a.name for a in safety_of(study).special_interest},
    }


def _events_page(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    code: int = 200,
    token: str | None = None,
) -> Response:
    study = study_of(request, session, enrolment_id)
    participant = participant_or_404(session, enrolment_id, study=study)
    shown = values or {}
    context = {
        **words(request),
        **_form_context(request, study, shown),
        "study": study,
        "participant": participant,
        "rows": participant_rows(session, study, participant),
        "hold": hold_view(session, study).hold,
        "errors": errors or {},
        "values": shown,
    }
    if token is not None:
        context["csrf_token"] = token
    page = render(request, "safety_events.html", context, status_code=code)
    return remember_locale(request, page)


@router.get(EVENTS, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)])
async def events_page(request: Request, enrolment_id: RowId) -> Response:
    """The participant's adverse events and the form to record one. Kept rendered until
    the next audited write."""

    def build(session: Session, token: str | None) -> Response:
        return _events_page(request, session, enrolment_id, token=token)

    key = ("safety-events", enrolment_id, site_dates(request), words(request)["locale"])
    return remember_locale(request, kept_page(request, key, build))


def _assessed(form: FormData) -> bool:
    """Whether the form gives a causality assessment (the investigator's, signed now)."""
    fields = ("relationship_product", "relationship_procedure", "expected")
    return any(forms.text(form, name, 20) for name in fields)


@router.post(EVENTS, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def record_event(request: Request, enrolment_id: RowId) -> Response:
    """Record an event; an investigator may sign its causality in the same act."""
    form = await request.form()
    try:
        written = await recording.record(
            request, enrolment_id, event_input(form),
            causality_input(form) if _assessed(form) else None,
            forms.text(form, "password", 1024),
        )  # fmt: skip
    except TrialdeskError as error:
        with store_of(request).read() as session:
            return _events_page(
                request, session, enrolment_id, errors_of(error), posted(form), status_of(error)
            )
    path = EVENT.format(enrolment_id=enrolment_id, event_id=written.event.id)
    return RedirectResponse(path + "?saved=1", status_code=303)


def _event_page(
    request: Request,
    session: Session,
    enrolment_id: int,
    event_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    code: int = 200,
    token: str | None = None,
) -> Response:
    study = study_of(request, session, enrolment_id)
    participant = participant_or_404(session, enrolment_id, study=study)
    row = event_row(session, study, participant, event_id)
    # a refused correction shows what was posted; a refused signature the event as stored
    shown = values if values and values.get("form") == "event" else event_values(row.event)
    context = {
        **words(request),
        **_form_context(request, study, shown),
        "study": study,
        "participant": participant,
        "row": row,
        "hold": hold_view(session, study).hold,
        "errors": errors or {},
        "values": shown,
        "posted": values or {},
        "saved": request.query_params.get("saved") == "1",
        "signed": request.query_params.get("signed") == "1",
    }
    if token is not None:
        context["csrf_token"] = token
    page = render(request, "safety_event.html", context, status_code=code)
    return remember_locale(request, page)


@router.get(EVENT, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)])
async def event_page(request: Request, enrolment_id: RowId, event_id: RowId) -> Response:
    """One adverse event: what was recorded, its causality, the correction form."""

    def build(session: Session, token: str | None) -> Response:
        return _event_page(request, session, enrolment_id, event_id, token=token)

    flags = tuple(request.query_params.get(k) == "1" for k in ("saved", "signed"))
    key = ("safety-event", enrolment_id, event_id, flags, words(request)["locale"])
    return remember_locale(request, kept_page(request, key, build))


def _event_refused(request: Request, enrolment_id: int, event_id: int, form: FormData) -> Any:
    def refused(errors: dict[str, str], _values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _event_page(request, session, enrolment_id, event_id, errors, posted(form), code)

    return refused


@router.post(EVENT, dependencies=[allow(Permission.RECORD_ADVERSE_EVENTS)])
async def correct_event(request: Request, enrolment_id: RowId, event_id: RowId) -> Response:
    """A correction of the whole event, with its reason, from the version the form shows
    (changed meanwhile: 409, reload)."""

    def change(session: Session, form: FormData) -> EventWritten:
        return events.update_adverse_event(
            session, actor=user_of(request).username,
            study=study_of(request, session, enrolment_id), enrolment_id=enrolment_id,
            event_id=event_id, given=event_input(form),
            expected_version=forms.number(form, "version"),
            reason=forms.text(form, "reason") or None, now=now(),
        )  # fmt: skip

    form = await request.form()
    done = EVENT.format(enrolment_id=enrolment_id, event_id=event_id) + "?saved=1"
    return await apply_change(
        request, change, done, _event_refused(request, enrolment_id, event_id, form)
    )


@router.post(EVENT + "/causality", dependencies=[allow(Permission.SIGN_CAUSALITY)])
async def sign_causality(request: Request, enrolment_id: RowId, event_id: RowId) -> Response:
    """The investigator's signed relationship and expectedness (password re-entered)."""
    form = await request.form()
    try:
        version = forms.number(form, "version")
        given = causality_input(form)

        def act(session: Session, signer: User, checked: PasswordCheck) -> EventWritten:
            return assessments.assess_causality(
                session, signing=Signing(signer, password, checked),
                study=study_of(request, session, enrolment_id), enrolment_id=enrolment_id,
                event_id=event_id, given=given, expected_version=version, now=now(),
            )  # fmt: skip

        password = forms.text(form, "password", 1024)
        await signing.sign(request, password, act)
    except TrialdeskError as error:
        refused = _event_refused(request, enrolment_id, event_id, form)
        response: Response = refused(errors_of(error), {}, status_of(error))
        return response
    done = EVENT.format(enrolment_id=enrolment_id, event_id=event_id)
    return RedirectResponse(done + "?signed=1#causality", status_code=303)
