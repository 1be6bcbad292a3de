"""Reading what was typed into one item of a case report form.

Each value is read by its item's type, converted to the item's UCUM unit when typed in
another one, refused outside the item's plausible range (an impossible value is never
stored) and flagged outside its expected range (kept, for a query). Numbers stay
decimal text from end to end, so no float rounds a value on its way to the store; a
converted one keeps the significant digits that were typed.
Errors name the item as their field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from trialdesk.clinical.units import canonical_unit, convert
from trialdesk.errors import InputError, UnitError
from trialdesk.study.forms import Item, ItemType
from trialdesk.study.schedule import Schedule
from trialdesk.study.windows import site_time

__all__ = [
    "ItemValue",
    "TEXT_ITEM_MAX",
    "decimal_text",
    "read_item",
]

TEXT_ITEM_MAX = 2000  # a free-text answer (a reaction described, a medication's name)

# Dates before 1900 are typing errors in a participant's history.
EARLIEST = date(1900, 1, 1)

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) but for the
# line feed and the tab a free-text answer may hold, found in one pass
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off"})


@dataclass(frozen=True)
class ItemValue:
    """One item as stored: ``value`` ready for JSON in the item's unit, ``entered`` what
    was typed when it differs (another unit), ``flag`` the expected range it is outside."""

    value: Any
    entered: dict[str, Any] | None = None
    flag: dict[str, Any] | None = None


def decimal_text(value: Decimal) -> str:
    """A decimal as plain text, without exponent or trailing zeros: ``12``, ``0.45``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def _text(raw: object, item: Item) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise InputError(f"expected text, got {type(raw).__name__}", field=item.id)
    text = str(raw).strip()
    if not text:
        return None
    if len(text) > TEXT_ITEM_MAX:
        raise InputError(f"must be at most {TEXT_ITEM_MAX} characters", field=item.id)
    if _CONTROL.search(text):
        raise InputError("must not contain control characters", field=item.id)
    return text


def _number(raw: object, item: Item, *, whole: bool) -> Decimal | None:
    if isinstance(raw, bool):
        raise InputError("expected a number, got true/false", field=item.id)
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise InputError("expected a number", field=item.id)
        raw = repr(raw)  # the shortest text that is this float: 0.1, not 0.1000000000000000055
    text = _text(raw, item)
    if text is None:
        return None
    pattern = _INTEGER if whole else _DECIMAL
    if not pattern.fullmatch(text):
        what = "a whole number" if whole else "a number (digits, with . for decimals)"
        raise InputError(f"expected {what}, got {text!r}", field=item.id)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise InputError(f"expected a number, got {text!r}", field=item.id) from None


def _converted(number: Decimal, unit: str | None, item: Item) -> Decimal:
    """``number`` typed in ``unit`` in the item's own unit (exact decimal arithmetic)."""
    if unit is None or not unit.strip():
        return number
    if item.unit is None:
        raise InputError(f"takes no unit, got {unit.strip()!r}", field=item.id)
    try:
        # value_in_item_unit = typed * scale + offset, as clinical.units defines the units
        offset = convert(0.0, unit, item.unit, item.concept or item.id)
        scale = convert(1.0, unit, item.unit, item.concept or item.id) - offset
    except UnitError as exc:
        raise InputError(exc.message, field=item.id) from None
    if (scale, offset) == (1.0, 0.0):
        return number
    exact = number * Decimal(repr(scale)) + Decimal(repr(offset))
    return _as_precise_as(exact, number)


def _as_precise_as(value: Decimal, typed: Decimal) -> Decimal:
    """A converted value with as many significant digits as were typed (two at least):
    150 [lb_av] is 68.0 kg, not 68.0388555 kg, and 16 kPa is 120 mm[Hg]; a conversion
    adds no precision the measurement did not have (what was typed is kept beside it)."""
    if value == 0:
        return value
    digits = max(len(typed.as_tuple().digits), 2)
    step = Decimal(1).scaleb(value.adjusted() - digits + 1)
    return value.quantize(step, rounding=ROUND_HALF_UP)


_Limits = tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]
# Per item, its plausible and expected limits as decimals: worked out once (every save
# reads every number of the form). Keyed by the item object, kept in the value so that
# its address is not reused while it is here.
_LIMITS: dict[int, tuple[Item, _Limits]] = {}
_LIMITS_MAX = 10_000  # items of every study loaded, many times over


def _limits(item: Item) -> _Limits:
    found = _LIMITS.get(id(item))
    if found is not None and found[0] is item:
        return found[1]
    limits = (
        _decimal(item.minimum),
        _decimal(item.maximum),
        _decimal(item.expected_low),
        _decimal(item.expected_high),
    )
    if len(_LIMITS) >= _LIMITS_MAX:
        _LIMITS.clear()
    _LIMITS[id(item)] = (item, limits)
    return limits


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(repr(value))


