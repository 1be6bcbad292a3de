"""Reading what a coordinator typed into one field: text, dates, numbers, doses.

Each reader strips and checks one value and refuses it at its field, in words that say
what was expected; blank is not given (None), never zero.
"""

from __future__ import annotations

import math
import re
import sys
from datetime import date, datetime

from trialdesk.errors import InputError
from trialdesk.facts.record import Dose, Quantity

__all__ = [
    "EARLIEST",
    "FIELD_NAMES",
    "MAX_PER_DAY",
    "TEXT_MAX",
    "dimensionless",
    "named",
    "typed_day",
    "typed_dose",
    "typed_number",
    "typed_per_day",
    "typed_text",
]


# Dates before 1900 are typing errors in a living candidate's history (and the floor the
# candidate store uses for birth dates).
EARLIEST = date(1900, 1, 1)


TEXT_MAX = 40  # a number, a unit or a frequency typed in one form field


# Most administrations a day a dose can be given: hourly, HL7 v3 GTSAbbreviation Q1H, the
# most frequent timing code of the FHIR R4 timing-abbreviation value set (the FHIR adapter
# reads it as 24 a day, patients/fhir_medication.py).
MAX_PER_DAY = 24.0


_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)


_FRACTION = re.compile(r"(\d+(?:\.\d*)?)\s*/\s*(\d+(?:\.\d*)?)", re.ASCII)


# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F), in one pass
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


_DOSE_UNITS = ("mg", "g")  # what criteria.medications.daily_dose_mg converts


# The fact form's fields as a person calls them: a message names the field this way, and
# the error's ``field`` carries the code (the page shows the message under its label, so
# a message opening with the code read "Value: value: …": walkthrough D20).
FIELD_NAMES = {
    "concept": "what to enter",
    "on": "the date",
    "end": "the end date",
    "value": "the value",
    "unit": "the unit",
    "upper_limit": "the upper limit of normal",
    "code": "which one",
    "dose": "the dose",
    "dose_unit": "the dose unit",
    "per_day": "the administrations per day",
    "route": "the route",
    "laterality": "the side",
    "source_document": "the source document",
}


def named(field: str, capital: bool = False) -> str:
    """A field as a person calls it (its code where the table has no name)."""
    name = FIELD_NAMES.get(field, field.replace("_", " "))
    return name[:1].upper() + name[1:] if capital else name


def typed_text(value: object, field: str, limit: int) -> str | None:
    """A form field's text, stripped; None when blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{named(field, True)} must be text", field=field)
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise InputError(f"{named(field, True)} must be at most {limit} characters", field=field)
    if _CONTROL.search(text):
        raise InputError(f"{named(field, True)} must not contain control characters", field=field)
    return text


def typed_day(value: object, field: str, today: date) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise InputError(f"{named(field, True)} must be a date", field=field)
    if value > today:
        raise InputError(
            f"{named(field, True)}, {value.isoformat()}, is in the future (today is "
            f"{today.isoformat()})",
            field=field,
        )
    if value < EARLIEST:
        raise InputError(f"{named(field, True)}, {value.isoformat()}, is before 1900", field=field)
    return value


def typed_number(text: str, field: str, what: str) -> float:
    """A decimal number as typed (no thousands separators, no comparator), finite."""
    if text[0] in "<>≤≥":
        raise InputError(
            f"{named(field, True)} must be the measured number for {what}: a result "
            f"reported only as '{text}' cannot decide a criterion",
            field=field,
        )
    if "," in text:
        raise InputError(
            f"{named(field, True)} must be a number written with a decimal point and no "
            f"commas (1.5, 1500), not '{text}'",
            field=field,
        )
    if not _NUMBER.fullmatch(text):
        raise InputError(
            f"{named(field, True)} must be a number for {what}, not '{text}'", field=field
        )
    number = float(text)
    if not math.isfinite(number):
        raise InputError(f"{named(field, True)}, '{text}', is too large to be {what}", field=field)
    return number


def dimensionless(unit: str) -> bool:
    """A UCUM unit of pure number: "1" or an annotation such as "{score}" (as measures.py)."""
    return unit == "1" or (unit.startswith("{") and unit.endswith("}"))


def typed_dose(dose: str | None, dose_unit: str | None, per_day: str | None) -> Dose | None:
    """A medication's dose from its three fields: amount, unit (mg or g), times a day."""
    amount_text = typed_text(dose, "dose", TEXT_MAX)
    unit_text = typed_text(dose_unit, "dose_unit", TEXT_MAX)
    per_day_text = typed_text(per_day, "per_day", TEXT_MAX)
    if amount_text is None:
        if unit_text is not None or per_day_text is not None:
            field = "dose_unit" if unit_text is not None else "per_day"
            raise InputError(f"{named(field, True)} needs a dose: enter the dose too", field="dose")
        return None
    amount = typed_number(amount_text, "dose", "a dose")
    if amount <= 0:
        raise InputError(f"The dose must be a positive number, not '{amount_text}'", field="dose")
    if unit_text is None:
        raise InputError("The dose unit is required with a dose (mg or g)", field="dose_unit")
    unit = unit_text.lower()
    if unit not in _DOSE_UNITS:
        raise InputError(
            f"The dose unit must be {' or '.join(_DOSE_UNITS)} (the units the daily dose is "
            f"computed from), not '{unit_text}'",
            field="dose_unit",
        )
    times = typed_per_day(per_day_text) if per_day_text is not None else None
    mg = amount * (1000.0 if unit == "g" else 1.0) * (times or 1.0)
    if not (sys.float_info.min <= mg < math.inf):
        # the daily dose in mg (criteria.medications.daily_dose_mg) would round to zero or
        # overflow: the engine could not use it
        raise InputError(
            f"The dose, {amount_text} {unit}, is out of the range a daily dose can be computed in",
            field="dose",
        )
    return Dose(Quantity(amount, unit), per_day=times)


def typed_per_day(text: str) -> float:
    fraction = _FRACTION.fullmatch(text)
    if fraction is not None:
        top, bottom = float(fraction.group(1)), float(fraction.group(2))
        value = top / bottom if bottom > 0 else math.inf
    else:
        value = typed_number(text, "per_day", "a number of administrations a day")
    if not (0 < value <= MAX_PER_DAY):
        raise InputError(
            f"The administrations per day must be more than 0 and at most {MAX_PER_DAY:g} "
            f"(weekly: 1/7), not '{text}'",
            field="per_day",
        )
    return value
