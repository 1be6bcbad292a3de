"""Proposed adverse events through the JSON API: a participant's proposals (read like the
page, by anyone who may see safety data) and the investigator's decision on one."""

from __future__ import annotations

from fastapi import APIRouter, Request

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety.proposals import decide, proposals_of, ungraded_of
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import study_of_participant
from trialdesk.web.rooms.safety_proposals.schemas import (
    DecisionIn,
    ProposalOut,
    ProposalsOut,
    proposal_out,
    proposals_out,
)
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["safety"])

PROPOSALS = "/participants/{enrolment_id}/ae-proposals"


@router.get(PROPOSALS, dependencies=[allow(Permission.VIEW_SAFETY)])
async def list_proposals(request: Request, enrolment_id: RowId) -> ProposalsOut:
    """The adverse events the participant's lab grades propose (CTCAE v5.0 grade new or
    worse than baseline, after baseline), each with its decision; decided ones whose value
    changed since stay, marked ``changed_since``. ``ungraded``: the values after baseline
    that could not be graded (a limit missing), which propose nothing until completed."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, study=study)
        return proposals_out(
            proposals_of(session, study, participant), ungraded_of(session, study, participant)
        )


@router.post(
    PROPOSALS + "/decisions",
    status_code=201,
    dependencies=[allow(Permission.DECIDE_AE_PROPOSALS)],
)
async def decide_proposal(request: Request, enrolment_id: RowId, body: DecisionIn) -> ProposalOut:
    """Confirm a proposal (recording the adverse event, prefilled and editable through
    ``event``) or dismiss it with a reason. 404: no such proposal stands now (the value
    changed since it was read); 409: decided already."""
    user = user_of(request)
    key = body.key()
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        decide(
            session, actor=user.username, role=user.role, study=study,
            enrolment_id=enrolment_id, key=key, decision=body.decision, reason=body.reason,
            event=body.event.given() if body.event is not None else None,
            shown_value=body.value, now=now(),
        )  # fmt: skip
        participant = participant_or_404(session, enrolment_id, study=study)
        shown = next(p for p in proposals_of(session, study, participant) if p.key == key)
        return proposal_out(shown)
