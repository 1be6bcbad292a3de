"""safety: adverse events, causality assessments, study holds and safety reviews

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "study_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("held_at", _when(), nullable=False),
        sa.Column("held_by", sa.String(length=64), nullable=False),
        sa.Column("released_at", _when(), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_hold")),
    )
    op.create_index("ix_study_hold_study_id", "study_hold", ["study_id"], unique=False)
    # at most one active hold per study (store/holds.py)
    op.create_index(
        "uq_study_hold_active",
        "study_hold",
        ["study_id"],
        unique=True,
        sqlite_where=sa.text("released_at IS NULL"),
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.create_table(
        "adverse_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("verbatim", sa.String(length=200), nullable=False),
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("meddra_code", sa.String(length=8), nullable=False),
        sa.Column("soc", sa.String(length=120), nullable=False),
        sa.Column("onset_date", sa.String(length=10), nullable=False),
        sa.Column("end_date", sa.String(length=10), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("death", sa.Boolean(), nullable=False),
        sa.Column("life_threatening", sa.Boolean(), nullable=False),
        sa.Column("hospitalisation", sa.Boolean(), nullable=False),
        sa.Column("disability", sa.Boolean(), nullable=False),
        sa.Column("congenital_anomaly", sa.Boolean(), nullable=False),
        sa.Column("medically_important", sa.Boolean(), nullable=False),
        sa.Column("action_taken", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("special_interest", sa.JSON(), nullable=False),
        sa.Column("baseline_grade", sa.Integer(), nullable=True),
        sa.Column("worsened_on", sa.String(length=10), nullable=True),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_adverse_event_enrolment_id_enrolment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_event")),
        sa.UniqueConstraint("enrolment_id", "sequence", name=op.f("uq_adverse_event_enrolment_id")),
    )
    op.create_table(
        "causality_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("adverse_event_id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=20), nullable=False),
        sa.Column("procedure", sa.String(length=20), nullable=False),
        sa.Column("expected", sa.Boolean(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["adverse_event_id"],
            ["adverse_event.id"],
            name=op.f("fk_causality_assessment_adverse_event_id_adverse_event"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_causality_assessment_signature_id_signature"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_causality_assessment")),
        sa.UniqueConstraint("signature_id", name=op.f("uq_causality_assessment_signature_id")),
    )
    op.create_index(
        op.f("ix_causality_assessment_adverse_event_id"),
        "causality_assessment",
        ["adverse_event_id"],
        unique=False,
    )
    op.create_table(
        "safety_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hold_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("reviewed", sa.JSON(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hold_id"], ["study_hold.id"], name=op.f("fk_safety_review_hold_id_study_hold")
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_safety_review_signature_id_signature"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_review")),
        sa.UniqueConstraint("hold_id", name=op.f("uq_safety_review_hold_id")),
        sa.UniqueConstraint("signature_id", name=op.f("uq_safety_review_signature_id")),
    )


def downgrade() -> None:
    op.drop_table("safety_review")
    op.drop_index(
        op.f("ix_causality_assessment_adverse_event_id"), table_name="causality_assessment"
    )
    op.drop_table("causality_assessment")
    op.drop_table("adverse_event")
    op.drop_index("uq_study_hold_active", table_name="study_hold")
    op.drop_index("ix_study_hold_study_id", table_name="study_hold")
    op.drop_table("study_hold")
