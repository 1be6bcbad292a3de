"""One CSV per form, and a data dictionary, for people who would rather open a spreadsheet
than an EDC.

- ``<form>.csv``: a header row of item ids (the names the study folder and the ODM
  ItemDefs use; a label would change with the language), then one row per stored form:
  ``subject, visit, occurrence, row`` and the items in the form's order, typed and
  derived alike; an empty cell is a value not given. Log forms have an empty visit.
- ``data_dictionary.csv``: per item its form, id, English and Chinese label, type, unit,
  choices (``code=English/中文``, separated by `` | ``), hard range, required, the
  calculator of a derived item and the SDTM target: what a header means.

Files are UTF-8 with a byte-order mark: Excel opens a CSV without one in the computer's
ANSI code page (GBK on a Chinese Windows, cp1252 on an English one), which garbles every
Chinese label and any non-ASCII text; with the mark it reads UTF-8. Other readers skip it
(Python's "utf-8-sig", pandas, R's readr).

A cell a spreadsheet could run as a formula (OWASP "CSV Injection") is neutralised by the
project's one helper (reports/csv_cells.py). A plain number (-3.5) is left as it is, so
that a spreadsheet still reads it as a number.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from trialdesk.errors import FieldErrors, TrialdeskError
from trialdesk.reports.cdisc.odm.entries import FormEntry, entry_order, form_entries, value_text
from trialdesk.reports.cdisc.odm.items import data_type
from trialdesk.reports.csv_cells import safe_cell
from trialdesk.study.forms import Form
from trialdesk.study.loader import Study

__all__ = ["DICTIONARY", "KEY_COLUMNS", "write_form_csvs"]

KEY_COLUMNS = ("subject", "visit", "occurrence", "row")
DICTIONARY = "data_dictionary.csv"
_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # what the store keeps a number as (forms.py)


def write_form_csvs(
    study: Study,
    books: Sequence[dict[str, Any]],
    out_dir: Path,
) -> list[Path]:
    """A CSV per form of ``study`` (header only when nothing was stored) and the data
    dictionary, written to ``out_dir``; the paths, dictionary last.

    Raises:
        FieldErrors: every form, visit or item in the casebooks that the study does not
            define (nothing is written then).
    """
    problems: list[TrialdeskError] = []
    entries = list(form_entries(study, books, problems))
    if problems:
        raise FieldErrors(problems, resource=f"{study.id} casebooks as CSV")
    by_form: dict[str, list[FormEntry]] = {f: [] for f in study.forms}
    rank = {str(b.get("participant")): n for n, b in enumerate(books)}
    order = entry_order(study)
    for e in sorted(entries, key=lambda e: (rank[e.subject], *order(e))):
        by_form[e.form].append(e)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for form_id, rows in by_form.items():
        written.append(_write_form(study.forms[form_id], rows, out_dir))
    written.append(_write_dictionary(study, out_dir))
    return written


def _cell(value: object) -> str:
    text = value_text(value)
    return text if _NUMBER.fullmatch(text) else safe_cell(text)


def _write_form(form: Form, rows: list[FormEntry], out_dir: Path) -> Path:
    path = out_dir / f"{form.id}.csv"
    items = [i.id for i in form.items]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*KEY_COLUMNS, *items])
        for e in rows:
            writer.writerow(
                [safe_cell(e.subject), e.visit, e.occurrence, e.row,
                 *(_cell(e.values[i]) if i in e.values else "" for i in items)]
            )  # fmt: skip
    return path


def _write_dictionary(study: Study, out_dir: Path) -> Path:
    path = out_dir / DICTIONARY
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["form", "item", "label_en", "label_zh", "type", "odm_data_type",
                         "unit", "choices", "range_min", "range_max", "required",
                         "derived_by", "sdtm"])  # fmt: skip
        for form in study.forms.values():
            for i in form.items:
                choices = " | ".join(
                    f"{c.code}={c.label.en}/{c.label.zh_cn or ''}" for c in i.choices
                )
                target = i.sdtm
                sdtm = ""
                if target is not None:
                    name = target.testcd or target.variable
                    sdtm = f"{target.domain}.{name}" if name else target.domain
                cells = [form.id, i.id, i.label.en, i.label.zh_cn or "", i.type.value,
                         data_type(i), i.unit or "", choices,
                         "" if i.minimum is None else format(i.minimum, "g"),
                         "" if i.maximum is None else format(i.maximum, "g"),
                         "yes" if i.required else "no",
                         i.derived.calculator if i.derived else "", sdtm]  # fmt: skip
                writer.writerow([_cell(c) for c in cells])
    return path
