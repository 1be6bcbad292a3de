"""entered facts: the upper limit of normal printed on a lab report

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable, so existing entries keep meaning what they meant: no reference range given.
    op.add_column("entered_fact", sa.Column("upper_limit", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entered_fact") as batch:
        batch.drop_column("upper_limit")
