"""deviations: protocol deviations decided or entered by hand (issue 15, point 3)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "protocol_deviation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("what", sa.String(length=120), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.String(length=5), nullable=False),
        sa.Column("dvterm", sa.Text(), nullable=False),
        sa.Column("dvdecod", sa.String(length=60), nullable=True),
        sa.Column("dvcat", sa.String(length=60), nullable=False),
        sa.Column("dvstdtc", sa.String(length=10), nullable=True),
        sa.Column("epoch", sa.String(length=40), nullable=True),
        sa.Column("visit_key", sa.String(length=48), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_protocol_deviation_enrolment_id_enrolment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_deviation")),
        sa.UniqueConstraint(
            "enrolment_id", "kind", "what", name=op.f("uq_protocol_deviation_enrolment_id")
        ),
    )
    op.create_index(
        op.f("ix_protocol_deviation_enrolment_id"),
        "protocol_deviation",
        ["enrolment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_protocol_deviation_enrolment_id"), table_name="protocol_deviation")
    op.drop_table("protocol_deviation")
