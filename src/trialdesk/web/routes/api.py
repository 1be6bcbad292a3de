"""The JSON API under /api/: studies and the self-check for anyone, leads for staff."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request

from trialdesk import selfcheck
from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import leads
from trialdesk.web import csrf
from trialdesk.web.access import PUBLIC, allow
from trialdesk.web.identity import StaffUser, now
from trialdesk.web.routes.selfcheck import answered, consent_text, lead_contact, today
from trialdesk.web.routes.staff import lead_or_404
from trialdesk.web.schemas import (
    ErrorBody,
    LeadCreated,
    LeadOut,
    LeadRequest,
    LeadStatusChange,
    Me,
    Question,
    RowId,
    SelfCheckRequest,
    SelfCheckResult,
    StudySummary,
)
from trialdesk.web.studies import all_studies, page_of, study_or_404

_ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 403, 404, 415, 422)}
router = APIRouter(prefix="/api", responses=_ERRORS)  # type: ignore[arg-type]


def _summary(request: Request, study: Study) -> StudySummary:
    page = page_of(request, study)
    return StudySummary(
        nct_id=study.id,
        title=page.title,
        status=page.status,
        conditions=list(page.conditions),
        enrollment=page.enrollment,
        url=f"/studies/{study.id}",
    )


@router.get("/studies", tags=["studies"], dependencies=[allow(PUBLIC)])
async def list_studies(request: Request) -> list[StudySummary]:
    return [_summary(request, s) for s in all_studies(request)]


@router.get("/studies/{nct_id}", tags=["studies"], dependencies=[allow(PUBLIC)])
async def get_study(request: Request, nct_id: str) -> StudySummary:
    return _summary(request, study_or_404(request, nct_id))


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
    with request.app.state.store.transaction() as session:
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


@router.get("/leads", tags=["leads"], dependencies=[allow(Permission.VIEW_LEADS)])
async def list_leads(request: Request, study: str | None = None) -> list[LeadOut]:
    if study is not None:
        study = study_or_404(request, study).id  # never an arbitrary string to the database
    with request.app.state.store.read() as session:
        return [LeadOut.model_validate(lead) for lead in leads.list_leads(session, study)]


@router.get("/leads/{lead_id}", tags=["leads"], dependencies=[allow(Permission.VIEW_LEADS)])
async def get_lead(request: Request, lead_id: RowId) -> LeadOut:
    with request.app.state.store.read() as session:
        return LeadOut.model_validate(lead_or_404(session, lead_id))


@router.patch("/leads/{lead_id}", tags=["leads"], dependencies=[allow(Permission.EDIT_LEADS)])
async def change_lead(request: Request, lead_id: RowId, body: LeadStatusChange) -> LeadOut:
    user: StaffUser = request.state.user
    with request.app.state.store.transaction() as session:
        lead_or_404(session, lead_id)
        lead = leads.set_lead_status(
            session,
            actor=user.username,
            lead_id=lead_id,
            status=body.status,
            note=body.note,
            reason=body.reason,
        )
        return LeadOut.model_validate(lead)


@router.get("/me", tags=["staff"], dependencies=[allow(Permission.VIEW_STAFF)])
async def me(request: Request) -> Me:
    user: StaffUser = request.state.user
    return Me(username=user.username, role=user.role.value, csrf_token=csrf.token_for(request))
