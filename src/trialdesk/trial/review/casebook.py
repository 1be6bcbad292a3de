"""A participant's casebook and the investigator's sign-off of it.

The casebook is everything entered about the participant in the study: the dates and
parameters the site set (the injection's day, the target knee), every visit with its date
or why it did not take place, every form with its values, what was typed and the derived
scores, the adverse events with their newest causality assessment, and the end of
participation. The investigator signs it through the one signature service (ICH E6(R3)
2.12.8: the investigator confirms the accuracy and completeness of the data reported); a
later change to any of it makes the casebook differ from what was signed, and the
sign-off lapses, visibly, until it is signed again. The database lock waits for every
casebook to be signed as it stands (review/database_lock.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import func, select

from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.signatures import Meaning, Signed, digest_of, is_current, sign
from trialdesk.trial.conduct.models import FormRecord, VisitRecord
from trialdesk.trial.conduct.participants import (
    Participant,
    list_participants,
    participant_or_404,
)
from trialdesk.trial.conduct.signoff import form_content
from trialdesk.trial.review.casebook_models import CasebookSignature
from trialdesk.trial.safety.events import event_fields
from trialdesk.trial.safety.models import AdverseEvent, CausalityAssessment
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.stale import StaleError

__all__ = ["CasebookState", "casebook_states", "casebooks", "sign_casebook"]


def casebooks(session: Session, participants: Sequence[Participant]) -> dict[int, dict[str, Any]]:
    """Each participant's casebook as JSON (what a sign-off vouches for), read in one
    query per table whatever the number of participants."""
    ids = [p.id for p in participants]
    books: dict[int, dict[str, Any]] = {
        p.id: {
            "participant": p.subject_number,
            "study": p.enrolment.study_id,
            "dates": dict(sorted(p.candidate.anchor_dates.items())),
            "parameters": dict(sorted(p.candidate.parameters.items())),
            "withdrawn": p.enrolment.withdrawn_at.isoformat() if p.enrolment.withdrawn_at else None,
            "visits": {},
            "forms": {},
            "adverse_events": {},
            "disposition": None
            if p.disposition is None
            else {
                "term": p.disposition.term,
                "ended_on": p.disposition.ended_on.isoformat(),
                "reason": p.disposition.reason,
            },
        }
        for p in participants
    }
    if not ids:
        return books
    for v in session.scalars(select(VisitRecord).where(VisitRecord.enrolment_id.in_(ids))):
        books[v.enrolment_id]["visits"][v.key] = {
            "date": v.visit_date.isoformat() if v.visit_date else None,
            "missed_reason": v.missed_reason,
        }
    for f in session.execute(_FORMS.where(FormRecord.enrolment_id.in_(ids))):
        # a row of the columns form_content reads, not a FormRecord: a casebook of a whole
        # trial reads every form, and an ORM object each (and its soft-range flags, decoded)
        # cost more than the rest of the casebook together
        books[f.enrolment_id]["forms"][f"{f.visit_key}/{f.form_id}#{f.row}"] = form_content(
            cast(FormRecord, f)
        )
    events = list(session.scalars(select(AdverseEvent).where(AdverseEvent.enrolment_id.in_(ids))))
    newest = _newest_assessments(session, [e.id for e in events])
    for e in events:
        fields = {k: _plain(v) for k, v in event_fields(e).items()}
        a = newest.get(e.id)
        fields["causality"] = (
            None
            if a is None
            else {"product": a.product, "procedure": a.procedure, "expected": a.expected}
        )
        books[e.enrolment_id]["adverse_events"][str(e.sequence)] = fields
    for book in books.values():
        for part in ("visits", "forms", "adverse_events"):
            book[part] = dict(sorted(book[part].items()))
    return books


_FORMS = select(
    FormRecord.enrolment_id, FormRecord.visit_key, FormRecord.form_id, FormRecord.row,
    FormRecord.status, FormRecord.values, FormRecord.entered, FormRecord.derived,
)  # fmt: skip


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _newest_assessments(session: Session, event_ids: list[int]) -> dict[int, CausalityAssessment]:
    if not event_ids:
        return {}
    newest = (
        select(func.max(CausalityAssessment.id))
        .where(CausalityAssessment.adverse_event_id.in_(event_ids))
        .group_by(CausalityAssessment.adverse_event_id)
    )
    rows = session.scalars(select(CausalityAssessment).where(CausalityAssessment.id.in_(newest)))
    return {a.adverse_event_id: a for a in rows}


@dataclass(frozen=True)
class CasebookState:
    """A participant's casebook: its newest sign-off, whether the data are still what was
    signed, and the digest of the data as they stand (what a sign-off now vouches for)."""

    participant: Participant
    signature: Signature | None
    current: bool
    digest: str
    content: dict[str, Any]  # the casebook as it stands

    @property
    def lapsed(self) -> bool:
        return self.signature is not None and not self.current


def casebook_states(
    session: Session, study: Study, enrolment_ids: Sequence[int] | None = None
) -> list[CasebookState]:
    """Every participant's casebook state (or those named), in subject-number order."""
    participants = list_participants(session, study.id)
    if enrolment_ids is not None:
        wanted = set(enrolment_ids)
        participants = [p for p in participants if p.id in wanted]
    books = casebooks(session, participants)
    newest = _newest_signatures(session, [p.id for p in participants])
    out = []
    for p in participants:
        content, signature = books[p.id], newest.get(p.id)
        current = signature is not None and is_current(signature, content)
        out.append(CasebookState(p, signature, current, digest_of(content), content))
    return out


