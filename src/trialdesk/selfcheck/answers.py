"""A patient's answers: raw form strings (HTML form or JSON) checked into typed values.

Blank and missing both mean "not answered" (a form posts every field, empty or not); an
answer that is given but unusable is an InputError naming the question, in words a
patient can act on. Nothing is stored: these are values passed from call to call.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING

from trialdesk.criteria.model import SelfCheckItem
from trialdesk.criteria.nodes import Duration
from trialdesk.criteria.selfcheck_facts import parse_span
from trialdesk.errors import InputError

if TYPE_CHECKING:
    from trialdesk.study.loader import Study

__all__ = ["AnswerValue", "Answers", "MonthYear", "parse_answers", "parse_value", "to_text"]

_MONTH_YEAR = (re.compile(r"^(\d{4})-(\d{1,2})$"), re.compile(r"^(\d{1,2})/(\d{4})$"))
YES = frozenset({"yes", "y", "true"})
NO = frozenset({"no", "n", "false"})
# Rough lengths, only to hold a duration answer to its question's min/max.
_DAYS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}


@dataclass(frozen=True, order=True)
class MonthYear:
    """A month and year (HTML ``<input type=month>``): "since March 2024"."""

    year: int
    month: int

    def first(self) -> date:
        return date(self.year, self.month, 1)

    def last(self) -> date:
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


AnswerValue = bool | float | str | date | MonthYear | Duration


class Answers(Mapping[str, AnswerValue]):
    """Typed answers by question id; unanswered questions are simply absent."""

    def __init__(self, values: Mapping[str, AnswerValue] | None = None) -> None:
        self._values: Mapping[str, AnswerValue] = MappingProxyType(dict(values or {}))

    def __getitem__(self, key: str) -> AnswerValue:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Answers({dict(self._values)!r})"

    def without(self, *ids: str) -> Answers:
        return Answers({k: v for k, v in self._values.items() if k not in ids})

    def to_json(self) -> dict[str, str]:
        """The answers as form strings: ``parse_answers`` reads them back unchanged."""
        return {k: to_text(v) for k, v in self._values.items()}


def to_text(value: AnswerValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Duration):
        return f"{value.amount} {value.unit}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def parse_answers(study: Study, raw: Mapping[str, object]) -> Answers:
    """Typed answers from form strings; blank or missing is unanswered, unknown keys fail."""
    items = {item.id: item for item in study.criteria.selfcheck}
    out: dict[str, AnswerValue] = {}
    for key, value in raw.items():
        item = items.get(key)
        if item is None:
            raise InputError(f"There is no question '{key}' in this self-check", field=key)
        if value is None:
            continue
        if not isinstance(value, str | int | float):
            raise InputError("Please give this answer as text.", field=key)
        text = str(value).strip()
        if text:
            out[key] = parse_value(item, text)
    return Answers(out)


def parse_value(item: SelfCheckItem, text: str) -> AnswerValue:
    """One answer, typed by its question; InputError (field = question id) when unusable."""
    text = text.strip()
    kind = item.answer
    if kind == "yes_no":
        if text.lower() in YES | NO:
            return text.lower() in YES
        raise InputError("Please answer yes or no.", field=item.id)
    if kind == "choice":
        values = [v for v, _ in item.options]
        if text.lower() in values:
            return text.lower()
        raise InputError("Please choose one of the answers given.", field=item.id)
    if kind == "number":
        return _number(item, text)
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InputError("Please enter a date like 2024-03-31.", field=item.id) from None
    if kind == "month_year":
        return _month_year(item, text)
    return _duration(item, text)


def _bounds(item: SelfCheckItem) -> str:
    unit = f" {item.unit}" if item.unit else ""
    return f"from {item.minimum:g} to {item.maximum:g}{unit}"


def _number(item: SelfCheckItem, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise InputError(f"Please enter a number {_bounds(item)}.", field=item.id)
    low = item.minimum if item.minimum is not None else -math.inf
    high = item.maximum if item.maximum is not None else math.inf
    if not low <= value <= high:
        raise InputError(f"Please enter a number {_bounds(item)}.", field=item.id)
    return value


def _month_year(item: SelfCheckItem, text: str) -> MonthYear:
    for i, pattern in enumerate(_MONTH_YEAR):
        m = pattern.match(text)
        if m:
            year, month = (int(m.group(1)), int(m.group(2)))
            if i == 1:
                year, month = month, year
            if 1 <= month <= 12 and year >= 1900:
                return MonthYear(year, month)
    raise InputError("Please enter a month and year, like 2024-03.", field=item.id)


def _duration(item: SelfCheckItem, text: str) -> Duration:
    unit = item.unit or "months"
    found = parse_span(f"{text} {unit}" if text.isdigit() else text)
    example = "8 months or 2 years"
    if found is None:
        raise InputError(f"Please enter how long in whole {unit}, like {example}.", field=item.id)
    in_unit = found.amount * _DAYS[found.unit] / _DAYS[unit]
    if (item.minimum is not None and in_unit < item.minimum) or (
        item.maximum is not None and in_unit > item.maximum
    ):
        raise InputError(f"Please enter a length of time {_bounds(item)}.", field=item.id)
    return found
