"""The lock room as a page: the database lock (or what blocks it), every casebook with
its sign-off and freezes, and the forms for each act, shown to whoever may do it (the
investigator signs casebooks; a data manager freezes, thaws, locks and unlocks). A refused
act shows the page again with the message at its field; nothing is stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct import freeze
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.conduct.changes import (
    StudyId,
    apply_change,
    conduct_studies,
    conduct_study,
    errors_of,
    study_of_participant,
)
from trialdesk.web.rooms.lock import acts
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE = "/staff/lock"
FREEZES = "/staff/participants/{enrolment_id}/freezes"


def blocker_text(kind: str) -> str:
    """What blocks the lock, as the page names it (the kinds are trial/review/lock's)."""
    return {
        "open_queries": _("Open queries"),
        "sdv_not_met": _("SDV plan not met"),
        "unsigned_casebooks": _("Casebooks not signed"),
        "uncoded_adverse_events": _("Adverse events not coded"),
        "unassessed_adverse_events": _(
            "Adverse events without a current signed causality assessment"
        ),
        "unresolved_deviations": _("Proposed deviations not confirmed or dismissed"),
    }[kind]


def _page(
    request: Request, study: Study, errors: dict[str, str] | None = None, code: int = 200
) -> Response:
    with store_of(request).read() as session:
        room = acts.room(session, study)
        targets = freeze.form_targets(session, [s.participant.id for s in room.casebooks])
    context: dict[str, Any] = {
        "blocker_text": blocker_text,
        "studies": conduct_studies(request), "study": study, "room": room,
        "targets": targets, "errors": errors or {},
    }  # fmt: skip
    return render(request, "lock.html", context, status_code=code)


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def lock_page(request: Request, study: StudyId = None) -> Response:
    """The study's lock, what blocks it, and every casebook's sign-off and freezes."""
    return _page(request, conduct_study(request, study))


async def _signed_act(
    request: Request, study: Study, act: Callable[[dict[str, str]], Awaitable[object]]
) -> Response:
    form = await request.form()
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    try:
        await act(posted)
    except TrialdeskError as error:
        return _page(request, study, errors_of(error), status_of(error))
    return RedirectResponse(f"{PAGE}?study={study.id}", status_code=303)


@router.post(PAGE + "/casebooks", dependencies=[allow(Permission.SIGN_CASEBOOKS)])
async def sign_on_page(request: Request, study: StudyId = None) -> Response:
    """The investigator signs the casebooks ticked, each as it was shown."""
    chosen = conduct_study(request, study)
    form = await request.form()
    shown: dict[int, str] = {}
    for raw in form.getlist("casebook"):
        enrolment_id, _, digest = str(raw).partition("|")
        if not enrolment_id.isdigit() or len(digest) != 64:
            shown = {}
            break
        shown[int(enrolment_id)] = digest

    async def act(posted: dict[str, str]) -> object:
        if not shown:
            raise InputError("tick the casebooks to sign", field="casebook")
        return await acts.sign_casebooks(request, chosen, shown, posted.get("password", ""))

    return await _signed_act(request, chosen, act)


@router.post(PAGE, dependencies=[allow(Permission.LOCK_DATABASE)])
async def lock_on_page(request: Request, study: StudyId = None) -> Response:
    chosen = conduct_study(request, study)

    async def act(posted: dict[str, str]) -> object:
        return await acts.lock(request, chosen, posted.get("password", ""))

    return await _signed_act(request, chosen, act)


@router.post(PAGE + "/unlock", dependencies=[allow(Permission.LOCK_DATABASE)])
async def unlock_on_page(request: Request, study: StudyId = None) -> Response:
    chosen = conduct_study(request, study)

    async def act(posted: dict[str, str]) -> object:
        lock_id = forms.number(posted, "lock_id")
        return await acts.unlock(
            request, chosen, lock_id, posted.get("reason", ""), posted.get("password", "")
        )

    return await _signed_act(request, chosen, act)


def _refused_page(request: Request, enrolment_id: int) -> Callable[..., Response]:
    def refused(errors: dict[str, str], _values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            study = study_of_participant(request, session, enrolment_id)
        return _page(request, study, errors, code)

    return refused


@router.post(FREEZES, dependencies=[allow(Permission.FREEZE_DATA)])
async def freeze_on_page(request: Request, enrolment_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: Any) -> str:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
        freeze.freeze(
            session, study, participant, target=str(form.get("target", "")),
            actor=user.username, reason=str(form.get("reason", "")), now=now(),
        )  # fmt: skip
        return f"{PAGE}?study={study.id}"

    return await apply_change(
        request, change, lambda where: where, _refused_page(request, enrolment_id)
    )


@router.post(FREEZES + "/{freeze_id}/thaw", dependencies=[allow(Permission.FREEZE_DATA)])
async def thaw_on_page(request: Request, enrolment_id: RowId, freeze_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: Any) -> str:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
        freeze.thaw(
            session, participant, freeze_id=freeze_id, actor=user.username,
            reason=str(form.get("reason", "")), now=now(),
        )  # fmt: skip
        return f"{PAGE}?study={study.id}"

    return await apply_change(
        request, change, lambda where: where, _refused_page(request, enrolment_id)
    )