def _in_range(number: Decimal, item: Item) -> ItemValue:
    low, high, lo, hi = _limits(item)
    shown = decimal_text(number)
    if (low is not None and number < low) or (high is not None and number > high):
        unit = f" {item.unit}" if item.unit else ""
        limits = f"{_limit(item.minimum, '-∞')} to {_limit(item.maximum, '∞')}{unit}"
        raise InputError(f"{shown}{unit} is impossible: it must be {limits}", field=item.id)
    flag = None
    if (lo is not None and number < lo) or (hi is not None and number > hi):
        flag = {
            "kind": "expected_range",
            "low": item.expected_low,
            "high": item.expected_high,
            "unit": item.unit,
        }
    return ItemValue(shown, flag=flag)


def _limit(value: float | None, infinite: str) -> str:
    if value is None:
        return infinite
    return decimal_text(Decimal(repr(value)))


def _date(raw: object, item: Item, today: date) -> date | None:
    if isinstance(raw, datetime):
        raw = raw.date()
    if isinstance(raw, date):
        day = raw
    else:
        text = _text(raw, item)
        if text is None:
            return None
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InputError(f"expected a date YYYY-MM-DD, got {text!r}", field=item.id) from None
    if day > today:
        raise InputError(
            f"{day.isoformat()} is in the future (today is {today.isoformat()} at the site)",
            field=item.id,
        )
    if day < EARLIEST:
        raise InputError(f"{day.isoformat()} is before {EARLIEST.year}", field=item.id)
    return day


def _datetime(raw: object, item: Item, schedule: Schedule | None, now: datetime) -> datetime | None:
    if isinstance(raw, datetime):
        moment = raw
    else:
        text = _text(raw, item)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"expected a date and time YYYY-MM-DDTHH:MM, got {text!r}", field=item.id
            ) from None
    local = site_time(schedule, moment).replace(microsecond=0)
    if local > now:
        shown = now.astimezone(local.tzinfo).strftime("%Y-%m-%d %H:%M")
        raise InputError(
            f"{local.strftime('%Y-%m-%d %H:%M')} is in the future (it is {shown} at the site)",
            field=item.id,
        )
    if local.date() < EARLIEST:
        raise InputError(f"{local.date().isoformat()} is before {EARLIEST.year}", field=item.id)
    return local


def _choice(raw: object, item: Item) -> str | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    text = _text(raw, item)
    if text is None:
        return None
    codes = [c.code for c in item.choices]
    if text not in codes:
        raise InputError(f"{text!r} is not one of {', '.join(codes)}", field=item.id)
    return text


def _boolean(raw: object, item: Item) -> bool | None:
    if isinstance(raw, bool):
        return raw
    text = _text(raw, item)
    if text is None:
        return None
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise InputError(f"expected yes or no, got {text!r}", field=item.id)


def read_item(
    item: Item,
    raw: object,
    unit: str | None = None,
    *,
    schedule: Schedule | None,
    now: datetime,
    parameters: Mapping[str, Any],
) -> ItemValue | None:
    """The stored form of one item's typed value (None: left blank), or InputError at
    the item. ``now`` is the instant of the save; ``parameters`` the participant's own
    (the injected knee must be their declared target knee)."""
    if item.derived is not None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        raise InputError("is computed from the other items, not typed", field=item.id)
    numeric = item.type in (ItemType.INTEGER, ItemType.DECIMAL)
    if unit is not None and unit.strip() and not numeric:
        raise InputError(f"takes no unit, got {unit.strip()!r}", field=item.id)
    value: ItemValue | None
    match item.type:
        case ItemType.INTEGER | ItemType.DECIMAL:
            number = _number(raw, item, whole=item.type is ItemType.INTEGER and not unit)
            if number is None:
                return None
            converted = _converted(number, unit, item)
            if item.type is ItemType.INTEGER and converted != converted.to_integral_value():
                raise InputError(
                    f"{decimal_text(converted)} {item.unit or ''} is not a whole number".replace(
                        "  ", " "
                    ),
                    field=item.id,
                )
            value = _in_range(converted, item)
            if item.type is ItemType.INTEGER:
                value = ItemValue(int(converted), flag=value.flag)
            if unit is not None and unit.strip() and canonical_unit(unit) != item.unit:
                typed = {"value": decimal_text(number), "unit": unit.strip()}
                value = ItemValue(value.value, entered=typed, flag=value.flag)
        case ItemType.TEXT:
            text = _text(raw, item)
            value = None if text is None else ItemValue(text)
        case ItemType.DATE:
            day = _date(raw, item, site_time(schedule, now).date())
            value = None if day is None else ItemValue(day.isoformat())
        case ItemType.DATETIME:
            moment = _datetime(raw, item, schedule, now)
            value = None if moment is None else ItemValue(moment.isoformat())
        case ItemType.CHOICE:
            code = _choice(raw, item)
            value = None if code is None else ItemValue(code)
        case ItemType.BOOLEAN:
            flag = _boolean(raw, item)
            value = None if flag is None else ItemValue(flag)
    if value is not None and item.parameter is not None:
        declared = parameters.get(item.parameter)
        if declared is None:
            raise InputError(
                f"the participant's {item.parameter.replace('_', ' ')} is not declared yet",
                field=item.id,
            )
        if str(value.value).lower() != str(declared).lower():
            raise InputError(
                f"{value.value} is not the participant's {item.parameter.replace('_', ' ')} "
                f"({declared})",
                field=item.id,
            )
    return value
