"""Stopping rules (safety.yaml), evaluated in the transaction of every write of an adverse
event or of its causality; once one is met, the study is paused (store/holds.py) until an
investigator signs a safety-review decision that resumes it.

A rule is met when enough participants have an event that meets its conditions, with
"related" read from each event's newest signed assessment, lapsed or not: a change to the
event asks for a new assessment, and until it is given the last decision stands (an event
assessed related that grew to grade 4 must not escape the rule while it waits). An event
not yet assessed is not related.

A rule met by events that a safety review has already seen does not pause the study
again; a new qualifying event makes it fire again. Writes are serialised per study on the
study's site row (``study_site``, FOR UPDATE on PostgreSQL; SQLite writers already hold
the database's write lock), taken before anything is read: two writes at once cannot
both miss a rule, nor both pause the study (and at most one active hold per study is a
constraint of the table besides). Every audited write also waits for the audit chain's
head row (store/audit.py), which serialises them too; the rules do not rely on that.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from trialdesk.errors import ConflictError, InputError
from trialdesk.study.loader import Study
from trialdesk.study.safety_file import EventFacts, StoppingRule
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.signatures import Meaning, Signed, check_may_sign, sign
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.models import (
    SERIOUSNESS_COLUMNS,
    AdverseEvent,
    CausalityAssessment,
    SafetyReview,
)
from trialdesk.trial.safety.terms import Relationship
from trialdesk.trial.screening.models import Enrolment, StudySite
from trialdesk.trial.store import audit, holds
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.stale import StaleError
from trialdesk.trial.store.text import plain_text
from trialdesk.trial.store.values import as_utc

__all__ = [
    "DECISION_MAX",
    "RuleMet",
    "evaluate",
    "event_label",
    "lock_study",
    "resume_study",
    "rules_met",
]

DECISION_MAX = 4000


@dataclass(frozen=True)
class RuleMet:
    rule: StoppingRule
    events: tuple[int, ...]  # adverse event ids meeting its conditions
    labels: tuple[str, ...]  # the same, as "01-002 AE 1"
    participants: int


def event_label(subject_number: str, sequence: int) -> str:
    return f"{subject_number} AE {sequence}"


def lock_study(session: Session, study_id: str) -> None:
    """Serialise the study's safety writes (see the module's docstring)."""
    session.execute(
        select(StudySite.study_id).where(StudySite.study_id == study_id).with_for_update()
    )


def _related(session: Session, study_id: str) -> dict[int, bool]:
    """Each assessed event's newest assessment, as related or not."""
    rows = session.execute(
        select(
            CausalityAssessment.adverse_event_id,
            CausalityAssessment.product,
            CausalityAssessment.procedure,
        )
        .join(AdverseEvent, AdverseEvent.id == CausalityAssessment.adverse_event_id)
        .join(Enrolment, Enrolment.id == AdverseEvent.enrolment_id)
        .where(Enrolment.study_id == study_id)
        .order_by(CausalityAssessment.id)
    )
    return {
        event_id: Relationship(product).related or Relationship(procedure).related
        for event_id, product, procedure in rows
    }


_FACT_COLUMNS = (
    AdverseEvent.id,
    AdverseEvent.enrolment_id,
    AdverseEvent.sequence,
    AdverseEvent.grade,
    AdverseEvent.term,
    AdverseEvent.special_interest,
    *(getattr(AdverseEvent, name) for name in SERIOUSNESS_COLUMNS),
)


def rules_met(session: Session, study: Study) -> list[RuleMet]:
    """Every stopping rule the study's events meet now, in the file's order."""
    rules = safety_of(study).stopping_rules
    if not rules:
        return []
    related = _related(session, study.id)
    query = (
        select(*_FACT_COLUMNS, Enrolment.subject_number)
        .join(Enrolment, Enrolment.id == AdverseEvent.enrolment_id)
        .where(Enrolment.study_id == study.id)
        .order_by(Enrolment.subject_number, AdverseEvent.sequence)
    )
    if all(rule.related for rule in rules):  # every rule counts related events only
        query = query.where(AdverseEvent.id.in_([i for i, yes in related.items() if yes]))
    # columns, not entities: every event write reads the study's events again
    facts = [
        (
            row,
            EventFacts(
                grade=row.grade,
                term=row.term,
                special_interest=frozenset(row.special_interest),
                serious=any(getattr(row, name) for name in SERIOUSNESS_COLUMNS),
                related=related.get(row.id, False),
            ),
        )
        for row in session.execute(query)
    ]
    met = []
    for rule in rules:
        hits = [row for row, f in facts if rule.qualifies(f)]
        participants = len({row.enrolment_id for row in hits})
        if hits and participants >= rule.participants_at_least:
            met.append(
                RuleMet(
                    rule,
                    tuple(row.id for row in hits),
                    tuple(event_label(row.subject_number, row.sequence) for row in hits),
                    participants,
                )
            )
    return met


