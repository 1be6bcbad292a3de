"""ISO 8601 partial dates compared as the ranges they are, and treatment-emergent derived
from them: a rule that refuses refuses only what is certainly wrong, a rule that must not
miss an event never misses one, whatever part of the date is unknown."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.trial.safety.emergent import treatment_emergent
from trialdesk.trial.safety.partial_dates import PartialDate

DAY1 = date(2026, 3, 16)
days = st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31))
precision = st.sampled_from(["year", "month", "day"])


def cut(day: date, kept: str) -> PartialDate:
    """``day`` with only ``kept`` and what is left of it known."""
    if kept == "year":
        return PartialDate(day.year)
    if kept == "month":
        return PartialDate(day.year, day.month)
    return PartialDate.of(day)


@given(days, precision)
def test_a_partial_date_is_the_range_of_the_days_it_may_be(day: date, kept: str) -> None:
    p = cut(day, kept)
    assert p.earliest <= day <= p.latest
    assert PartialDate.parse(p.isoformat()) == p
    assert p.complete is (kept == "day")
    assert not p.certainly_before(p) and not p.certainly_after(p)


@given(days, precision, days, precision)
def test_certainly_before_is_never_wrong_and_exact_for_whole_dates(
    a: date, kept_a: str, b: date, kept_b: str
) -> None:
    pa, pb = cut(a, kept_a), cut(b, kept_b)
    if pa.certainly_before(pb):  # sound: whatever the unknown parts are, a is before b
        assert a < b
        assert pb.certainly_after(pa)
    assert PartialDate.of(a).certainly_before(PartialDate.of(b)) is (a < b)
    assert PartialDate.of(a).certainly_before(b) is (a < b)
    # neither certainly before nor after: the ranges share a day
    if not pa.certainly_before(pb) and not pa.certainly_after(pb):
        assert max(pa.earliest, pb.earliest) <= min(pa.latest, pb.latest)


@given(days, precision, days)
def test_may_be_on_or_after_never_misses(onset: date, kept: str, day1: date) -> None:
    p = cut(onset, kept)
    if onset >= day1:
        assert p.may_be_on_or_after(day1)
    assert p.may_be_on_or_after(day1) is (p.latest >= day1)


@given(days, precision)
def test_an_event_on_or_after_day_1_is_always_treatment_emergent(onset: date, kept: str) -> None:
    found = treatment_emergent(cut(onset, kept), DAY1, grade=2)
    if onset >= DAY1:
        assert found.emergent
    if not found.emergent:
        assert cut(onset, kept).latest < DAY1


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2026-03", date(2026, 3, 1), date(2026, 3, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # a leap year's February
        ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
        (" 2026-03-16 ", date(2026, 3, 16), date(2026, 3, 16)),
    ],
)
def test_the_forms_iso_8601_allows(text: str, earliest: date, latest: date) -> None:
    p = PartialDate.parse(text)
    assert (p.earliest, p.latest) == (earliest, latest)
    assert str(p) == text.strip()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-13", "month 13"),
        ("2026-02-30", "no day 30"),
        ("2025-02-29", "no day 29"),
        ("26-03-16", "YYYY-MM-DD"),
        ("2026/03/16", "YYYY-MM-DD"),
        ("2026-3-16", "YYYY-MM-DD"),
        ("2026-03-16T10:30", "YYYY-MM-DD"),
        ("--03-16", "YYYY-MM-DD"),
        ("0000", "outside"),
        ("", "YYYY-MM-DD"),
    ],
)
def test_what_is_not_a_partial_date(text: str, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    ("onset", "emergent", "why"),
    [
        ("2026-03-15", False, "began before day 1"),
        ("2026-03-16", True, "began on or after day 1"),  # day 1 itself: dates, not times
        ("2026-04-02", True, "began on or after day 1"),
        ("2026-03", True, "may be on or after day 1"),  # the month of the injection
        ("2026", True, "may be on or after day 1"),
        ("2026-02", False, "began before day 1"),
        ("2025", False, "began before day 1"),
    ],
)
def test_treatment_emergent_from_the_onset(onset: str, emergent: bool, why: str) -> None:
    found = treatment_emergent(PartialDate.parse(onset), DAY1, grade=2)
    assert found.emergent is emergent
    assert why in found.why


def test_nothing_is_emergent_before_the_injection() -> None:
    found = treatment_emergent(PartialDate.parse("2026-03-20"), None, grade=3)
    assert not found.emergent and "day 1 is not set" in found.why


@pytest.mark.parametrize(
    ("grade", "baseline", "worsened_on", "emergent"),
    [
        (3, 1, "2026-04-10", True),  # worse than before day 1, after day 1
        (3, 1, "2026-04", True),
        (3, 1, "2026-03", True),  # may have worsened on or after day 1: counted
        (3, 1, "2026-03-01", False),  # worsened before the injection
        (2, 2, "2026-04-10", False),  # not worse than before day 1
        (3, None, None, False),  # a condition from before day 1 that did not worsen
    ],
)
def test_a_condition_from_before_day_1_is_emergent_when_it_worsened_after_it(
    grade: int, baseline: int | None, worsened_on: str | None, emergent: bool
) -> None:
    found = treatment_emergent(
        PartialDate.parse("2025-11"),
        DAY1,
        grade=grade,
        baseline_grade=baseline,
        worsened_on=PartialDate.parse(worsened_on) if worsened_on else None,
    )
    assert found.emergent is emergent
    if emergent:
        assert f"worsened after day 1 from grade {baseline}" == found.why


def test_one_day_either_side_of_day_1() -> None:
    before = PartialDate.of(DAY1 - timedelta(days=1))
    assert before.certainly_before(DAY1) and not before.may_be_on_or_after(DAY1)
    assert PartialDate.of(DAY1).may_be_on_or_after(DAY1)
