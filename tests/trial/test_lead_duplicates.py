"""Walkthrough D30: the same person sending the self-check twice is flagged as a possible
duplicate lead (same e-mail, same phone written otherwise, or same name and answers),
within one study, never merged, and not once erased."""

from __future__ import annotations

from datetime import timedelta

from trialdesk.trial.screening import lead_erasure, leads
from trialdesk.trial.screening.lead_duplicates import possible_duplicates
from trialdesk.trial.store.db import Store

from .helpers import NOW

NCT = "NCT06947746"


def _lead(
    store: Store,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    answers: dict[str, str] | None = None,
    study: str = NCT,
) -> tuple[int, str]:
    with store.transaction() as session:
        lead = leads.store_lead(
            session,
            study_id=study,
            contact=leads.LeadContact(name, email, phone),
            answers=answers or {"age": "45"},
            outcome={"verdict": "may_be_eligible"},
            consent_text="I agree.",
            consented=True,
            now=NOW + timedelta(minutes=len(name)),
        )
        return lead.id, lead.reference


def test_the_same_person_twice_is_flagged_both_ways(store: Store) -> None:
    first, first_ref = _lead(store, "Anna Berg", "Anna.Berg@example.org")
    second, second_ref = _lead(store, "A. Berg", "anna.berg@example.org ", "+86 138 0013 8000")
    third, third_ref = _lead(store, "Ann B", phone="138-0013-8000")
    other, _ = _lead(store, "Zhou Min", "zhou@example.org", "+86 139 1111 2222")
    with store.read() as session:
        found = possible_duplicates(session, NCT)
    assert [(m.reference, m.shared) for m in found[first]] == [(second_ref, ("email",))]
    assert [(m.reference, m.shared) for m in found[second]] == [
        (first_ref, ("email",)), (third_ref, ("phone",))
    ]  # fmt: skip
    assert [m.reference for m in found[third]] == [second_ref]
    assert other not in found


def test_a_shared_name_alone_is_not_a_duplicate(store: Store) -> None:
    a, _ = _lead(store, "王芳", "wf1@example.org", answers={"age": "45"})
    b, _ = _lead(store, "王芳", "wf2@example.org", answers={"age": "61"})
    c, c_ref = _lead(store, " 王芳", "wf3@example.org", answers={"age": "61"})
    with store.read() as session:
        found = possible_duplicates(session, NCT)
    assert a not in found
    assert [(m.reference, m.shared) for m in found[b]] == [(c_ref, ("name_and_answers",))]


def test_other_studies_and_erased_leads_are_not_compared(store: Store) -> None:
    a, _ = _lead(store, "Per Lund", "per@example.org")
    _lead(store, "Per Lund", "per@example.org", study="NCT00000001")
    b, _ = _lead(store, "Per Lund", "per@example.org")
    with store.read() as session:
        assert [m.lead_id for m in possible_duplicates(session, NCT)[a]] == [b]
    with store.transaction() as session:
        lead_erasure.erase_lead(session, actor="coord", lead_id=b, reason="asked by phone", now=NOW)
    with store.read() as session:
        assert possible_duplicates(session) == {}
