"""The self-check as JSON: the questions, an evaluation (nothing stored) and leaving
contact details as a lead (stored only with consent). No sign-in."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from trialdesk import selfcheck
from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.trial.screening import leads
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.deps import now, store_of, study_or_404, today
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.selfcheck.answers import answered, consent_text, lead_contact
from trialdesk.web.rooms.selfcheck.schemas import (
    LeadCreated,
    LeadRequest,
    Question,
    SelfCheckRequest,
    SelfCheckResult,
)

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES)


@router.get("/studies/{nct_id}/self-check", tags=["self-check"], dependencies=[allow(PUBLIC)])
async def self_check_questions(request: Request, nct_id: str) -> list[Question]:
    study = study_or_404(request, nct_id)
    return [
        Question.model_validate({**asdict(q), "show_when": selfcheck.conditions_of(q)})
        for q in selfcheck.questions(study)
    ]


@router.post("/studies/{nct_id}/self-check", tags=["self-check"], dependencies=[allow(PUBLIC)])
async def self_check(request: Request, nct_id: str, body: SelfCheckRequest) -> SelfCheckResult:
    """Evaluate answers with the study's own criteria. Nothing is stored."""
    study = study_or_404(request, nct_id)
    outcome = selfcheck.evaluate(study, _parse(study, body.answers), today())
    return SelfCheckResult.model_validate(outcome.to_json())


def _parse(study: Study, raw: dict[str, str]) -> selfcheck.Answers:
    known = {q.id for q in selfcheck.questions(study)}
    unknown = sorted(set(raw) - known)
    if unknown:  # the form route ignores stray fields; the API says so
        raise InputError(f"no question {unknown[0]!r} in study {study.id}", field=unknown[0])
    return selfcheck.parse_answers(study, answered(study, raw))


@router.post(
    "/studies/{nct_id}/leads", tags=["leads"], status_code=201, dependencies=[allow(PUBLIC)]
)
async def create_lead(request: Request, nct_id: str, body: LeadRequest) -> LeadCreated:
    """Leave contact details after a self-check; refused unless ``consent`` is true."""
    study = study_or_404(request, nct_id)
    answers = _parse(study, body.answers)
    outcome = selfcheck.evaluate(study, answers, today())
    contact = body.model_dump(include={"name", "email", "phone", "preferred_contact"})
    with store_of(request).transaction() as session:
        lead = leads.store_lead(
            session,
            study_id=study.id,
            contact=lead_contact(contact),
            answers=answered(study, body.answers),
            outcome=outcome.to_json(),
            consent_text=consent_text(study),
            consented=body.consent,
            now=now(),
        )
        return LeadCreated(reference=lead.reference)
