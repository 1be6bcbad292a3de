"""One candidate through the JSON API: the checklist with evidence and what a signature
must quote, and every action the screening page offers."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from trialdesk.errors import NotFoundError
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import consent, enrolment, facts
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, study_or_404, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.screening import judgment
from trialdesk.web.rooms.screening.forms import candidate_json, details_of, study_of_candidate
from trialdesk.web.rooms.screening.schemas import (
    CandidateOut,
    ChecklistOut,
    ConsentIn,
    CriterionOut,
    DetailsIn,
    FactIn,
    FactOut,
    IdentityIn,
    JudgmentIn,
    OutcomeIn,
    ReasonIn,
    WithdrawIn,
)
from trialdesk.web.rooms.screening.site_clock import site_clock
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["screening"])


@router.get("/candidates/{candidate_id}", dependencies=[allow(Permission.VIEW_CANDIDATES)])
async def get_candidate(request: Request, candidate_id: RowId) -> ChecklistOut:
    """The candidate with their checklist: each criterion's status, evidence, what is
    missing, and for judgment criteria the ``basis`` a signature must quote."""
    with store_of(request).read() as session:
        candidate = cands.candidate_or_404(session, candidate_id)
        study = study_or_404(request, candidate.study_id)
        checklist = build_checklist(session, study, candidate, site_clock(study).today)
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
            candidate=candidate_json(request, session, candidate),
            verdict=result.verdict.value,
            **{f"{name}_date": result.dates.get(name) for name in result.dates.staff},
            defaulted=checklist.defaulted,
            pre_consent=checklist.pre_consent,
            criteria=criteria,
        )


@router.patch("/candidates/{candidate_id}", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def change_details(request: Request, candidate_id: RowId, body: DetailsIn) -> CandidateOut:
    """The dates the site sets and the study's parameters (NCT06947746: screening date,
    planned baseline date, target knee), flat as the page names them; ``version`` must be
    the one read (a 409 with field "version" says someone else changed the candidate
    meanwhile)."""
    with store_of(request).transaction() as session:
        study = study_of_candidate(request, session, candidate_id)
        details = details_of(study, body.model_dump(), strict=True)
        changed = cands.set_screening_details(
            session, actor=user_of(request).username, study=study, candidate_id=candidate_id,
            expected_version=body.version, dates=details.dates, parameters=details.parameters,
            reason=body.reason, now=now(),
        )  # fmt: skip
        return candidate_json(request, session, changed)


@router.put("/candidates/{candidate_id}/identity", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def correct_identity(request: Request, candidate_id: RowId, body: IdentityIn) -> CandidateOut:
    """Correct the name, birth date, sex or record number: all four are sent, a reason is
    required, and the possible duplicates are looked for again."""
    person = cands.NewCandidate(body.name, body.birth_date, body.sex, body.record_number)
    with store_of(request).transaction() as session:
        changed = cands.correct_identity(
            session, actor=user_of(request).username, candidate_id=candidate_id,
            expected_version=body.version, person=person, reason=body.reason, now=now(),
        )  # fmt: skip
        return candidate_json(request, session, changed)


@router.post(
    "/candidates/{candidate_id}/facts",
    status_code=201,
    dependencies=[allow(Permission.EDIT_CANDIDATES)],
)
async def add_fact(request: Request, candidate_id: RowId, body: FactIn) -> FactOut:
    with store_of(request).transaction() as session:
        row = facts.add_fact(
            session,
            actor=user_of(request).username,
            study=study_of_candidate(request, session, candidate_id),
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
            session, actor=user_of(request).username, fact_id=fact_id, reason=body.reason, now=now()
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
    return await judgment.sign_judgment(
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
    """Record a signed consent. ``consented_at`` without an offset is the site's wall clock
    (the study's time zone); the date rules are judged on the site's calendar."""
    with store_of(request).transaction() as session:
        clock = site_clock(study_of_candidate(request, session, candidate_id))
        row = consent.record_consent(
            session, actor=user_of(request).username, candidate_id=candidate_id,
            form_version=body.form_version, consented_at=body.consented_at,
            obtained_by=body.obtained_by, participant_signed_on=body.participant_signed_on,
            now=clock.now, zone=clock.zone,
        )  # fmt: skip
        return {"id": row.id, "form_version": row.form_version,
                "consented_at": row.consented_at.astimezone(clock.zone).isoformat()}  # fmt: skip


@router.post("/candidates/{candidate_id}/outcome", dependencies=[allow(Permission.EDIT_CANDIDATES)])
async def record_outcome(request: Request, candidate_id: RowId, body: OutcomeIn) -> CandidateOut:
    """Enrol (eligible, consented, a free place), record a screen failure (the criteria the
    engine found) or a decline; ``on``: the site date it took effect (default: today at the
    site; earlier for a late entry)."""
    actor = user_of(request).username
    with store_of(request).transaction() as session:
        study = study_of_candidate(request, session, candidate_id)
        clock = site_clock(study)
        if body.outcome == "enrol":
            enrolment.enrol(
                session, actor=actor, study=study, candidate_id=candidate_id,
                expected_version=body.version, today=clock.today, now=clock.now, on=body.on,
                zone=clock.zone,
            )  # fmt: skip
        elif body.outcome == "screen_fail":
            enrolment.screen_fail(
                session, actor=actor, study=study, candidate_id=candidate_id,
                expected_version=body.version, reason=body.reason, today=clock.today,
                now=clock.now, on=body.on, zone=clock.zone,
            )  # fmt: skip
        else:
            enrolment.decline(
                session, actor=actor, candidate_id=candidate_id, expected_version=body.version,
                reason=body.reason, now=clock.now, on=body.on, zone=clock.zone,
            )  # fmt: skip
        return candidate_json(request, session, cands.candidate_or_404(session, candidate_id))


@router.post(
    "/candidates/{candidate_id}/withdraw", dependencies=[allow(Permission.EDIT_CANDIDATES)]
)
async def withdraw(request: Request, candidate_id: RowId, body: WithdrawIn) -> CandidateOut:
    with store_of(request).transaction() as session:
        clock = site_clock(study_of_candidate(request, session, candidate_id))
        enrolment.withdraw(
            session, actor=user_of(request).username, candidate_id=candidate_id,
            expected_version=body.version, withdrawn_on=body.withdrawn_on,
            reason=body.reason, now=clock.now, today=clock.today, zone=clock.zone,
        )  # fmt: skip
        return candidate_json(request, session, cands.candidate_or_404(session, candidate_id))
