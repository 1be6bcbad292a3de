"""Stopping rules (safety.yaml): evaluated on every write of an adverse event, they trip on
exactly the write that meets them; enrolment and the injection are then refused with the
rule named, until an investigator signs a safety-review decision that resumes the study.
Two writes at once neither both miss a rule nor both pause the study (they are serialised
per study, stopping.py). Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from trialdesk.errors import ConflictError, ForbiddenError, InputError
from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.safety import events
from trialdesk.trial.safety.causality import Signing
from trialdesk.trial.safety.models import AdverseEvent, SafetyReview
from trialdesk.trial.screening import enrolment
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.holds import StudyPaused, is_paused
from trialdesk.trial.store.models import AuditRecord

from .conduct_helpers import INJECTION, enrolled, inject, save
from .helpers import NOW, PASSWORD, audit_rows
from .screening_helpers import STUDY, TODAY, eligible_candidates
from .test_safety_helpers import (
    RELATED,
    UNRELATED,
    WHEN,
    assess,
    given,
    holds_of,
    investigator,
    record,
    resume,
    update,
    user,
    written,
)

# Injection site reaction: a term with grades 1 to 5 (Joint effusion stops at grade 3)
GRADE_3 = {"term": "Injection site reaction", "grade": 3, "end": None,
           "outcome": "RECOVERING/RESOLVING"}  # fmt: skip
RULE_3_IN_2 = "related_grade_3_in_2"


def injected(store: Store, n: int) -> tuple[int, list[int]]:
    investigator_id, pids = enrolled(store, n)
    for pid in pids:
        inject(store, pid)
    return investigator_id, pids


def enrol_one(store: Store, cid: int) -> int:
    with store.transaction() as session:
        return enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=cid, expected_version=None,
            today=TODAY, now=NOW,
        ).id  # fmt: skip


def test_the_rule_trips_on_exactly_the_second_participants_related_grade_3(
    store: Store,
) -> None:
    _, (a, b) = injected(store, 2)
    ivy = investigator(store)
    first = record(store, a, **GRADE_3).event
    assert assess(store, a, first, ivy).paused is None  # one participant: not yet
    again = record(store, a, causality=RELATED, signer=ivy, **GRADE_3)
    assert again.paused is None  # the same participant again: still one
    second = record(store, b, **GRADE_3)
    assert second.paused is None  # not assessed: not related
    assert assess(store, b, second.event, ivy, UNRELATED).paused is None
    tripped = assess(store, b, second.event, ivy)  # this assessment meets the rule
    hold = tripped.paused
    assert hold is not None and hold.rule == RULE_3_IN_2
    assert hold.reason == (
        "stopping rule related_grade_3_in_2 (Related grade 3 or higher adverse events in 2 or "
        "more participants) is met by 01-001 AE 1, 01-001 AE 2, 01-002 AE 1"
    )
    assert hold.details == {
        "event": second.event.id, "written": "01-002 AE 1",
        "rules": {RULE_3_IN_2: [first.id, again.event.id, second.event.id]},
    }  # fmt: skip
    assert [h.id for h in holds_of(store)] == [hold.id]
    pauses = [r for r in audit_rows(store) if r.action == "pause"]
    assert [(p.entity, p.actor) for p in pauses] == [("study_hold", "ivy")]
    # further writes while paused: no second hold
    assert record(store, a, causality=RELATED, signer=ivy, **GRADE_3).paused is None
    assert len(holds_of(store)) == 1
    with store.read() as session:
        assert audit.verify(session).ok


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({**GRADE_3, "grade": 4, "seriousness": ("life_threatening",)}, "related_grade_4_or_5"),
        ({"term": "Joint infection", "grade": 2}, "related_joint_infection"),
    ],
)  # fmt: skip
def test_one_participant_trips_the_rules_that_need_one(
    store: Store, changes: dict[str, object], rule: str
) -> None:
    _, (pid,) = injected(store, 1)
    hold = record(store, pid, causality=RELATED, signer=investigator(store), **changes).paused
    assert hold is not None and hold.rule == rule


def test_paused_enrolment_and_injection_are_refused_naming_the_rule(store: Store) -> None:
    investigator_id, (a, b, waiting) = enrolled(store, 3)
    inject(store, a)
    inject(store, b)
    ivy = investigator(store)
    record(store, a, causality=RELATED, signer=ivy, **GRADE_3)
    assert record(store, b, causality=RELATED, signer=ivy, **GRADE_3).paused is not None

    (candidate,) = eligible_candidates(store, investigator_id, 1, start=4)
    before = written(store)
    with pytest.raises(StudyPaused) as no_enrolment:
        enrol_one(store, candidate)
    assert no_enrolment.value.field == "enrol"
    assert str(no_enrolment.value).startswith("field enrol: enrolment is paused: stopping rule "
                                              "related_grade_3_in_2 (Related grade 3")  # fmt: skip
    assert "a signed safety-review decision resumes the study" in str(no_enrolment.value)
    with pytest.raises(StudyPaused) as no_injection:
        inject(store, waiting)
    assert no_injection.value.field == "administered_at"
    assert "the injection is paused: stopping rule related_grade_3_in_2" in str(no_injection.value)
    assert written(store) == before
    with store.read() as session:
        assert participant_or_404(session, waiting).day1(STUDY) is None
        assert enrolment.places(session, STUDY)[0] == 3  # the refused enrolment took no place
    # correcting a day 1 already set is not an injection: allowed while paused
    first = _injection_version(store, a)
    save(store, a, "injection", {**INJECTION, "administered_at": "2026-03-16T11:30"},
         visit="D1", version=first, reason="transcription error")  # fmt: skip


def _injection_version(store: Store, pid: int) -> int:
    with store.read() as session:
        return session.scalars(
            select(FormRecord.version).where(
                FormRecord.enrolment_id == pid, FormRecord.form_id == "injection"
            )
        ).one()


def test_a_signed_safety_review_resumes_and_everything_stays_on_record(store: Store) -> None:
    investigator_id, (a, b, waiting) = enrolled(store, 3)
    inject(store, a)
    inject(store, b)
    ivy = investigator(store)
    record(store, a, causality=RELATED, signer=ivy, **GRADE_3)
    hold = record(store, b, causality=RELATED, signer=ivy, **GRADE_3).paused
    assert hold is not None

    with pytest.raises(ForbiddenError):
        resume(store, user(store, "carla"))
    with pytest.raises(InputError, match="write the safety review's decision"):
        resume(store, ivy, decision="  ")
    with pytest.raises(ConflictError):
        resume(store, ivy, expected_hold=hold.id + 1)
    review = resume(store, ivy, decision="Both events reviewed with the sponsor: resume.",
                    expected_hold=hold.id)  # fmt: skip
    assert review.reviewed == {RULE_3_IN_2: sorted(review.reviewed[RULE_3_IN_2])}
    assert review.signature.meaning == "safety review decision"
    assert review.signature.content["reviewed"] == {RULE_3_IN_2: ["01-001 AE 1", "01-002 AE 1"]}
    (kept,) = holds_of(store)
    assert not kept.active and kept.release_reason == review.decision
    assert kept.released_by == "ivy"
    with pytest.raises(ConflictError, match="not paused"):
        resume(store, ivy)

    inject(store, waiting)  # the injection and enrolment go on
    enrol_one(store, eligible_candidates(store, investigator_id, 1, start=4)[0])
    actions = [r.action for r in audit_rows(store)]
    assert actions.count("pause") == 1 and actions.count("resume") == 1
    with store.read() as session:
        assert is_paused(session, STUDY.id) is None
        assert session.scalars(select(SafetyReview)).one().hold_id == hold.id
        assert audit.verify(session).ok


def test_after_a_review_only_an_event_it_did_not_see_pauses_again(store: Store) -> None:
    _, (a, b, c) = injected(store, 3)
    ivy = investigator(store)
    first = record(store, a, causality=RELATED, signer=ivy, **GRADE_3).event
    record(store, b, causality=RELATED, signer=ivy, **GRADE_3)
    resume(store, ivy)
    # a write of an event the review saw, still meeting the same rule: no new pause
    assert update(store, a, first, verbatim="knee effusion, aspirated").paused is None
    # the same event, now grade 4: a rule the review did not judge it under
    worse = update(store, a, events_after(store, a, first), **{**GRADE_3, "grade": 4})
    assert worse.paused is not None and worse.paused.rule == "related_grade_4_or_5"
    resume(store, ivy)
    # a third participant's related grade 3: an event no review saw
    third = record(store, c, causality=RELATED, signer=ivy, **GRADE_3)
    assert third.paused is not None and third.paused.rule == RULE_3_IN_2
    assert len(holds_of(store)) == 3


def events_after(store: Store, pid: int, event: AdverseEvent) -> AdverseEvent:
    with store.read() as session:
        found = session.get(AdverseEvent, event.id)
        assert found is not None and found.enrolment_id == pid
        return found


def test_an_assessment_that_lapsed_still_counts_until_the_investigator_reassesses(
    store: Store,
) -> None:
    _, (pid,) = injected(store, 1)
    ivy = investigator(store)
    event = record(store, pid, causality=RELATED, signer=ivy, **{**GRADE_3, "grade": 2}).event
    worse = update(store, pid, event, **{**GRADE_3, "grade": 4})  # lapses the assessment
    assert worse.paused is not None and worse.paused.rule == "related_grade_4_or_5"


RACERS = 4


def test_concurrent_writes_neither_both_miss_the_rule_nor_pause_twice(
    store: Store, db_url: str
) -> None:
    _, pids = injected(store, RACERS)
    ivy = investigator(store)
    barrier = threading.Barrier(RACERS, timeout=60)

    def attempt(pid: int) -> tuple[int, int | None]:
        # Each thread has its own engine, as separate server processes would, connected
        # before the barrier so the writes meet at the database.
        own = open_store(db_url, migrate=False)
        try:
            with own.read() as session:
                session.scalar(select(AdverseEvent.id).limit(1))
            barrier.wait()
            with own.transaction() as session:
                done = events.record_adverse_event(
                    session, actor="ivy", study=STUDY, enrolment_id=pid,
                    given=given(**GRADE_3), now=WHEN, causality=RELATED,
                    signing=Signing(ivy, PASSWORD),
                )  # fmt: skip
                return done.event.id, done.paused.id if done.paused else None
        finally:
            own.close()

    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        outcomes = list(pool.map(attempt, pids))

    placed = [hold for _, hold in outcomes if hold is not None]
    assert len(placed) == 1, outcomes  # the second write to commit placed it, once
    (hold,) = holds_of(store)
    assert hold.id == placed[0]
    counted = hold.details["rules"][RULE_3_IN_2]
    assert len(counted) == 2  # the two events committed by then: no write missed another
    assert hold.details["event"] in counted
    with store.read() as session:
        assert len(session.scalars(select(AdverseEvent)).all()) == RACERS
        assert audit.verify(session).ok
        assert session.scalars(select(AuditRecord).where(AuditRecord.action == "pause")).one()
