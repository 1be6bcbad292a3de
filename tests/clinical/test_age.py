"""Tests for trialdesk.clinical.age.

Worked examples are computed by hand from the statutory rule cited in the module (age rises
at the start of each birthday; a 29 February birthday counts as 1 March in common years).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.clinical.age import MAX_AGE_YEARS, age_in_years
from trialdesk.errors import FactError


@pytest.mark.parametrize(
    ("birth", "on", "expected"),
    [
        # Ordinary birthday: the day before, the day of, the day after.
        (date(1990, 6, 15), date(2026, 6, 14), 35),
        (date(1990, 6, 15), date(2026, 6, 15), 36),
        (date(1990, 6, 15), date(2026, 6, 16), 36),
        # Day of birth: 0 completed years; one day short of a year: still 0.
        (date(2026, 3, 2), date(2026, 3, 2), 0),
        (date(2025, 3, 2), date(2026, 3, 1), 0),
        (date(2025, 3, 2), date(2026, 3, 2), 1),
        # Year-end boundary.
        (date(2000, 12, 31), date(2018, 12, 30), 17),
        (date(2000, 12, 31), date(2018, 12, 31), 18),
        (date(2001, 1, 1), date(2018, 12, 31), 17),
    ],
)
def test_completed_years(birth: date, on: date, expected: int) -> None:
    assert age_in_years(birth, on) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        # Wikipedia's leap-day example (born 29 Feb 1980, turning 18 in 1998, a common
        # year; Taiwan's rule gives 18 on 28 Feb). Under the 1 March rule used here
        # (Maryland Gen. Prov. § 1-303(b)), computed by hand: 17 on 28 Feb, 18 on 1 Mar.
        (date(1998, 2, 28), 17),
        (date(1998, 3, 1), 18),
        # In a leap year the birthday exists: 19 on 28 Feb 2000, 20 on 29 Feb 2000.
        (date(2000, 2, 28), 19),
        (date(2000, 2, 29), 20),
        (date(2000, 3, 1), 20),
        # 2100 is not a leap year (Gregorian century rule): birthday is 1 March 2100.
        (date(2100, 2, 28), 119),
        (date(2100, 3, 1), 120),
    ],
)
def test_leap_day_birthday_turns_on_first_of_march(on: date, expected: int) -> None:
    assert age_in_years(date(1980, 2, 29), on) == expected


def test_leap_day_birthday_common_year_example() -> None:
    # ageindays.net's leap-day example poses born 29 Feb 2012, asked on 28 Feb and on
    # 1 Mar 2026 (it leaves the legal rule open); answers by hand under the 1 March rule.
    assert age_in_years(date(2012, 2, 29), date(2026, 2, 28)) == 13
    assert age_in_years(date(2012, 2, 29), date(2026, 3, 1)) == 14


def test_datetime_is_read_as_its_date() -> None:
    assert age_in_years(datetime(1990, 6, 15, 23, 59), datetime(2026, 6, 15, 0, 1)) == 36


def test_longest_verified_life_is_accepted() -> None:
    # Jeanne Calment, born 21 Feb 1875, died 4 Aug 1997 aged 122.
    assert age_in_years(date(1875, 2, 21), date(1997, 8, 4)) == MAX_AGE_YEARS == 122


def test_age_above_longest_verified_life_is_refused() -> None:
    with pytest.raises(FactError, match="implausible") as info:
        age_in_years(date(1875, 2, 21), date(1998, 2, 21))
    assert info.value.field == "birth_date"


def test_date_before_birth_is_refused() -> None:
    with pytest.raises(FactError, match="before the date of birth") as info:
        age_in_years(date(2000, 1, 2), date(2000, 1, 1))
    assert info.value.field == "on"


@pytest.mark.parametrize(("birth", "on"), [("1990-06-15", date(2026, 1, 1)), (None, None)])
def test_non_dates_are_refused(birth: object, on: object) -> None:
    with pytest.raises(FactError, match="must be a date"):
        age_in_years(birth, on)  # type: ignore[arg-type]


_births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))


@given(birth=_births, offset=st.integers(0, 365 * 100), step=st.integers(0, 800))
def test_age_never_decreases_with_time(birth: date, offset: int, step: int) -> None:
    first = birth + timedelta(days=offset)
    later = first + timedelta(days=step)
    assert age_in_years(birth, first) <= age_in_years(birth, later)


@given(birth=_births, years=st.integers(0, 100))
def test_age_on_each_anniversary_is_the_year_difference(birth: date, years: int) -> None:
    year = birth.year + years
    try:
        anniversary = birth.replace(year=year)
    except ValueError:  # 29 Feb in a common year: the birthday is 1 March
        anniversary = date(year, 3, 1)
    assert age_in_years(birth, anniversary) == years
    if years:
        assert age_in_years(birth, anniversary - timedelta(days=1)) == years - 1
