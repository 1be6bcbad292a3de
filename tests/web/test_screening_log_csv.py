"""The screening log's CSV neutralises formulas as every CSV export does (csv_cells.py),
look-alikes included (security probe F15)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from trialdesk.trial.screening.screening_log import LogRow
from trialdesk.web.rooms.screening.log_csv import log_csv


@pytest.mark.parametrize(
    ("text", "neutralised"),
    [
        ('=HYPERLINK("http://x")', True),
        ("＝SUM(A1:A9)", True),  # fullwidth: the old check let it through
        ("\u200b=1+1", True),  # behind a zero-width space: so did this
        ("\ufeff@cmd", True),
        ("−5", True),  # the minus sign
        ("Ann Lee", False),
    ],
)
def test_every_free_text_cell_is_neutralised(text: str, neutralised: bool) -> None:
    row = LogRow(
        candidate_id=1, name=text, record_number=text, source="form", added_on=date(2026, 3, 2),
        dates={}, consented_on=None, outcome="screening", outcome_on=None, reasons=text,
        failed_criteria=(), subject_number=None,
    )  # fmt: skip
    [header, cells] = list(csv.reader(io.StringIO(log_csv([row], []))))
    for column in ("name", "record_number", "reasons"):
        value = cells[header.index(column)]
        assert value == ("'" + text if neutralised else text), column
