"""A patient's answers: raw form strings (HTML form or JSON) checked into typed values.

Blank and missing both mean "not answered" (a form posts every field, empty or not); an
answer that is given but unusable is a SaidError naming the question, in words a patient
can act on, in English and Chinese; every such answer is reported at once. Nothing is
stored: these are values passed from call to call.
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
from trialdesk.errors import TrialdeskError
from trialdesk.selfcheck.messages import MESSAGES, unit_text
from trialdesk.selfcheck.said import SaidError, raise_all
from trialdesk.study.texts import Text

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
    """Typed answers from form strings; blank or missing is unanswered. Every unusable
    answer (and every unknown key) is reported at once, each at its question (FieldErrors
    of SaidError)."""
    items = {item.id: item for item in study.criteria.selfcheck}
    out: dict[str, AnswerValue] = {}
    errors: list[TrialdeskError] = []
    for key, value in raw.items():
        item = items.get(key)
        if item is None:
            errors.append(SaidError(MESSAGES["no_question"], field=key, key=key))
            continue
        if value is None:
            continue
        if not isinstance(value, str | int | float):
            errors.append(SaidError(MESSAGES["as_text"], field=key))
            continue
        text = str(value).strip()
        if not text:
            continue
        try:
            out[key] = parse_value(item, text)
        except SaidError as error:
            errors.append(error)
    raise_all(errors, resource="self-check answers")
    return Answers(out)


def parse_value(item: SelfCheckItem, text: str) -> AnswerValue:
    """One answer, typed by its question; SaidError (field = question id) when unusable."""
    text = text.strip()
    kind = item.answer
    if kind == "yes_no":
        if text.lower() in YES | NO:
            return text.lower() in YES
        raise SaidError(MESSAGES["yes_no"], field=item.id)
    if kind == "choice":
        values = [v for v, _ in item.options]
        if text.lower() in values:
            return text.lower()
        raise SaidError(MESSAGES["choice"], field=item.id)
    if kind == "number":
        return _number(item, text)
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise SaidError(MESSAGES["date"], field=item.id) from None
    if kind == "month_year":
        return _month_year(item, text)
    return _duration(item, text)


def _suffix(unit: Text | None) -> Text:
    """A unit after a number: " cm" in English, "（厘米）" in Chinese."""
    if unit is None:
        return Text("", "")
    return Text(f" {unit.en}", f"（{unit.get('zh-CN')}）")


def _out_of_bounds(item: SelfCheckItem, key: str) -> SaidError:
    low = f"{item.minimum:g}" if item.minimum is not None else "-∞"
    high = f"{item.maximum:g}" if item.maximum is not None else "∞"
    unit = _suffix(unit_text(item.unit, item.answer))
    return SaidError(MESSAGES[key], field=item.id, low=low, high=high, unit=unit)


def _number(item: SelfCheckItem, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    low = item.minimum if item.minimum is not None else -math.inf
    high = item.maximum if item.maximum is not None else math.inf
    if not math.isfinite(value) or not low <= value <= high:
        raise _out_of_bounds(item, "number")
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
    raise SaidError(MESSAGES["month_year"], field=item.id)


def _duration(item: SelfCheckItem, text: str) -> Duration:
    unit = item.unit or "months"
    found = parse_span(f"{text} {unit}" if text.isdigit() else text)
    if found is None:
        raise SaidError(MESSAGES["duration"], field=item.id, unit=unit_text(unit, "duration") or "")
    in_unit = found.amount * _DAYS[found.unit] / _DAYS[unit]
    if (item.minimum is not None and in_unit < item.minimum) or (
        item.maximum is not None and in_unit > item.maximum
    ):
        raise _out_of_bounds(item, "duration_bounds")
    return found