def _newest_signatures(session: Session, ids: list[int]) -> dict[int, Signature]:
    if not ids:
        return {}
    newest = (
        select(func.max(CasebookSignature.id))
        .where(CasebookSignature.enrolment_id.in_(ids))
        .group_by(CasebookSignature.enrolment_id)
    )
    rows = session.execute(
        select(CasebookSignature.enrolment_id, Signature)
        .join(Signature, Signature.id == CasebookSignature.signature_id)
        .where(CasebookSignature.id.in_(newest))
    )
    return {enrolment_id: signature for enrolment_id, signature in rows}


def sign_casebook(
    session: Session,
    *,
    signer: User,
    password: str,
    study: Study,
    enrolment_ids: Sequence[int],
    reviewed: dict[int, str],
    now: datetime,
    checked: PasswordCheck | None = None,
) -> list[Signature]:
    """Sign the casebooks of one or more participants in one act (one password entry).
    ``reviewed``: each casebook's digest as the signer was shown it; a casebook changed
    since is not signed (nothing is) and the signer is told to review it again."""
    if not enrolment_ids:
        raise InputError("choose the casebooks to sign", field="participants")
    for enrolment_id in enrolment_ids:
        participant_or_404(session, enrolment_id, for_update=True, study=study)
    states = casebook_states(session, study, enrolment_ids)
    items = []
    for state in states:
        subject = f"participant {state.participant.subject_number}"
        if state.current:
            raise InputError(f"{subject}'s casebook is signed already", field="participants")
        shown = reviewed.get(state.participant.id)
        if shown is None:
            raise InputError(
                f"{subject}: the casebook's digest as shown is missing", field="digest"
            )
        if shown != state.digest:
            raise StaleError(f"{subject}'s casebook")
        items.append(Signed(f"{subject}, casebook", state.content))
    signatures = sign(
        session, signer=signer, password=password, meaning=Meaning.CASEBOOK, items=items,
        now=now, checked=checked,
    )  # fmt: skip
    for state, signature in zip(states, signatures, strict=True):
        link = CasebookSignature(enrolment_id=state.participant.id, signature_id=signature.id)
        session.add(link)
        session.flush()
        audit.created(
            session, link, actor=signer.username,
            fields={"enrolment_id": link.enrolment_id, "signature_id": signature.id},
            reason=f"participant {state.participant.subject_number}'s casebook signed", at=now,
        )  # fmt: skip
    return signatures
