"""CONSORT once the target enrolment is reached (walkthrough D27): eligible candidates who
cannot be enrolled are "eligible, not enrolled (target reached)" under "Other reasons",
the rest of those still in screening "screening stopped (target reached)", and "Other
reasons" counts them; the diagram, its description and the log's JSON say so."""

from __future__ import annotations

from datetime import date

import pytest

from trial.screening_helpers import NOW, STUDY, TODAY, eligible_candidates, prepare_study
from trialdesk.reports.consort import consort_layout, consort_of, consort_svg, describe
from trialdesk.reports.consort.counts import (
    ELIGIBLE_TARGET_REACHED,
    STOPPED_TARGET_REACHED,
    consort_counts,
)
from trialdesk.study.loader import Study
from trialdesk.trial.screening import enrolment
from trialdesk.trial.screening.candidates import NewCandidate, add_candidate
from trialdesk.trial.screening.screening_log import LogRow
from trialdesk.trial.store.db import Store

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def row(cid: int, outcome: str, failed: tuple[str, ...] = ()) -> LogRow:
    return LogRow(
        candidate_id=cid, name=f"P{cid}", record_number=None, source="form",
        added_on=date(2026, 3, 1), dates={}, consented_on=None, outcome=outcome,
        outcome_on=None, reasons="", failed_criteria=failed, subject_number=None,
    )  # fmt: skip


@pytest.fixture
def target_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Study, "target_enrollment", property(lambda self: 2))


@pytest.mark.usefixtures("target_two")
def test_when_full_those_in_screening_are_other_reasons_by_verdict() -> None:
    rows = [row(1, "enrolled"), row(2, "withdrawn"), row(3, "screening"), row(4, "screening"),
            row(5, "screening"), row(6, "screen_failed", ("E10",)), row(7, "declined")]  # fmt: skip
    counts = consort_counts(rows, STUDY, {3: "eligible", 4: "incomplete", 5: "eligible"})
    assert counts.in_screening == 0
    assert counts.other_excluded == 3
    assert counts.other_by_reason == ((ELIGIBLE_TARGET_REACHED, 2), (STOPPED_TARGET_REACHED, 1))
    assert counts.excluded == 5  # E10, declined and the three turned away
    svg = consort_svg(counts)
    assert "Eligible, not enrolled (target reached)" in svg and "(n=2)" in svg
    assert "other reasons: 3 (Eligible, not enrolled (target reached): 2; Screening stopped" in (
        describe(counts)
    )
    excluded = consort_layout(counts).box("excluded")
    assert any("Other reasons" in line.text for line in excluded.lines)


@pytest.mark.usefixtures("target_two")
def test_before_the_target_they_are_still_in_screening() -> None:
    counts = consort_counts([row(1, "enrolled"), row(3, "screening")], STUDY, {3: "eligible"})
    assert (counts.in_screening, counts.other_excluded, counts.other_by_reason) == (1, 0, ())


def test_other_reasons_must_add_up() -> None:
    counts = consort_counts([row(1, "screening")], STUDY)
    with pytest.raises(ValueError, match="do not add up"):
        type(counts)(**{**counts.__dict__, "other_excluded": 1,
                        "other_by_reason": ((STOPPED_TARGET_REACHED, 2),)}).check()  # fmt: skip


def test_a_full_store_judges_who_is_still_waiting(
    db_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One place, three eligible and consented candidates and one added by name only: one
    is enrolled, two eligible are turned away, the one without a record stops."""
    monkeypatch.setattr(Study, "target_enrollment", property(lambda self: 1))
    investigator = prepare_study(db_store)
    first, *_ = eligible_candidates(db_store, investigator, 3)
    with db_store.transaction() as session:
        enrolment.enrol(
            session, actor="coord", study=STUDY, candidate_id=first, expected_version=None,
            today=TODAY, now=NOW,
        )  # fmt: skip
        add_candidate(
            session, actor="coord", study_id=STUDY.id, person=NewCandidate(name="Name Only"),
            now=NOW,
        )  # fmt: skip
    with db_store.read() as session:
        counts = consort_of(session, STUDY, TODAY)
    assert counts.enrolled == 1 and counts.in_screening == 0
    assert counts.other_by_reason == ((ELIGIBLE_TARGET_REACHED, 2), (STOPPED_TARGET_REACHED, 1))
