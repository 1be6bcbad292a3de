"""Protocol deviations through the JSON API, mirroring the pages with their permissions:
the study's list (filterable), a participant's, the investigator's decision, and a
deviation entered by hand."""

from __future__ import annotations

from fastapi import APIRouter, Request

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.review.deviation_decisions import decide, record_deviation
from trialdesk.trial.review.deviation_kinds import ASSUMPTION
from trialdesk.trial.review.deviations import (
    counts,
    deviations_of,
    deviations_of_study,
    select_deviations,
)
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import StudyId, conduct_study, study_of_participant
from trialdesk.web.rooms.deviations.schemas import (
    DecisionIn,
    DeviationOut,
    DeviationsOut,
    ManualIn,
    deviation_out,
)
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["deviations"])

ONE = "/participants/{enrolment_id}/deviations"


@router.get("/deviations", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def study_deviations(
    request: Request,
    study: StudyId = None,
    state: str = "",
    severity: str = "",
    kind: str = "",
    participant: int | None = None,
) -> DeviationsOut:
    """The study's protocol deviations: proposed by the data now, decided, or entered by
    hand; filtered by state, class, kind and participant (enrolment id)."""
    chosen = conduct_study(request, study)
    with store_of(request).read() as session:
        found = deviations_of_study(session, chosen, now())
    shown = select_deviations(
        found, state=state, severity=severity, kind=kind, enrolment_id=participant
    )
    return DeviationsOut(
        deviations=[deviation_out(d) for d in shown], counts=counts(found),
        assumption=ASSUMPTION.en,
    )  # fmt: skip


@router.get(ONE, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def participant_deviations(request: Request, enrolment_id: RowId) -> DeviationsOut:
    """One participant's protocol deviations."""
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        found = deviations_of(session, study, participant_or_404(session, enrolment_id), now())
    return DeviationsOut(
        deviations=[deviation_out(d) for d in found], counts=counts(found),
        assumption=ASSUMPTION.en,
    )  # fmt: skip


def _one(request: Request, enrolment_id: int, kind: str, what: str) -> DeviationOut:
    with store_of(request).read() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id)
        shown = next(
            d for d in deviations_of(session, study, participant, now())
            if d.kind.value == kind and d.what == what
        )  # fmt: skip
        return deviation_out(shown)


@router.post(
    ONE + "/decisions", status_code=201, dependencies=[allow(Permission.DECIDE_DEVIATIONS)]
)
async def decide_deviation(request: Request, enrolment_id: RowId, body: DecisionIn) -> DeviationOut:
    """Confirm (classified: the kind's default unless ``severity``) or dismiss (with a
    reason) one proposed deviation, naming what it was shown as: ``dvterm`` (required for
    a proposal of the data) and ``version`` (required where the deviation has one). 404:
    the data no longer show it; 409: decided already, or changed since ``version`` /
    ``dvterm``; 422: either missing where required, at its field."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        decide(
            session, actor=user.username, role=user.role, study=study,
            enrolment_id=enrolment_id, kind=body.kind, what=body.what,
            decision=body.decision, reason=body.reason, severity=body.severity,
            expected_version=body.version, shown_term=body.dvterm, now=now(),
        )  # fmt: skip
    return _one(request, enrolment_id, body.kind, body.what)


@router.post(ONE, status_code=201, dependencies=[allow(Permission.RECORD_DEVIATIONS)])
async def enter_deviation(request: Request, enrolment_id: RowId, body: ManualIn) -> DeviationOut:
    """Enter a deviation by hand; it is proposed until the investigator decides it."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        row = record_deviation(
            session, actor=user.username, role=user.role, study=study,
            enrolment_id=enrolment_id, given=body.given(), now=now(),
        )  # fmt: skip
        kind, what = row.kind, row.what
    return _one(request, enrolment_id, kind, what)
