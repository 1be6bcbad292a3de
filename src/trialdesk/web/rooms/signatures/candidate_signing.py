"""Signing several eligibility criteria of one candidate in one act, with one password
entry (21 CFR 11.200(a)(1)(i): a series of signings in one continuous session; each
decision still gets its own signature, judgments.sign_judgments).

The page lists every criterion waiting for the investigator (never signed, or lapsed),
with the evidence the checklist shows and its fingerprint (``basis``); the investigator
decides the ones they are ready to decide, leaves the others, and types the password once.
Every problem of the form is reported at once, at its criterion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.i18n import _
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.accounts.signatures import Meaning
from trialdesk.trial.screening import judgments
from trialdesk.trial.screening.candidates import candidate_or_404
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.store.db import Session
from trialdesk.web import forms, signing
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.errors import status_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.signatures.shown import signature_meaning
from trialdesk.web.schemas import RowId

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
PAGE = "/staff/signatures/candidates/{candidate_id}"
SIGN = [allow(Permission.SIGN_ELIGIBILITY)]


def _waiting(session: Session, study: Study, candidate_id: int) -> dict[str, Any]:
    candidate = candidate_or_404(session, candidate_id)
    checklist = build_checklist(session, study, candidate, site_today(study.schedule, now()))
    rows = [
        r
        for r in checklist.result.criteria
        if candidate.status.value == "screening"
        and checklist.signable(r.criterion.id)
        and r.status.value == "needs_review"
    ]
    return {"candidate": candidate, "checklist": checklist, "rows": rows}


def _page(
    request: Request,
    candidate_id: int,
    errors: dict[str, str] | None = None,
    values: FormData | None = None,
    code: int = 200,
) -> Response:
    with store_of(request).read() as session:
        study = study_or_404(request, candidate_or_404(session, candidate_id).study_id)
        signer = user_of(request)
        printed = session.get(User, signer.id)
        context: dict[str, Any] = {
            **_waiting(session, study, candidate_id), "study": study,
            "errors": errors or {}, "values": values or {},
            "meaning": signature_meaning(Meaning.ELIGIBILITY),
            "statement": Meaning.ELIGIBILITY.statement,
            "printed_name": (printed.full_name or printed.username) if printed else "",
        }  # fmt: skip
        return render(request, "signatures_candidate.html", context, status_code=code)


@router.get(PAGE, response_class=HTMLResponse, dependencies=SIGN)
async def sign_page(request: Request, candidate_id: RowId) -> Response:
    return _page(request, candidate_id)


def decisions_of(form: FormData) -> list[judgments.Decision]:
    """The decisions made on the page, in its order; every problem at once, in the reader's
    words (this form is the page's only: the API signs one criterion at a time)."""
    made: list[judgments.Decision] = []
    errors: list[TrialdeskError] = []
    for cid in form.getlist("criterion"):
        if not isinstance(cid, str) or len(cid) > 32:
            continue
        decision = forms.text(form, f"decision-{cid}", 10)
        if not decision:
            continue  # left for later
        reason = forms.text(form, f"reason-{cid}")
        if not reason.strip():
            errors.append(InputError(_("give a reason for this decision"), field=f"reason-{cid}"))
        basis = forms.text(form, f"basis-{cid}", 64)
        made.append(judgments.Decision(cid, decision, reason, basis))
    if not made and not errors:
        errors.append(InputError(_("decide at least one criterion"), field="criteria"))
    if errors:
        raise FieldErrors(errors)
    return made


@router.post(PAGE, dependencies=SIGN)
async def sign(request: Request, candidate_id: RowId) -> Response:
    form = await request.form()
    try:
        decided = decisions_of(form)

        def act(session: Session, signer: User, checked: PasswordCheck) -> object:
            study = study_or_404(request, candidate_or_404(session, candidate_id).study_id)
            moment = now()
            return judgments.sign_judgments(
                session, user=signer, password=forms.text(form, "password", 1024),
                study=study, candidate_id=candidate_id, decisions=decided,
                today=site_today(study.schedule, moment), now=moment, checked=checked,
            )  # fmt: skip

        await signing.sign(request, forms.text(form, "password", 1024), act)
    except TrialdeskError as error:
        shown_errors = (
            {e.field or "form": e.message for e in error.errors}
            if isinstance(error, FieldErrors)
            else {error.field or "form": error.message}
        )
        return _page(request, candidate_id, shown_errors, form, status_of(error))
    return RedirectResponse(f"/staff/candidates/{candidate_id}#checklist", status_code=303)
