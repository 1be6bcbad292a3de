"""ae proposals: the investigator's decisions on adverse events lab grades propose

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ae_proposal_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("visit_key", sa.String(length=48), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("baseline_grade", sa.Integer(), nullable=True),
        sa.Column("value", sa.String(length=40), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("adverse_event_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["adverse_event_id"],
            ["adverse_event.id"],
            name=op.f("fk_ae_proposal_decision_adverse_event_id_adverse_event"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_ae_proposal_decision_enrolment_id_enrolment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ae_proposal_decision")),
        sa.UniqueConstraint(
            "enrolment_id",
            "visit_key",
            "form_id",
            "item_id",
            "term",
            "grade",
            name=op.f("uq_ae_proposal_decision_enrolment_id"),
        ),
    )
    op.create_index(
        op.f("ix_ae_proposal_decision_enrolment_id"),
        "ae_proposal_decision",
        ["enrolment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ae_proposal_decision_enrolment_id"), table_name="ae_proposal_decision")
    op.drop_table("ae_proposal_decision")
