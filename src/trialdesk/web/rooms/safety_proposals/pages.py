"""A participant's proposed adverse events as a page: each proposal with its grade's
rule, and for the investigator the confirm form (the adverse event prefilled, editable)
and the dismiss form (a reason required). A refused decision shows the page again with
every message at its field; nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import FieldErrors, InputError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.proposals import (
    ASSUMPTION,
    ProposalKey,
    decide,
    prefill,
    proposals_of,
    ungraded_of,
)
from trialdesk.trial.safety.terms import Outcome
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.locale import locale_of, remember_locale
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import apply_change, study_of_participant
from trialdesk.web.rooms.safety_proposals.texts import TEXTS
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE = "/staff/participants/{enrolment_id}/proposals"


def _context(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    study = study_of_participant(request, session, enrolment_id)
    participant = participant_or_404(session, enrolment_id, study=study)
    found = proposals_of(session, study, participant)
    return {
        "study": study,
        "participant": participant,
        "proposals": [
            (p, prefill(p) if p.decision is None and p.standing else None) for p in found
        ],
        "ungraded": ungraded_of(session, study, participant),
        "outcomes": [o.value for o in Outcome],
        "assumption": ASSUMPTION,
        "t": TEXTS,
        "errors": errors or {},
        "values": values or {},
        "locale": locale_of(request),
    }


def _page(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    context = _context(request, session, enrolment_id, errors, values)
    return remember_locale(request, render(request, "proposals.html", context, status_code=code))


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)])
async def proposals_page(request: Request, enrolment_id: RowId) -> Response:
    """The participant's proposed adverse events, computed from the stored lab values."""
    with store_of(request).read() as session:
        return _page(request, session, enrolment_id)


@router.get(
    PAGE + "/section", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)]
)
async def proposals_section(request: Request, enrolment_id: RowId) -> Response:
    """The same list as a page section, for another page to include."""
    with store_of(request).read() as session:
        context = _context(request, session, enrolment_id)
        return render(request, "proposals_section.html", context)


def _key(form: FormData) -> ProposalKey:
    grade = forms.number(form, "grade")
    if grade is None:
        raise InputError("the proposal's grade is missing", field="decision")
    return ProposalKey(
        forms.text(form, "visit_key", 48), forms.text(form, "form_id", 64),
        forms.text(form, "item_id", 64), forms.text(form, "term", 120), grade,
    )  # fmt: skip


def _edits(form: FormData) -> EventInput:
    """The investigator's edits of the prefilled event (an empty field: the prefill)."""
    return EventInput(
        verbatim=forms.text(form, "event_verbatim", 200) or None,
        onset=forms.text(form, "event_onset", 10) or None,
        end=forms.text(form, "event_end", 10) or None,
        grade=forms.text(form, "event_grade", 2) or None,
        outcome=forms.text(form, "event_outcome", 40) or None,
    )


@router.post(PAGE, dependencies=[allow(Permission.DECIDE_AE_PROPOSALS)])
async def decide_on_page(request: Request, enrolment_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: FormData) -> object:
        decision = forms.text(form, "decision", 10)
        try:
            edits = _edits(form) if decision == "confirm" else None
        except InputError as bad:
            raise FieldErrors([bad], resource="proposed adverse event") from bad
        return decide(
            session, actor=user.username, role=user.role,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, key=_key(form), decision=decision,
            reason=forms.text(form, "reason") or None, event=edits,
            shown_value=forms.text(form, "value", 40) or None, now=now(),
        )  # fmt: skip

    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _page(request, session, enrolment_id, _event_fields(errors), values, code)

    return await apply_change(request, change, PAGE.format(enrolment_id=enrolment_id), refused)


def _event_fields(errors: dict[str, str]) -> dict[str, str]:
    """The event service's field names as the confirm form names its inputs."""
    names = {"verbatim", "onset", "end", "grade", "outcome", "term", "action_taken"}
    return {f"event_{k}" if k in names else k: v for k, v in errors.items()}
