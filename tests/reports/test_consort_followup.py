"""CONSORT after enrolment: the allocation, follow-up and analysis boxes counted from the
conduct records of a store with participants in every state (SQLite and PostgreSQL), as
of the site's day; every box adds up to its parent, the drawing never overlaps, and the
screening log's JSON and pages carry the new counts."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from trial.conduct_helpers import LATER, enrolled, inject, visit_on
from trial.screening_helpers import STUDY
from trialdesk.reports.consort import (
    SAFETY_SET,
    ConsortCounts,
    FollowUpCounts,
    ParticipantState,
    consort_layout,
    consort_of,
    consort_svg,
    follow_up_counts,
    follow_up_of,
)
from trialdesk.reports.consort.followup import DISCONTINUED_TERMS, NO_TERM, arm_of
from trialdesk.study.loader import load_study
from trialdesk.trial.conduct import disposition
from trialdesk.trial.conduct.disposition import EndTerm
from trialdesk.trial.conduct.participants import participant_or_404
from trialdesk.trial.screening import enrolment
from trialdesk.trial.store.db import Store
from trialdesk.web import create_app
from trialdesk.web.app import bundled_studies
from trialdesk.web.rooms.screening import log
from webclient import add_staff, client_as

from .test_consort import assert_geometry, assert_safe, desc, parse, visible_text

pytestmark = pytest.mark.usefixtures("cheap_argon2")

EYE_STUDY = load_study(str(Path(__file__).parents[1] / "data" / "studies" / "NCT09900001"))
DAY = date(2026, 9, 30)  # LATER's date: after every date below
P = ParticipantState


@pytest.fixture
def store(db_store: Store) -> Store:
    return db_store


def assert_adds_up(f: FollowUpCounts, states: list[ParticipantState]) -> None:
    """Every box's parts sum to its parent, and the parents are the participants'."""
    assert f.allocated == len(states)
    assert f.received == sum(s.received for s in states)
    assert f.allocated == f.received + f.not_received + f.awaiting
    assert f.received == f.completed + f.lost + f.discontinued + f.ongoing
    assert f.received == f.analysed + f.excluded_from_analysis
    assert [label for label, _ in f.discontinued_by_reason][:5] == [
        t.label for t in DISCONTINUED_TERMS
    ]
    assert all(n > 0 for _, n in f.not_received_by_reason)


def with_follow_up(f: FollowUpCounts, **changes: object) -> ConsortCounts:
    """Screening counts around ``f``: everyone allocated was enrolled."""
    counts = ConsortCounts(
        study_id="NCT06947746",
        assessed=f.allocated + 9,
        excluded_by_reason=(("I3 (inclusion not met)", 4),),
        declined=2,
        other_excluded=0,
        in_screening=3,
        enrolled=f.allocated,
        withdrawn_after_enrolment=0,
        target=15,
        follow_up=f,
    )
    return dataclasses.replace(counts, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------ counting, pure

MIX = [
    P(True, None, False),  # in follow-up
    P(True, None, False),
    P(True, "COMPLETED", False),
    P(True, "LOST TO FOLLOW-UP", False),
    P(True, "ADVERSE EVENT", False),
    P(True, "WITHDRAWAL BY SUBJECT", True),  # the disposition withdraws the enrolment too
    P(True, "DEATH", False),
    P(True, None, True),  # withdrawn in screening's terms only
    P(True, "PROTOCOL DEVIATION", False),  # a term this version does not know
    P(False, "PHYSICIAN DECISION", False),
    P(False, None, True),
    P(False, None, False),  # not injected yet, still taking part
]


def test_each_participant_is_counted_once_in_each_box() -> None:
    f = follow_up_counts(MIX, arm="hiSCs", as_of=DAY)
    assert_adds_up(f, MIX)
    assert (f.allocated, f.received, f.not_received, f.awaiting) == (12, 9, 2, 1)
    assert f.not_received_by_reason == (("Physician decision", 1), (NO_TERM, 1))
    assert (f.completed, f.lost, f.discontinued, f.ongoing) == (1, 1, 5, 2)
    assert f.discontinued_by_reason == (
        ("Adverse event", 1),
        ("Withdrawal by subject", 1),
        ("Physician decision", 0),
        ("Death", 1),
        ("Other", 0),
        ("Protocol deviation", 1),
        (NO_TERM, 1),
    )
    assert (f.analysed, f.excluded_from_analysis) == (9, 0)


def test_no_participants_gives_zeros_that_still_list_every_reason() -> None:
    f = follow_up_counts([], arm="hiSCs", as_of=DAY)
    assert_adds_up(f, [])
    assert f.not_received_by_reason == () and f.discontinued == 0
    shown = visible_text(parse(consort_svg(with_follow_up(f))))
    for text in ("Allocated to hiSCs (n=0)", "Death (n=0)", "Excluded from analysis (n=0)"):
        assert text in shown, text


def test_the_arm_is_the_records_single_arm_group() -> None:
    assert arm_of(STUDY) == "hiSCs"
    arms = STUDY.record.protocolSection.armsInterventionsModule
    assert arms is not None and arms.armGroups is not None
    two = arms.model_copy(update={"armGroups": arms.armGroups * 2})
    section = STUDY.record.protocolSection.model_copy(update={"armsInterventionsModule": two})
    record = STUDY.record.model_copy(update={"protocolSection": section})
    assert arm_of(dataclasses.replace(STUDY, record=record)) == "intervention"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"awaiting": 2}, r"allocated \(12\) != received \+ did not receive \+ awaiting \(13\)"),
        ({"ongoing": 1}, r"received \(9\) != completed \+ lost \+ discontinued \+ ongoing"),
        ({"analysed": 8}, r"received \(9\) != analysed \+ excluded from analysis \(8\)"),
        ({"lost": -1, "ongoing": 4}, "lost is negative"),
        ({"excluded_from_analysis_by_reason": (("x", -1),)}, "excluded from analysis for 'x'"),
    ],
)
def test_counts_that_do_not_add_up_are_refused(changes: dict[str, object], message: str) -> None:
    f = dataclasses.replace(follow_up_counts(MIX, arm="hiSCs", as_of=DAY), **changes)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        f.check("S")
    with pytest.raises(ValueError, match=message):
        consort_svg(with_follow_up(f))


def test_allocated_must_be_the_enrolled() -> None:
    f = follow_up_counts(MIX, arm="hiSCs", as_of=DAY)
    counts = with_follow_up(f, enrolled=11, assessed=20)
    with pytest.raises(ValueError, match=r"allocated \(12\) != enrolled \(11\)"):
        counts.check()


# ----------------------------------------------------------------- drawing


def test_the_diagram_shows_and_describes_every_box() -> None:
    counts = with_follow_up(follow_up_counts(MIX, arm="hiSCs", as_of=DAY))
    svg = consort_svg(counts)
    root = parse(svg)
    shown, said = visible_text(root), desc(root)
    for text in (
        "Enrolled (n=12 of target 15)",
        "Allocated to hiSCs (n=12)",
        "Received allocated intervention (study day 1 recorded) (n=9)",
        "Did not receive allocated intervention (n=2)",
        "Physician decision (n=1)",
        f"{NO_TERM} (n=1)",
        "Awaiting allocated intervention, still taking part (n=1)",
        "Follow-up of those who received it (n=9), as of 2026-09-30",
        "Completed follow-up (n=1)",
        "Lost to follow-up (n=1)",
        "Discontinued participation (n=5)",
        "Adverse event (n=1)",
        "Other (n=0)",
        "Still in follow-up on 2026-09-30 (n=2)",
        "Analysed (n=9)",
        SAFETY_SET,
        "Excluded from analysis (n=0)",
    ):
        assert text in shown, text
    assert "Withdrawn after enrolment" not in shown  # the boxes after enrolment say it
    for text in ("Allocated to hiSCs: 12", "did not receive it: 2 (Physician decision: 1;",
                 "as of 2026-09-30", "still in follow-up 2", "Analysed: 9.", "ICH E9"):  # fmt: skip
        assert text in said, text
    assert "CONSORT flow for study NCT06947746" in svg
    assert_safe(svg)
    assert_geometry(counts, consort_layout(counts), svg)


def test_follow_up_boxes_never_overlap_and_the_trunk_runs_through_them() -> None:
    counts = with_follow_up(follow_up_counts(MIX, arm="hiSCs", as_of=DAY))
    layout = consort_layout(counts)
    for a, b in itertools.combinations(layout.boxes, 2):
        apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
        apart_y = a.bottom <= b.y or b.bottom <= a.y
        assert apart_x or apart_y, (a.key, b.key)
    trunk = [layout.box(k) for k in ("enrolled", "allocation", "follow_up", "analysis")]
    down = layout.arrows[3:]
    assert len(down) == 3
    for arrow, (upper, lower) in zip(down, itertools.pairwise(trunk), strict=True):
        (x0, y0), (x1, y1) = arrow.points
        assert x0 == x1 and lower.x < x0 < lower.x + lower.width
        assert (y0, y1) == (upper.bottom, lower.y)


terms = st.sampled_from([t.value for t in EndTerm]) | st.text(max_size=120)
states = st.lists(
    st.builds(ParticipantState, st.booleans(), st.none() | terms, st.booleans()), max_size=40
)


@settings(max_examples=60, deadline=None)
@given(states, st.text(max_size=80))
def test_any_participants_add_up_and_draw_a_sound_diagram(
    mix: list[ParticipantState], arm: str
) -> None:
    f = follow_up_counts(mix, arm=arm, as_of=DAY)
    assert_adds_up(f, mix)
    counts = with_follow_up(f)
    svg = consort_svg(counts)
    assert_safe(svg)
    assert_geometry(counts, consort_layout(counts), svg)


# ------------------------------------------------------- from the store


@dataclass(frozen=True)
class Site:
    """Participants of NCT06947746, one in each state (enrolment ids)."""

    ongoing: int
    late: int  # injected on 2026-03-20
    completed: int
    lost: int
    adverse: int
    withdrew: int  # withdrawal by subject on 2026-04-01
    died: int
    left: int  # withdrawn on 2026-05-01 in screening's terms, no disposition term
    never_injected: int  # withdrawn on 2026-03-10, no disposition term
    not_treated: int  # physician decision on 2026-03-12, before any injection
    awaiting: int


def end(store: Store, pid: int, term: str, on: date, reason: str | None = None) -> None:
    with store.transaction() as session:
        disposition.end_participation(
            session, actor="coord", study=STUDY, enrolment_id=pid, term=term, ended_on=on,
            reason=reason, now=LATER,
        )  # fmt: skip


def withdraw(store: Store, pid: int, on: date) -> None:
    with store.transaction() as session:
        candidate = participant_or_404(session, pid).candidate.id
        enrolment.withdraw(
            session, actor="coord", candidate_id=candidate, expected_version=None,
            withdrawn_on=on, reason="moved away", now=LATER,
        )  # fmt: skip


@pytest.fixture
def site(store: Store) -> Site:
    _, ids = enrolled(store, 11)
    s = Site(*ids)
    for pid in (s.ongoing, s.completed, s.lost, s.adverse, s.withdrew, s.died, s.left):
        inject(store, pid)  # day 1 on 2026-03-16
    inject(store, s.late, administered_at="2026-03-20T09:00")
    visit_on(store, s.completed, "W24", date(2026, 9, 1))
    end(store, s.completed, "COMPLETED", date(2026, 9, 1))
    end(store, s.lost, "LOST TO FOLLOW-UP", date(2026, 6, 1))
    end(store, s.adverse, "ADVERSE EVENT", date(2026, 5, 10), "knee effusion")
    end(store, s.withdrew, "WITHDRAWAL BY SUBJECT", date(2026, 4, 1), "moved away")
    end(store, s.died, "DEATH", date(2026, 7, 1))
    withdraw(store, s.left, date(2026, 5, 1))
    withdraw(store, s.never_injected, date(2026, 3, 10))
    end(store, s.not_treated, "PHYSICIAN DECISION", date(2026, 3, 12), "flare needing steroids")
    return s


def boxes(f: FollowUpCounts) -> dict[str, object]:
    return {
        "allocation": (f.allocated, f.received, f.not_received_by_reason, f.awaiting),
        "follow_up": (f.completed, f.lost, dict(f.discontinued_by_reason), f.ongoing),
        "analysis": (f.analysed, f.excluded_from_analysis),
    }


def discontinued(found: dict[str, int]) -> dict[str, int]:
    """Every reason always listed: those not named are 0."""
    return {**{t.label: 0 for t in DISCONTINUED_TERMS}, **found}


def test_a_store_in_every_state_gives_boxes_that_add_up(store: Store, site: Site) -> None:
    with store.read() as session:
        counts = consort_of(session, STUDY, as_of=DAY)
    counts.check()
    f = counts.follow_up
    assert f is not None and f.arm == "hiSCs" and f.as_of == DAY
    assert (counts.assessed, counts.enrolled, counts.withdrawn_after_enrolment) == (11, 11, 3)
    assert boxes(f) == {
        "allocation": (11, 8, (("Physician decision", 1), (NO_TERM, 1)), 1),
        "follow_up": (
            1,
            1,
            discontinued({"Adverse event": 1, "Withdrawal by subject": 1, "Death": 1, NO_TERM: 1}),
            2,
        ),  # fmt: skip
        "analysis": (8, 0),
    }
    assert f.allocated == f.received + f.not_received + f.awaiting
    assert f.received == f.completed + f.lost + f.discontinued + f.ongoing
    assert f.received == f.analysed + f.excluded_from_analysis
    svg = consort_svg(counts)
    assert_geometry(counts, consort_layout(counts), svg)
    assert "knee effusion" not in svg and "moved away" not in svg  # free text stays out


def test_counts_are_as_of_the_sites_day(store: Store, site: Site) -> None:
    with store.read() as session:
        before, first, april = (
            follow_up_of(session, STUDY, as_of=day)
            for day in (date(2026, 3, 15), date(2026, 3, 18), date(2026, 4, 1))
        )
    assert before is not None and first is not None and april is not None
    # before any injection: only those who left are not awaiting it
    assert boxes(before) == {
        "allocation": (11, 0, (("Physician decision", 1), (NO_TERM, 1)), 9),
        "follow_up": (0, 0, discontinued({}), 0),
        "analysis": (0, 0),
    }
    # 18 March: seven injected on 16 March, the late one not yet
    assert boxes(first) == {
        "allocation": (11, 7, (("Physician decision", 1), (NO_TERM, 1)), 2),
        "follow_up": (0, 0, discontinued({}), 7),
        "analysis": (7, 0),
    }
    # 1 April: the withdrawal that day counts, every later end not yet
    assert boxes(april) == {
        "allocation": (11, 8, (("Physician decision", 1), (NO_TERM, 1)), 1),
        "follow_up": (0, 0, discontinued({"Withdrawal by subject": 1}), 7),
        "analysis": (8, 0),
    }


def test_a_study_with_no_schedule_keeps_the_enrolment_diagram(store: Store) -> None:
    assert EYE_STUDY.schedule is None
    with store.read() as session:
        counts = consort_of(session, EYE_STUDY)
        assert follow_up_of(session, EYE_STUDY) is None
    assert counts.follow_up is None
    svg = consort_svg(counts)
    assert [b.key for b in consort_layout(counts).boxes][-1] == "withdrawn"
    assert "Withdrawn after enrolment (n=0)" in visible_text(parse(svg))
    assert "CONSORT enrolment flow" in svg


@pytest.fixture
def coordinator(store: Store, site: Site) -> TestClient:
    add_staff(store)
    app = create_app(store, studies=bundled_studies(), secret_key=b"k" * 32)
    return client_as(app, "coordinator")


def test_the_screening_log_serves_the_new_counts_as_of_today_at_the_site(
    coordinator: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 17:00 UTC on 30 April is 01:00 on 1 May in Shanghai: the site's day is 1 May, when
    # the participant withdrawn that day has left follow-up
    monkeypatch.setattr(log, "now", lambda: datetime(2026, 4, 30, 17, 0, tzinfo=UTC))
    got = coordinator.get(f"/api/screening-log?study={STUDY.id}")
    assert got.status_code == 200, got.text
    consort = got.json()["consort"]
    for key in ("assessed", "excluded", "excluded_by_reason", "declined", "other_excluded",
                "in_screening", "enrolled", "withdrawn_after_enrolment", "target"):  # fmt: skip
        assert key in consort, key
    assert consort["follow_up"] == {
        "arm": "hiSCs",
        "as_of": "2026-05-01",
        "allocated": 11,
        "received": 8,
        "not_received": 2,
        "not_received_by_reason": [["Physician decision", 1], [NO_TERM, 1]],
        "awaiting": 1,
        "completed": 0,
        "lost_to_follow_up": 0,
        "discontinued": 2,
        "discontinued_by_reason": [
            ["Adverse event", 0],
            ["Withdrawal by subject", 1],
            ["Physician decision", 0],
            ["Death", 0],
            ["Other", 0],
            [NO_TERM, 1],
        ],
        "ongoing": 6,
        "analysed": 8,
        "analysis_set": SAFETY_SET,
        "excluded_from_analysis": 0,
        "excluded_from_analysis_by_reason": [],
    }
    svg = coordinator.get(f"/staff/screening-log/consort.svg?study={STUDY.id}")
    assert svg.status_code == 200
    assert "Still in follow-up on 2026-05-01 (n=6)" in visible_text(parse(svg.text))
    page = coordinator.get(f"/staff/screening-log?study={STUDY.id}")
    assert page.status_code == 200
    assert "Allocated to hiSCs: 11; received it: 8;" in page.text
    assert "still in follow-up 6. Analysed (safety set): 8" in page.text
