"""Causality and expectedness: the investigator's to decide and sign with the signature
service; a coordinator is refused and nothing is stored; a later change to what the
assessment relied on (term, onset, grade, seriousness) lapses it visibly, and it stays
on record. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from trialdesk.errors import FieldErrors, ForbiddenError, InputError
from trialdesk.trial.accounts.models import Signature
from trialdesk.trial.accounts.signatures import SignatureRefused
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety.causality import (
    CausalityInput,
    CausalityState,
    CausalityValues,
    causality_state,
)
from trialdesk.trial.safety.models import AdverseEvent, CausalityAssessment
from trialdesk.trial.safety.terms import Relationship
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store

from .conduct_helpers import enrolled, inject
from .helpers import audit_rows, count
from .test_safety_helpers import (
    RELATED,
    UNRELATED,
    assess,
    investigator,
    record,
    update,
    user,
    written,
)


def state(store: Store, pid: int, event: AdverseEvent) -> CausalityState:
    with store.read() as session:
        return causality_state(session, participant_or_404(session, pid), event)


@pytest.fixture
def injected(store: Store) -> int:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    return pid


def test_the_investigator_signs_the_assessment_with_what_it_relied_on(
    store: Store, injected: int
) -> None:
    event = record(store, injected).event
    assert state(store, injected, event).assessment is None
    assess(store, injected, event, investigator(store))
    now = state(store, injected, event)
    assert now.current and not now.lapsed
    assert now.values is not None and now.values.related
    signature = now.assessment.signature if now.assessment else None
    assert signature is not None and signature.meaning == "causality assessment"
    assert signature.signer == "ivy" and signature.subject == (
        "participant 01-001, adverse event 1"
    )
    assert signature.content == {
        "participant": "01-001", "event": 1, "term": "Joint effusion", "onset": "2026-03-18",
        "grade": 2, "seriousness": [], "relationship_product": "possible",
        "relationship_procedure": "probable", "expected": False,
    }  # fmt: skip
    actions = [(r.action, r.entity) for r in audit_rows(store)[-2:]]
    assert actions == [("sign", "signature"), ("create", "causality_assessment")]
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_coordinator_cannot_enter_a_relationship(store: Store, injected: int) -> None:
    event = record(store, injected).event
    coordinator = user(store, "carla")
    before = written(store) | {"signature": count(store, Signature)}
    with pytest.raises(ForbiddenError) as refused:
        assess(store, injected, event, coordinator)
    assert refused.value.field == "user"
    assert "a coordinator cannot give a signature of causality assessment" in str(refused.value)
    # nor with the event, in one act: the event is not stored either
    with pytest.raises(ForbiddenError):
        record(store, injected, causality=RELATED, signer=coordinator)
    assert written(store) | {"signature": count(store, Signature)} == before
    with store.read() as session:
        assert audit.verify(session).ok


def test_a_wrong_password_signs_nothing(store: Store, injected: int) -> None:
    event = record(store, injected).event
    before = written(store)
    with pytest.raises(SignatureRefused):
        assess(store, injected, event, investigator(store), password="not it")
    assert written(store) == before


def test_a_change_to_what_it_relied_on_lapses_it_and_it_stays_on_record(
    store: Store, injected: int
) -> None:
    ivy = investigator(store)
    event = record(store, injected).event
    assess(store, injected, event, ivy)
    event = update(store, injected, event, end="2026-03-26", verbatim="swollen knee").event
    assert state(store, injected, event).current  # not what the assessment relied on
    for change in ({"grade": 3}, {"onset": "2026-03-17"}, {"term": "Arthritis"},
                   {"seriousness": ("medically_important",)}):  # fmt: skip
        event = update(store, injected, event, **change).event
        lapsed = state(store, injected, event)
        assert lapsed.lapsed and not lapsed.current, change
        assess(store, injected, event, ivy)  # assessed again: current again
        assert state(store, injected, event).current
    with store.read() as session:
        assert count(store, CausalityAssessment) == 5  # none deleted
        assert audit.verify(session).ok


def test_an_assessment_already_current_is_not_signed_again(store: Store, injected: int) -> None:
    ivy = investigator(store)
    event = record(store, injected).event
    assess(store, injected, event, ivy)
    with pytest.raises(InputError, match="assessed so already"):
        assess(store, injected, event, ivy)
    assess(store, injected, event, ivy, UNRELATED)  # a changed mind is a new assessment
    changed = state(store, injected, event)
    assert changed.current and changed.values == CausalityValues(
        Relationship.UNRELATED, Relationship.UNLIKELY, True
    )
    assert changed.values is not None and not changed.values.related


def test_the_assessment_is_checked_whole(store: Store, injected: int) -> None:
    event = record(store, injected).event
    before = written(store)
    with pytest.raises(FieldErrors) as refused:
        assess(store, injected, event, investigator(store),
               CausalityInput(product="maybe", procedure=None, expected=None))  # fmt: skip
    assert set(refused.value.by_field) == {
        "relationship_product", "relationship_procedure", "expected",
    }  # fmt: skip
    assert (
        "unrelated, unlikely, possible, probable, definite"
        in (refused.value.by_field["relationship_product"][0])
    )
    assert written(store) == before


def test_an_event_before_the_injection_cannot_be_related_to_it(store: Store) -> None:
    _, (pid,) = enrolled(store)
    event = record(store, pid, onset="2026-03-05", end="2026-03-06").event
    with pytest.raises(FieldErrors) as refused:
        assess(store, pid, event, investigator(store))
    fields = refused.value.by_field
    assert "not treatment-emergent (no injection yet" in fields["relationship_product"][0]
    assert "the procedure cannot have caused it" in fields["relationship_procedure"][0]
    assess(store, pid, event, investigator(store), UNRELATED)


def test_the_investigator_records_and_signs_in_one_act_every_error_at_once(
    store: Store, injected: int
) -> None:
    ivy = investigator(store)
    before = written(store)
    with pytest.raises(FieldErrors) as refused:
        record(store, injected, causality=CausalityInput("possible", "sure", True), signer=ivy,
               end="2026-03-01")  # fmt: skip
    assert set(refused.value.by_field) == {"end", "relationship_procedure"}
    assert written(store) == before
    written_now = record(store, injected, causality=RELATED, signer=ivy)
    assert written_now.event.recorded_by == "ivy"
    assert state(store, injected, written_now.event).current
