"""Length, SignificantDigits and DataType measured from the values themselves.

Define-XML 2.1 §5.3.6 (ItemDef): Length is a text value's length (bytes here: XPT stores
bytes, FDA TCG §3.3.1) or a number's count of digits; SignificantDigits the digits after
the decimal point of a float. Shared by the variable-level ItemDefs (build.py) and the
value-level ones (value_level.py), which also infer the DataType a test's results have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from trialdesk.reports.cdisc.dataset import Value

__all__ = ["inferred_type", "number_length", "text_length"]

_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")
# ISO 8601 (SDTMIG 3.4 §4.4.1): a complete date, a date missing its day or month, and a
# complete date with a time (to the minute or the second)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PARTIAL_DATE = re.compile(r"\d{4}(-\d{2}){0,2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?")


def text_length(values: Sequence[str]) -> int:
    """The longest value in bytes (UTF-8), at least 1 (Define-XML: Length is positive)."""
    if "".join(values).isascii():  # a character a byte: the longest text is the length
        return max(max(map(len, values), default=0), 1)
    return max(max((len(v.encode("utf-8")) for v in values), default=0), 1)


def number_length(values: Iterable[Value]) -> tuple[int, int]:
    """(digits, decimals) of the longest number among ``values`` (numbers, or texts that
    are numbers; anything else is passed over): Length and SignificantDigits.

    >>> number_length([12.5, 3, None, "100.25"])
    (5, 2)
    """
    digits, decimals = 1, 0
    for value in dict.fromkeys(values):  # each distinct value once: columns repeat them
        if value is None or value == "":
            continue
        try:
            number = Decimal(value if isinstance(value, str) else repr(value))
        except InvalidOperation:
            continue
        text = format(number.normalize(), "f").lstrip("-+")
        whole, _, fraction = text.partition(".")
        digits = max(digits, len(whole) + len(fraction))
        decimals = max(decimals, len(fraction))
    return digits, decimals


def inferred_type(values: Sequence[Value]) -> str:
    """The define.xml DataType every one of ``values`` (none blank) has: integer, float,
    date, partialDate, datetime or else text. Numbers stored as numbers are integer when
    every one is whole.

    >>> inferred_type(["64", "58"]), inferred_type(["36.5", "37"]), inferred_type(["Y"])
    ('integer', 'float', 'text')
    >>> inferred_type(["2026-04-06", "2026-04"]), inferred_type([70.0, 80.5])
    ('partialDate', 'float')
    """
    if not values:
        return "text"
    numbers = [v for v in values if isinstance(v, (int, float))]
    if len(numbers) == len(values):
        return "integer" if all(float(v).is_integer() for v in numbers) else "float"
    texts = [str(v) for v in values]
    for data_type, pattern in (
        ("integer", _INTEGER),
        ("float", _DECIMAL),
        ("date", _DATE),
        ("partialDate", _PARTIAL_DATE),
        ("datetime", _DATETIME),
    ):
        if all(pattern.fullmatch(t) for t in texts):
            return data_type
    return "text"
