"""The investigator's causality assessment of an adverse event, signed with the one
signature service: its relationship to the study product and to the injection procedure
(the five-level scale of terms.Relationship) and its expectedness against the reference
safety information (ICH E2A III.C: the investigator's brochure for an unapproved product).

A coordinator cannot give it (Permission.SIGN_CAUSALITY: investigators only). What the
assessment relied on is signed with it: the event's term, onset, grade and seriousness
criteria. A later change to any of them makes the event differ from what was signed, and
the assessment lapses, visibly (``CausalityState.lapsed``), as a visit signature does; it
stays on record, and the investigator assesses the event again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import User
from trialdesk.trial.accounts.signatures import (
    Meaning,
    Signed,
    check_may_sign,
    digest_of,
    is_current,
    sign,
)
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.safety.emergent import Emergence, treatment_emergent
from trialdesk.trial.safety.models import AdverseEvent, CausalityAssessment
from trialdesk.trial.safety.partial_dates import PartialDate
from trialdesk.trial.safety.terms import Relationship
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session

__all__ = [
    "CausalityInput",
    "CausalityState",
    "CausalityValues",
    "Signing",
    "assessment_content",
    "causality_state",
    "emergence_of",
    "may_assess",
    "read_causality",
    "record_assessment",
    "relied_on",
]


@dataclass(frozen=True)
class CausalityInput:
    """As the investigator chose: a Relationship value for the product and for the
    procedure, and whether the event is expected."""

    product: str | None = None
    procedure: str | None = None
    expected: bool | None = None


@dataclass(frozen=True)
class CausalityValues:
    product: Relationship
    procedure: Relationship
    expected: bool

    @property
    def related(self) -> bool:
        return self.product.related or self.procedure.related


@dataclass(frozen=True)
class Signing:
    """Who signs, with the password re-entered (``checked``: already checked outside the
    write transaction, as the web app does)."""

    signer: User
    password: str
    checked: PasswordCheck | None = None


def emergence_of(event: AdverseEvent, day1: date | None) -> Emergence:
    return treatment_emergent(
        PartialDate.parse(event.onset_date),
        day1,
        grade=event.grade,
        baseline_grade=event.baseline_grade,
        worsened_on=PartialDate.parse(event.worsened_on) if event.worsened_on else None,
        end=PartialDate.parse(event.end_date) if event.end_date else None,
    )


def read_causality(
    given: CausalityInput, emergence: Emergence, errors: list[TrialdeskError]
) -> CausalityValues | None:
    """The checked assessment; its problems appended to ``errors``. Neither the product
    nor the injection can have caused an event that is not treatment-emergent: it began
    before they were given, and did not worsen after."""
    found: dict[str, Relationship] = {}
    for field, value in (("product", given.product), ("procedure", given.procedure)):
        try:
            found[field] = Relationship((value or "").strip().lower())
        except ValueError:
            known = ", ".join(r.value for r in Relationship)
            errors.append(InputError(f"choose one of {known}", field=f"relationship_{field}"))
    if given.expected is None:
        errors.append(
            InputError(
                "say whether the event is expected (the reference safety information)",
                field="expected",
            )
        )
    for field, relationship in found.items():
        if relationship.related and not emergence.emergent:
            errors.append(
                InputError(
                    f"the event is not treatment-emergent ({emergence.why}): the {field} cannot "
                    "have caused it (unrelated or unlikely)",
                    field=f"relationship_{field}",
                )
            )
    if len(found) < 2 or given.expected is None:
        return None
    return CausalityValues(found["product"], found["procedure"], given.expected)


def relied_on(participant: Participant, event: AdverseEvent) -> dict[str, Any]:
    """What an assessment of the event relies on: a change to it lapses the assessment."""
    return {
        "participant": participant.subject_number,
        "event": event.sequence,
        "term": event.term,
        "onset": event.onset_date,
        "grade": event.grade,
        "seriousness": event.seriousness,
    }


def assessment_content(
    participant: Participant, event: AdverseEvent, values: CausalityValues
) -> dict[str, Any]:
    """Exactly what a causality signature vouches for."""
    return {
        **relied_on(participant, event),
        "relationship_product": values.product.value,
        "relationship_procedure": values.procedure.value,
        "expected": values.expected,
    }


def _values_of(row: CausalityAssessment) -> CausalityValues:
    return CausalityValues(Relationship(row.product), Relationship(row.procedure), row.expected)


@dataclass(frozen=True)
class CausalityState:
    """The event's newest assessment, whether the event is still what it relied on, and
    the digest of the event as it stands."""

    assessment: CausalityAssessment | None
    current: bool
    digest: str

    @property
    def lapsed(self) -> bool:
        return self.assessment is not None and not self.current

    @property
    def values(self) -> CausalityValues | None:
        return _values_of(self.assessment) if self.assessment is not None else None


def causality_state(
    session: Session, participant: Participant, event: AdverseEvent
) -> CausalityState:
    newest = session.scalars(
        select(CausalityAssessment)
        .where(CausalityAssessment.adverse_event_id == event.id)
        .order_by(CausalityAssessment.id.desc())
        .limit(1)
    ).first()
    digest = digest_of(relied_on(participant, event))
    if newest is None:
        return CausalityState(None, False, digest)
    content = assessment_content(participant, event, _values_of(newest))
    return CausalityState(newest, is_current(newest.signature, content), digest)


def record_assessment(
    session: Session,
    *,
    signing: Signing,
    participant: Participant,
    event: AdverseEvent,
    values: CausalityValues,
    now: datetime,
) -> CausalityAssessment:
    """Sign the assessment and store it (audited); the caller checked everything else."""
    state = causality_state(session, participant, event)
    if state.current and state.values == values:
        raise InputError(
            "the event is assessed so already, and nothing it relied on changed since",
            field="causality",
        )
    subject = f"participant {participant.subject_number}, adverse event {event.sequence}"
    (signature,) = sign(
        session,
        signer=signing.signer,
        password=signing.password,
        meaning=Meaning.CAUSALITY,
        items=[Signed(subject, assessment_content(participant, event, values))],
        now=now,
        checked=signing.checked,
    )
    row = CausalityAssessment(
        adverse_event_id=event.id,
        product=values.product.value,
        procedure=values.procedure.value,
        expected=values.expected,
        signature_id=signature.id,
        signature=signature,
    )
    session.add(row)
    session.flush()
    audit.created(
        session,
        row,
        actor=signing.signer.username,
        fields={
            "adverse_event_id": event.id,
            "product": row.product,
            "procedure": row.procedure,
            "expected": row.expected,
            "signature_id": signature.id,
        },
        reason=f"{subject}: causality assessed and signed",
        at=now,
    )
    return row


def may_assess(signing: Signing, now: datetime) -> None:
    """Refuse, before anything is read, a signer who may not assess causality."""
    check_may_sign(signing.signer, Meaning.CAUSALITY, now)
