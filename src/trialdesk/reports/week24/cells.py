"""The week-24 report's tables as data: every cell carries the participants (USUBJID) and
the ADaM records behind it, so a page can list them on a click and a file in an appendix.

A cell's text is language-neutral (numbers, "3 (20.0)", "[4.3, 48.1]"); labels are
bilingual texts (study/texts.py Text) and each reader's language is chosen when rendered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trialdesk.reports.cdisc.dataset import Dataset, Value
from trialdesk.reports.week24.stats import Proportion, Summary
from trialdesk.study.texts import Text

__all__ = [
    "Cell",
    "Row",
    "Table",
    "ci_cell",
    "count_cell",
    "number",
    "record_key",
    "summary_cells",
    "text_json",
]

AdamRow = Mapping[str, Value]


@dataclass(frozen=True)
class Cell:
    """What a reader sees (``text``), the number it stands for, and who is behind it."""

    text: str
    value: float | int | str | None = None
    subjects: tuple[str, ...] = ()
    records: tuple[str, ...] = ()  # record_key() of each ADaM row counted

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "value": self.value,
            "subjects": list(self.subjects),
            "records": list(self.records),
        }


@dataclass(frozen=True)
class Row:
    label: Text
    cells: tuple[Cell, ...]
    level: int = 0  # 0: a heading row (SOC, parameter); 1: a row under it


@dataclass(frozen=True)
class Table:
    id: str
    title: Text
    columns: tuple[Text, ...]  # the label column's header first
    rows: tuple[Row, ...]
    population: Text
    notes: tuple[Text, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": text_json(self.title),
            "population": text_json(self.population),
            "columns": [text_json(c) for c in self.columns],
            "rows": [
                {
                    "label": text_json(r.label),
                    "level": r.level,
                    "cells": [c.to_json() for c in r.cells],
                }
                for r in self.rows
            ],
            "notes": [text_json(n) for n in self.notes],
        }


def text_json(text: Text) -> dict[str, str]:
    return {"en": text.en, "zh-CN": text.zh_cn or text.en}


def record_key(dataset: Dataset, row: AdamRow) -> str:
    """An ADaM record named by its dataset and key variables (define.xml KeySequence,
    STUDYID left out: one study per report), e.g. "ADAE USUBJID=S-001 AESEQ=2"."""
    keys = [k for k in dataset.keys if k != "STUDYID"] or ["USUBJID"]
    return dataset.name + " " + " ".join(f"{k}={_plain(row.get(k))}" for k in keys)


def _plain(value: Value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _subjects(rows: Iterable[AdamRow]) -> tuple[str, ...]:
    return tuple(sorted({str(r.get("USUBJID")) for r in rows}))


def number(value: float | None, places: int = 2) -> str:
    """A number as printed: ``places`` decimals; "–" for none (n < 2 has no SD)."""
    return "–" if value is None else f"{value:.{places}f}"


def count_cell(rows: Sequence[AdamRow], dataset: Dataset, denominator: int | None) -> Cell:
    """Participants among ``rows`` as "n (%)" of ``denominator`` (no % without one)."""
    subjects = _subjects(rows)
    n = len(subjects)
    text = str(n) if not denominator else f"{n} ({100.0 * n / denominator:.1f})"
    return Cell(text, n, subjects, tuple(record_key(dataset, r) for r in rows))


def events_cell(rows: Sequence[AdamRow], dataset: Dataset) -> Cell:
    """Records (events) among ``rows``."""
    return Cell(
        str(len(rows)), len(rows), _subjects(rows), tuple(record_key(dataset, r) for r in rows)
    )


def ci_cell(p: Proportion, behind: Cell) -> Cell:
    """The exact interval of a proportion, in percent, with the participants of ``behind``."""
    if p.low is None or p.high is None:
        return Cell("–", None, behind.subjects, behind.records)
    return Cell(
        f"[{100 * p.low:.1f}, {100 * p.high:.1f}]",
        f"{p.low:.6f},{p.high:.6f}",
        behind.subjects,
        behind.records,
    )


def summary_cells(
    s: Summary, subjects: tuple[str, ...], records: tuple[str, ...]
) -> tuple[Cell, ...]:
    """n, mean, SD, median, min–max and the 95% t interval, each with who is behind it."""

    def cell(text: str, value: float | int | str | None) -> Cell:
        return Cell(text, value, subjects, records)

    span = f"{number(s.minimum)}, {number(s.maximum)}" if s.minimum is not None else "–"
    interval = f"[{number(s.low)}, {number(s.high)}]" if s.low is not None else "–"
    return (
        cell(str(s.n), s.n),
        cell(number(s.mean), _round(s.mean)),
        cell(number(s.sd), _round(s.sd)),
        cell(number(s.median), _round(s.median)),
        cell(span, None if s.minimum is None else f"{_round(s.minimum)},{_round(s.maximum)}"),
        cell(interval, None if s.low is None else f"{_round(s.low)},{_round(s.high)}"),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


__all__ += ["events_cell"]
