"""Erasing a lead on request: the person's data go, a tombstone and the fact of it stay.

A patient who left their details through the self-check may ask for them to be deleted
(the consent wording and the thanks page promise it; GDPR Art. 17(1)(b), consent
withdrawn; PIPL Art. 47, first paragraph, item 3, consent withdrawn). What a lead holds
about the person — name, e-mail, phone, how to reach them, the answers, the self-check's
outcome, the staff's status note — is blanked on its row, the only table that holds
them. The audit trail holds only keyed digests of them (leads.py), and the lead's digest
key is blanked with them: the digests can no longer be tied to anyone, nor a guess
tested against them (crypto-shredding). One audit entry (action ``erase``) records that
an erasure happened, who did it, when and why, and no content. The row stays, status
``erased``, with its reference, study, consent wording and time, so the counts of leads
stay true and the request can be answered ("done, on ...").

A lead that became a screening candidate is refused (409): the candidate's record is
study data. Protocol assumption, for the site's data-protection officer to confirm:
research records are kept as the law requires — GDPR Art. 17(3)(c) and (d) (public
health; scientific research, where erasure would seriously impair it), PIPL Art. 47
second paragraph (a retention period set by law or regulation not yet over: then only
storage and protection), with the retention of essential trial records under ICH E6(R2)
4.9.5 and 8.1 and China's GCP (2020) on keeping essential records. The candidate's own
record is the site's to keep, correct or close (screen failure, declined), not to erase.

The staff's status notes are the site's records: the row's note is blanked, but a note
written earlier stays in the trail as written (it is audited in full, as every staff
entry is), so staff keep the person's details out of it (the lead page says so).

A locked study's database does not stop an erasure (store/locks.py): a lead is not in a
casebook, nor in the lock's hash; new leads and status changes still wait for an unlock.

Leads stored before revision 0015 were audited with their values: those entries cannot
change (21 CFR 11.10(e)). Their erasure still blanks the row; :class:`Erasure` says that
copies remain in the trail, for the site to record in its answer to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from trialdesk.errors import ConflictError
from trialdesk.trial.screening import leads
from trialdesk.trial.screening.models import Candidate, Lead, LeadStatus
from trialdesk.trial.store import audit, locks, stale
from trialdesk.trial.store.audit_replay import NOT_RECORDED
from trialdesk.trial.store.values import as_utc

__all__ = ["Erasure", "LeadAlreadyErased", "LeadIsStudyData", "erase_lead", "has_candidate"]

# the fields of a lead that hold the person's data; blank strings and empty objects for
# the columns that may not be NULL (the status ``erased`` says why they are empty)
ERASED_VALUES: dict[str, object] = {
    "name": "",
    "email": None,
    "phone": None,
    "preferred_contact": None,
    "answers": {},
    "outcome": {},
    "status_note": None,
    "digest_key": None,
}


class LeadIsStudyData(ConflictError):
    """The lead became a screening candidate: their record is study data, kept as
    research records are (see the module's note)."""

    code = "lead_is_study_data"

    def __init__(self, reference: str, candidate_id: int) -> None:
        super().__init__(
            f"lead {reference} became screening candidate {candidate_id}: the candidate's "
            "record is study data and is kept as research records must be (GDPR Art. "
            "17(3)(c)/(d), PIPL Art. 47), so the lead cannot be erased. Tell the person "
            "so; the candidate's record can be corrected or closed, not erased",
            resource=f"lead {reference}",
        )


class LeadAlreadyErased(ConflictError):
    """Erased already: nothing is left to erase."""

    code = "lead_erased"

    def __init__(self, reference: str) -> None:
        super().__init__(f"lead {reference} is erased already", resource=f"lead {reference}")


@dataclass(frozen=True)
class Erasure:
    """What an erasure did: the tombstone, the audit entry recording it, and whether the
    trail still holds copies of the details (a lead stored before 0015)."""

    lead: Lead
    entry_id: int
    copies_in_trail: bool


def erase_lead(
    session: Session,
    *,
    actor: str,
    lead_id: int,
    reason: str | None,
    now: datetime,
    expected_version: int | None = None,
) -> Erasure:
    """Erase a lead's personal data on request, in the caller's transaction (see the
    module's note). ``expected_version``, when given, refuses a lead changed since it
    was read (StaleError, 409)."""
    lead = leads.lead_or_404(session, lead_id, for_update=True)
    stale.check_version(lead, expected_version, f"lead {lead.reference}")
    if lead.status is LeadStatus.ERASED:
        raise LeadAlreadyErased(lead.reference)
    candidate = session.scalar(select(Candidate.id).where(Candidate.lead_id == lead.id))
    if candidate is not None:
        raise LeadIsStudyData(lead.reference, candidate)
    # A lead is no study data (in no casebook, so not in a lock's hash): its erasure
    # passes a database lock, as the person's right to it does not wait for an unlock.
    # Only the lead's own rows pass; anything else this transaction writes is judged as
    # usual (store/locks.py).
    locks.writing_not_study_data(session, Lead.__tablename__)
    copies = lead.digest_key is None  # audited with its values, before 0015
    before = leads.audited_fields(lead)
    for name, value in ERASED_VALUES.items():
        setattr(lead, name, value)
    lead.status = LeadStatus.ERASED
    after = leads.audited_fields(lead)
    # The entry says what changed and nothing of what was there: the old note (in the
    # trail already, from the change that wrote it) is not repeated; the old digests are
    # kept, which the key's erasure leaves tied to no one.
    changes = audit.changes_between(before, after)
    if "status_note" in changes:
        changes["status_note"] = (NOT_RECORDED, None)
    entry = audit.event(
        session,
        lead,
        audit.Action.ERASE,
        actor=actor,
        changes=changes,
        reason=(reason or "").strip() or "erased on the person's request",
        at=as_utc(now),
    )
    return Erasure(lead, entry.id, copies)


def has_candidate(session: Session, lead_id: int) -> bool:
    """Whether the lead became a screening candidate (then it cannot be erased)."""
    return bool(session.scalar(select(exists().where(Candidate.lead_id == lead_id))))
