"""The JSON shapes of the lock room, made from the read models the pages use
(trial/review/casebook.py, database_lock.py, conduct/freeze.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field

from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.conduct.models import DataFreeze
from trialdesk.trial.review.casebook import CasebookState
from trialdesk.trial.review.database_lock import Blocker, LockStatus
from trialdesk.web.schemas import Strict

__all__ = [
    "CasebookOut",
    "CasebookSignIn",
    "FreezeIn",
    "FreezeOut",
    "LockIn",
    "LockOut",
    "ThawIn",
    "UnlockIn",
    "casebook_out",
    "freeze_out",
    "lock_out",
]

Password = Annotated[str, Field(max_length=1024)]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]
Digest = Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


class SignatureOut(BaseModel):
    printed_name: str
    meaning: str
    signed_at: dt.datetime


def _signature(row: Signature | None) -> SignatureOut | None:
    if row is None:
        return None
    return SignatureOut(printed_name=row.printed_name, meaning=row.meaning, signed_at=row.signed_at)


class FreezeOut(BaseModel):
    id: int
    target: str = Field(description="'' for the whole casebook, or 'VISIT/form_id'")
    frozen_at: dt.datetime
    frozen_by: str
    reason: str | None


def freeze_out(row: DataFreeze) -> FreezeOut:
    return FreezeOut(
        id=row.id, target=row.target, frozen_at=row.frozen_at, frozen_by=row.frozen_by,
        reason=row.reason,
    )  # fmt: skip


class CasebookOut(BaseModel):
    enrolment_id: int
    subject_number: str
    digest: str = Field(description="the casebook as it stands: post it back to sign it")
    signed: bool = Field(description="signed, and unchanged since")
    lapsed: bool = Field(description="signed, then changed: the sign-off no longer holds")
    signature: SignatureOut | None
    freezes: list[FreezeOut]


def casebook_out(state: CasebookState, freezes: list[DataFreeze]) -> CasebookOut:
    return CasebookOut(
        enrolment_id=state.participant.id, subject_number=state.participant.subject_number,
        digest=state.digest, signed=state.current, lapsed=state.lapsed,
        signature=_signature(state.signature), freezes=[freeze_out(f) for f in freezes],
    )  # fmt: skip


class BlockerOut(BaseModel):
    kind: str
    count: int
    which: list[str]


class LockOut(BaseModel):
    study: str
    locked: bool
    lock_id: int | None
    locked_at: dt.datetime | None
    locked_by: str | None
    data_hash: str | None = Field(description="SHA-256 of the locked data, in the audit chain")
    intact: bool | None = Field(description="the casebooks still hash as they did when locked")
    enforced: bool = Field(description="the store's lock state agrees with the lock record")
    signature: SignatureOut | None
    blockers: list[BlockerOut] = Field(description="what blocks a lock now (empty: it may)")


def lock_out(study_id: str, status: LockStatus, found: list[Blocker]) -> LockOut:
    lock = status.lock
    return LockOut(
        study=study_id, locked=lock is not None, lock_id=lock.id if lock else None,
        locked_at=lock.locked_at if lock else None, locked_by=lock.locked_by if lock else None,
        data_hash=lock.data_hash if lock else None, intact=status.intact,
        enforced=status.enforced,
        signature=_signature(status.signature),
        blockers=[BlockerOut(kind=b.kind.value, count=b.count, which=b.which) for b in found],
    )  # fmt: skip


class CasebookShownIn(Strict):
    enrolment_id: int = Field(ge=1)
    digest: Digest = Field(description="the casebook's digest as read: what was reviewed")


class CasebookSignIn(Strict):
    """The casebooks signed in one act, each as it was shown, and the password."""

    casebooks: list[CasebookShownIn] = Field(min_length=1, max_length=500)
    password: Password


class LockIn(Strict):
    password: Password


class UnlockIn(Strict):
    reason: Reason
    lock_id: int = Field(ge=1, description="the lock as read: refused (409) if another")
    password: Password


class FreezeIn(Strict):
    target: Annotated[str, Field(max_length=120)] = Field(
        "", description="'' for the whole casebook, or 'VISIT/form_id' for one form"
    )
    reason: Annotated[str, Field(max_length=2000)] | None = None


class ThawIn(Strict):
    reason: Reason
