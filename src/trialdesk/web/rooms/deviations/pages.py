"""Protocol deviations as pages: the study's list (filterable by state, class, kind and
participant) and a participant's, with the investigator's confirm and dismiss forms and
the form to enter one by hand. A refused form shows the page again with every message
at its field; nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.review.deviation_decisions import ManualDeviation, decide, record_deviation
from trialdesk.trial.review.deviation_kinds import ASSUMPTION, CATEGORIES, KINDS
from trialdesk.trial.review.deviations import (
    counts,
    deviations_of,
    deviations_of_study,
    select_deviations,
    stored_counts,
)
from trialdesk.trial.store.db import Session
from trialdesk.web import forms
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.pages import render, templates
from trialdesk.web.rooms.conduct.changes import (
    Refused,
    apply_change,
    conduct_studies,
    study_of_participant,
)
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

STUDY_PAGE = "/staff/deviations"
PAGE = "/staff/participants/{enrolment_id}/deviations"


def deviation_word(code: str) -> str:
    """A deviation's state or class as the page names it (the stored codes stay English)."""
    return {
        "proposed": _("proposed"),
        "confirmed": _("confirmed"),
        "dismissed": _("dismissed"),
        "major": _("major"),
        "minor": _("minor"),
    }[code]


def _base(request: Request, study: Study, errors: dict[str, str] | None,
          values: dict[str, str] | None) -> dict[str, Any]:  # fmt: skip
    return {
        "study": study,
        "kinds": KINDS,
        "categories": CATEGORIES,
        "visits": study.schedule.visits if study.schedule is not None else (),
        "assumption": ASSUMPTION,
        "word": deviation_word,
        "errors": errors or {},
        "values": values or {},
    }


@router.get(
    STUDY_PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)]
)
async def study_page(
    request: Request,
    study: str = "",
    state: str = "",
    severity: str = "",
    kind: str = "",
    participant: str = "",
) -> Response:
    """The study's deviations, filtered."""
    served = conduct_studies(request)
    chosen = study_or_404(request, study) if study else (served[0] if served else None)
    if chosen is None:
        return render(request, "deviations.html", {"study": None})
    who = int(participant) if participant.isdigit() and len(participant) < 10 else None
    with store_of(request).read() as session:
        found = deviations_of_study(session, chosen, now())
    context = _base(request, chosen, None, None)
    context.update(
        studies=served,
        deviations=select_deviations(
            found, state=state, severity=severity, kind=kind, enrolment_id=who
        ),
        counts=counts(found),
        subjects=sorted({(d.enrolment_id, d.subject_number) for d in found}, key=lambda s: s[1]),
        chosen={"state": state, "severity": severity, "kind": kind, "participant": participant},
        participant=None,
    )
    return render(request, "deviations.html", context)


def _page(
    request: Request,
    session: Session,
    enrolment_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    code: int = 200,
) -> Response:
    study = study_of_participant(request, session, enrolment_id)
    participant = participant_or_404(session, enrolment_id, study=study)
    found = deviations_of(session, study, participant, now())
    context = _base(request, study, errors, values)
    context.update(participant=participant, deviations=found, counts=counts(found))
    return render(request, "deviations.html", context, status_code=code)


@router.get(PAGE, response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def participant_page(request: Request, enrolment_id: RowId) -> Response:
    """One participant's deviations, with the decide and entry forms."""
    with store_of(request).read() as session:
        return _page(request, session, enrolment_id)


def _refused(request: Request, enrolment_id: int) -> Refused:
    def refused(errors: dict[str, str], values: dict[str, str], code: int) -> Response:
        with store_of(request).read() as session:
            return _page(request, session, enrolment_id, errors, values, code)

    return refused


@router.post(PAGE + "/decisions", dependencies=[allow(Permission.DECIDE_DEVIATIONS)])
async def decide_on_page(request: Request, enrolment_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: FormData) -> object:
        version = forms.number(form, "version")
        return decide(
            session, actor=user.username, role=user.role,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, kind=forms.text(form, "kind", 32),
            what=forms.text(form, "what", 120), decision=forms.text(form, "decision", 10),
            reason=forms.text(form, "reason") or None,
            severity=forms.text(form, "severity", 5) or None, expected_version=version,
            shown_term=forms.text(form, "dvterm") or None, now=now(),
        )  # fmt: skip

    where = PAGE.format(enrolment_id=enrolment_id)
    return await apply_change(request, change, where, _refused(request, enrolment_id))


@router.post(PAGE, dependencies=[allow(Permission.RECORD_DEVIATIONS)])
async def enter_on_page(request: Request, enrolment_id: RowId) -> Response:
    user = user_of(request)

    def change(session: Session, form: FormData) -> object:
        # each field's own limits are the service's: every problem reported at once
        given = ManualDeviation(
            dvterm=forms.text(form, "dvterm"), dvcat=forms.text(form, "dvcat"),
            severity=forms.text(form, "severity"), dvstdtc=forms.text(form, "dvstdtc"),
            visit_key=forms.text(form, "visit_key") or None,
            dvdecod=forms.text(form, "dvdecod") or None,
        )  # fmt: skip
        return record_deviation(
            session, actor=user.username, role=user.role,
            study=study_of_participant(request, session, enrolment_id),
            enrolment_id=enrolment_id, given=given, now=now(),
        )  # fmt: skip

    where = PAGE.format(enrolment_id=enrolment_id)
    return await apply_change(request, change, where, _refused(request, enrolment_id))


def deviation_counts(request: Request, study: Study) -> dict[str, int]:
    """The dashboard's count (templates/deviations_count.html) of the deviations on record,
    in one query (the data's proposals are counted on the deviations page, which reads
    every participant's record)."""
    with store_of(request).read() as session:
        return stored_counts(session, study)


templates.env.globals["deviation_counts"] = deviation_counts
templates.env.globals["deviation_word"] = deviation_word
