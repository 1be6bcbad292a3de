"""The investigator's signature on a visit's data, through the one signature service.

What is signed is the visit as it stands: its date and every form entered at it, with
their status, typed values and derived values. Any later change to any of them (a
correction, a score recomputed because the baseline moved) makes the visit's content
differ from what was signed, and the signature lapses: it stays on record, shown as no
longer current, and the visit can be signed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from trialdesk.errors import InputError
from trialdesk.study.loader import Study
from trialdesk.trial.accounts.login import PasswordCheck
from trialdesk.trial.accounts.models import Signature, User
from trialdesk.trial.accounts.signatures import Meaning, Signed, digest_of, is_current, sign
from trialdesk.trial.conduct.models import FormRecord, FormStatus, VisitRecord, VisitSignature
from trialdesk.trial.conduct.participants import Participant, participant_or_404
from trialdesk.trial.conduct.visits import scheduled_visit, visit_record_or_404
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Session
from trialdesk.trial.store.stale import StaleError

__all__ = [
    "VisitSignatureState",
    "form_content",
    "sign_visit",
    "visit_content",
    "visit_signature_state",
]


def form_content(record: FormRecord) -> dict[str, Any]:
    """A form as a signature vouches for it: status, values, what was typed, and each
    derived value with its calculator's version (the visit's and the casebook's alike)."""
    return {
        "status": record.status.value,
        "values": record.values,
        "entered": record.entered,
        "derived": {
            k: {"value": d.get("value"), "version": d.get("version")}
            for k, d in sorted(record.derived.items())
        },
    }


def visit_content(
    session: Session, participant: Participant, record: VisitRecord
) -> dict[str, Any]:
    """Exactly what a visit signature vouches for (JSON, canonicalised by the service)."""
    forms = session.scalars(
        select(FormRecord)
        .where(FormRecord.visit_record_id == record.id)
        .order_by(FormRecord.form_id, FormRecord.row)
    )
    return {
        "participant": participant.subject_number,
        "visit": record.key,
        "visit_date": record.visit_date.isoformat() if record.visit_date else None,
        "forms": {f"{f.form_id}#{f.row}": form_content(f) for f in forms},
    }


@dataclass(frozen=True)
class VisitSignatureState:
    """The visit's newest signature, whether the data are still what was signed, and the
    digest of the data as they stand (what a signature given now would vouch for)."""

    signature: Signature | None
    current: bool
    digest: str

    @property
    def lapsed(self) -> bool:
        return self.signature is not None and not self.current


def visit_signature_state(
    session: Session, participant: Participant, record: VisitRecord
) -> VisitSignatureState:
    newest = session.scalars(
        select(VisitSignature)
        .where(VisitSignature.visit_record_id == record.id)
        .order_by(VisitSignature.id.desc())
        .limit(1)
    ).first()
    content = visit_content(session, participant, record)
    if newest is None:
        return VisitSignatureState(None, False, digest_of(content))
    return VisitSignatureState(
        newest.signature, is_current(newest.signature, content), digest_of(content)
    )


def sign_visit(
    session: Session,
    *,
    signer: User,
    password: str,
    study: Study,
    enrolment_id: int,
    visit_id: str,
    now: datetime,
    occurrence: int = 1,
    checked: PasswordCheck | None = None,
    reviewed: str | None = None,
) -> Signature:
    """Sign a visit that took place and whose forms are all complete. ``reviewed``: the
    digest of the content the signer was shown (``VisitSignatureState.digest``); if the
    data changed since, nothing is signed and the signer is told to review them again."""
    participant = participant_or_404(session, enrolment_id, for_update=True, study=study)
    visit = scheduled_visit(study, visit_id)
    record = visit_record_or_404(session, participant, visit_id, occurrence)
    if record.visit_date is None:
        raise InputError(
            f"{visit.name} did not take place: there is nothing to sign", field="visit"
        )
    entered = {
        f.form_id: f.status
        for f in session.scalars(select(FormRecord).where(FormRecord.visit_record_id == record.id))
    }
    open_forms = [
        f
        for f in visit.forms
        if entered.get(f) is not FormStatus.COMPLETE
        and not (f in study.forms and study.forms[f].computed)
    ]
    if open_forms:
        names = ", ".join(str(study.forms[f].title) if f in study.forms else f for f in open_forms)
        raise InputError(f"complete every form first: {names}", field="forms")
    state = visit_signature_state(session, participant, record)
    if state.current:
        raise InputError("the visit is signed already, and nothing changed since", field="visit")
    content = visit_content(session, participant, record)
    if reviewed is not None and reviewed != digest_of(content):
        raise StaleError(f"{visit.name}'s data")
    subject = f"participant {participant.subject_number}, visit {record.key}"
    (signature,) = sign(
        session, signer=signer, password=password, meaning=Meaning.VISIT,
        items=[Signed(subject, content)], now=now, checked=checked,
    )  # fmt: skip
    link = VisitSignature(visit_record_id=record.id, signature_id=signature.id)
    session.add(link)
    session.flush()
    audit.created(
        session, link, actor=signer.username,
        fields={"visit_record_id": record.id, "signature_id": signature.id},
        reason=f"{subject} signed", at=now,
    )  # fmt: skip
    return signature
