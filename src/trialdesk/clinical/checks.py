"""Shared validation of numeric clinical inputs: each raises :class:`FactError` naming the field."""

from __future__ import annotations

import math
from decimal import Decimal

from trialdesk.errors import FactError

__all__ = [
    "MissingValueError",
    "decimal_in_range",
    "exact",
    "finite",
    "number_in_range",
    "whole_count",
]


class MissingValueError(FactError):
    """A score cannot be computed because values it needs were not given (not because a
    value is wrong): a form saved incomplete has no score yet; its answers still stand."""


def finite(value: object, field: str, unit: str | None = None) -> float:
    """Return ``value`` as a float if it is a finite number (not a bool), in ``unit`` if given.

    Raises:
        FactError: not a number, or not finite.
    """
    where = f" in {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FactError(f"{field} must be a number{where}, got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number):
        raise FactError(f"{field} must be a finite number{where}, got {value!r}", field=field)
    return number


def number_in_range(value: object, field: str, low: float, high: float | None, unit: str) -> float:
    """Return ``value`` as a float if it is a finite number in ``low..high`` (no upper bound
    when ``high`` is ``None``).

    Raises:
        FactError: not a number (bools refused), not finite, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FactError(f"{field} must be a number ({unit}), got {value!r}", field=field)
    number = float(value)
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        bounds = f"{low:g}-{high:g}" if high is not None else f">= {low:g}"
        raise FactError(f"{field} must be {bounds} {unit}, got {value!r}", field=field)
    return number


def whole_count(value: object, field: str, high: int) -> int:
    """Return ``value`` if it is a whole number (not a bool) in ``0..high``.

    Raises:
        FactError: otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise FactError(f"{field} must be a whole number 0-{high}, got {value!r}", field=field)
    return value


def exact(value: float) -> Decimal:
    """The decimal a float is written as (``0.1`` -> ``Decimal("0.1")``), for exact sums."""
    return Decimal(repr(float(value)))


def decimal_in_range(
    value: object,
    field: str,
    low: Decimal | int | None,
    high: Decimal | int | None,
    unit: str | None = None,
) -> Decimal:
    """Return ``value`` (an int, a float or a Decimal; not a bool) as the Decimal it is
    written as (a float through :func:`exact`), if finite and within ``low..high`` (either
    bound ``None``: open).

    Raises:
        FactError: not a number, NaN or infinite, or out of range.
    """
    where = f" {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise FactError(f"{field} must be a number{where}, got {value!r}", field=field)
    number = exact(value) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise FactError(f"{field} must be a finite number{where}, got {value!r}", field=field)
    if (low is not None and number < low) or (high is not None and number > high):
        if low is not None and high is not None:
            bounds = f"{low}-{high}"
        else:
            bounds = f">= {low}" if low is not None else f"<= {high}"
        raise FactError(f"{field} must be {bounds}{where}, got {value!r}", field=field)
    return number
