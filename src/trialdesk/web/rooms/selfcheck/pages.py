"""The patient self-check pages: questions, the result, and leaving contact details.

Answers travel only in the form posts; nothing is stored unless the person ticks the
consent box and sends contact details. The result is recomputed on the server from the
answers at every step, never taken from the browser.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk import selfcheck
from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.trial.screening import leads
from trialdesk.trial.store.locks import StudyLocked
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.deps import now, page_of, store_of, study_or_404, today
from trialdesk.web.errors import status_of
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render
from trialdesk.web.rooms.public.thanks_texts import THANKS
from trialdesk.web.rooms.selfcheck.answers import (
    ANSWER_PREFIX,
    CONTACT_FIELDS,
    answered,
    consent_text,
    lead_contact,
)

router = APIRouter(include_in_schema=False)


def question_conditions(study: Study) -> dict[str, list[tuple[str, str]]]:
    return {q.id: selfcheck.conditions_of(q) for q in selfcheck.questions(study)}


def _form_page(
    request: Request,
    study: Study,
    answers: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "selfcheck.html",
        {
            "study": study,
            "page": page_of(request, study),
            "questions": selfcheck.questions(study),
            "question_conditions": question_conditions(study),
            "answers": answers,
            "errors": errors,
        },
        status_code=status,
    )


@router.get(
    "/studies/{nct_id}/self-check", response_class=HTMLResponse, dependencies=[allow(PUBLIC)]
)
async def self_check_form(request: Request, nct_id: str) -> HTMLResponse:
    return _form_page(request, study_or_404(request, nct_id), {}, {})


@router.post(
    "/studies/{nct_id}/self-check", response_class=HTMLResponse, dependencies=[allow(PUBLIC)]
)
async def self_check_result(request: Request, nct_id: str) -> HTMLResponse:
    study = study_or_404(request, nct_id)
    raw = answered(study, await request.form())
    try:
        outcome = selfcheck.evaluate(study, selfcheck.parse_answers(study, raw), today())
    except InputError as error:
        return _form_page(request, study, raw, {error.field or "": error.message}, status_of(error))
    return _result_page(request, study, raw, outcome, {}, {})


def _result_page(
    request: Request,
    study: Study,
    raw: dict[str, str],
    outcome: selfcheck.SelfCheckOutcome,
    contact: dict[str, str],
    contact_errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "selfcheck_result.html",
        {
            "study": study,
            "page": page_of(request, study),
            "outcome": outcome,
            "answers": raw,
            "consent_text": consent_text(study),
            "contact": contact,
            "contact_errors": contact_errors,
        },
        status_code=status,
    )


@router.post("/studies/{nct_id}/self-check/contact", dependencies=[allow(PUBLIC)])
async def leave_contact(request: Request, nct_id: str) -> Response:
    study = study_or_404(request, nct_id)
    form = await request.form()
    raw = answered(study, form, ANSWER_PREFIX)
    try:
        outcome = selfcheck.evaluate(study, selfcheck.parse_answers(study, raw), today())
    except InputError as error:
        return _form_page(request, study, raw, {error.field or "": error.message}, status_of(error))
    contact = {f: v.strip() for f in CONTACT_FIELDS if isinstance(v := form.get(f), str)}
    store = store_of(request)
    try:
        with store.transaction() as session:
            lead = leads.store_lead(
                session,
                study_id=study.id,
                contact=lead_contact(contact),
                answers=raw,
                outcome=outcome.to_json(),
                consent_text=consent_text(study),
                consented=form.get("consent") == "yes",
                now=now(),
            )
            reference = lead.reference
    except StudyLocked:  # the study's data are final: it takes no more contacts
        closed = CLOSED_ZH if locale_of(request) == "zh-CN" else CLOSED_EN
        return _result_page(request, study, raw, outcome, contact, {"consent": closed}, 409)
    except InputError as error:
        return _result_page(
            request,
            study,
            raw,
            outcome,
            contact,
            {error.field or "consent": error.message},
            status_of(error),
        )
    return RedirectResponse(
        f"/studies/{study.id}/self-check/thanks?ref={reference}", status_code=303
    )


CLOSED_EN = "This study is closed: it takes no more contact requests. Nothing was stored."
CLOSED_ZH = "本研究已结束，不再接受联系请求。未保存任何信息。"


@router.get(
    "/studies/{nct_id}/self-check/thanks", response_class=HTMLResponse, dependencies=[allow(PUBLIC)]
)
async def thanks(request: Request, nct_id: str, ref: str = "") -> HTMLResponse:
    study = study_or_404(request, nct_id)
    return render(
        request,
        "selfcheck_thanks.html",
        {
            "study": study,
            "page": page_of(request, study),
            "reference": ref[:32],
            "t": THANKS,
            "locale": locale_of(request),
        },
    )
