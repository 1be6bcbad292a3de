"""queries: questions on the data, raised by a monitor or by an edit check, and their threads

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("visit_key", sa.String(length=48), nullable=True),
        sa.Column("form_id", sa.String(length=64), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.Column("item", sa.String(length=64), nullable=True),
        sa.Column("adverse_event_id", sa.Integer(), nullable=True),
        sa.Column("entered_fact_id", sa.Integer(), nullable=True),
        sa.Column("target_key", sa.String(length=240), nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=True),
        sa.Column("datum", sa.JSON(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "answered",
                "closed",
                "cancelled",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),  # fmt: skip
            nullable=False,
        ),
        sa.Column("raised_at", _when(), nullable=False),
        sa.Column("raised_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("closed_at", _when(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_datum", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_data_query_enrolment_id_enrolment")
        ),
        sa.ForeignKeyConstraint(
            ["adverse_event_id"],
            ["adverse_event.id"],
            name=op.f("fk_data_query_adverse_event_id_adverse_event"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_fact_id"],
            ["entered_fact.id"],
            name=op.f("fk_data_query_entered_fact_id_entered_fact"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_query")),
    )
    op.create_index(
        op.f("ix_data_query_enrolment_id"), "data_query", ["enrolment_id"], unique=False
    )
    op.create_index("ix_data_query_study_state", "data_query", ["study_id", "state"], unique=False)
    op.create_index(op.f("ix_data_query_target_key"), "data_query", ["target_key"], unique=False)
    op.create_table(
        "query_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("query_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.Column("form_record_id", sa.Integer(), nullable=True),
        sa.Column("form_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["query_id"], ["data_query.id"], name=op.f("fk_query_message_query_id_data_query")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_message")),
        sa.UniqueConstraint("query_id", "number", name=op.f("uq_query_message_query_id")),
    )


def downgrade() -> None:
    op.drop_table("query_message")
    op.drop_index(op.f("ix_data_query_target_key"), table_name="data_query")
    op.drop_index("ix_data_query_study_state", table_name="data_query")
    op.drop_index(op.f("ix_data_query_enrolment_id"), table_name="data_query")
    op.drop_table("data_query")
