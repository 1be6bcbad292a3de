"""The audit trail as CSV: one row per entry, each change as ``field: old → new`` and the
whole change set as JSON beside it (for a program), times in UTC and at the site.

UTF-8 with a byte-order mark, so Excel on Chinese Windows reads the Chinese names and
reasons instead of decoding them in the system's code page (walkthrough D22). Free text
is neutralised as in every CSV export (reports/csv_cells.py: OWASP "CSV Injection").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from trialdesk.reports.csv_cells import safe_cell
from trialdesk.trial.store.audit_search import TrailEntry

__all__ = ["BOM", "COLUMNS", "audit_csv", "change_text"]

BOM = "\ufeff"
COLUMNS = [
    "entry", "at_utc", "at_site", "actor", "action", "record", "record_id", "changes",
    "changes_json", "reason", "candidates", "unreadable",
]  # fmt: skip


def _value(value: Any) -> str:
    if value is None:
        return "∅"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def change_text(changes: dict[str, list[Any]]) -> str:
    """``field: old → new`` for each change, in the order the entry holds them."""
    return "; ".join(
        f"{name}: {_value(pair[0])} → {_value(pair[1])}" for name, pair in changes.items()
    )


def audit_csv(
    chunks: Sequence[tuple[Sequence[TrailEntry], dict[int, list[int]]]], zone: tzinfo
) -> bytes:
    """``chunks``: the entries page by page, each with the candidates of its entries."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for rows, people in chunks:
        for r in rows:
            writer.writerow(
                [
                    r.id,
                    r.at.isoformat() if r.at else "",
                    r.at.astimezone(zone).isoformat() if r.at else "",
                    safe_cell(r.actor),
                    r.action,
                    r.entity,
                    safe_cell(r.entity_id),
                    safe_cell(change_text(r.changes)),
                    safe_cell(json.dumps(r.changes, ensure_ascii=False, sort_keys=True)),
                    safe_cell(r.reason or ""),
                    " ".join(str(c) for c in people.get(r.id, [])),
                    r.unreadable or "",
                ]
            )
    return out.getvalue().encode("utf-8")
