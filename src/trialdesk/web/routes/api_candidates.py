"""The screening workflow through the JSON API: the same services and permissions as the
pages, so a script and a coordinator's browser can do exactly the same things."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import NotFoundError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment, facts, imports
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.models import Candidate, CandidateStatus, Enrolment
from trialdesk.trial.screening.screening_log import LogFilter, consort_counts, screening_log
from trialdesk.web import signing
from trialdesk.web.access import allow
from trialdesk.web.identity import StaffUser, now
from trialdesk.web.problems import Problem
from trialdesk.web.routes.api import _ERRORS
from trialdesk.web.routes.candidates import UPLOAD_BODY_LIMIT, today
from trialdesk.web.routes.staff import store_of
from trialdesk.web.schemas import ErrorBody, RowId
from trialdesk.web.studies import study_or_404

router = APIRouter(prefix="/api", responses=_ERRORS, tags=["screening"])  # type: ignore[arg-type]

Text = Annotated[str, Field(max_length=2000)]
Short = Annotated[str, Field(max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CandidateIn(_In):
    study: Short
    name: Annotated[str, Field(max_length=200)]
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    record_number: Short | None = None


class CandidateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    study_id: str
    name: str
    birth_date: date | None
    sex: str | None
    record_number: str | None
    source: str
    source_ref: str | None
    possible_duplicates: list[int]
    screening_date: date | None
    baseline_date: date | None
    target_knee: str | None
    status: str
    outcome_reason: str | None
    failed_criteria: list[str]
    version: int
    subject_number: str | None = None


class CriterionOut(BaseModel):
    id: str
    kind: str
    status: str
    text: str
    evidence: list[dict[str, Any]]
    missing: list[str]
    signable: bool
    basis: str | None
    judgments: list[dict[str, Any]]


class ChecklistOut(BaseModel):
    candidate: CandidateOut
    verdict: str
    screening_date: date
    baseline_date: date
    defaulted: list[str]
    pre_consent: list[str]
    criteria: list[CriterionOut]


class DetailsIn(_In):
    version: int
    screening_date: date | None = None
    baseline_date: date | None = None
    target_knee: Literal["left", "right"] | None = None
    reason: Text | None = None


class IdentityIn(_In):
    version: int
    name: Annotated[str, Field(max_length=200)]
    birth_date: date | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    record_number: Short | None = None
    reason: Text


class FactIn(_In):
    concept: Short
    on: date
    value: Short | None = None
    unit: Annotated[str, Field(max_length=32)] | None = None
    end: date | None = None
    dose: Annotated[str, Field(max_length=32)] | None = None
    dose_unit: Annotated[str, Field(max_length=16)] | None = None
    per_day: Annotated[str, Field(max_length=16)] | None = None
    route: Annotated[str, Field(max_length=32)] | None = None
    laterality: Literal["left", "right", "bilateral"] | None = None
    source_document: Annotated[str, Field(max_length=200)]
    code: Annotated[str, Field(max_length=100)] | None = None
    upper_limit: Annotated[str, Field(max_length=40)] | None = None


class FactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    candidate_id: int
    concept: str
    on: date
    value: str | None
    unit: str | None
    upper_limit: str | None
    source_document: str
    entered_by: str
    entered_at: datetime
    retracted_at: datetime | None


class ReasonIn(_In):
    reason: Text


class JudgmentIn(_In):
    criterion: Short
    decision: Literal["met", "not_met"]
    reason: Text
    basis: Annotated[str, Field(min_length=64, max_length=64)]
    password: Annotated[str, Field(max_length=1024)]


class ConsentIn(_In):
    form_version: Annotated[str, Field(max_length=32)]
    consented_at: datetime
    obtained_by: Annotated[str, Field(max_length=200)]
    participant_signed_on: date


class OutcomeIn(_In):
    outcome: Literal["enrol", "screen_fail", "decline"]
    version: int
    reason: Text | None = None


class WithdrawIn(_In):
    version: int
    withdrawn_on: date
    reason: Text


class ConsentFormIn(_In):
    study: Short
    version: Annotated[str, Field(max_length=32)]
    effective_on: date


class ConsentFormOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    study_id: str
    version: str
    effective_on: date


def _user(request: Request) -> StaffUser:
    user: StaffUser = request.state.user
    return user


def _out(session: Session, c: Candidate) -> CandidateOut:
    out = CandidateOut.model_validate(c)
    out.subject_number = session.scalar(
        select(Enrolment.subject_number).where(Enrolment.candidate_id == c.id)
    )
    return out


def _study_of(request: Request, session: Session, candidate_id: int) -> Study:
    return study_or_404(request, cands.candidate_or_404(session, candidate_id).study_id)


@router.get("/candidates", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def list_candidates(
    request: Request, study: str | None = None, status: CandidateStatus | None = None
) -> list[CandidateOut]:
    chosen = study_or_404(request, study).id if study is not None else None
    with store_of(request).read() as session:
        return [_out(session, c) for c in cands.list_candidates(session, chosen, status)]


@router.post("/candidates", status_code=201, dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def add_candidate(request: Request, body: CandidateIn) -> CandidateOut:
    study = study_or_404(request, body.study)
    person = cands.NewCandidate(body.name, body.birth_date, body.sex, body.record_number)
    with store_of(request).transaction() as session:
        added = cands.add_candidate(
            session, actor=_user(request).username, study_id=study.id, person=person, now=now()
        )
        return _out(session, added)


class UploadTooLarge(Problem):
    status = 413
    code = "too_large"

    def __init__(self) -> None:
        limit = imports.MAX_UPLOAD_BYTES / 1e6
        super().__init__(f"the file is larger than the {limit:.0f} MB limit", field="file")


# The upload routes read their body themselves, up to UPLOAD_BODY_LIMIT: Starlette's own
# limit answers a Content-Length over it with a plain-text 413, not the API's error shape.
_UNLIMITED = 2**62


async def _upload_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "").lstrip("0")
    digits = declared.isascii() and declared.isdigit()  # more than 15: too large anyway
    if digits and (len(declared) > 15 or int(declared) > UPLOAD_BODY_LIMIT):
        raise UploadTooLarge()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > UPLOAD_BODY_LIMIT:
            raise UploadTooLarge()
        chunks.append(chunk)
    return b"".join(chunks)


async def _import(request: Request, study: str, filename: str, importer: Any) -> list[CandidateOut]:
    chosen = study_or_404(request, study)
    data = await _upload_body(request)
    with store_of(request).transaction() as session:
        added = importer(
            session, actor=_user(request).username, study_id=chosen.id,
            filename=filename, data=data, now=now(),
        )  # fmt: skip
        return [_out(session, c) for c in added]


@router.post(
    "/candidates/fhir",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
    max_body_size=_UNLIMITED,
    responses={413: {"model": ErrorBody}},
)
async def import_fhir(
    request: Request,
    study: Annotated[str, Query(max_length=32)],
    filename: Annotated[str, Query(max_length=255)] = "upload.json",
) -> list[CandidateOut]:
    """The request body is a FHIR R4 Bundle (JSON) or, with a filename ending in .ndjson,
    an NDJSON export. All or nothing."""
    return await _import(request, study, filename, imports.import_fhir)


@router.post(
    "/candidates/feasibility",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
    max_body_size=_UNLIMITED,
    responses={413: {"model": ErrorBody}},
)
async def import_feasibility(
    request: Request,
    study: Annotated[str, Query(max_length=32)],
    filename: Annotated[str, Query(max_length=255)] = "candidates.csv",
) -> list[CandidateOut]:
    """The request body is the CSV of ``trialdesk feasibility --candidates``."""
    return await _import(request, study, filename, imports.import_feasibility)


@router.post(
    "/leads/{lead_id}/candidate", status_code=201, dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def lead_to_candidate(request: Request, lead_id: RowId) -> CandidateOut:
    with store_of(request).transaction() as session:
        added = imports.from_lead(
            session, actor=_user(request).username, lead_id=lead_id, now=now()
        )
        return _out(session, added)


@router.get("/candidates/{candidate_id}", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def get_candidate(request: Request, candidate_id: RowId) -> ChecklistOut:
    """The candidate with their checklist: each criterion's status, evidence, what is
    missing, and for judgment criteria the ``basis`` a signature must quote."""
    with store_of(request).read() as session:
        candidate = cands.candidate_or_404(session, candidate_id)
        study = study_or_404(request, candidate.study_id)
        checklist = build_checklist(session, study, candidate, today())
        result = checklist.result
        criteria = [
            CriterionOut(
                **{k: v for k, v in r.to_json().items()},
                signable=checklist.signable(r.criterion.id),
                basis=checklist.bases.get(r.criterion.id),
                judgments=[
                    {
                        "decision": j.decision,
                        "reason": j.reason,
                        "signed_by": j.signed_by,
                        "signed_at": j.signed_at.isoformat(),
                        "current": j.current,
                    }
                    for j in checklist.judgments.get(r.criterion.id, [])
                ],  # fmt: skip
            )
            for r in result.criteria
        ]
        return ChecklistOut(
            candidate=_out(session, candidate),
            verdict=result.verdict.value,
            screening_date=result.dates.screening,
            baseline_date=result.dates.baseline,
            defaulted=checklist.defaulted,
            pre_consent=checklist.pre_consent,
            criteria=criteria,
        )


@router.patch("/candidates/{candidate_id}", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def change_details(request: Request, candidate_id: RowId, body: DetailsIn) -> CandidateOut:
    """Screening date, planned baseline date, target knee; ``version`` must be the one read
    (a 422 with field "version" says someone else changed the candidate meanwhile)."""
    with store_of(request).transaction() as session:
        changed = cands.set_screening_details(
            session, actor=_user(request).username, candidate_id=candidate_id,
            expected_version=body.version, screening_date=body.screening_date,
            baseline_date=body.baseline_date, target_knee=body.target_knee,
            reason=body.reason, now=now(),
        )  # fmt: skip
        return _out(session, changed)


@router.put("/candidates/{candidate_id}/identity", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def correct_identity(request: Request, candidate_id: RowId, body: IdentityIn) -> CandidateOut:
    """Correct the name, birth date, sex or record number: all four are sent, a reason is
    required, and the possible duplicates are looked for again."""
    person = cands.NewCandidate(body.name, body.birth_date, body.sex, body.record_number)
    with store_of(request).transaction() as session:
        changed = cands.correct_identity(
            session, actor=_user(request).username, candidate_id=candidate_id,
            expected_version=body.version, person=person, reason=body.reason, now=now(),
        )  # fmt: skip
        return _out(session, changed)


@router.post(
    "/candidates/{candidate_id}/facts",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
)
async def add_fact(request: Request, candidate_id: RowId, body: FactIn) -> FactOut:
    with store_of(request).transaction() as session:
        row = facts.add_fact(
            session,
            actor=_user(request).username,
            study=_study_of(request, session, candidate_id),
            candidate_id=candidate_id,
            entry=FactEntry(**body.model_dump()),
            now=now(),
        )
        return FactOut.model_validate(row)


@router.post(
    "/candidates/{candidate_id}/facts/{fact_id}/retract",
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
)
async def retract_fact(
    request: Request, candidate_id: RowId, fact_id: RowId, body: ReasonIn
) -> FactOut:
    with store_of(request).transaction() as session:
        row = facts.retract_fact(
            session, actor=_user(request).username, fact_id=fact_id, reason=body.reason, now=now()
        )
        if row.candidate_id != candidate_id:
            raise NotFoundError(f"fact {fact_id} is not candidate {candidate_id}'s")
        return FactOut.model_validate(row)


@router.post(
    "/candidates/{candidate_id}/judgments",
    status_code=201,
    dependencies=[allow(Permission.SIGN_ELIGIBILITY)],
)
async def sign_judgment(request: Request, candidate_id: RowId, body: JudgmentIn) -> dict[str, Any]:
    """Sign a judgment criterion: the investigator's password is asked again (a wrong one
    counts towards the account lockout), and ``basis`` must be the one just read."""
    return await signing.sign(
        request,
        candidate_id,
        password=body.password,
        criterion=body.criterion,
        decision=body.decision,
        reason=body.reason,
        basis=body.basis,
    )


@router.post(
    "/candidates/{candidate_id}/consent",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
)
async def record_consent(request: Request, candidate_id: RowId, body: ConsentIn) -> dict[str, Any]:
    with store_of(request).transaction() as session:
        row = consent.record_consent(
            session, actor=_user(request).username, candidate_id=candidate_id,
            form_version=body.form_version, consented_at=body.consented_at,
            obtained_by=body.obtained_by, participant_signed_on=body.participant_signed_on,
            now=now(),
        )  # fmt: skip
        return {"id": row.id, "form_version": row.form_version,
                "consented_at": row.consented_at.isoformat()}  # fmt: skip


@router.post("/candidates/{candidate_id}/outcome", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def record_outcome(request: Request, candidate_id: RowId, body: OutcomeIn) -> CandidateOut:
    """Enrol (eligible, consented, a free place), record a screen failure (the criteria the
    engine found) or a decline."""
    actor = _user(request).username
    with store_of(request).transaction() as session:
        if body.outcome == "enrol":
            enrolment.enrol(
                session, actor=actor, study=_study_of(request, session, candidate_id),
                candidate_id=candidate_id, expected_version=body.version, today=today(), now=now(),
            )  # fmt: skip
        elif body.outcome == "screen_fail":
            enrolment.screen_fail(
                session, actor=actor, study=_study_of(request, session, candidate_id),
                candidate_id=candidate_id, expected_version=body.version, reason=body.reason,
                today=today(), now=now(),
            )  # fmt: skip
        else:
            enrolment.decline(
                session, actor=actor, candidate_id=candidate_id, expected_version=body.version,
                reason=body.reason, now=now(),
            )  # fmt: skip
        return _out(session, cands.candidate_or_404(session, candidate_id))


@router.post(
    "/candidates/{candidate_id}/withdraw", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def withdraw(request: Request, candidate_id: RowId, body: WithdrawIn) -> CandidateOut:
    with store_of(request).transaction() as session:
        enrolment.withdraw(
            session, actor=_user(request).username, candidate_id=candidate_id,
            expected_version=body.version, withdrawn_on=body.withdrawn_on,
            reason=body.reason, now=now(),
        )  # fmt: skip
        return _out(session, cands.candidate_or_404(session, candidate_id))


@router.get("/screening-log", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def get_log(
    request: Request,
    study: Annotated[str, Query(max_length=32)],
    status: CandidateStatus | None = None,
    added_from: date | None = None,
    added_to: date | None = None,
    criterion: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Every candidate with dates, outcome and reasons, and the CONSORT counts."""
    chosen = study_or_404(request, study)
    wanted = LogFilter(status, added_from, added_to, criterion)
    with store_of(request).read() as session:
        rows = screening_log(session, chosen.id, wanted)
        counts = consort_counts(session, chosen)
    return {
        "study": chosen.id,
        "rows": [{**r.__dict__, "failed_criteria": list(r.failed_criteria)} for r in rows],
        "consort": {
            **counts.__dict__,
            "excluded": counts.excluded,
            "excluded_by_reason": [list(x) for x in counts.excluded_by_reason],
        },  # fmt: skip
    }


@router.get("/consent-forms", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def list_consent_forms(
    request: Request, study: Annotated[str, Query(max_length=32)]
) -> list[ConsentFormOut]:
    chosen = study_or_404(request, study)
    with store_of(request).read() as session:
        return [ConsentFormOut.model_validate(f) for f in consent.form_versions(session, chosen.id)]


@router.post(
    "/consent-forms", status_code=201, dependencies=[allow(Permission.MANAGE_CONSENT_FORMS)]
)
async def add_consent_form(request: Request, body: ConsentFormIn) -> ConsentFormOut:
    chosen = study_or_404(request, body.study)
    with store_of(request).transaction() as session:
        form = consent.add_form_version(
            session, actor=_user(request).username, study_id=chosen.id,
            version=body.version, effective_on=body.effective_on, now=now(),
        )  # fmt: skip
        return ConsentFormOut.model_validate(form)
