"""Age in completed years on a given day.

A person's age goes up by one at the start of each anniversary of the date of birth
(e.g. Age of Majority Act (Northern Ireland) 1969 s.5; Australian Acts Interpretation Act
1901 s.37A: "the time at which a person attains a particular age expressed in years is the
commencement of the relevant anniversary of the date of the birth of that person").

Someone born on 29 February has no anniversary in a common year. We follow the statutory
rule that such a person attains the new age on **1 March** of a common year: Maryland Code,
General Provisions § 1-303(b) ("An individual born on February 29 attains a specified age on
March 1 of any year that is not a leap year"). Some jurisdictions (e.g. Taiwan) use
28 February instead; a study that needs that rule must say so.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from trialdesk.errors import FactError

__all__ = ["MAX_AGE_YEARS", "age_in_years"]

#: Longest verified human life: Jeanne Calment, 21 Feb 1875 - 4 Aug 1997, 122 years 164 days
#: (Guinness World Records; Robine & Allard, Science 1998;279:1834). An age above this is a
#: data error (a wrong year of birth), not a person.
MAX_AGE_YEARS = 122


def _as_date(value: object, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise FactError(f"{field} must be a date, got {type(value).__name__}", field=field)


def _anniversary(birth_date: date, year: int) -> date:
    """The day in ``year`` on which someone born on ``birth_date`` turns a year older."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth_date.replace(year=year)


def age_in_years(birth_date: date, on: date) -> int:
    """Completed years of age on the day ``on``.

    The age rises at the start of each birthday; a 29 February birthday counts as 1 March in
    common years (see the module docstring for the legal sources).

    Raises:
        FactError: ``on`` is before ``birth_date`` (field ``on``), or the age would exceed
            :data:`MAX_AGE_YEARS` (field ``birth_date``).
    """
    birth = _as_date(birth_date, "birth_date")
    day = _as_date(on, "on")
    if day < birth:
        raise FactError(
            f"date {day.isoformat()} is before the date of birth {birth.isoformat()}",
            field="on",
        )
    years = day.year - birth.year
    if day < _anniversary(birth, day.year):
        years -= 1
    if years > MAX_AGE_YEARS:
        raise FactError(
            f"age {years} years on {day.isoformat()} exceeds the longest verified human life "
            f"({MAX_AGE_YEARS} years); the date of birth {birth.isoformat()} is implausible",
            field="birth_date",
        )
    return years
