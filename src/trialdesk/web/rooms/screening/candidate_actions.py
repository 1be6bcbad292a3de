"""What staff do on a screening page: correct the identity, set the dates and parameters,
enter or retract a fact, sign a judgment, record consent, the outcome, a withdrawal."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import InputError, NotFoundError, TrialdeskError
from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_zone
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment, facts
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, user_of
from trialdesk.web.rooms.screening import judgment
from trialdesk.web.rooms.screening.candidate_page import apply_change, refused_on_page
from trialdesk.web.rooms.screening.forms import (
    OUTCOMES,
    details_of,
    fact_entry_of,
    study_of_candidate,
    version_of,
)
from trialdesk.web.rooms.screening.outcome_confirm import confirm_or_apply
from trialdesk.web.rooms.screening.site_clock import SiteClock
from trialdesk.web.schemas import RowId

router = APIRouter(include_in_schema=False)


@router.post(
    "/staff/candidates/{candidate_id}/identity", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def correct_identity(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return cands.correct_identity(
            session,
            actor=user_of(request).username,
            candidate_id=candidate_id,
            expected_version=version_of(form),
            person=cands.NewCandidate(
                name=forms.text(form, "name", 200),
                birth_date=forms.optional_day(form, "birth_date"),
                sex=forms.text(form, "sex", 16) or None,
                record_number=forms.text(form, "record_number", 64) or None,
            ),
            reason=forms.text(form, "reason"),
            now=now(),
        )

    return await apply_change(request, candidate_id, change, "details")


@router.post(
    "/staff/candidates/{candidate_id}/details", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def screening_details(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        study = study_of_candidate(request, session, candidate_id)
        details = details_of(study, form)
        return cands.set_screening_details(
            session,
            actor=user_of(request).username,
            study=study,
            candidate_id=candidate_id,
            expected_version=version_of(form),
            dates=details.dates,
            parameters=details.parameters,
            reason=forms.text(form, "reason") or None,
            now=now(),
        )

    return await apply_change(request, candidate_id, change, "details")


@router.post(
    "/staff/candidates/{candidate_id}/facts", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def add_fact(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        return facts.add_fact(
            session,
            actor=user_of(request).username,
            study=study_of_candidate(request, session, candidate_id),
            candidate_id=candidate_id,
            entry=fact_entry_of(form),
            now=now(),
        )

    return await apply_change(request, candidate_id, change, "checklist")


@router.post(
    "/staff/candidates/{candidate_id}/facts/{fact_id}/retract",
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
)
async def retract_fact(request: Request, candidate_id: RowId, fact_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        row = facts.retract_fact(
            session, actor=user_of(request).username, fact_id=fact_id,
            reason=forms.text(form, "reason"), now=now(),
        )  # fmt: skip
        if row.candidate_id != candidate_id:
            raise NotFoundError(_("fact %(fact)s is not this candidate's", fact=fact_id))
        return row

    return await apply_change(request, candidate_id, change, "facts")


@router.post(
    "/staff/candidates/{candidate_id}/judgments",
    dependencies=[allow(Permission.SIGN_ELIGIBILITY)],
)
async def sign_judgment(request: Request, candidate_id: RowId) -> Response:
    form = await request.form()
    try:
        await judgment.sign_judgment(
            request,
            candidate_id,
            password=forms.text(form, "password", 1024),
            criterion=forms.text(form, "criterion", 32),
            decision=forms.text(form, "decision", 10),
            reason=forms.text(form, "reason"),
            basis=forms.text(form, "basis", 64),
        )
    except TrialdeskError as error:
        return refused_on_page(request, candidate_id, error, form)
    return RedirectResponse(f"/staff/candidates/{candidate_id}#checklist", status_code=303)


@router.post(
    "/staff/candidates/{candidate_id}/consent", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def record_consent(request: Request, candidate_id: RowId) -> Response:
    def change(session: Session, form: FormData) -> object:
        study = study_of_candidate(request, session, candidate_id)
        return consent.record_consent(
            session,
            actor=user_of(request).username,
            candidate_id=candidate_id,
            form_version=forms.text(form, "form_version", 32),
            consented_at=site_moment(form, "consented_at"),
            obtained_by=forms.text(form, "obtained_by", 200),
            participant_signed_on=forms.day(form, "participant_signed_on"),
            now=now(),
            zone=site_zone(study.schedule),
        )

    return await apply_change(request, candidate_id, change, "consent")


def site_moment(form: FormData, name: str) -> datetime:
    """A date and time from ``<input type="datetime-local">``: the site's wall clock (no
    offset; the service puts the site's zone on it), or an instant with its offset."""
    raw = forms.text(form, name, 32)
    if not raw:
        raise InputError(_("is required"), field=name)
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(_("'%(raw)s' is not a date and time", raw=raw), field=name) from None


@router.post(
    "/staff/candidates/{candidate_id}/outcome", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def record_outcome(request: Request, candidate_id: RowId) -> Response:
    """Enrol, screen failure or decline: a confirmation page first (outcome_confirm.py)."""

    def change(session: Session, form: FormData, study: Study, clock: SiteClock) -> object:
        action = forms.text(form, "outcome", 20)
        actor, version = user_of(request).username, version_of(form)
        on = forms.optional_day(form, "on")
        if action == "enrol":
            return enrolment.enrol(
                session, actor=actor, study=study, candidate_id=candidate_id,
                expected_version=version, today=clock.today, now=clock.now, on=on,
                zone=clock.zone,
            )  # fmt: skip
        if action == "screen_fail":
            return enrolment.screen_fail(
                session, actor=actor, study=study, candidate_id=candidate_id,
                expected_version=version, reason=forms.text(form, "reason") or None,
                today=clock.today, now=clock.now, on=on, zone=clock.zone,
            )  # fmt: skip
        if action == "decline":
            return enrolment.decline(
                session, actor=actor, candidate_id=candidate_id, expected_version=version,
                reason=forms.text(form, "reason"), now=clock.now, on=on, zone=clock.zone,
            )  # fmt: skip
        raise InputError(_("must be one of %(codes)s", codes=", ".join(OUTCOMES)), field="outcome")

    form = await request.form()
    action = str(form.get("outcome") or "")
    if action not in OUTCOMES:
        return refused_on_page(
            request, candidate_id,
            InputError(_("must be one of %(codes)s", codes=", ".join(OUTCOMES)), field="outcome"),
            form,
        )  # fmt: skip
    return await confirm_or_apply(request, candidate_id, action, change, "outcome")


@router.post(
    "/staff/candidates/{candidate_id}/withdraw", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def withdraw(request: Request, candidate_id: RowId) -> Response:
    """A withdrawal: a confirmation page first (outcome_confirm.py)."""

    def change(session: Session, form: FormData, study: Study, clock: SiteClock) -> object:
        return enrolment.withdraw(
            session,
            actor=user_of(request).username,
            candidate_id=candidate_id,
            expected_version=version_of(form),
            withdrawn_on=forms.optional_day(form, "withdrawn_on") or clock.today,
            reason=forms.text(form, "reason"),
            now=clock.now,
            today=clock.today,
            zone=clock.zone,
        )

    return await confirm_or_apply(request, candidate_id, "withdraw", change, "outcome")
