"""lock: casebook sign-off, freezes and the study database lock (issue 15, points 4, 5)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES_BEFORE = ("admin", "investigator", "coordinator", "monitor")
_ROLES = (*_ROLES_BEFORE, "data_manager")


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _roles(values: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(
            sa.Column("locked_studies", sa.JSON(), nullable=False, server_default="[]")
        )
    # the data manager's role (freezes, the database lock)
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch.create_check_constraint("role", sa.text(_roles(_ROLES)))
    op.create_table(
        "study_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.String(length=32), nullable=False),
        sa.Column("locked_at", _when(), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("data_hash", sa.String(length=64), nullable=False),
        sa.Column("audit_head_id", sa.Integer(), nullable=False),
        sa.Column("unlocked_at", _when(), nullable=True),
        sa.Column("unlocked_by", sa.String(length=64), nullable=True),
        sa.Column("unlock_reason", sa.Text(), nullable=True),
        sa.Column("unlock_signature_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["signature_id"], ["signature.id"], name=op.f("fk_study_lock_signature_id_signature")
        ),
        sa.ForeignKeyConstraint(
            ["unlock_signature_id"],
            ["signature.id"],
            name=op.f("fk_study_lock_unlock_signature_id_signature"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_lock")),
        sa.UniqueConstraint("signature_id", name=op.f("uq_study_lock_signature_id")),
    )
    op.create_index("ix_study_lock_study_id", "study_lock", ["study_id"])
    op.create_index(
        "uq_study_lock_active",
        "study_lock",
        ["study_id"],
        unique=True,
        sqlite_where=sa.text("unlocked_at IS NULL"),
        postgresql_where=sa.text("unlocked_at IS NULL"),
    )
    op.create_table(
        "data_freeze",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=120), nullable=False),
        sa.Column("frozen_at", _when(), nullable=False),
        sa.Column("frozen_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("thawed_at", _when(), nullable=True),
        sa.Column("thawed_by", sa.String(length=64), nullable=True),
        sa.Column("thaw_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"], ["enrolment.id"], name=op.f("fk_data_freeze_enrolment_id_enrolment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_freeze")),
    )
    op.create_index("ix_data_freeze_enrolment_id", "data_freeze", ["enrolment_id"])
    op.create_index(
        "uq_data_freeze_active",
        "data_freeze",
        ["enrolment_id", "target"],
        unique=True,
        sqlite_where=sa.text("thawed_at IS NULL"),
        postgresql_where=sa.text("thawed_at IS NULL"),
    )
    op.create_table(
        "casebook_signature",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_casebook_signature_enrolment_id_enrolment"),
        ),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signature.id"],
            name=op.f("fk_casebook_signature_signature_id_signature"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casebook_signature")),
        sa.UniqueConstraint("signature_id", name=op.f("uq_casebook_signature_signature_id")),
    )
    op.create_index("ix_casebook_signature_enrolment_id", "casebook_signature", ["enrolment_id"])


def downgrade() -> None:
    op.drop_table("casebook_signature")
    op.drop_table("data_freeze")
    op.drop_table("study_lock")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(op.f("ck_user_account_role"), type_="check")
        batch.create_check_constraint("role", sa.text(_roles(_ROLES_BEFORE)))
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("locked_studies")