def _reviewed(session: Session, study_id: str) -> dict[str, set[int]]:
    """The events each rule counted when a safety review resumed the study."""
    out: dict[str, set[int]] = defaultdict(set)
    reviews = session.scalars(
        select(SafetyReview)
        .join(holds.StudyHold, holds.StudyHold.id == SafetyReview.hold_id)
        .where(holds.StudyHold.study_id == study_id)
    )
    for review in reviews:
        for rule_id, events in review.reviewed.items():
            out[rule_id].update(events)
    return out


def evaluate(
    session: Session,
    study: Study,
    event: AdverseEvent,
    subject_number: str,
    *,
    actor: str,
    now: datetime,
) -> holds.StudyHold | None:
    """After a write of ``event``: the hold this placed, if a rule is newly met. The
    caller took :func:`lock_study` before reading anything."""
    met = rules_met(session, study)
    reviewed = _reviewed(session, study.id)
    fresh = [m for m in met if not set(m.events) <= reviewed.get(m.rule.id, set())]
    if not fresh or holds.is_paused(session, study.id) is not None:
        return None
    reason = "; ".join(
        f"stopping rule {m.rule.id} ({m.rule.name.en}) is met by {', '.join(m.labels)}"
        for m in fresh
    )
    details = {
        "event": event.id,
        "written": event_label(subject_number, event.sequence),
        "rules": {m.rule.id: list(m.events) for m in fresh},
    }
    return holds.place_hold(
        session,
        study_id=study.id,
        rule=fresh[0].rule.id,
        reason=reason,
        details=details,
        actor=actor,
        now=now,
    )


def resume_study(
    session: Session,
    *,
    signer: User,
    password: str,
    study: Study,
    decision: str | None,
    now: datetime,
    expected_hold: int | None = None,
    checked: PasswordCheck | None = None,
) -> SafetyReview:
    """The investigator's signed safety-review decision: the study resumes; the hold, the
    decision and the events it reviewed stay on record. ``expected_hold``: the hold the
    signer was shown (a different one since: nothing is signed)."""
    now = as_utc(now)
    check_may_sign(signer, Meaning.SAFETY_REVIEW, now)
    lock_study(session, study.id)
    hold = holds.is_paused(session, study.id)
    if hold is None:
        raise ConflictError(f"{study.id} is not paused: there is nothing to resume", field="hold")
    if expected_hold is not None and hold.id != expected_hold:
        raise StaleError("the study's hold")
    text = plain_text(decision, "decision", DECISION_MAX)
    if text is None:
        raise InputError("write the safety review's decision and its reasons", field="decision")
    met = rules_met(session, study)
    content = {
        "study": study.id,
        "hold": hold.id,
        "paused_by": hold.reason,
        "paused_at": hold.held_at.isoformat(),
        "decision": text,
        "reviewed": {m.rule.id: list(m.labels) for m in met},
    }
    (signature,) = sign(
        session,
        signer=signer,
        password=password,
        meaning=Meaning.SAFETY_REVIEW,
        items=[Signed(f"{study.id}: safety review of the pause of {hold.held_at.date()}", content)],
        now=now,
        checked=checked,
    )
    review = SafetyReview(
        hold_id=hold.id,
        decision=text,
        reviewed={m.rule.id: list(m.events) for m in met},
        signature_id=signature.id,
        signature=signature,
        hold=hold,
    )
    session.add(review)
    session.flush()
    audit.created(
        session,
        review,
        actor=signer.username,
        fields={
            "hold_id": hold.id,
            "decision": text,
            "reviewed": review.reviewed,
            "signature_id": signature.id,
        },
        reason="safety review: the study resumes",
        at=now,
    )
    holds.release_hold(session, hold, actor=signer.username, reason=text, now=now)
    return review
