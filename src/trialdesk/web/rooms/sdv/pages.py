"""Source data verification as pages: the study's progress (overall and per participant),
a participant's required items with a checkbox each for the monitor (one POST verifies
every one ticked, each as it was shown), read-only for everyone else; and the small
progress panel the participant's page includes. A refused verification shows the page
again with the message; nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import FieldErrors, InputError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.review import sdv
from trialdesk.trial.review.sdv import Progress, Shown
from trialdesk.trial.store.db import Session
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.locale import locale_of
from trialdesk.web.page_cache import kept_page
from trialdesk.web.pages import render, templates
from trialdesk.web.problems import NotFound
from trialdesk.web.rooms.conduct.changes import apply_change, conduct_studies, study_of_participant
from trialdesk.web.rooms.sdv.shown import instant_at_site, label_of, sections, value_of
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PAGE = "/staff/participants/{enrolment_id}/sdv"
FIELD = "target"  # each ticked box: "<target>|<digest as shown>"


@router.get(
    "/staff/sdv", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)]
)
async def study_page(request: Request, study: str = "") -> Response:
    """The study's progress against its plan, overall and per participant. Kept rendered
    until the next audited write (a verification or a change of the data is one)."""
    studies = conduct_studies(request)
    if not studies:
        raise NotFound("no study served here has a visit schedule")
    chosen = study_or_404(request, study) if study else studies[0]

    def build(session: Session, token: str | None) -> Response:
        overall, each = sdv.study_progress(session, chosen)
        context: dict[str, Any] = {
            "studies": studies, "study": chosen, "overall": overall,
            "each": each,
        }  # fmt: skip
        if token is not None:
            context["csrf_token"] = token
        return render(request, "sdv.html", context)

    key = ("sdv", chosen.id, locale_of(request))
    return kept_page(request, key, build)


def _page(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    study = study_of_participant(request, session, enrolment_id)
    participant, states = sdv.participant_states(session, study, enrolment_id)
    schedule = study.schedule
    context = {
        "study": study,
        "participant": participant,
        "progress": sdv.progress_of(states),  # counts of every item, the sample's too
        "sections": sections(study, sdv.shown_to(user_of(request).role, states)),
        "label_of": lambda s: label_of(study, s),
        "value_of": lambda content, kind: value_of(content, kind, schedule),
        "site_clock": lambda moment: instant_at_site(moment, schedule),
        "field_name": FIELD,
        "errors": errors or {},
    }
    return render(request, "sdv_participant.html", context, status_code=code)


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def participant_page(request: Request, enrolment_id: RowId) -> Response:
    """The items the plan requires of the participant, each with its state."""
    with store_of(request).read() as session:
        return _page(request, session, enrolment_id)


def _shown(form: FormData) -> list[Shown]:
    """Each ticked item with the digest it was shown with: one without is refused (the
    page always sends it; without it a change made meanwhile would be verified unseen)."""
    out: list[Shown] = []
    whole = form.get("scope") == "all"  # the section's button: every item it shows
    for raw in form.getlist(f"all_{FIELD}" if whole else FIELD):
        if not isinstance(raw, str) or len(raw) > 300:
            raise FieldErrors([InputError("an item is not one this page shows", field="targets")])
        target, _, digest = raw.rpartition("|")
        if not target or not digest:
            raise FieldErrors(
                [InputError(f"{raw} came without the digest it was shown with", field="digest")]
            )
        out.append(Shown(target, digest))
    return out


@router.post(PAGE, dependencies=[allow(Permission.VERIFY_SOURCE)])
async def verify_on_page(request: Request, enrolment_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: FormData) -> object:
        return sdv.verify(
            session, actor=user.username, role=user.role,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, targets=_shown(form), now=now(),
        )  # fmt: skip

    def refused(errors: dict[str, str], _values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _page(request, session, enrolment_id, errors, code)

    return await apply_change(request, change, PAGE.format(enrolment_id=enrolment_id), refused)


def _progress_of(request: Request, study: Study, enrolment_id: int) -> Progress | None:
    """A participant's progress, for the panel of a page that did not read it (the
    participant's page: kept by the page cache until the next audited write, which a
    verification and every change of the data are)."""
    if study.sdv is None:
        return None
    with store_of(request).read() as session:
        _, states = sdv.participant_states(session, study, enrolment_id)
        return sdv.progress_of(states)


templates.env.globals["sdv_progress_of"] = _progress_of
