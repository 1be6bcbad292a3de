"""candidates keep their study dates and parameters as the study declares them

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

What is particular to each participant is declared by the study (participant.yaml): the
dates the site sets (for NCT06947746 the screening and baseline dates) and parameters
such as the target knee. A candidate keeps them in two JSON columns, ``anchor_dates``
({anchor: "YYYY-MM-DD"}) and ``parameters`` ({name: value}), instead of one column per
name, so a second study needs no migration. The values move over unchanged; the audit
trail names them as before (``screening_date``, ``baseline_date``, ``target_knee``: see
trial/screening/candidates.py fields_of), so nothing there moves.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, no batch copy: on SQLite the candidate table cannot be copied and
    # dropped while the tables that refer to it enforce their foreign keys (SQLite 3.35 and
    # later drop a column in place).
    for name in ("anchor_dates", "parameters"):
        op.add_column("candidate", sa.Column(name, sa.JSON(), nullable=False, server_default="{}"))
    connection = op.get_bind()
    candidate = sa.table(
        "candidate",
        sa.column("id", sa.Integer()),
        sa.column("screening_date", sa.Date()),
        sa.column("baseline_date", sa.Date()),
        sa.column("target_knee", sa.String()),
        sa.column("anchor_dates", sa.JSON()),
        sa.column("parameters", sa.JSON()),
    )
    rows = connection.execute(sa.select(candidate)).mappings().all()
    for row in rows:
        dates = {
            name: row[f"{name}_date"].isoformat()
            for name in ("screening", "baseline")
            if row[f"{name}_date"] is not None
        }
        parameters = {"target_knee": row["target_knee"]} if row["target_knee"] else {}
        connection.execute(
            sa.update(candidate)
            .where(candidate.c.id == row["id"])
            .values(anchor_dates=dates, parameters=parameters)
        )
    for name in ("screening_date", "baseline_date", "target_knee"):
        op.drop_column("candidate", name)


def downgrade() -> None:
    raise NotImplementedError(
        "0005 cannot be undone: a study's own dates and parameters have no columns in 0004; "
        "restore a backup taken before the upgrade"
    )
