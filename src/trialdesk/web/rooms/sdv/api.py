"""Source data verification through the JSON API, mirroring the pages with their
permissions: the study's progress, a participant's required items with their state, and
the monitor's verification of many items in one act."""

from __future__ import annotations

from fastapi import APIRouter, Request

from trialdesk.study.loader import Study
from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.review import sdv
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import StudyId, conduct_study, study_of_participant
from trialdesk.web.rooms.sdv.schemas import (
    ParticipantSdvOut,
    StudySdvOut,
    VerifyIn,
    participant_sdv_out,
    study_sdv_out,
)
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["sdv"])

ONE = "/participants/{enrolment_id}/sdv"


@router.get("/sdv", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def study_sdv(request: Request, study: StudyId = None) -> StudySdvOut:
    """The study's SDV progress against its plan (sdv.yaml), overall and per participant:
    required, verified and changed since verification, critical and sampled apart."""
    chosen = conduct_study(request, study)
    with store_of(request).read() as session:
        overall, each = sdv.study_progress(session, chosen)
    return study_sdv_out(chosen, overall, each)


@router.get(ONE, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def participant_sdv(request: Request, enrolment_id: RowId) -> ParticipantSdvOut:
    """The items the plan requires of the participant, each with its content as it
    stands, its digest (post it back to verify) and its state; and the progress. The
    items drawn into the sample are listed to the monitor only (to anyone else once
    verified): the progress counts them for everyone."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant, states = sdv.participant_states(session, study, enrolment_id)
        return _answer(request, study, participant, states)


def _answer(
    request: Request, study: Study, participant: Participant, states: list[sdv.ItemState]
) -> ParticipantSdvOut:
    shown = sdv.shown_to(user_of(request).role, states)
    return participant_sdv_out(study, participant, shown, sdv.progress_of(states))


@router.post(ONE, dependencies=[allow(Permission.VERIFY_SOURCE)])
async def verify_items(request: Request, enrolment_id: RowId, body: VerifyIn) -> ParticipantSdvOut:
    """Mark items verified as they stand (the monitor), each with the digest it was shown
    with (required). 409: an item changed since its digest was read; 422: a digest
    missing, or an item the participant does not have; nothing is stored then."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        sdv.verify(
            session, actor=user.username, role=user.role, study=study,
            enrolment_id=enrolment_id, targets=body.shown(), now=now(),
        )  # fmt: skip
        participant, states = sdv.participant_states(session, study, enrolment_id)
        return _answer(request, study, participant, states)
