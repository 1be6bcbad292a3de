"""``trialdesk audit verify --data``: the store's rows against the audit trail's history
(trial/store/audit_replay.py), printed as one table of every difference."""

from __future__ import annotations

import time

from rich.console import Console
from rich.markup import escape
from rich.table import Table

import trialdesk.trial.tables  # noqa: F401  (every wing's tables, for the replay)
from trialdesk.trial.store.audit_replay import verify_data
from trialdesk.trial.store.db import Session

__all__ = ["check_data"]


def check_data(session: Session, out: Console) -> bool:
    """Replay the trail in ``session`` (the chain's own read snapshot), print what differs,
    and say whether the data match their history."""
    started = time.perf_counter()
    report = verify_data(session)
    seconds = time.perf_counter() - started
    checked = (
        f"{report.entries} entries replayed over {len(report.tables)} table(s): "
        f"{report.rows} row(s), {report.fields} field(s), {report.checksums} checksum(s) "
        f"compared in {seconds:.1f} s"
    )
    if report.ok:
        out.print(f"data match their history: {checked}", highlight=False, soft_wrap=True)
        return True
    table = Table("Table", "Row", "Field", "Problem", "Detail", title="Data against the trail")
    for p in report.problems:
        table.add_row(p.table, p.row_id, p.field or "", p.kind.value, escape(p.message))
    out.print(table)
    out.print(
        f"[bold red]data changed outside the application:[/] {len(report.problems)} "
        f"problem(s); {checked}",
        highlight=False,
        soft_wrap=True,
    )
    return False
