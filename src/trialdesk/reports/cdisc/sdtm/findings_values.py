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

__all__ = ["Result", "coded", "is_numeric", "item_value", "number_of", "number_text", "result_of"]


def item_value(content: Mapping[str, Any], item: Item) -> Any:
    """The stored value of ``item`` on a form (a derived one for a derived item)."""
    if item.derived is not None:
        derived = content.get("derived", {}).get(item.id)
        return derived.get("value") if isinstance(derived, Mapping) else None
    return content.get("values", {}).get(item.id)


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
    target = item.sdtm
    # the CDISC UNIT submission value of the item's own unit (the form says which); the
    # store holds every value in the item's unit, so it is the standard unit
    unit = (target.orresu if target is not None and target.orresu else None) or item.unit or ""
    typed = content.get("entered", {}).get(item.id)
    if numeric if numeric is not None else is_numeric(item):
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
