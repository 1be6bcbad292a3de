"""A lead's erasure passes a locked study database (review finding 1): a lead is in no
casebook, nor in the lock's hash, and the person's right to erasure does not wait for an
unlock. Only the lead's own rows pass: new leads, status changes and any other row the
erasure's transaction would write stay refused. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

import trialdesk.trial.tables  # noqa: F401  (every wing's tables)
from trialdesk.trial.screening import lead_erasure, leads
from trialdesk.trial.screening.models import LeadStatus
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.locks import StudyLocked

from .helpers import NOW, audit_rows

STUDY = "NCT06947746"
NAME = "Ingrid Lysholm"


def _lead(store: Store) -> int:
    with store.transaction() as session:
        lead = leads.store_lead(
            session, study_id=STUDY, contact=leads.LeadContact(NAME, "i.l@example.org"),
            answers={"age": "61"}, outcome={"verdict": "may_be_eligible"},
            consent_text="I agree.", consented=True, now=NOW,
        )  # fmt: skip
        return lead.id


def _lock_study(store: Store) -> None:
    """The study locked as the store enforces it (the head's list; the signed lock row
    is review/database_lock.py's, tested in test_database_lock)."""
    with store.transaction() as session:
        audit.set_study_locked(session, STUDY, True)


def test_a_lead_is_erased_while_its_study_is_locked(store: Store) -> None:
    lead_id = _lead(store)
    _lock_study(store)
    with store.transaction() as session:
        erasure = lead_erasure.erase_lead(
            session, actor="coordinator", lead_id=lead_id, reason="asked", now=NOW
        )
    with store.read() as session:
        tomb = leads.lead_or_404(session, lead_id)
        assert tomb.status is LeadStatus.ERASED and tomb.name == ""
        assert audit.verify(session).ok
    assert audit_rows(store)[-1].id == erasure.entry_id


def test_only_the_erasure_passes_the_lock(store: Store) -> None:
    lead_id = _lead(store)
    _lock_study(store)
    with store.transaction() as session, pytest.raises(StudyLocked):  # a status change
        leads.set_lead_status(
            session, actor="c", lead_id=lead_id, status="contacted", note=None, reason=None
        )
    with store.transaction() as session, pytest.raises(StudyLocked):  # a new lead
        leads.store_lead(
            session, study_id=STUDY, contact=leads.LeadContact("X Y", "x@example.org"),
            answers={}, outcome={}, consent_text="ok", consented=True, now=NOW,
        )  # fmt: skip
    before = len(audit_rows(store))
    # the erasure's transaction writing study data besides is refused whole
    with pytest.raises(StudyLocked), store.transaction() as session:
        lead_erasure.erase_lead(session, actor="c", lead_id=lead_id, reason=None, now=NOW)
        audit.append(
            session, actor="c", action=audit.Action.UPDATE, entity="candidate", entity_id="1"
        )
    assert len(audit_rows(store)) == before
    with store.read() as session:
        assert leads.lead_or_404(session, lead_id).name == NAME  # rolled back whole
