"""Recording and correcting a participant's adverse events; every write audited, checked
whole (event_input.py: every problem at its field, nothing stored on a refusal), and
followed in the same transaction by the study's stopping rules (stopping.py).

An investigator may record the event and sign its causality in one act (``causality``
with ``signing``); a coordinator records the event and the investigator assesses it
later (assessments.py). A correction names its reason and the version of the event the
form was opened on; a change to what an assessment relied on lapses it (causality.py).

A write that makes an event serious starts its 24-hour clock (``serious_since``, set
once) and, like one that changes a serious event's seriousness, grade or outcome, writes
the alert to the investigator and the safety contact into the outbox in the same
transaction (trial/notify/alerts.py says which changes alert).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from trialdesk.errors import FieldErrors, InputError, NotFoundError, TrialdeskError
from trialdesk.study.loader import Study
from trialdesk.study.windows import site_today, site_zone
from trialdesk.trial.conduct.freeze import refuse_if_frozen
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.notify import alerts
from trialdesk.trial.safety import stopping
from trialdesk.trial.safety.causality import (
    CausalityInput,
    Signing,
    emergence_of,
    may_assess,
    read_causality,
    record_assessment,
)
from trialdesk.trial.safety.clock import initial_report_submitted
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.emergent import Emergence, treatment_emergent
from trialdesk.trial.safety.event_input import EventContext, EventInput, EventValues, read_event
from trialdesk.trial.safety.models import SERIOUSNESS_COLUMNS, AdverseEvent
from trialdesk.trial.safety.terms import Seriousness
from trialdesk.trial.screening.models import Consent
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.holds import StudyHold
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.stale import check_version
from trialdesk.trial.store.text import reason_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "EventWritten",
    "adverse_event_or_404",
    "consented_on",
    "emergence",
    "event_context",
    "event_fields",
    "events_of",
    "locked",
    "record_adverse_event",
    "update_adverse_event",
]


@dataclass(frozen=True)
class EventWritten:
    event: AdverseEvent
    paused: StudyHold | None  # the hold this write placed: it met a stopping rule


def event_fields(event: AdverseEvent) -> dict[str, Any]:
    names = (
        "enrolment_id",
        "sequence",
        "verbatim",
        "term",
        "meddra_code",
        "soc",
        "onset_date",
        "end_date",
        "grade",
        *(s.value for s in Seriousness),
        "action_taken",
        "outcome",
        "special_interest",
        "baseline_grade",
        "worsened_on",
        "serious_since",
    )
    return {n: getattr(event, n) for n in names}


def _mark_serious(
    session: Session, event: AdverseEvent, before: dict[str, Any] | None, now: datetime
) -> None:
    """Start the clock when the event becomes serious; never moved while it stays so. One
    serious again after a downgrade starts anew unless its initial report was submitted
    (then the reporting goes on by follow-ups): the site learnt of this seriousness now,
    and a clock from the first episode would be overdue from the start."""
    if not event.serious:
        return
    if event.serious_since is None:
        event.serious_since = now
        return
    again = before is not None and not any(before[c] for c in SERIOUSNESS_COLUMNS)
    if again and not initial_report_submitted(session, event.id):
        event.serious_since = now


def _alert_reason(before: dict[str, Any] | None, event: AdverseEvent) -> alerts.Reason | None:
    if before is None or not any(before[c] for c in SERIOUSNESS_COLUMNS):  # was not serious
        return alerts.Reason.BECAME_SERIOUS if event.serious else None
    if not event.serious:
        return alerts.Reason.NO_LONGER_SERIOUS
    watched = (*SERIOUSNESS_COLUMNS, "grade", "outcome")
    if any(before[n] != getattr(event, n) for n in watched):
        return alerts.Reason.SERIOUSNESS_CHANGED
    return None


def _alert(
    session: Session,
    study: Study,
    participant: Participant,
    event: AdverseEvent,
    before: dict[str, Any] | None,
    *,
    actor: str,
    now: datetime,
) -> None:
    """Write the alert this change calls for, if any, to each recipient the study names."""
    reason = _alert_reason(before, event)
    if reason is None:
        return
    safety = safety_of(study)
    recipients = [
        alerts.Recipient(role, contact.email)
        for role, contact in (
            (alerts.RecipientRole.INVESTIGATOR, safety.investigator),
            (alerts.RecipientRole.SAFETY_CONTACT, safety.contact),
        )
        if contact is not None
    ]
    alert = alerts.SaeAlert(
        study_id=study.id,
        adverse_event_id=event.id,
        enrolment_id=participant.id,
        subject_number=participant.subject_number,
        sequence=event.sequence,
        reason=reason,
        term=event.term,
        grade=event.grade,
        seriousness=event.seriousness,
        outcome=event.outcome,
        serious_since=event.serious_since,
        zone=site_zone(study.schedule),
    )
    alerts.enqueue(session, alert, recipients, actor=actor, now=now)


def consented_on(session: Session, candidate_id: int) -> date | None:
    """The day the participant first signed consent: adverse events are collected from it."""
    return session.scalars(
        select(Consent.participant_signed_on)
        .where(Consent.candidate_id == candidate_id)
        .order_by(Consent.consented_at, Consent.id)
        .limit(1)
    ).first()


def event_context(
    session: Session, study: Study, participant: Participant, now: datetime
) -> EventContext:
    return EventContext(
        consented_on=consented_on(session, participant.candidate.id),
        day1=participant.day1(study),
        today=site_today(study.schedule, now),
        safety=safety_of(study),
    )


def locked(session: Session, study: Study, enrolment_id: int) -> Participant:
    """The participant, locked, then the study's safety lock (in that order everywhere)."""
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    stopping.lock_study(session, study.id)
    return participant


