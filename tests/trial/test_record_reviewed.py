"""The coordinator's attestation "the full clinical record was reviewed": an entered row of
the reserved concept ``clinical_record_reviewed`` that closes history over what was
entered by hand (trial/screening/checklist.py ``record_of``; docs/criteria.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from trialdesk.criteria.screening import Status
from trialdesk.errors import FieldErrors, InputError
from trialdesk.trial.screening import candidates as cands
from trialdesk.trial.screening.checklist import Checklist, build_checklist
from trialdesk.trial.screening.entry_concepts import ATTESTATION, entry_concepts
from trialdesk.trial.screening.fact_entry import FactEntry, check_entry, to_fact
from trialdesk.trial.screening.facts import add_fact, add_facts, retract_fact
from trialdesk.trial.screening.trail import candidate_trail
from trialdesk.trial.store.db import Store

from .screening_helpers import STUDY, TODAY

HISTORY = ("I3", "I5", "E1", "E8", "E16")
CHART = "Changzheng Hospital HIS chart, inpatient and outpatient"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 17:00 at the site on TODAY


def _by_name(store: Store) -> int:
    person = cands.NewCandidate(name="Li Na", birth_date=date(1970, 1, 5), sex="female")
    with store.transaction() as session:
        return cands.add_candidate(
            session, actor="coord", study_id=STUDY.id, person=person, now=NOW
        ).id


def _enter(store: Store, cid: int, entry: FactEntry) -> int:
    with store.transaction() as session:
        return add_fact(
            session, actor="coord", study=STUDY, candidate_id=cid, entry=entry, now=NOW
        ).id


def _checklist(store: Store, cid: int) -> Checklist:
    with store.read() as session:
        return build_checklist(session, STUDY, cands.candidate_or_404(session, cid), TODAY)


def _history(checklist: Checklist) -> dict[str, Status]:
    found = {c.criterion.id: c.status for c in checklist.result.criteria}
    return {c: found[c] for c in HISTORY}


def _alt(store: Store, cid: int) -> int:
    return _enter(
        store, cid, FactEntry("alt", TODAY, value="30", unit="U/L", source_document="Lab")
    )


def _attest(store: Store, cid: int) -> int:
    return _enter(store, cid, FactEntry(ATTESTATION.name, TODAY, source_document=CHART))


def test_an_entered_alt_alone_leaves_history_unknown_and_says_how_to_close_it(
    store: Store,
) -> None:
    cid = _by_name(store)
    _alt(store, cid)
    checklist = _checklist(store, cid)
    assert _history(checklist) == dict.fromkeys(HISTORY, Status.UNKNOWN)
    e1 = next(c for c in checklist.result.criteria if c.criterion.id == "E1")
    assert any("uploaded" in m and "attested" in m for m in e1.missing)


def test_the_attestation_closes_history_and_retracting_it_reopens_it(store: Store) -> None:
    cid = _by_name(store)
    _alt(store, cid)
    attestation = _attest(store, cid)
    checklist = _checklist(store, cid)
    # no malignancy entered: none (closed world over the reviewed record)
    assert _history(checklist)["E1"] is Status.NOT_MET
    assert Status.UNKNOWN not in _history(checklist).values()
    assert checklist.record.clinical_record is True
    # the attestation is no clinical fact: only the ALT is on the record
    entered = [f.resource for f in checklist.record.facts if f.resource.startswith("Entered")]
    assert entered == [f"EnteredFact/{attestation - 1}"]
    assert [r.concept for r in checklist.entered] == [ATTESTATION.name, "alt"]
    with store.transaction() as session:
        retract_fact(
            session, actor="coord", fact_id=attestation, reason="inpatient notes not seen", now=NOW
        )
    reopened = _checklist(store, cid)
    assert _history(reopened) == dict.fromkeys(HISTORY, Status.UNKNOWN)
    assert reopened.record.clinical_record is False


def test_the_audit_trail_holds_the_attestation_and_its_retraction(store: Store) -> None:
    cid = _by_name(store)
    attestation = _attest(store, cid)
    with store.transaction() as session:
        retract_fact(session, actor="pi", fact_id=attestation, reason="wrong patient", now=NOW)
    with store.read() as session:
        trail = candidate_trail(session, cid)
    mine = [t for t in trail if t.entity == "entered_fact" and t.entity_id == str(attestation)]
    assert [(t.action, t.actor) for t in mine] == [("create", "coord"), ("retract", "pi")]
    assert mine[0].changes["concept"][1] == ATTESTATION.name
    assert mine[0].changes["source_document"][1] == CHART
    assert mine[1].reason == "wrong patient"


def test_a_future_review_date_is_refused(store: Store) -> None:
    cid = _by_name(store)
    with pytest.raises(InputError, match="future") as caught:
        _enter(store, cid, FactEntry(ATTESTATION.name, date(2026, 3, 3), source_document=CHART))
    assert caught.value.field == "on"


def test_every_wrong_field_of_an_attestation_is_refused_at_once() -> None:
    entry = FactEntry(ATTESTATION.name, date(2026, 3, 3), value="yes", source_document=" ")
    with pytest.raises(FieldErrors) as caught:
        check_entry(STUDY, entry, today=TODAY)
    assert set(caught.value.by_field) == {"value", "on", "source_document"}


def test_an_attestation_in_a_batch_is_checked_like_the_rest(store: Store) -> None:
    cid = _by_name(store)
    entries = [
        FactEntry(ATTESTATION.name, TODAY, unit="U/L", source_document=""),
        FactEntry("alt", TODAY, value="30", unit="U/L", source_document="Lab"),
    ]
    with pytest.raises(FieldErrors) as caught, store.transaction() as session:
        add_facts(session, actor="coord", study=STUDY, candidate_id=cid, entries=entries, now=NOW)
    assert {(e.resource, e.field) for e in caught.value.errors} == {
        (f"entry 1 ({ATTESTATION.name})", "unit"),
        (f"entry 1 ({ATTESTATION.name})", "source_document"),
    }


def test_the_attestation_is_offered_and_is_no_fact() -> None:
    offered = entry_concepts(STUDY)
    assert offered[0] == ATTESTATION  # its own kind, sorted first
    assert check_entry(STUDY, FactEntry(ATTESTATION.name, TODAY, source_document=CHART),
                       today=TODAY) is None  # fmt: skip
    with pytest.raises(InputError) as caught:
        to_fact(STUDY, FactEntry(ATTESTATION.name, TODAY, source_document=CHART),
                resource="EnteredFact/1", today=TODAY)  # fmt: skip
    assert caught.value.field == "concept"
