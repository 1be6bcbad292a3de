"""lead erasure: a lead erased on request stays as a tombstone with status "erased"
(issue 18, point 4; issue 17, point 5)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = ("new", "contacted", "not_suitable", "referred")
_STATUSES = (*_BEFORE, "erased")


def _statuses(values: tuple[str, ...]) -> str:
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("lead") as batch:
        batch.drop_constraint(op.f("ck_lead_status"), type_="check")
        batch.create_check_constraint("status", sa.text(_statuses(_STATUSES)))


def downgrade() -> None:
    # an erased lead has nothing left to be "new" or "contacted" with: it cannot go back
    # to a status the older schema knows, so the downgrade stops while one exists
    erased = op.get_bind().execute(sa.text("SELECT count(*) FROM lead WHERE status = 'erased'"))
    if erased.scalar_one():
        raise RuntimeError(
            "leads were erased on request: revision 0015 has no status for them; "
            "downgrading would need their tombstones deleted, which loses the count"
        )
    with op.batch_alter_table("lead") as batch:
        batch.drop_constraint(op.f("ck_lead_status"), type_="check")
        batch.create_check_constraint("status", sa.text(_statuses(_BEFORE)))
