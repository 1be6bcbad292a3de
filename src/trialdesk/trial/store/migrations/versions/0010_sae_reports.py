"""sae reports: the initial and follow-up reports of a serious adverse event

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sae_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adverse_event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=True),
        sa.Column("admitted_on", sa.Date(), nullable=True),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("tests", sa.Text(), nullable=True),
        sa.Column("concomitant", sa.Text(), nullable=True),
        sa.Column("reporter", sa.String(length=200), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", _when(), nullable=True),
        sa.Column("signature_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adverse_event_id"],
            ["adverse_event.id"],
            name=op.f("fk_sae_report_adverse_event_id_adverse_event"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"], ["signature.id"], name=op.f("fk_sae_report_signature_id_signature")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sae_report")),
        sa.UniqueConstraint(
            "adverse_event_id", "number", name=op.f("uq_sae_report_adverse_event_id")
        ),
        sa.UniqueConstraint("signature_id", name=op.f("uq_sae_report_signature_id")),
    )
    op.create_index(
        op.f("ix_sae_report_adverse_event_id"), "sae_report", ["adverse_event_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sae_report_adverse_event_id"), table_name="sae_report")
    op.drop_table("sae_report")
