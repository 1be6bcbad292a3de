"""The study hold: the page that names the stopping rule that paused the study and the
events that meet it, where an investigator signs the safety-review decision that resumes
it (trial/safety/stopping.resume_study, the password checked by web/signing.py); and the
banner every safety page and the participants' dashboard show while it holds."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.safety import stopping
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.models import SafetyReview
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.holds import StudyHold, is_paused
from trialdesk.web import forms, signing
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of
from trialdesk.web.errors import status_of
from trialdesk.web.locale import remember_locale
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render, templates
from trialdesk.web.rooms.conduct.changes import errors_of
from trialdesk.web.rooms.safety.labels import sayer
from trialdesk.web.rooms.safety.listing import hold_view
from trialdesk.web.rooms.safety.shared import posted, safety_study, words

__all__ = ["HOLD", "resume", "router"]

router = APIRouter(include_in_schema=False)

HOLD = "/staff/safety/hold"


def _hold_of(request: Request, study_id: str) -> StudyHold | None:
    """The study's active hold, for the banner of a page that did not read it itself."""
    with store_of(request).read() as session:
        return is_paused(session, study_id)


# The banner is one include on pages of other rooms (the participants' dashboard): it
# reads the hold itself. A hold is placed and released by audited writes, so a page kept
# by the page cache is rebuilt when it changes.
templates.env.globals["safety_hold_of"] = _hold_of
templates.env.globals["safety_say"] = sayer


def _hold_page(
    request: Request,
    session: Session,
    study: Study,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    code: int = 200,
    token: str | None = None,
) -> Response:
    view = hold_view(session, study)
    context: dict[str, Any] = {
        **words(request),
        "study": study,
        "view": view,
        "hold": view.hold,
        "rules": safety_of(study).stopping_rules,
        "safety": safety_of(study),
        "errors": errors or {},
        "values": values or {},
        "resumed": request.query_params.get("resumed") == "1",
    }
    if token is not None:
        context["csrf_token"] = token
    return remember_locale(request, render(request, "safety_hold.html", context, status_code=code))


@router.get(HOLD, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_SAFETY)])
async def hold_page(request: Request, study: str = "") -> Response:
    """The study's stopping rules; while paused, the rule that fired, the events meeting
    the rules, and the investigator's safety-review form."""
    chosen = safety_study(request, study[:32] or None)

    def build(session: Session, token: str | None) -> Response:
        return _hold_page(request, session, chosen, token=token)

    resumed = request.query_params.get("resumed") == "1"
    key = ("safety-hold", chosen.id, resumed, words(request)["locale"])
    return remember_locale(request, kept_page(request, key, build))


async def resume(
    request: Request, study: Study, decision: str, password: str, expected_hold: int | None
) -> SafetyReview:
    """The signed safety-review decision: one path for the page and the API."""

    def act(session: Session, signer: User, checked: PasswordCheck) -> SafetyReview:
        return stopping.resume_study(
            session, signer=signer, password=password, study=study, decision=decision,
            now=now(), expected_hold=expected_hold, checked=checked,
        )  # fmt: skip

    return await signing.sign(request, password, act)


@router.post(HOLD + "/review", dependencies=[allow(Permission.SIGN_SAFETY_REVIEW)])
async def sign_review(request: Request) -> Response:
    form = await request.form()
    chosen = safety_study(request, forms.text(form, "study", 32) or None)
    try:
        await resume(
            request, chosen, forms.text(form, "decision", 8000),
            forms.text(form, "password", 1024), forms.number(form, "hold"),
        )  # fmt: skip
    except TrialdeskError as error:
        with store_of(request).read() as session:
            return _hold_page(
                request, session, chosen, errors_of(error), posted(form), status_of(error)
            )
    return RedirectResponse(f"{HOLD}?study={chosen.id}&resumed=1", status_code=303)
