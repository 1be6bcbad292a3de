"""The lock room through the JSON API, with the pages' permissions: the study's lock and
what blocks it, every casebook's sign-off state and freezes, the investigator's sign-off
of several casebooks in one act, freezes and thaws, and the signed lock and unlock."""

from __future__ import annotations

from fastapi import APIRouter, Request

from trialdesk.trial.accounts.roles import Permission
from trialdesk.trial.conduct import freeze
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.web.access import allow
from trialdesk.web.deps import now, store_of, user_of
from trialdesk.web.errors import ERROR_RESPONSES
from trialdesk.web.rooms.conduct.changes import StudyId, conduct_study, study_of_participant
from trialdesk.web.rooms.lock import acts
from trialdesk.web.rooms.lock.schemas import (
    CasebookOut,
    CasebookSignIn,
    FreezeIn,
    FreezeOut,
    LockIn,
    LockOut,
    ThawIn,
    UnlockIn,
    casebook_out,
    freeze_out,
    lock_out,
)
from trialdesk.web.schemas import RowId

router = APIRouter(prefix="/api", responses=ERROR_RESPONSES, tags=["lock"])

FREEZES = "/participants/{enrolment_id}/freezes"


def _lock_of(request: Request, study: StudyId) -> LockOut:
    chosen = conduct_study(request, study)
    with store_of(request).read() as session:
        room = acts.room(session, chosen)
    return lock_out(chosen.id, room.status, room.blockers)


@router.get("/lock", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def lock_state(request: Request, study: StudyId = None) -> LockOut:
    """Whether the study's database is locked (with the hash of the locked data and
    whether the casebooks still hash so), and, unlocked, everything that blocks a lock."""
    return _lock_of(request, study)


@router.post("/lock", dependencies=[allow(Permission.LOCK_DATABASE)])
async def lock_database(request: Request, body: LockIn, study: StudyId = None) -> LockOut:
    """Lock the study's database, signed. 409 ``lock_refused`` lists every blocker; once
    locked, every write to the study's data answers 409 ``study_locked``."""
    await acts.lock(request, conduct_study(request, study), body.password)
    return _lock_of(request, study)


@router.post("/lock/unlock", dependencies=[allow(Permission.LOCK_DATABASE)])
async def unlock_database(request: Request, body: UnlockIn, study: StudyId = None) -> LockOut:
    """Unlock the study's database, with the reason and a signature (the lock as read)."""
    await acts.unlock(
        request, conduct_study(request, study), body.lock_id, body.reason, body.password
    )
    return _lock_of(request, study)


@router.get("/casebooks", dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def casebooks(request: Request, study: StudyId = None) -> list[CasebookOut]:
    """Every participant's casebook: its digest, whether its sign-off holds or lapsed, and
    what of it is frozen."""
    chosen = conduct_study(request, study)
    with store_of(request).read() as session:
        room = acts.room(session, chosen)
    return [casebook_out(s, room.freezes[s.participant.id]) for s in room.casebooks]


@router.post("/casebooks/signature", dependencies=[allow(Permission.SIGN_CASEBOOKS)])
async def sign_casebooks(
    request: Request, body: CasebookSignIn, study: StudyId = None
) -> list[CasebookOut]:
    """The investigator signs casebooks as they were read (their digests), in one act
    with one password entry. 409: one changed since it was read; nothing is signed then."""
    chosen = conduct_study(request, study)
    shown = {c.enrolment_id: c.digest for c in body.casebooks}
    await acts.sign_casebooks(request, chosen, shown, body.password)
    return await casebooks(request, study)


@router.get(FREEZES, dependencies=[allow(Permission.VIEW_PARTICIPANTS)])
async def freezes(request: Request, enrolment_id: RowId) -> list[FreezeOut]:
    """What of the participant's data is frozen now."""
    with store_of(request).read() as session:
        study_of_participant(request, session, enrolment_id)
        return [freeze_out(f) for f in freeze.active_freezes(session, enrolment_id)]


@router.post(FREEZES, dependencies=[allow(Permission.FREEZE_DATA)])
async def freeze_data(request: Request, enrolment_id: RowId, body: FreezeIn) -> FreezeOut:
    """Freeze the participant's casebook (``target`` '') or one form ('VISIT/form_id'):
    no entry until thawed; queries, verification and signatures go on."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
        row = freeze.freeze(
            session, study, participant, target=body.target, actor=user.username,
            reason=body.reason, now=now(),
        )  # fmt: skip
        return freeze_out(row)


@router.post(FREEZES + "/{freeze_id}/thaw", dependencies=[allow(Permission.FREEZE_DATA)])
async def thaw_data(
    request: Request, enrolment_id: RowId, freeze_id: RowId, body: ThawIn
) -> list[FreezeOut]:
    """Thaw a freeze, with the reason; the freeze stays on record."""
    user = user_of(request)
    with store_of(request).transaction() as session:
        study = study_of_participant(request, session, enrolment_id)
        participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
        freeze.thaw(
            session, participant, freeze_id=freeze_id, actor=user.username, reason=body.reason,
            now=now(),
        )  # fmt: skip
        return [freeze_out(f) for f in freeze.active_freezes(session, enrolment_id)]
