"""conduct: visits, the forms entered at them, visit signatures, the end of participation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "visit_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.String(length=32), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column("missed_reason", sa.Text(), nullable=True),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_visit_record_enrolment_id_enrolment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_record")),
        sa.UniqueConstraint(
            "enrolment_id", "visit_id", "occurrence", name=op.f("uq_visit_record_enrolment_id")
        ),
    )
    op.create_index(
        op.f("ix_visit_record_enrolment_id"), "visit_record", ["enrolment_id"], unique=False
    )
    op.create_table(
        "form_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("visit_record_id", sa.Integer(), nullable=True),
        sa.Column("visit_key", sa.String(length=48), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "incomplete",
                "complete",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),  # fmt: skip
            nullable=False,
        ),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("entered", sa.JSON(), nullable=False),
        sa.Column("derived", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_form_record_enrolment_id_enrolment")
        ),
        sa.ForeignKeyConstraint(
            ["visit_record_id"],
            ["visit_record.id"],
            name=op.f("fk_form_record_visit_record_id_visit_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_record")),
        sa.UniqueConstraint(
            "enrolment_id", "visit_key", "form_id", "row", name=op.f("uq_form_record_enrolment_id")
        ),
    )
    op.create_index(
        "ix_form_record_enrolment_id_form_id",
        "form_record",
        ["enrolment_id", "form_id"],
        unique=False,
    )
    op.create_table(
        "visit_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_record_id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_visit_signature_signature_id_signature"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_record_id"],
            ["visit_record.id"],
            name=op.f("fk_visit_signature_visit_record_id_visit_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_signature")),
        sa.UniqueConstraint("signature_id", name=op.f("uq_visit_signature_signature_id")),
    )
    op.create_index(
        op.f("ix_visit_signature_visit_record_id"),
        "visit_signature",
        ["visit_record_id"],
        unique=False,
    )
    op.create_table(
        "disposition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("visit_record_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_disposition_enrolment_id_enrolment")
        ),
        sa.ForeignKeyConstraint(
            ["visit_record_id"],
            ["visit_record.id"],
            name=op.f("fk_disposition_visit_record_id_visit_record"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposition")),
        sa.UniqueConstraint("enrolment_id", name=op.f("uq_disposition_enrolment_id")),
    )


def downgrade() -> None:
    op.drop_table("disposition")
    op.drop_index(op.f("ix_visit_signature_visit_record_id"), table_name="visit_signature")
    op.drop_table("visit_signature")
    op.drop_index("ix_form_record_enrolment_id_form_id", table_name="form_record")
    op.drop_table("form_record")
    op.drop_index(op.f("ix_visit_record_enrolment_id"), table_name="visit_record")
    op.drop_table("visit_record")
