"""The screening log as CSV, for the site or, pseudonymised, for the sponsor.

Both start with a UTF-8 byte-order mark: Excel opens a CSV without one in the system's
code page (GBK on Chinese Windows), which garbles Chinese names and reasons (walkthrough
D22). Free text is neutralised as every CSV export's is (reports/csv_cells.py: OWASP
"CSV Injection", and the look-alikes of security probe F15).

The sponsor's variant (docs/screening.md, "The screening log") identifies people by
their screening number (``S-`` and the candidate number, which only the site can map to
a person) and, once enrolled, their subject number. It carries no name, no hospital
record number, no birth date and no free text (the reasons are typed by staff and may
name people): the age at screening in whole years instead, with ages over 89 as "90+"
(the HIPAA Safe Harbor rule, 45 CFR 164.514(b)(2)(i)(C), aggregates them: few people are
that old, so the exact age narrows who they are).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from trialdesk.clinical.age import age_in_years
from trialdesk.errors import FactError
from trialdesk.reports.csv_cells import safe_cell
from trialdesk.trial.screening.screening_log import LogRow

__all__ = ["BOM", "OLDEST_SHOWN", "age_shown", "log_csv", "pseudonymised_csv", "screening_number"]

BOM = "\ufeff"
OLDEST_SHOWN = 89  # older is "90+" (45 CFR 164.514(b)(2)(i)(C))


def _dates(r: LogRow, anchors: Sequence[str]) -> list[str]:
    return [d.isoformat() if (d := r.dates.get(a)) else "" for a in anchors]


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
                *_dates(r, anchors),
                r.consented_on.isoformat() if r.consented_on else "",
                r.outcome,
                r.outcome_on.isoformat() if r.outcome_on else "",
                " ".join(r.failed_criteria),
                safe_cell(r.reasons),
                safe_cell(r.subject_number or ""),
            ]
        )
    return out.getvalue()


def screening_number(candidate_id: int) -> str:
    return f"S-{candidate_id:03d}"


def age_shown(birth_date: date | None, on: date) -> str:
    """Whole years on ``on``; "90+" past 89; blank when the birth date is not known."""
    if birth_date is None:
        return ""
    try:
        years = age_in_years(birth_date, on)
    except FactError:  # a birth date after the day: no age to give
        return ""
    return f"{OLDEST_SHOWN + 1}+" if years > OLDEST_SHOWN else str(years)


def pseudonymised_csv(rows: list[LogRow], anchors: Sequence[str], age_anchor: str | None) -> str:
    """The sponsor's log: no name, record number, birth date or free text (module doc).
    The age is taken on the ``age_anchor`` date where the site set it (the screening
    date), else on the day the candidate was added."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["screening_number", "subject_number", "age", "sex", "source", "added_on",
         *(f"{a}_date" for a in anchors),
         "consented_on", "outcome", "outcome_on", "failed_criteria"]
    )  # fmt: skip
    for r in rows:
        on = (r.dates.get(age_anchor) if age_anchor else None) or r.added_on
        writer.writerow(
            [
                screening_number(r.candidate_id),
                safe_cell(r.subject_number or ""),
                age_shown(r.birth_date, on),
                r.sex or "",
                r.source,
                r.added_on.isoformat(),
                *_dates(r, anchors),
                r.consented_on.isoformat() if r.consented_on else "",
                r.outcome,
                r.outcome_on.isoformat() if r.outcome_on else "",
                " ".join(r.failed_criteria),
            ]
        )
    return out.getvalue()
