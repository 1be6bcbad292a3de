"""The screening log as CSV, its free text neutralised as every CSV export's is
(reports/csv_cells.py: OWASP "CSV Injection", and the look-alikes of security probe F15)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from trialdesk.reports.csv_cells import safe_cell
from trialdesk.trial.screening.screening_log import LogRow

__all__ = ["log_csv"]


def log_csv(rows: list[LogRow], anchors: Sequence[str]) -> str:
    """The log as CSV, with a column for each of the study's ``anchors`` (the dates the
    site sets: ``screening_date``, ``baseline_date``, ...)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["candidate_id", "name", "record_number", "source", "added_on",
         *(f"{a}_date" for a in anchors),
         "consented_on", "outcome", "outcome_on", "failed_criteria", "reasons", "subject_number"]
    )  # fmt: skip
    for r in rows:
        writer.writerow(
            [
                r.candidate_id,
                safe_cell(r.name),
                safe_cell(r.record_number or ""),
                r.source,
                r.added_on.isoformat(),
                *(d.isoformat() if (d := r.dates.get(a)) else "" for a in anchors),
                r.consented_on.isoformat() if r.consented_on else "",
                r.outcome,
                r.outcome_on.isoformat() if r.outcome_on else "",
                " ".join(r.failed_criteria),
                safe_cell(r.reasons),
                safe_cell(r.subject_number or ""),
            ]
        )
    return out.getvalue()
