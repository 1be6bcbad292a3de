"""The patient self-check pages: questions, the result, and leaving contact details.

Answers travel only in the form posts; nothing is stored unless the person ticks the
consent box and sends contact details. The result is recomputed on the server from the
answers at every step, never taken from the browser. A refused form shows every mistake
at once, each at its question or field, in the reader's language (D6, D7); a client
sending too many is told how long to wait (throttle.py, D12).
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trialdesk import selfcheck
from trialdesk.errors import InputError
from trialdesk.selfcheck.messages import unit_text
from trialdesk.selfcheck.said import messages_by_field
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
from trialdesk.web.rooms.selfcheck.texts import TEXTS
from trialdesk.web.throttle import TOO_MANY_PUBLIC, count_lead, public_wait

router = APIRouter(include_in_schema=False)

EARLIEST_MONTH = "1900-01"  # the month answers' floor (selfcheck/answers.py)


def question_conditions(study: Study) -> dict[str, list[tuple[str, str]]]:
    return {q.id: selfcheck.conditions_of(q) for q in selfcheck.questions(study)}


def _units(study: Study, locale: str) -> dict[str, str]:
    """Each question's unit as the reader reads it (岁, 厘米)."""
    out = {}
    for q in selfcheck.questions(study):
        unit = unit_text(q.unit, q.answer_type)
        if unit is not None:
            out[q.id] = unit.get(locale)
    return out


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _form_page(
    request: Request,
    study: Study,
    answers: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> HTMLResponse:
    locale = locale_of(request)
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
            "t": TEXTS,
            "locale": locale,
            "units": _units(study, locale),
            # a month answer from 1900 to this month: the browser's own bounds (D25)
            "month_min": EARLIEST_MONTH,
            "month_max": _month(today()),
        },
        status_code=status,
    )


def _throttled(response: HTMLResponse, wait: int) -> HTMLResponse:
    response.headers["retry-after"] = str(wait)
    return response


def _too_many(request: Request, wait: int) -> str:
    return TOO_MANY_PUBLIC.get(locale_of(request)).format(seconds=wait)


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
    wait = public_wait(request)
    if wait is not None:
        page = _form_page(request, study, raw, {"form": _too_many(request, wait)}, 429)
        return _throttled(page, wait)
    try:
        outcome = selfcheck.evaluate(study, selfcheck.parse_answers(study, raw), today())
    except InputError as error:
        errors = messages_by_field(error, locale_of(request))
        return _form_page(request, study, raw, errors, status_of(error))
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
    locale = locale_of(request)
    return render(
        request,
        "selfcheck_result.html",
        {
            "study": study,
            "page": page_of(request, study),
            "outcome": outcome,
            "answers": raw,
            "consent_text": consent_text(study, locale),
            "contact": contact,
            "contact_errors": contact_errors,
            "t": TEXTS,
            "locale": locale,
        },
        status_code=status,
    )


@router.post("/studies/{nct_id}/self-check/contact", dependencies=[allow(PUBLIC)])
async def leave_contact(request: Request, nct_id: str) -> Response:
    study = study_or_404(request, nct_id)
    form = await request.form()
    locale = locale_of(request)
    raw = answered(study, form, ANSWER_PREFIX)
    contact = {f: v.strip() for f, v in form.items() if f in CONTACT_FIELDS and isinstance(v, str)}
    wait = public_wait(request, lead=True)
    try:
        outcome = selfcheck.evaluate(study, selfcheck.parse_answers(study, raw), today())
    except InputError as error:
        errors = messages_by_field(error, locale)
        return _form_page(request, study, raw, errors, status_of(error))
    if wait is not None:
        errors = {"form": _too_many(request, wait)}
        return _throttled(_result_page(request, study, raw, outcome, contact, errors, 429), wait)
    try:
        consented = form.get("consent") == "yes"
        person = lead_contact(contact, consented)
        with store_of(request).transaction() as session:
            lead = leads.store_lead(
                session,
                study_id=study.id,
                contact=person,
                answers=raw,
                outcome=outcome.to_json(),
                consent_text=consent_text(study, locale),
                consented=consented,
                now=now(),
            )
            reference = lead.reference
    except StudyLocked:  # the study's data are final: it takes no more contacts
        closed = {"form": TEXTS["closed"].get(locale)}
        return _result_page(request, study, raw, outcome, contact, closed, 409)
    except InputError as error:
        errors = messages_by_field(error, locale, default="form")
        return _result_page(request, study, raw, outcome, contact, errors, status_of(error))
    count_lead(request)
    return RedirectResponse(
        f"/studies/{study.id}/self-check/thanks?ref={reference}", status_code=303
    )


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
