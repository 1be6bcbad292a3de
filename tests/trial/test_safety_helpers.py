"""Helpers for the safety tests (no tests here): adverse events recorded, assessed and
reviewed through the safety services, on participants the conduct helpers enrol and
inject (tests/trial/conduct_helpers.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from trialdesk.trial import accounts
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.roles import Role
from trialdesk.trial.safety import assessments, events, stopping
from trialdesk.trial.safety.causality import CausalityInput, Signing
from trialdesk.trial.safety.event_input import EventInput
from trialdesk.trial.safety.events import EventWritten
from trialdesk.trial.safety.models import AdverseEvent, CausalityAssessment, SafetyReview
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.holds import StudyHold
from trialdesk.trial.store.models import AuditRecord

from .conduct_helpers import LATER
from .helpers import PASSWORD, count
from .screening_helpers import STUDY

WHEN = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)  # day 18 of the conduct helpers' participants

# A typical event after the injection: a painful, swollen target knee, grade 2, recovered.
EVENT: dict[str, Any] = {
    "verbatim": "painful swollen right knee after the injection",
    "term": "Joint effusion",
    "onset": "2026-03-18",
    "end": "2026-03-25",
    "grade": 2,
    "seriousness": (),
    "action_taken": "NOT APPLICABLE",
    "outcome": "RECOVERED/RESOLVED",
    "special_interest": (),
}
RELATED = CausalityInput(product="possible", procedure="probable", expected=False)
UNRELATED = CausalityInput(product="unrelated", procedure="unlikely", expected=True)


def given(**changes: Any) -> EventInput:
    return EventInput(**{**EVENT, **changes})


def user(store: Store, username: str, role: Role = Role.COORDINATOR) -> User:
    with store.transaction() as session:
        return accounts.create_user(
            session, actor="system", username=username, password=PASSWORD, role=role,
            reason="test fixture",
        )  # fmt: skip


def investigator(store: Store) -> User:
    with store.read() as session:
        found = accounts.find_user(session, "ivy")  # screening_helpers.prepare_study's
        assert found is not None
        return found


def record(
    store: Store,
    pid: int,
    *,
    causality: CausalityInput | None = None,
    signer: User | None = None,
    now: datetime = WHEN,
    **changes: Any,
) -> EventWritten:
    with store.transaction() as session:
        return events.record_adverse_event(
            session, actor="coord", study=STUDY, enrolment_id=pid, given=given(**changes),
            now=now, causality=causality,
            signing=Signing(signer, PASSWORD) if signer is not None else None,
        )  # fmt: skip


def update(
    store: Store, pid: int, event: AdverseEvent, *, reason: str | None = "corrected from source",
    version: int | None = None, now: datetime = WHEN, **changes: Any,
) -> EventWritten:  # fmt: skip
    with store.transaction() as session:
        return events.update_adverse_event(
            session, actor="coord", study=STUDY, enrolment_id=pid, event_id=event.id,
            given=given(**changes), expected_version=version if version else event.version,
            reason=reason, now=now,
        )  # fmt: skip


def assess(
    store: Store, pid: int, event: AdverseEvent, signer: User, decision: CausalityInput = RELATED,
    *, password: str = PASSWORD, now: datetime = WHEN,
) -> EventWritten:  # fmt: skip
    with store.transaction() as session:
        return assessments.assess_causality(
            session, signing=Signing(signer, password), study=STUDY, enrolment_id=pid,
            event_id=event.id, given=decision, expected_version=None, now=now,
        )  # fmt: skip


def resume(
    store: Store, signer: User, decision: str = "reviewed: resume", **kw: Any
) -> SafetyReview:
    with store.transaction() as session:
        return stopping.resume_study(
            session, signer=signer, password=PASSWORD, study=STUDY, decision=decision,
            now=kw.get("now", LATER), expected_hold=kw.get("expected_hold"),
        )  # fmt: skip


def holds_of(store: Store) -> list[StudyHold]:
    with store.read() as session:
        return list(session.scalars(select(StudyHold).order_by(StudyHold.id)))


def written(store: Store) -> dict[str, int]:
    """How many rows each table the safety services write holds (and the audit log)."""
    return {
        m.__tablename__: count(store, m)
        for m in (AdverseEvent, CausalityAssessment, StudyHold, SafetyReview, AuditRecord)
    }
