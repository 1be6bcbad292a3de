"""Leads that may be the same person (walkthrough D30): flagged for staff, never merged.

A person who sends the self-check twice (a second try, a double submit, a family member's
phone) gives two leads for the same study. Two leads are flagged when they share an
e-mail address (case ignored), a phone number (its last 8 digits: the same number written
with or without the country code, spaces or brackets), or a name (case, accents and
spacing ignored) together with every self-check answer. A name alone is not enough: two
people may share one (王芳). Whether they are one person is for staff to decide, as for
candidates (candidates.py); an erased lead has nothing left to compare.

Computed when read, from the leads of one study (a site has hundreds, not millions), so
it needs no stored flag and follows every erasure and new lead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialdesk.trial.screening.candidates import name_key
from trialdesk.trial.screening.models import Lead, LeadStatus
from trialdesk.trial.store.values import canonical_json

__all__ = ["LeadMatch", "possible_duplicates"]

PHONE_DIGITS = 8  # enough to tell numbers apart in one study, short of any country code


@dataclass(frozen=True)
class LeadMatch:
    """Another lead that may be the same person, and what they share (``email``,
    ``phone``, ``name_and_answers``)."""

    lead_id: int
    reference: str
    shared: tuple[str, ...]


def _phone_key(phone: str) -> str | None:
    digits = "".join(c for c in phone if c.isdigit())
    return digits[-PHONE_DIGITS:] if len(digits) >= 6 else None


def _keys(lead: Lead) -> list[tuple[str, str]]:
    keys = []
    if lead.email:
        keys.append(("email", lead.email.strip().casefold()))
    if lead.phone and (phone := _phone_key(lead.phone)) is not None:
        keys.append(("phone", phone))
    if lead.name:
        keys.append(("name_and_answers", name_key(lead.name) + canonical_json(lead.answers)))
    return keys


def possible_duplicates(
    session: Session, study_id: str | None = None
) -> dict[int, list[LeadMatch]]:
    """Per lead id, the other leads of its study that may be the same person (oldest
    first); a lead with none is absent. Only one study's leads when ``study_id`` is given."""
    query = select(Lead).where(Lead.status != LeadStatus.ERASED).order_by(Lead.id)
    if study_id is not None:
        query = query.where(Lead.study_id == study_id)
    leads = list(session.scalars(query))
    holders: dict[tuple[str, str, str], list[Lead]] = defaultdict(list)
    for lead in leads:
        for kind, key in _keys(lead):
            holders[(lead.study_id, kind, key)].append(lead)
    shared: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    by_id = {lead.id: lead for lead in leads}
    for (_, kind, _), group in holders.items():
        for lead in group:
            for other in group:
                if other.id != lead.id:
                    shared[lead.id][other.id].append(kind)
    return {
        lead_id: [
            LeadMatch(other, by_id[other].reference, tuple(kinds))
            for other, kinds in sorted(others.items())
        ]
        for lead_id, others in shared.items()
    }
