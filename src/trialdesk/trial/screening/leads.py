"""Pre-screening leads from the public self-check: stored only with explicit consent.

The audit trail, which can never be changed or removed, keeps no more of a lead than it
must (issue 18, point 4; security probe F3: the consent wording promises deletion on
request). It records the lead's reference, study, the consent wording and time, and its
status; the person's contact details, answers and the self-check's outcome only as keyed
digests (HMAC-SHA256, RFC 2104) under a key of the lead's own, kept on the lead's row.
While the lead is kept, the digests show a change to its details made outside the
application (no other details give the digests the trail holds); once it is
erased, key and all, the digests in the trail can no longer be tied to a person, nor a
guessed phone number tested against them (crypto-shredding). The GDPR's Art. 17 right to
erasure and Art. 5(1)(c) data minimisation are what this serves.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError, InputError, NotFoundError
from trialdesk.trial.screening.lead_contact import LeadContact, check_consent
from trialdesk.trial.screening.models import Lead, LeadStatus
from trialdesk.trial.store import audit, locks, stale
from trialdesk.trial.store.models import MAX_ROW_ID
from trialdesk.trial.store.values import as_utc, canonical_json, to_json_value

__all__ = [
    "CONTACT",
    "LeadContact",
    "LeadStatus",
    "audited_fields",
    "lead_or_404",
    "list_leads",
    "set_lead_status",
    "store_lead",
]

ENTITY = Lead.__tablename__
# Unambiguous when read aloud or over the phone: no 0/O, 1/I/L, U.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _reference(session: Session) -> str:
    while True:  # 30^8 ≈ 6.6e11: a collision is rare, and retried
        code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
        ref = f"{code[:4]}-{code[4:]}"
        if session.scalar(select(Lead.id).where(Lead.reference == ref)) is None:
            return ref


CONTACT = ("name", "email", "phone", "preferred_contact")


def _digest(key: str | None, value: Any) -> str | None:
    if key is None:  # erased, or stored before 0015 (its values are in the trail already)
        return None
    text = canonical_json(value).encode("utf-8")
    return hmac.new(bytes.fromhex(key), text, hashlib.sha256).hexdigest()


def audited_fields(lead: Lead) -> dict[str, Any]:
    """What the audit trail keeps of a lead: no contact detail and no answer, only their
    keyed digests (``contact_digest``, ``answers_digest``: answers and outcome)."""
    return {
        "reference": lead.reference,
        "study_id": lead.study_id,
        "consent_text": lead.consent_text,
        "consented_at": lead.consented_at,
        "status": lead.status,
        "status_note": lead.status_note,
        "contact_digest": _digest(lead.digest_key, {n: getattr(lead, n) for n in CONTACT}),
        "answers_digest": _digest(
            lead.digest_key, {"answers": lead.answers, "outcome": lead.outcome}
        ),
    }


def store_lead(
    session: Session,
    *,
    study_id: str,
    contact: LeadContact,
    answers: Mapping[str, Any],
    outcome: Mapping[str, Any],
    consent_text: str,
    consented: bool,
    now: datetime,
) -> Lead:
    """Store a lead, audited with actor "public". Without ``consented is True`` nothing
    is stored: consent must be explicit, never inferred."""
    refused = check_consent(consented)
    if refused is not None:
        raise refused
    if not consent_text.strip():
        raise InputError("the consent wording shown is required", field="consent_text")
    if not study_id.strip():
        raise InputError("a study id is required", field="study_id")
    try:
        answers_json, outcome_json = to_json_value(answers), to_json_value(outcome)
    except (TypeError, ValueError) as error:
        raise InputError(f"answers or outcome are not JSON data: {error}") from None
    assert isinstance(answers_json, dict) and isinstance(outcome_json, dict)
    now = as_utc(now)
    locks.writing(session, study_id.strip())
    lead = Lead(
        reference=_reference(session),
        study_id=study_id.strip(),
        created_at=now,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        preferred_contact=contact.preferred_contact,
        answers=answers_json,
        outcome=outcome_json,
        consent_text=consent_text,
        consented_at=now,
        status=LeadStatus.NEW,
        status_note=None,
        digest_key=secrets.token_hex(32),
    )
    session.add(lead)
    session.flush()
    audit.created(
        session,
        lead,
        actor="public",
        fields=audited_fields(lead),
        reason="self-check lead, with consent",
        at=now,
    )
    return lead


_NEWEST_FIRST = select(Lead).order_by(Lead.created_at.desc(), Lead.id.desc())


def lead_or_404(session: Session, lead_id: int, *, for_update: bool = False) -> Lead:
    """The lead; with ``for_update``, its row locked to the end of the transaction and read
    as locked (on PostgreSQL another transaction may have committed a change since this
    session first read it)."""
    if not 1 <= lead_id <= MAX_ROW_ID:
        raise NotFoundError(f"no lead {lead_id}")
    lead = session.get(Lead, lead_id, with_for_update=for_update, populate_existing=for_update)
    if lead is None:
        raise NotFoundError(f"no lead {lead_id}")
    return lead


def list_leads(
    session: Session, study_id: str | None = None, status: LeadStatus | None = None
) -> list[Lead]:
    """Leads, newest first; only one study's when ``study_id`` is given, only those in one
    status when ``status`` is."""
    query = _NEWEST_FIRST
    if study_id is not None:
        query = query.where(Lead.study_id == study_id)
    if status is not None:
        query = query.where(Lead.status == status)
    return list(session.scalars(query))


def set_lead_status(
    session: Session,
    *,
    actor: str,
    lead_id: int,
    status: LeadStatus | str,
    note: str | None,
    reason: str | None,
    expected_version: int | None = None,
) -> Lead:
    """Change a lead's status and note, audited with old → new values. With
    ``expected_version`` (the version the form showed), a change someone else made
    meanwhile is refused (:class:`~trialdesk.trial.store.stale.StaleError`), not
    overwritten."""
    try:
        new_status = LeadStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in LeadStatus if s is not LeadStatus.ERASED)
        raise InputError(f"'{status}' is not one of {allowed}", field="status") from None
    if new_status is LeadStatus.ERASED:
        raise InputError("a lead is erased by an erasure, not a status change", field="status")
    lead = lead_or_404(session, lead_id, for_update=True)
    stale.check_version(lead, expected_version, f"lead {lead.reference}")
    if lead.status is LeadStatus.ERASED:
        raise ConflictError(f"lead {lead.reference} is erased: it has no status to change")
    note = note.strip() or None if note is not None else None
    before = audited_fields(lead)
    lead.status, lead.status_note = new_status, note
    audit.updated(
        session, lead, actor=actor, before=before, after=audited_fields(lead), reason=reason
    )
    return lead