def adverse_event_or_404(session: Session, participant: Participant, event_id: int) -> AdverseEvent:
    if 1 <= event_id <= MAX_ROW_ID:
        event = session.get(AdverseEvent, event_id, populate_existing=True)
        if event is not None and event.enrolment_id == participant.id:
            return event
    raise NotFoundError(f"participant {participant.subject_number} has no adverse event {event_id}")


def events_of(session: Session, participant: Participant) -> list[AdverseEvent]:
    """The participant's adverse events in their order."""
    return list(
        session.scalars(
            select(AdverseEvent)
            .where(AdverseEvent.enrolment_id == participant.id)
            .order_by(AdverseEvent.sequence)
        )
    )


def _apply(event: AdverseEvent, values: EventValues) -> None:
    event.verbatim = values.verbatim
    event.term, event.meddra_code, event.soc = (
        values.term.term,
        values.term.meddra_code,
        values.term.soc,
    )
    event.onset_date = values.onset.isoformat()
    event.end_date = values.end.isoformat() if values.end is not None else None
    event.grade = values.grade
    for criterion in Seriousness:
        setattr(event, criterion.value, criterion in values.seriousness)
    event.action_taken = values.action_taken.value
    event.outcome = values.outcome.value
    event.special_interest = list(values.special_interest)
    event.baseline_grade = values.baseline_grade
    event.worsened_on = values.worsened_on.isoformat() if values.worsened_on else None


def record_adverse_event(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    given: EventInput,
    now: datetime,
    causality: CausalityInput | None = None,
    signing: Signing | None = None,
) -> EventWritten:
    """Record a new adverse event of an enrolled participant. With ``causality`` (and the
    investigator's ``signing``), its assessment is signed in the same act: a signer who
    may not assess is refused before anything else, and the event's and the assessment's
    problems are reported together."""
    now = as_utc(now)
    if causality is not None:
        if signing is None:
            raise InputError(
                "a causality assessment is signed: give the password", field="password"
            )
        may_assess(signing, now)
        actor = signing.signer.username
    participant = locked(session, study, enrolment_id)
    refuse_if_frozen(session, participant)
    context = event_context(session, study, participant, now)
    errors: list[TrialdeskError] = []
    values = None
    try:
        values = read_event(given, context)
    except FieldErrors as refused:
        errors.extend(refused.errors)
    assessed = None
    if causality is not None:
        # an event that could not be read is judged emergent here: only the assessment's
        # own problems are added to the event's
        emergence = (
            treatment_emergent(
                values.onset,
                context.day1,
                grade=values.grade,
                baseline_grade=values.baseline_grade,
                worsened_on=values.worsened_on,
                end=values.end,
            )
            if values is not None
            else Emergence(True, "")
        )
        assessed = read_causality(causality, emergence, errors)
    if errors or values is None:
        raise FieldErrors(errors, resource="adverse event")

    last = session.scalar(
        select(func.max(AdverseEvent.sequence)).where(AdverseEvent.enrolment_id == participant.id)
    )
    event = AdverseEvent(
        enrolment_id=participant.id,
        sequence=(last or 0) + 1,
        recorded_at=now,
        recorded_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    _apply(event, values)
    _mark_serious(session, event, None, now)
    session.add(event)
    session.flush()
    audit.created(
        session,
        event,
        actor=actor,
        fields=event_fields(event),
        reason=f"adverse event {event.sequence} of {participant.subject_number} recorded",
        at=now,
    )
    if assessed is not None and signing is not None:
        record_assessment(
            session,
            signing=signing,
            participant=participant,
            event=event,
            values=assessed,
            now=now,
        )
    _alert(session, study, participant, event, None, actor=actor, now=now)
    paused = stopping.evaluate(
        session, study, event, participant.subject_number, actor=actor, now=now
    )
    return EventWritten(event, paused)


def update_adverse_event(
    session: Session,
    *,
    actor: str,
    study: Study,
    enrolment_id: int,
    event_id: int,
    given: EventInput,
    expected_version: int | None,
    reason: str | None,
    now: datetime,
) -> EventWritten:
    """Correct an adverse event as a whole (the form sends every field back), with the
    reason; a change to its term, onset, grade or seriousness lapses its assessment."""
    now = as_utc(now)
    participant = locked(session, study, enrolment_id)
    refuse_if_frozen(session, participant)
    event = adverse_event_or_404(session, participant, event_id)
    check_version(event, expected_version, f"adverse event {event.sequence}")
    errors: list[TrialdeskError] = []
    why = values = None
    try:
        why = reason_text(reason)
    except InputError as refused:
        errors.append(refused)
    try:
        values = read_event(given, event_context(session, study, participant, now))
    except FieldErrors as refused:
        errors.extend(refused.errors)
    if errors or values is None:
        raise FieldErrors(errors, resource="adverse event")
    before = event_fields(event)
    _apply(event, values)
    _mark_serious(session, event, before, now)
    changed = audit.changes_between(before, event_fields(event))
    if not changed:
        raise InputError("nothing changed", field="event")
    event.updated_at, event.updated_by = now, actor
    audit.updated(
        session, event, actor=actor, before=before, after=event_fields(event), reason=why, at=now
    )
    _alert(session, study, participant, event, before, actor=actor, now=now)
    paused = stopping.evaluate(
        session, study, event, participant.subject_number, actor=actor, now=now
    )
    return EventWritten(event, paused)


def emergence(study: Study, participant: Participant, event: AdverseEvent) -> str | None:
    """Why the event is treatment-emergent, or None when it is not (for the listings)."""
    found = emergence_of(event, participant.day1(study))
    return found.why if found.emergent else None
