"""A lapsed eligibility signature stays lapsed, and says why (walkthrough D11)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening import facts
from trialdesk.trial.screening.checklist import build_checklist
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.screening.lapses import Change
from trialdesk.trial.screening.models import EnteredFact
from trialdesk.trial.store.db import Store

from .helpers import NOW
from .screening_helpers import STUDY, TODAY, eligible_candidates, prepare_study


def alt(value: str = "30") -> FactEntry:
    on = date(2026, 3, 1)
    return FactEntry(concept="alt", on=on, value=value, unit="U/L", source_document="lab")


def add(store: Store, cid: int, entry: FactEntry, at: datetime, actor: str) -> EnteredFact:
    with store.transaction() as session:
        return facts.add_fact(
            session, actor=actor, study=STUDY, candidate_id=cid, entry=entry, now=at
        )


def retract(store: Store, fact_id: int, at: datetime) -> None:
    with store.transaction() as session:
        facts.retract_fact(session, actor="coord2", fact_id=fact_id, reason="wrong", now=at)


def checklist(store: Store, cid: int) -> Any:
    with store.read() as session:
        return build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)


def test_a_retraction_does_not_revive_a_lapsed_signature_and_the_cause_is_named(
    store: Store,
) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    added_at = NOW + timedelta(hours=1)
    fact = add(store, cid, alt(), added_at, actor="carol")
    retract(store, fact.id, NOW + timedelta(hours=2))
    after = checklist(store, cid)
    e2 = after.judgments["E2"][0]
    # the record is again what E2 was signed on: still lapsed, and the cause kept
    assert e2.current is False
    assert e2.lapse is not None
    assert (e2.lapse.change, e2.lapse.by, e2.lapse.at) == (Change.ADDED, "carol", added_at)
    assert e2.lapse.fact_id == fact.id
    assert e2.lapse.what == "alt 30 U/L (2026-03-01)"
    assert {r.criterion.id: r.status.value for r in after.result.criteria}["E2"] == ("needs_review")
    assert after.result.verdict.value != "eligible"
    # I4 relies on its own evidence (WOMAC, ultrasound), which an ALT never touched
    i4 = after.judgments["I4"][0]
    assert (i4.current, i4.lapse) == (True, None)


def test_a_signature_with_no_change_after_it_has_no_lapse(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    now = checklist(store, cid)
    assert all(v[0].current and v[0].lapse is None for v in now.judgments.values())
    assert now.result.verdict.value == "eligible"


def test_retracting_a_fact_the_signature_saw_lapses_it_as_retracted(store: Store) -> None:
    investigator = prepare_study(store)
    [cid] = eligible_candidates(store, investigator, 1)
    # an ALT entered before the signatures: re-sign on the record that holds it
    fact = add(store, cid, alt("31"), NOW - timedelta(minutes=5), actor="carol")
    with store.read() as session:
        row = session.get(EnteredFact, fact.id)
        assert row is not None
    from .screening_helpers import sign_all

    sign_all(store, investigator, cid, {"E2": "not_met"})
    # sign_all signs at NOW, after the entry: E2 holds
    assert checklist(store, cid).judgments["E2"][0].current is True
    gone_at = NOW + timedelta(hours=3)
    retract(store, fact.id, gone_at)
    e2 = checklist(store, cid).judgments["E2"][0]
    assert e2.current is False and e2.lapse is not None
    assert (e2.lapse.change, e2.lapse.by, e2.lapse.at) == (Change.RETRACTED, "coord2", gone_at)
