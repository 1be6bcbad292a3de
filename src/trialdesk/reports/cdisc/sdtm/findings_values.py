"""One item's value on a saved form as SDTM result variables.

A casebook form (trial/review/casebook.py) holds ``values`` (in the item's unit, UCUM),
``entered`` (what was typed when it was in another unit: ``{"value", "unit"}``) and
``derived`` (``{"value", "version"}``, computed on the server). SDTMIG 3.4 Section 4.5.1
("Original and Standardized Results of Findings..."): --ORRES is the result as collected,
--STRESC/--STRESN the result in standard format and units.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from trialdesk.study.forms import Item, ItemType

__all__ = [
    "FormValues",
    "Result",
    "Results",
    "coded",
    "is_numeric",
    "item_value",
    "number_of",
    "number_text",
    "result_of",
]


def item_value(content: Mapping[str, Any], item: Item) -> Any:
    """The stored value of ``item`` on a form (a derived one for a derived item)."""
    if item.derived is not None:
        derived = content.get("derived", {}).get(item.id)
        return derived.get("value") if isinstance(derived, Mapping) else None
    return content.get("values", {}).get(item.id)


class FormValues:
    """One saved form's stored values, read as ``item_value`` reads them, with the parts of
    the form looked up once for all its items."""

    __slots__ = ("derived", "entered", "values")

    def __init__(self, content: Mapping[str, Any]) -> None:
        self.values: Mapping[str, Any] = content.get("values", {})
        self.derived: Mapping[str, Any] = content.get("derived", {})
        self.entered: Mapping[str, Any] = content.get("entered", {})  # what was typed

    def of(self, item: Item) -> Any:
        """``item_value(content, item)``."""
        if item.derived is not None:
            derived = self.derived.get(item.id)
            return derived.get("value") if isinstance(derived, Mapping) else None
        return self.values.get(item.id)


def number_of(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def number_text(number: Decimal) -> str:
    """A decimal as plain text without exponent or trailing zeros ("47.00" -> "47")."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def coded(value: Any) -> str:
    """A choice code or flag as an SDTM value: Y/N for a boolean (CDISC NY, C66742), codes
    upper-cased with spaces ("right" -> "RIGHT", CDISC LAT C99073)."""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value).replace("_", " ").upper()


def is_numeric(item: Item) -> bool:
    """Whether the item's result is a number (--STRESN): an integer or decimal, or a choice
    whose codes are all numbers."""
    if item.type in (ItemType.INTEGER, ItemType.DECIMAL):
        return True
    return (
        item.type is ItemType.CHOICE
        and all(number_of(c.code) is not None for c in item.choices)
        and bool(item.choices)
    )


@dataclass(frozen=True)
class Result:
    orres: str
    orresu: str
    stresc: str
    stresn: float | None
    stresu: str


def result_of(
    content: Mapping[str, Any], item: Item, *, numeric: bool | None = None
) -> Result | None:
    """The item's result on the form, or ``None`` when it holds none. ``numeric``: the
    item's ``is_numeric``, when the caller has it already."""
    value = item_value(content, item)
    if value is None or value == "":
        return None
    typed = content.get("entered", {}).get(item.id)
    return _result(value, typed, item, is_numeric(item) if numeric is None else numeric)


def _result(value: Any, typed: Any, item: Item, numeric: bool) -> Result:
    """``result_of`` of a stored ``value`` (not blank) and what was ``typed`` for it."""
    target = item.sdtm
    # the CDISC UNIT submission value of the item's own unit (the form says which); the
    # store holds every value in the item's unit, so it is the standard unit
    unit = (target.orresu if target is not None and target.orresu else None) or item.unit or ""
    if numeric:
        number = number_of(value)
        if number is None:
            return Result(str(value), "", str(value), None, "")
        standard = number_text(number)
        orres, orresu = standard, unit
        if isinstance(typed, Mapping) and typed.get("value") is not None:
            # typed in another unit: the original result is what was typed, in its unit
            orres, orresu = str(typed["value"]), str(typed.get("unit") or unit)
        elif item.type is not ItemType.CHOICE:
            orres = str(value)
        return Result(orres, orresu, standard, float(number), unit)
    if isinstance(value, bool):
        return Result(coded(value), "", coded(value), None, "")
    if item.type is ItemType.CHOICE:
        return Result(str(value), "", coded(value), None, "")
    return Result(str(value), "", str(value), None, "")


# Stored values whose equality means the same text, so that one answer serves them all:
# not floats (1.0 == 1 and 0.0 == -0.0, yet str() tells them apart).
_SAME_TEXT = frozenset({str, int, bool})


class Results:
    """``result_of`` and ``number_of`` for one export. Both are functions of the stored
    value (and the item, and what was typed), and a trial repeats its values (scores of 0
    to 10, the same limits on every laboratory report), so each distinct one is worked out
    once. The value's type is part of the key: True == 1, yet they are different results."""

    def __init__(self) -> None:
        self._results: dict[tuple[int, type, Any], Result] = {}
        self._numbers: dict[tuple[type, Any], Decimal | None] = {}

    def result(self, value: Any, typed: Any, item: Item, numeric: bool) -> Result | None:
        """``result_of`` of the stored ``value`` of ``item`` and what was ``typed`` for it
        (``content["entered"]``); the item must outlive this object (its id is the key)."""
        if value is None or value == "":
            return None
        kind = type(value)
        if typed is not None or kind not in _SAME_TEXT:
            return _result(value, typed, item, numeric)
        key = (id(item), kind, value)
        found = self._results.get(key)
        if found is None:
            found = self._results[key] = _result(value, None, item, numeric)
        return found

    def number(self, value: Any) -> Decimal | None:
        """``number_of(value)``."""
        kind = type(value)
        if kind not in _SAME_TEXT:
            return number_of(value)
        key = (kind, value)
        if key in self._numbers:
            return self._numbers[key]
        found = self._numbers[key] = number_of(value)
        return found
