"""The investigator's causality assessment of an adverse event already recorded: signed,
audited, and followed by the stopping rules in the same transaction (an event becomes
related here, and a rule may be met by exactly this assessment)."""

from __future__ import annotations

from datetime import datetime

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.trial.safety import stopping
from trialdesk.trial.safety.causality import (
    CausalityInput,
    Signing,
    emergence_of,
    may_assess,
    read_causality,
    record_assessment,
)
from trialdesk.trial.safety.events import EventWritten, adverse_event_or_404, locked
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.stale import check_version
from trialdesk.trial.store.values import as_utc

__all__ = ["assess_causality"]


def assess_causality(
    session: Session,
    *,
    signing: Signing,
    study: Study,
    enrolment_id: int,
    event_id: int,
    given: CausalityInput,
    expected_version: int | None,
    now: datetime,
) -> EventWritten:
    """Sign the event's relationship to the product and the procedure and its
    expectedness. A signer who may not (a coordinator) is refused before anything is
    read; ``expected_version``: the version of the event the investigator was shown."""
    now = as_utc(now)
    may_assess(signing, now)
    participant = locked(session, study, enrolment_id)
    event = adverse_event_or_404(session, participant, event_id)
    check_version(event, expected_version, f"adverse event {event.sequence}")
    errors: list[TrialdeskError] = []
    values = read_causality(given, emergence_of(event, participant.day1(study)), errors)
    if errors or values is None:
        raise FieldErrors(errors, resource="causality assessment")
    record_assessment(
        session, signing=signing, participant=participant, event=event, values=values, now=now
    )
    paused = stopping.evaluate(
        session,
        study,
        event,
        participant.subject_number,
        actor=signing.signer.username,
        now=now,
    )
    return EventWritten(event, paused)
