"""A lead's contact details and answers are not copied into the immutable audit trail
(issue 18, point 4; security probe F3): a reference and keyed digests are. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import update

from trialdesk.trial.screening import imports, leads
from trialdesk.trial.screening.models import Lead
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store

from .helpers import NOW, audit_rows

# Distinctive: found anywhere in the trail, they can only have been copied there.
NAME, EMAIL, PHONE = "Philippa Quarnstrom", "p.quarnstrom.77@example.net", "+41 44 668 9911"
WHEN = "evenings after 18:00, Quarnstrom household"
ANSWERS = {"age": "61", "ra_since": "2011-04", "methotrexate": "yes"}
OUTCOME = {"verdict": "may_be_eligible", "reasons": ["rheumatoid arthritis since 2011"]}
SECRETS = (NAME, "Quarnstrom", EMAIL, PHONE, "668 9911", "2011-04", "since 2011")


def _store(store: Store) -> Lead:
    with store.transaction() as session:
        return leads.store_lead(
            session,
            study_id="NCT06947746",
            contact=leads.LeadContact(NAME, EMAIL, PHONE, WHEN),
            answers=ANSWERS,
            outcome=OUTCOME,
            consent_text="I agree that the study team may contact me.",
            consented=True,
            now=NOW,
        )


def _trail_text(store: Store) -> str:
    return "\n".join(
        json.dumps([e.actor, e.entity_id, e.changes, e.reason], ensure_ascii=False)
        for e in audit_rows(store)
    )


def test_the_trail_keeps_a_reference_and_digests_never_the_details(store: Store) -> None:
    lead = _store(store)
    with store.transaction() as session:
        leads.set_lead_status(
            session, actor="coord", lead_id=lead.id, status="contacted", note="left a message",
            reason="called",
        )  # fmt: skip
        imports.from_lead(session, actor="coord", lead_id=lead.id, now=NOW)
    lead_entries = [e for e in audit_rows(store) if e.entity == "lead"]
    created = lead_entries[0].changes
    assert set(created) == {  # (a field created empty, the status note, is left out)
        "reference", "study_id", "consent_text", "consented_at", "status",
        "contact_digest", "answers_digest",
    }  # fmt: skip
    assert created["reference"] == [None, lead.reference]
    assert all(len(created[d][1]) == 64 for d in ("contact_digest", "answers_digest"))
    lead_text = json.dumps([e.changes for e in lead_entries], ensure_ascii=False)
    assert not [s for s in SECRETS if s in lead_text], lead_text
    assert set(lead_entries[1].changes) == {"status", "status_note"}  # the digests unchanged
    with store.read() as session:
        assert audit.verify(session).ok


def test_the_digests_show_details_changed_outside_the_application(store: Store) -> None:
    lead = _store(store)
    with store.read() as session:
        recorded = leads.audited_fields(leads.lead_or_404(session, lead.id))
    [entry] = [e for e in audit_rows(store) if e.entity == "lead"]
    assert entry.changes["contact_digest"][1] == recorded["contact_digest"]
    assert entry.changes["answers_digest"][1] == recorded["answers_digest"]
    with store.transaction() as session:  # an edit in the database, not through a service
        session.execute(update(Lead).where(Lead.id == lead.id).values(email="x@example.org"))
    with store.read() as session:
        now = leads.audited_fields(leads.lead_or_404(session, lead.id))
    assert now["contact_digest"] != recorded["contact_digest"]
    assert now["answers_digest"] == recorded["answers_digest"]


def test_each_lead_has_its_own_key_so_equal_details_give_unequal_digests(store: Store) -> None:
    """The same person leaving their details twice cannot be linked through the trail, and
    erasing one lead's key leaves nothing in the trail to test a guess against."""
    first, second = _store(store), _store(store)
    with store.read() as session:
        a, b = (leads.lead_or_404(session, x.id) for x in (first, second))
        assert a.digest_key != b.digest_key and len(a.digest_key or "") == 64
        assert (
            leads.audited_fields(a)["contact_digest"] != leads.audited_fields(b)["contact_digest"]
        )
    with store.transaction() as session:  # what erasure does to the key
        session.execute(update(Lead).where(Lead.id == first.id).values(digest_key=None))
    with store.read() as session:
        erased = leads.audited_fields(leads.lead_or_404(session, first.id))
        assert erased["contact_digest"] is None and erased["answers_digest"] is None
