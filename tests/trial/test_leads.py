"""Leads from the public self-check: consent required, validated, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from trialdesk.errors import InputError, NotFoundError
from trialdesk.trial.screening import leads
from trialdesk.trial.screening.models import Lead, LeadStatus
from trialdesk.trial.store.db import Store

from .helpers import NOW, audit_rows, count

CONSENT = "I agree that the study team may contact me about this study."
ANSWERS = {"age": 54, "ra_diagnosis": "yes", "knee": ["right"]}
OUTCOME = {"verdict": "may_be_eligible", "reasons": ["age in range"]}


def store_one(store: Store, **overrides: Any) -> Lead:
    args: dict[str, Any] = {
        "study_id": "NCT06947746",
        "contact": leads.LeadContact("Maria Silva", "maria@example.org", "", "mornings"),
        "answers": ANSWERS,
        "outcome": OUTCOME,
        "consent_text": CONSENT,
        "consented": True,
        "now": NOW,
    } | overrides
    with store.transaction() as session:
        return leads.store_lead(session, **args)


def test_store_lead_keeps_everything_and_audits_as_public(store: Store) -> None:
    lead = store_one(store)
    assert len(lead.reference) == 9 and lead.reference[4] == "-"
    with store.read() as session:
        saved = session.get(Lead, lead.id)
        assert saved is not None
        assert (saved.name, saved.email, saved.phone) == ("Maria Silva", "maria@example.org", None)
        assert saved.answers == ANSWERS and saved.outcome == OUTCOME
        assert saved.consent_text == CONSENT and saved.consented_at == NOW
        assert saved.status is LeadStatus.NEW
    [entry] = audit_rows(store)
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        "public", "create", "lead", str(lead.id)
    )  # fmt: skip
    # the person's details and answers only as keyed digests (tests/trial/test_lead_privacy)
    assert "email" not in entry.changes and "answers" not in entry.changes
    assert entry.changes["contact_digest"][1] and entry.changes["answers_digest"][1]
    assert entry.changes["consent_text"] == [None, CONSENT]


@pytest.mark.parametrize("consented", [False, None, "yes", 1])
def test_nothing_is_stored_without_explicit_consent(store: Store, consented: object) -> None:
    with pytest.raises(InputError) as info:
        store_one(store, consented=consented)
    assert info.value.field == "consent"
    assert count(store, Lead) == 0 and audit_rows(store) == []


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        (("", "a@b.org", None, None), "name"),
        (("  ", "a@b.org", None, None), "name"),
        (("Ann", None, None, None), "email"),
        (("Ann", " ", "", None), "email"),
        (("Ann", "not-an-email", None, None), "email"),
        (("Ann", "a@b", None, None), "email"),
        (("Ann", None, "call me", None), "phone"),
        (("Ann", None, "123", None), "phone"),
        (("A" * 201, "a@b.org", None, None), "name"),
        (("Ann\x00", "a@b.org", None, None), "name"),
        (("Ann", "a@b.org", None, "x" * 501), "preferred_contact"),
    ],
)
def test_contact_validation_names_the_field(
    contact: tuple[str, str | None, str | None, str | None], field: str
) -> None:
    with pytest.raises(InputError) as info:
        leads.LeadContact(*contact)
    assert info.value.field == field


def test_contact_is_trimmed_and_blanks_are_absent() -> None:
    c = leads.LeadContact(" Ann ", "", " +44 (0)20 7946 0000 ", "  ")
    assert (c.name, c.email, c.phone, c.preferred_contact) == (
        "Ann", None, "+44 (0)20 7946 0000", None
    )  # fmt: skip


def test_unserialisable_answers_are_refused(store: Store) -> None:
    with pytest.raises(InputError):
        store_one(store, answers={"x": object()})
    assert count(store, Lead) == 0


def test_list_leads_newest_first_by_study(store: Store) -> None:
    a = store_one(store)
    b = store_one(store, now=NOW + timedelta(hours=1))
    c = store_one(store, study_id="NCT00000001")
    with store.read() as session:
        assert [x.id for x in leads.list_leads(session)] == [b.id, c.id, a.id]
        assert [x.id for x in leads.list_leads(session, "NCT06947746")] == [b.id, a.id]
    assert len({a.reference, b.reference, c.reference}) == 3


def test_set_lead_status_is_audited_old_to_new(store: Store) -> None:
    lead = store_one(store)
    with store.transaction() as session:
        leads.set_lead_status(
            session, actor="cara", lead_id=lead.id, status="contacted", note="rang", reason="call"
        )
    entry = audit_rows(store)[-1]
    assert (entry.actor, entry.action, entry.reason) == ("cara", "update", "call")
    assert entry.changes == {"status": ["new", "contacted"], "status_note": [None, "rang"]}
    with store.transaction() as session:  # unchanged: nothing to audit
        leads.set_lead_status(
            session, actor="cara", lead_id=lead.id, status=LeadStatus.CONTACTED, note="rang",
            reason=None,
        )  # fmt: skip
    assert len(audit_rows(store)) == 2


@pytest.mark.parametrize(("lead_id", "status"), [(1, "maybe"), (99, "contacted")])
def test_bad_status_change_stores_nothing(store: Store, lead_id: int, status: str) -> None:
    store_one(store)
    with pytest.raises((InputError, NotFoundError)), store.transaction() as session:
        leads.set_lead_status(
            session, actor="cara", lead_id=lead_id, status=status, note=None, reason=None
        )
    assert len(audit_rows(store)) == 1
