"""The self-check as JSON: the questions, an evaluation (nothing stored) and leaving
contact details as a lead (stored only with consent). No sign-in; each client may evaluate
and leave only so many in a while (429 with Retry-After: throttle.py)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import Response

from trialdesk import selfcheck
from trialdesk.errors import InputError
from trialdesk.selfcheck.said import raise_all
from trialdesk.study.loader import Study
from trialdesk.trial.screening import leads
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.deps import now, store_of, study_or_404, today
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.locale import locale_of
from trialdesk.web.rooms.selfcheck.answers import answered, consent_text, lead_contact
from trialdesk.web.rooms.selfcheck.schemas import (
    THROTTLED,
    LeadCreated,
    LeadRequest,
    Question,
    SelfCheckRequest,
    SelfCheckResult,
)
from trialdesk.web.throttle import count_lead, public_wait, too_many_public

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)


@router.get("/studies/{nct_id}/self-check", tags=["self-check"], dependencies=[allow(PUBLIC)])
async def self_check_questions(request: Request, nct_id: str) -> list[Question]:
    study = study_or_404(request, nct_id)
    return [
        Question.model_validate({**asdict(q), "show_when": selfcheck.conditions_of(q)})
        for q in selfcheck.questions(study)
    ]


@router.post(
    "/studies/{nct_id}/self-check",
    tags=["self-check"],
    dependencies=[allow(PUBLIC)],
    responses=THROTTLED,
    response_model=SelfCheckResult,
)
async def self_check(request: Request, nct_id: str, body: SelfCheckRequest) -> Response:
    """Evaluate answers with the study's own criteria. Nothing is stored."""
    study = study_or_404(request, nct_id)
    wait = public_wait(request)
    if wait is not None:
        return too_many_public(request, wait)
    outcome = selfcheck.evaluate(study, _parse(study, body.answers), today())
    return _json(SelfCheckResult.model_validate(outcome.to_json()))


def _json(model: SelfCheckResult | LeadCreated, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type="application/json")


def _parse(study: Study, raw: dict[str, str]) -> selfcheck.Answers:
    known = {q.id for q in selfcheck.questions(study)}
    unknown = sorted(set(raw) - known)
    if unknown:  # the form route ignores stray fields; the API says so
        raise_all(InputError(f"no question {k!r} in study {study.id}", field=k) for k in unknown)
    return selfcheck.parse_answers(study, answered(study, raw))


@router.post(
    "/studies/{nct_id}/leads",
    tags=["leads"],
    status_code=201,
    dependencies=[allow(PUBLIC)],
    responses=THROTTLED,
    response_model=LeadCreated,
)
async def create_lead(request: Request, nct_id: str, body: LeadRequest) -> Response:
    """Leave contact details after a self-check; refused unless ``consent`` is true. Every
    wrong field is named at once (``errors``)."""
    study = study_or_404(request, nct_id)
    wait = public_wait(request, lead=True)
    if wait is not None:
        return too_many_public(request, wait)
    answers = _parse(study, body.answers)
    outcome = selfcheck.evaluate(study, answers, today())
    contact = body.model_dump(include={"name", "email", "phone", "preferred_contact"})
    person = lead_contact(contact, body.consent)
    locale = locale_of(request)
    with store_of(request).transaction() as session:
        lead = leads.store_lead(
            session,
            study_id=study.id,
            contact=person,
            answers=answered(study, body.answers),
            outcome=outcome.to_json(),
            consent_text=consent_text(study, locale),
            consented=body.consent,
            now=now(),
        )
        created = LeadCreated(reference=lead.reference)
    count_lead(request)
    return _json(created, 201)
